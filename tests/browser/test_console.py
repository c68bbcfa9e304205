"""The console, driven like a user: sign in, live alert feed, statistics, patients."""

from __future__ import annotations

import asyncio
import re
import secrets

from db.demo import SeedResult
from domain.enums import Role
from tests.browser.conftest import LITERALS, Console
from tests.server.live import post, sos
from tests.tokens import token_for, token_of

PHONE = re.compile(r"\b0\d{9}\b")


async def _quiet_patients(base: str, token: str) -> list[str]:
    """Patients at home in the caller's area without an open alert."""
    found = await post(
        base,
        token,
        "{ patients(first: 100, filter: {status: [HOME_TREATMENT]}) { edges { node { id openAlerts { id } } } } }",
        {},
    )
    return [e["node"]["id"] for e in found["patients"]["edges"] if not e["node"]["openAlerts"]]


async def _sos(base: str, token: str, patient: str) -> str:
    raised = await sos(base, token, secrets.token_hex(6), patient)
    return str(raised["id"])


async def _worker_watching_the_feed(console: Console, demo: SeedResult) -> str:
    """Sign in as the commune health worker and wait for the live feed; their API token."""
    await console.sign_in("health.commune")
    await console.page.wait_for_selector("#feed-state:has-text('●')", timeout=10_000)
    return token_for(next(a for a in demo.accounts if a.username == "health.commune"))


async def test_health_worker_sees_an_sos_live_and_acknowledges_it(
    console: Console, demo: SeedResult
) -> None:
    page = console.page
    # given a commune health worker signed in, with the feed live
    staff = await _worker_watching_the_feed(console, demo)
    # when an SOS is raised for a patient of the commune without an open alert
    patient = (await _quiet_patients(console.base, staff))[0]
    alert = await _sos(console.base, staff, patient)
    # then it appears at the top of the feed (within 2 s, as the bench measures), with phone and vitals
    card = page.locator(f"#alert-{alert}")
    await card.wait_for(timeout=20_000)
    assert await page.locator("#feed > li").first.get_attribute("id") == f"alert-{alert}"
    assert PHONE.search(await card.inner_text())
    await console.screenshot("alerts")
    # when the worker acknowledges it, then the API says ACKNOWLEDGED
    await card.locator("button.ack").click()
    for _ in range(20):
        state = await post(
            console.base,
            staff,
            "query($id: ID!) { patient(id: $id) { openAlerts { id status } } }",
            {"id": patient},
        )
        statuses = {a["id"]: a["status"] for a in state["patient"]["openAlerts"]}
        if statuses.get(alert) == "ACKNOWLEDGED":
            break
        await asyncio.sleep(0.1)
    assert statuses[alert] == "ACKNOWLEDGED"
    await page.locator(f"#alert-{alert}[data-status=ACKNOWLEDGED]").wait_for(timeout=20_000)


async def test_alert_texts_follow_the_language_switch(console: Console, demo: SeedResult) -> None:
    page = console.page
    staff = await _worker_watching_the_feed(console, demo)
    await page.select_option("#lang", "en")
    await page.wait_for_selector("#feed-state:has-text('●')", timeout=10_000)
    patient = (await _quiet_patients(console.base, staff))[0]
    alert = await _sos(console.base, staff, patient)
    card = page.locator(f"#alert-{alert} .alert-message")
    await card.wait_for(timeout=20_000)
    assert await card.inner_text() == "SOS: the patient needs urgent help"
    await page.select_option("#lang", "vi")
    await page.wait_for_selector(
        f"#alert-{alert} .alert-message:has-text('SOS: người bệnh cần hỗ trợ khẩn cấp')",
        timeout=20_000,
    )
    # the patient is quiet again for the other tests of the feed
    resolve = 'mutation($id: ID!) { resolveAlert(id: $id, note: "test") { status } }'
    assert (await post(console.base, staff, resolve, {"id": alert}))["resolveAlert"] == {
        "status": "RESOLVED"
    }


async def test_province_manager_sees_the_chart_the_districts_and_no_phone(
    console: Console, demo: SeedResult
) -> None:
    page = console.page
    await console.sign_in("manager.province")
    # the statistics of Tây Ninh: a chart and one row per district (9)
    await page.wait_for_selector("#chart svg polyline", timeout=10_000)
    await page.wait_for_function("document.querySelectorAll('#breakdown tbody tr').length === 9")
    assert "Tây Ninh" in await page.inner_text("#stats-area")
    await console.screenshot("statistics")
    # the patient list, as a manager: no personal data asked for, none shown
    await page.click("#tabs button[data-section=patients]")
    await page.wait_for_selector("#patient-table tbody tr")
    await page.locator("#patient-table tbody tr").first.press("Enter")
    await page.wait_for_selector("#patient-detail:not([hidden]) h2")
    await console.screenshot("patients")
    assert not PHONE.search(await page.content())
    detail = await page.inner_text("#patient-detail")
    assert not LITERALS.findall(detail), detail  # no "null" where hidden fields would be
    # and the English labels
    await page.select_option("#lang", "en")
    await page.wait_for_selector("#tabs button[data-section=statistics]:has-text('Statistics')")


async def test_wrong_password_shows_an_error(console: Console) -> None:
    await console.sign_in("health.commune", "not-the-password")
    error = console.page.locator("#signin-error")
    await error.wait_for(state="visible")
    await console.page.wait_for_function(
        "document.querySelector('#signin-error').textContent.length > 0"
    )
    assert await console.page.is_visible("#signin-form")
    await console.screenshot("signin-error")


async def test_a_phone_sized_screen_shows_the_feed(console: Console) -> None:
    await console.page.set_viewport_size({"width": 360, "height": 740})
    await console.sign_in("official.commune")
    await console.page.wait_for_selector("#feed-state:has-text('●')", timeout=10_000)
    width = await console.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    await console.screenshot("phone")


async def test_an_expired_token_returns_to_sign_in(console: Console) -> None:
    page = console.page
    await page.goto(f"{console.base}/console/")
    # given a session whose token expires two seconds from now
    token = token_of("health.worker", Role.HEALTH_STAFF, "25708")
    await page.evaluate(
        "t => sessionStorage.setItem('f0care.token', JSON.stringify("
        "{token: t, expiresAt: new Date(Date.now() + 2000).toISOString()}))",
        token,
    )
    await page.reload()
    await page.wait_for_selector("#alerts:not([hidden])")
    # when it expires, then the console is back at sign-in, saying why
    await page.wait_for_selector("#signin:not([hidden])", timeout=20_000)
    assert await page.inner_text("#signin-error")
    assert await page.evaluate("sessionStorage.getItem('f0care.token')") is None


async def test_the_feed_resumes_after_a_dropped_connection(
    console: Console, demo: SeedResult
) -> None:
    page = console.page
    staff = await _worker_watching_the_feed(console, demo)
    quiet = await _quiet_patients(console.base, staff)
    # given a feed that has seen one event
    first = await _sos(console.base, staff, quiet[0])
    await page.locator(f"#alert-{first}").wait_for(timeout=20_000)
    # when its connection drops and an SOS comes while it is down
    await page.evaluate("window.__f0care.live.forEach(s => s.ws.close())")
    await page.wait_for_selector("#feed-state:not(:has-text('●'))")
    missed = await _sos(console.base, staff, quiet[1])
    # then the feed reconnects with afterId and shows the SOS it missed
    await page.locator(f"#alert-{missed}").wait_for(timeout=10_000)
    await page.wait_for_selector("#feed-state:has-text('●')")
