"""The console in headless Chromium (Debian's `chromium` package) against a real
`f0care serve --demo` on the test database. Screenshots go to `test-artifacts/`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

from db.demo import SeedResult
from tests.conftest import TEST_SECRET
from tests.server.procs import serving

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium() -> str:
    """Debian's Chromium, installed now when it is missing and apt can (as root)."""
    if shutil.which("chromium") is None and shutil.which("apt-get") and os.geteuid() == 0:
        install = ["apt-get", "install", "-y", "-qq", "chromium"]
        if subprocess.run(install, check=False, capture_output=True).returncode != 0:  # noqa: S603
            subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)  # noqa: S603
            subprocess.run(install, check=False, capture_output=True)  # noqa: S603
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("the browser tests need Debian's Chromium: apt-get install chromium")
    return found


@pytest.fixture(scope="session")
def console_server(
    database_url: str, demo: SeedResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`f0care serve --demo` on the test database (its demo data is already there)."""
    cwd = tmp_path_factory.mktemp("console")
    with serving(cwd, "--demo", DATABASE_URL=database_url, F0CARE_JWT_SECRET=TEST_SECRET) as base:
        yield base


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        await launched.close()


class Console:
    """A page of the console, with the errors its browser console printed."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    async def sign_in(self, username: str, password: str = "f0care-demo") -> None:  # noqa: S107
        await self.page.goto(f"{self.base}/console/")
        await self.page.fill("input[name=username]", username)
        await self.page.fill("input[name=password]", password)
        await self.page.press("input[name=password]", "Enter")  # the keyboard is enough

    async def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        await self.page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


LITERALS = re.compile(r"null|undefined|NaN|\[object Object\]")


@pytest.fixture
async def console(browser: Browser, console_server: str) -> AsyncIterator[Console]:
    context = await browser.new_context(viewport={"width": 1100, "height": 800})
    page = await context.new_page()
    opened = Console(page, console_server)
    yield opened
    shown = await page.inner_text("body") if not page.is_closed() else ""
    await context.close()
    assert opened.errors == [], opened.errors
    # a value the page did not have must never be written as text
    assert not LITERALS.findall(shown), LITERALS.findall(shown)
