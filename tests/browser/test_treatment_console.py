"""The console as a commune health worker's working screen: the patient's treatment record
beside the list; a negative day-8 test recorded, the discharge, the certificate printed;
an alert card opens its patient; the statistics drill down."""

from __future__ import annotations

from playwright.async_api import Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from tests.browser.conftest import Console
from tests.factories import local_noon, make_patient
from tests.server.live import sos
from tests.tokens import token_for


async def _patient(sessions: async_sessionmaker[AsyncSession], demo: SeedResult, name: str) -> str:
    """A patient at home on day 8 in the commune of the demo health worker."""
    worker = next(a for a in demo.accounts if a.username == "health.commune")
    assert worker.area_code is not None
    async with sessions.begin() as session:
        patient = await make_patient(
            session,
            worker.area_code,
            full_name=name,
            confirmed_at=local_noon(7),
        )
    return str(patient.id)


async def _find(page: Page, name: str) -> None:
    """Search the list for `name` and open the patient beside it."""
    await page.click("#tabs button[data-section=patients]")
    await page.fill("#filters input[name=search]", name)
    row = page.locator("#patient-table tbody tr", has_text=name)
    await row.wait_for(timeout=10_000)
    await row.click()
    await page.wait_for_selector(f"#patient-detail:not([hidden]) h2:has-text('{name}')")


async def test_a_health_worker_records_the_day_8_test_discharges_and_prints(
    console: Console, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    page = console.page
    await page.set_viewport_size({"width": 1280, "height": 900})
    name = "Trần Thị Thu Hà"
    await _patient(sessions, demo, name)
    await console.sign_in("health.commune")
    await page.wait_for_selector("#tabs button[data-section=patients]")
    await _find(page, name)
    detail = page.locator("#patient-detail")
    # day 8 of 7, a test still needed; list and detail side by side on a desktop
    isolation = await page.inner_text("#isolation")
    assert "Ngày 8 trên 7" in isolation
    assert "cần test nhanh" in isolation
    table_box = await page.locator("#patient-table").bounding_box()
    detail_box = await detail.bounding_box()
    assert table_box is not None
    assert detail_box is not None
    assert detail_box["x"] > table_box["x"] + table_box["width"] - 1
    # a negative rapid test taken by the health worker
    await page.click("#test-form >> xpath=.. >> summary")
    await page.select_option("#test-form select[name=result]", "NEGATIVE")
    await page.click("#test-form button[type=submit]")
    await page.wait_for_selector("#isolation .release:not(.pending)")
    assert "Đủ điều kiện" in await page.inner_text("#isolation")
    assert "Âm tính" in await page.inner_text("#patient-detail")
    await console.screenshot("treatment-record")
    # the work list shows the patient as due
    await page.check("#filters input[name=releaseDue]")
    await page.locator("#patient-table tbody tr", has_text=name).wait_for(timeout=10_000)
    # discharged as recovered, the certificate is there to print
    await page.click("#discharge-form >> xpath=.. >> summary")
    await page.select_option("#discharge-form select[name=outcome]", "RECOVERED")
    await page.click("#discharge-form button[type=submit]")
    link = page.locator("#certificate-link")
    await link.wait_for(timeout=10_000)
    assert "Khỏi bệnh" in await page.inner_text("#patient-detail")
    async with page.context.expect_page() as opened:
        await link.click()
    certificate = await opened.value
    await certificate.wait_for_load_state()
    assert "T.T.T.H." in await certificate.inner_text("#facts")
    await certificate.close()


async def test_refusals_are_shown_in_the_form_and_an_alert_opens_its_patient(
    console: Console, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    page = console.page
    await page.set_viewport_size({"width": 1280, "height": 900})
    name = "Phạm Minh Khôi"
    patient = await _patient(sessions, demo, name)
    await console.sign_in("health.commune")
    await page.wait_for_selector("#feed-state:has-text('●')", timeout=10_000)
    # an SOS of the patient: its card opens the patient record
    worker = next(a for a in demo.accounts if a.username == "health.commune")
    raised = await sos(console.base, token_for(worker), "console-open", patient)
    card = page.locator(f"#alert-{raised['id']}")
    await card.wait_for(timeout=20_000)
    await card.locator("strong").click()
    await page.wait_for_selector(f"#patient-detail:not([hidden]) h2:has-text('{name}')")
    # discharging as recovered before release is due: the rule is named in the form
    await page.click("#discharge-form >> xpath=.. >> summary")
    await page.click("#discharge-form button[type=submit]")
    error = page.locator("#discharge-form .error")
    await error.wait_for(state="visible")
    await page.wait_for_function(
        "document.querySelector('#discharge-form .error').textContent.length > 0"
    )
    assert "vn-moh-2022-release" in await error.inner_text()
    # molnupiravir without consent is refused with the rule
    await page.click("#prescribe-form >> xpath=.. >> summary")
    await page.wait_for_function(
        "document.querySelectorAll('#prescribe-form select[name=drug] option').length > 10"
    )
    await page.select_option("#prescribe-form select[name=drug]", "MOLNUPIRAVIR-400")
    await page.select_option("#prescribe-form select[name=package]", "C")
    await page.fill("#prescribe-form input[name=dose]", "800 mg")
    await page.fill("#prescribe-form input[name=frequency]", "2 lần/ngày")
    await page.fill("#prescribe-form input[name=days]", "5")
    await page.click("#prescribe-form button[type=submit]")
    await page.wait_for_function(
        "document.querySelector('#prescribe-form .error').textContent.includes('consent')"
    )
    await console.screenshot("treatment-refusal")


async def test_statistics_drill_down_to_communes_and_back(console: Console) -> None:
    page = console.page
    await console.sign_in("manager.province")
    await page.wait_for_function("document.querySelectorAll('#breakdown tbody tr').length === 9")
    assert await page.is_visible("#occupancy")
    assert "Khai báo" in await page.inner_text("#funnel caption")
    # a district row drills down to its communes; back to the province
    district = page.locator("#breakdown tbody tr[data-area]").first
    name = await district.locator("td").first.inner_text()
    await district.click()
    await page.wait_for_function(
        f"document.querySelector('#stats-area').textContent.includes({name!r})"
    )
    assert await page.is_visible("#stats-home")
    await page.click("#stats-home")
    await page.wait_for_function(
        "document.querySelector('#stats-area').textContent.includes('Tây Ninh')"
    )
    await console.screenshot("statistics-drill")
