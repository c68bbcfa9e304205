"""The administration screen: an administrator makes an account and hands over its
one-time password; the new user chooses their own at the first sign-in; the administrator
switches the account off and finds it all in the audit log."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from db.demo import SeedResult
from tests.browser.conftest import Console


async def _sign_in_afresh(console: Console, username: str, password: str) -> None:
    await console.page.goto(f"{console.base}/console/")
    await console.page.evaluate("sessionStorage.clear()")
    await console.sign_in(username, password)


async def test_an_administrator_makes_an_account_and_switches_it_off(
    console: Console, demo: SeedResult
) -> None:
    page = console.page
    await page.set_viewport_size({"width": 1280, "height": 1000})
    commune = next(a.area_code for a in demo.accounts if a.username == "health.commune")
    assert commune is not None
    name = f"yta.{secrets.token_hex(3)}"
    await console.sign_in("admin.province")
    await page.click("#tabs button[data-section=admin]")
    await page.click("#user-form >> xpath=.. >> summary")
    await page.fill("#user-form input[name=username]", name)
    await page.fill("#user-form input[name=displayName]", "Võ Thị Ánh")
    await page.select_option("#user-form select[name=role]", "HEALTH_STAFF")
    await page.fill("#user-form input[name=areaCode]", commune)
    await page.click("#user-form button[type=submit]")
    await page.wait_for_selector("#issued-password strong")
    one_time = await page.inner_text("#issued-password strong")
    assert len(one_time.replace("-", "")) == 14
    row = page.locator("#user-table tbody tr", has_text=name)
    await row.wait_for(timeout=10_000)
    assert "Võ Thị Ánh" in await row.inner_text()
    await console.screenshot("admin")
    # the new user signs in with it and must choose their own password first
    await _sign_in_afresh(console, name, one_time)
    await page.wait_for_selector("#password-form")
    await page.fill("#password-form input[name=new]", "Mật khẩu riêng của Ánh")
    await page.click("#password-form button[type=submit]")
    await page.wait_for_selector("#tabs button[data-section=patients]")
    # the administrator switches the account off, with the reason, and reviews the log
    await _sign_in_afresh(console, "admin.province", "f0care-demo")
    await page.click("#tabs button[data-section=admin]")
    row = page.locator("#user-table tbody tr", has_text=name)
    await row.wait_for(timeout=10_000)
    await row.locator("input[name=reason]").fill("Chuyển công tác")
    await row.locator("button.deactivate").click()
    await (
        page.locator("#user-table tbody tr", has_text=name).locator("button.reactivate").wait_for()
    )
    await page.fill("#audit-filters input[name=actor]", name)
    await page.click("#audit-filters button[type=submit]")
    audit = page.locator("#audit-table tbody tr", has_text="CHANGE_PASSWORD")
    await audit.wait_for(timeout=10_000)
    assert "Nhân viên y tế" in await audit.inner_text()


async def test_an_administrator_adds_a_facility_and_reports_its_beds(
    console: Console, demo: SeedResult
) -> None:
    page = console.page
    await page.set_viewport_size({"width": 1280, "height": 1000})
    commune = next(a.area_code for a in demo.accounts if a.username == "health.commune")
    assert commune is not None
    name = f"Bệnh viện dã chiến {secrets.token_hex(2)}"
    await console.sign_in("admin.province")
    await page.click("#tabs button[data-section=admin]")
    await page.click("#facility-form >> xpath=.. >> summary")
    await page.fill("#facility-form input[name=name]", name)
    await page.select_option("#facility-form select[name=kind]", "FIELD_HOSPITAL")
    await page.fill("#facility-form input[name=areaCode]", commune)
    await page.click("#facility-form button[type=submit]")
    row = page.locator("#facility-table tbody tr", has_text=name)
    await row.wait_for(timeout=10_000)
    await row.locator("input[name=capacity]").fill("120")
    await row.locator("input[name=outside]").fill("15")
    await row.locator("button.report-beds").click()
    await page.wait_for_function(
        f"[...document.querySelectorAll('#facility-table tbody tr')].some(r => r.textContent.includes({name!r}) && r.children[4].textContent === '120')"
    )
    cells = (
        await page.locator("#facility-table tbody tr", has_text=name)
        .locator("td")
        .all_inner_texts()
    )
    assert cells[1:6] == ["Bệnh viện dã chiến", "2", cells[3], "120", "15"]


async def test_a_health_worker_downloads_the_line_list(console: Console) -> None:
    page = console.page
    await console.sign_in("health.commune")
    await page.click("#tabs button[data-section=patients]")
    await page.wait_for_selector("#patient-table tbody tr")
    async with page.expect_download() as started:
        await page.click("#export-csv")
    download = await started.value
    assert download.suggested_filename.startswith("f0care-patients-")
    path = await download.path()
    content = await asyncio.to_thread(Path(path).read_bytes)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    assert "Họ tên (full name)" in content.decode("utf-8-sig").splitlines()[0]
    await page.wait_for_selector("#export-state:has-text('Đã xuất')")


async def test_a_refused_account_says_why_in_the_consoles_language(console: Console) -> None:
    page = console.page
    await page.set_viewport_size({"width": 1280, "height": 1000})

    async def refused_with(username: str) -> str:
        await page.click("#tabs button[data-section=admin]")
        form = page.locator("#user-form")
        if not await form.is_visible():
            await page.click("#user-form >> xpath=.. >> summary")
        await page.fill("#user-form input[name=username]", username)
        await page.fill("#user-form input[name=displayName]", "Lê Văn Tâm")
        await page.click("#user-form button[type=submit]")
        problem = page.locator("#user-form .error")
        await page.wait_for_function(
            "document.querySelector('#user-form .error').textContent.includes('input.username')"
        )
        return await problem.inner_text()

    await console.sign_in("admin.province")
    vietnamese = await refused_with("X!")
    assert "phải gồm 3 đến 64 ký tự a-z" in vietnamese, vietnamese
    await page.select_option("#lang", "en")
    await page.wait_for_selector("#tabs button[data-section=admin]:has-text('Administration')")
    english = await refused_with("Y?")
    assert "must be 3 to 64 of a-z" in english, english
