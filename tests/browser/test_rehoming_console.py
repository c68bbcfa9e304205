"""After `f0care migrate-areas`, the province's health worker finds the records waiting
for their new commune in the console and gives one its commune."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from playwright.async_api import Browser
from sqlalchemy import text

from db.admin import drop_database, ensure_database
from db.engine import make_engine
from tests.browser.conftest import LITERALS, Console
from tests.conftest import TEST_SECRET, throwaway_url
from tests.server.procs import env, run_cli, serving


@pytest.fixture(scope="module")
def moved(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A demo database moved to the 2025 map with the command line, and a server on it."""
    url = throwaway_url(server_url, "f0care_console_move")
    asyncio.run(ensure_database(url))
    cwd = tmp_path_factory.mktemp("moved")
    try:
        environ = env(DATABASE_URL=url)
        seeded = run_cli("seed-demo", "--patients", "300", environ=environ, cwd=cwd)
        assert seeded.returncode == 0, seeded.stderr
        dry = run_cli("migrate-areas", "--to", "VN_2025", "--dry-run", environ=environ, cwd=cwd)
        assert dry.returncode == 0, dry.stderr
        assert "dry run: nothing was changed" in dry.stdout
        moved = run_cli("migrate-areas", "--to", "VN_2025", environ=environ, cwd=cwd)
        assert moved.returncode == 0, moved.stderr
        assert "VN_2021 → VN_2025" in moved.stdout
        assert "rehoming queue:" in moved.stdout
        again = run_cli("migrate-areas", "--to", "VN_2025", environ=environ, cwd=cwd)
        assert "already on the VN_2025 map" in again.stderr
        with serving(cwd, DATABASE_URL=url, F0CARE_JWT_SECRET=TEST_SECRET) as base:
            yield base, url
    finally:
        asyncio.run(drop_database(url))


async def _open_items(url: str) -> set[str]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT id FROM rehoming_items WHERE resolved_at IS NULL")
            )
            return {str(r[0]) for r in rows}
    finally:
        await engine.dispose()


async def test_a_waiting_patient_gets_its_new_commune(
    browser: Browser, moved: tuple[str, str]
) -> None:
    base, url = moved
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    console = Console(await context.new_page(), base)
    page = console.page
    try:
        await console.sign_in("health.province")  # its province is Tây Ninh (80) now
        await page.click("#tabs button[data-section=rehoming]")
        rows = page.locator("#rehoming-table tbody tr")
        await rows.first.wait_for(timeout=10_000)
        waiting = await _open_items(url)
        assert await rows.count() == len(waiting)
        row = rows.first
        item = await row.get_attribute("data-id")
        assert item in waiting
        assert "Người bệnh" in await row.inner_text()
        options = row.locator("select[name=commune] option")
        assert await options.count() > 1  # a split commune: choose among its successors
        chosen = await options.nth(1).get_attribute("value")
        assert chosen is not None
        await row.locator("select[name=commune]").select_option(chosen)
        await row.locator("input[name=reason]").fill("Nhà ở phía ấp thuộc xã mới")
        await console.screenshot("rehoming")
        await row.locator("button[type=submit]").click()
        await page.locator(f"#rehoming-table tbody tr[data-id='{item}']").wait_for(
            state="detached", timeout=10_000
        )
        assert item not in await _open_items(url)
        shown = await page.inner_text("body")
        assert not LITERALS.findall(shown)
        assert console.errors == []
    finally:
        await context.close()
