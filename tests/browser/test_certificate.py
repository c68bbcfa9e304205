"""The printable recovery certificate in headless Chromium: a health worker records a
negative day-8 test and discharges; the certificate page shows the holder's initials and
carries a QR code that decodes back to the verification address."""

from __future__ import annotations

import io
import re
import secrets
from datetime import UTC, datetime

import zxingcpp
from PIL import Image
from playwright.async_api import Browser
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from tests.browser.conftest import ARTIFACTS
from tests.factories import local_noon, make_patient
from tests.server.live import post
from tests.tokens import token_for


async def test_the_certificate_page_prints_and_its_qr_code_verifies(
    browser: Browser,
    console_server: str,
    demo: SeedResult,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    worker = next(a for a in demo.accounts if a.username == "health.commune")
    assert worker.area_code is not None
    token = token_for(worker)
    async with sessions.begin() as session:
        patient = await make_patient(
            session,
            worker.area_code,
            full_name="Lê Thị Bích Ngọc",
            confirmed_at=local_noon(7),
        )
    negative = {
        "idempotencyKey": secrets.token_hex(8),
        "patientId": str(patient.id),
        "kind": "RAPID_ANTIGEN",
        "result": "NEGATIVE",
        "takenAt": datetime.now(UTC).isoformat(),
    }
    await post(
        console_server,
        token,
        "mutation($i: TestResultInput!) { recordTestResult(input: $i) { id } }",
        {"i": negative},
    )
    discharged = await post(
        console_server,
        token,
        "mutation($id: ID!) { dischargePatient(id: $id, input: {outcome: RECOVERED}) "
        "{ certificate { number verificationCode } } }",
        {"id": str(patient.id)},
    )
    issued = discharged["dischargePatient"]["certificate"]
    address = f"{console_server}/certificates/{issued['number']}?code={issued['verificationCode']}"
    context = await browser.new_context(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
    try:
        page = await context.new_page()
        response = await page.goto(address)
        assert response is not None
        assert response.status == 200
        facts = await page.inner_text("#facts")
        assert "L.T.B.N." in facts
        assert issued["number"] in facts
        assert "Giấy xác nhận" in await page.title()
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "certificate.png"), full_page=True)
        pdf = await page.pdf(format="A4")  # it prints on one A4 page
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
        qr = await page.locator("figure svg").screenshot()
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr)))
        assert [code.text for code in decoded] == [address]
        # a wrong code: not found, no holder shown
        wrong = await page.goto(address[: -len(issued["verificationCode"])] + "XXXXXXXX")
        assert wrong is not None
        assert wrong.status == 404
        assert "L.T.B.N." not in await page.inner_text("body")
    finally:
        await context.close()
