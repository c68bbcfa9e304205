"""The contact work list in the console: a health worker lists a close contact from the
patient's record, finds them among today's tests, records the check and the test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from domain.enums import Role
from tests.browser.conftest import Console
from tests.browser.test_treatment_console import _find, _patient
from tests.factories import make_patient
from tests.schema.test_contacts import _listed_contact
from tests.server.live import post
from tests.tokens import token_of


async def test_a_health_worker_follows_a_contact_from_listing_to_test(
    console: Console, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    page = console.page
    await page.set_viewport_size({"width": 1280, "height": 900})
    case = "Ngô Thị Hằng"
    await _patient(sessions, demo, case)
    await console.sign_in("health.commune")
    await page.wait_for_selector("#tabs button[data-section=contacts]")
    await _find(page, case)
    # a household contact, exposed today, listed from the case's record
    await page.click("#contact-form >> xpath=.. >> summary")
    await page.fill("#contact-form input[name=fullName]", "Ngô Văn Tiếp")
    await page.fill("#contact-form input[name=phone]", "0911222333")
    await page.click("#contact-form button[type=submit]")
    await page.wait_for_selector("#patient-detail [role=status]")
    # the contact is due for the day-1 test on the work list
    await page.click("#tabs button[data-section=contacts]")
    await page.check("#contact-filters input[name=due]")
    row = page.locator("#contact-table tbody tr", has_text="Ngô Văn Tiếp")
    await row.wait_for(timeout=10_000)
    await row.click()
    await page.wait_for_selector("#contact-detail:not([hidden]) h2:has-text('Ngô Văn Tiếp')")
    assert "ngày xét nghiệm" in await page.inner_text("#contact-detail tr[data-day='1']")
    # today's check with a cough, and a negative rapid test
    await page.click("#check-form >> xpath=.. >> summary")
    await page.check("#check-form input[value=COUGH]")
    await page.click("#check-form button[type=submit]")
    await page.wait_for_function(
        "document.querySelector(\"#contact-detail tr[data-day='1']\").textContent.includes('Ho')"
    )
    await page.click("#contact-test-form >> xpath=.. >> summary")
    await page.select_option("#contact-test-form select[name=result]", "NEGATIVE")
    await page.click("#contact-test-form button[type=submit]")
    await page.wait_for_function(
        "document.querySelector(\"#contact-detail tr[data-day='1']\").textContent.includes('đã xét nghiệm')"
    )
    await console.screenshot("contacts")
    # and leaves the list of tests due
    await page.uncheck("#contact-filters input[name=due]")
    await page.check("#contact-filters input[name=due]")
    await page.wait_for_function(
        "![...document.querySelectorAll('#contact-table tbody tr')].some(r => r.textContent.includes('Ngô Văn Tiếp'))"
    )


async def test_the_patient_record_draws_its_transmission_chain(
    console: Console, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    page = console.page
    await page.set_viewport_size({"width": 1280, "height": 900})
    worker = next(a for a in demo.accounts if a.username == "health.commune")
    assert worker.area_code is not None
    async with sessions.begin() as session:  # A listed c1, who became B; B listed c2
        a = await make_patient(session, worker.area_code, full_name="Nguồn Lây")
        b = await make_patient(session, worker.area_code, full_name="Chuỗi Tiếp Theo")
        await _listed_contact(session, a, worker.area_code, became=b)
        await _listed_contact(session, b, worker.area_code)
    await console.sign_in("health.commune")
    await page.wait_for_selector("#tabs button[data-section=patients]")
    await _find(page, "Chuỗi Tiếp Theo")
    chain = page.locator("#chain")
    await chain.wait_for(timeout=10_000)
    assert await chain.locator("circle").count() == 2  # A and B
    assert await chain.locator("rect").count() == 2  # c1 and c2
    assert await chain.locator("line").count() == 3
    assert a.case_code in (await chain.text_content() or "")
    await console.screenshot("chain")


async def test_a_contact_declared_by_the_case_is_confirmed_by_staff(
    console: Console, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    page = console.page
    await page.set_viewport_size({"width": 1280, "height": 900})
    worker = next(a for a in demo.accounts if a.username == "health.commune")
    assert worker.area_code is not None
    async with sessions.begin() as session:
        await make_patient(session, worker.area_code, citizen_subject="household-case")
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    member = {"idempotencyKey": "hh-1", "fullName": "Em Gái Tự Khai", "lastExposureOn": today}
    await post(
        console.base,
        token_of("household-case", Role.CITIZEN),
        "mutation($i: [HouseholdContactInput!]!) { declareHouseholdContacts(input: $i) { contacts { id } } }",
        {"i": [member]},
    )
    await console.sign_in("health.commune")
    await page.click("#tabs button[data-section=contacts]")
    row = page.locator("#contact-table tbody tr", has_text="Em Gái Tự Khai")
    await row.wait_for(timeout=10_000)
    await row.click()
    await page.click("#confirm-contact")
    await page.wait_for_selector("#contact-detail:not([hidden]) h2:has-text('Em Gái Tự Khai')")
    await page.wait_for_function("!document.querySelector('#confirm-contact')")


async def test_a_health_worker_lists_a_contact_s_contact_links_their_app_and_marks_one_lost(
    console: Console, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    page = console.page
    await page.set_viewport_size({"width": 1280, "height": 1000})
    worker = next(a for a in demo.accounts if a.username == "health.commune")
    assert worker.area_code is not None
    async with sessions.begin() as session:
        case = await make_patient(session, worker.area_code, full_name="Ca Có F2")
        contact = await _listed_contact(session, case, worker.area_code)
        contact.full_name = "Lâm Văn Nối"
        silent = await _listed_contact(session, case, worker.area_code)
        silent.full_name = "Lâm Thị Vắng"
        silent.created_at = datetime.now(UTC) - timedelta(hours=50)
    staff = token_of("health-browser", Role.HEALTH_STAFF, worker.area_code)
    ill = 'mutation($id: ID!) { submitContactFollowUp(contactId: $id, input: {symptoms: ["COUGH"]}) { id } }'
    await post(console.base, staff, ill, {"id": str(contact.id)})
    await console.sign_in("health.commune")
    await page.click("#tabs button[data-section=contacts]")
    await page.locator("#contact-table tbody tr", has_text="Lâm Thị Vắng").wait_for(timeout=10_000)
    # the work list: a cough without a test since
    await page.check("#contact-filters input[name=symptomatic]")
    await page.wait_for_function(
        "![...document.querySelectorAll('#contact-table tbody tr')].some(r => r.textContent.includes('Lâm Thị Vắng'))"
    )
    row = page.locator("#contact-table tbody tr", has_text="Lâm Văn Nối")
    await row.wait_for(timeout=10_000)
    await row.click()
    await page.wait_for_selector("#contact-detail:not([hidden]) h2:has-text('Lâm Văn Nối')")
    # a contact of this contact (F2), listed from the contact's detail
    await page.click("#contact-of-contact-form >> xpath=.. >> summary")
    await page.fill("#contact-of-contact-form input[name=fullName]", "Lâm Bé Hai")
    await page.click("#contact-of-contact-form button[type=submit]")
    # listed: the detail is drawn again, its form folded (then the list may be reloaded)
    await page.locator("#contact-of-contact-form input[name=fullName]").wait_for(state="hidden")
    await page.uncheck("#contact-filters input[name=symptomatic]")
    f2 = page.locator("#contact-table tbody tr", has_text="Lâm Bé Hai")
    await f2.wait_for(timeout=10_000)
    await f2.click()
    await page.wait_for_selector("#contact-detail:not([hidden]) h2:has-text('Lâm Bé Hai')")
    assert "Lâm Văn Nối" in await page.inner_text("#open-source-contact")
    # the app link code, shown once, to read to them
    await page.click("#issue-link-code")
    await page.wait_for_selector("#link-code strong")
    code = await page.inner_text("#link-code strong")
    assert len(code.replace("-", "")) == 10
    await console.screenshot("contact-of-contact")
    # the silent one is marked lost to follow-up, with the reason
    await page.check("#contact-filters input[name=unchecked]")
    lost = page.locator("#contact-table tbody tr", has_text="Lâm Thị Vắng")
    await lost.wait_for(timeout=10_000)
    await lost.click()
    await page.wait_for_selector("#contact-detail:not([hidden]) h2:has-text('Lâm Thị Vắng')")
    await page.click("#lost-form >> xpath=.. >> summary")
    await page.fill("#lost-form input[name=reason]", "Gọi 3 lần không nghe máy")
    await page.click("#lost-form button[type=submit]")
    await page.wait_for_function(
        "document.querySelector('#contact-detail').textContent.includes('Mất dấu')"
    )
