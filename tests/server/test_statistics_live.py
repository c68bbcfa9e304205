"""statisticsUpdates against a real server: a snapshot at once, then one per change, throttled."""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from db.demo import SeedResult
from domain.enums import Role
from tests.server.live import Subscriber, post
from tests.tokens import token_for, token_of

UPDATES = "subscription { statisticsUpdates { activePatients daily { date newCases } } }"
THROTTLE = 5.0  # the server's default


async def test_snapshot_then_throttled_updates(live_server: str, demo: SeedResult) -> None:
    official = next(a for a in demo.accounts if a.username == "official.commune")
    assert official.area_code is not None
    watcher = await Subscriber.open(live_server, token_for(official), document=UPDATES)
    try:
        first = await watcher.next(within=20)
        before = first["payload"]["data"]["statisticsUpdates"]["activePatients"]
        # when a declaration of this commune is verified
        today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
        citizen = token_of(f"citizen-{secrets.token_hex(4)}", Role.CITIZEN)
        declared = await post(
            live_server,
            citizen,
            "mutation($i: SelfTestInput!) { declareSelfTest(input: $i) { id } }",
            {
                "i": {
                    "idempotencyKey": secrets.token_hex(6),
                    "fullName": "Võ Thị Sống",
                    "dateOfBirth": "1995-05-05",
                    "sex": "FEMALE",
                    "phone": "0901234567",
                    "communeCode": official.area_code,
                    "address": "Ấp Một",
                    "testKind": "RAPID_ANTIGEN",
                    "testedOn": today,
                }
            },
        )
        declaration_id = declared["declareSelfTest"]["id"]
        await post(
            live_server,
            token_for(official),
            "mutation($id: ID!) { verifyDeclaration(id: $id) { id } }",
            {"id": declaration_id},
        )
        # then a new snapshot counts the new patient, within the throttle (plus a margin)
        update = await watcher.next(within=THROTTLE + 3)
        pushed = time.monotonic()
        assert update["payload"]["data"]["statisticsUpdates"]["activePatients"] == before + 1
        # and another change right away is pushed no sooner than the throttle allows
        await post(
            live_server,
            citizen,
            "mutation($i: HealthReportInput!) { submitHealthReport(input: $i) { id } }",
            {"i": {"idempotencyKey": secrets.token_hex(6), "spo2": 97}},
        )
        await watcher.next(within=THROTTLE + 3)
        assert time.monotonic() - pushed >= THROTTLE - 0.5
    finally:
        await watcher.close()


async def test_foreign_area_is_refused(live_server: str, demo: SeedResult) -> None:
    watcher = await Subscriber.open(
        live_server,
        token_of("m", Role.MANAGER, "712"),
        document='subscription { statisticsUpdates(areaCode: "703") { activePatients } }',
    )
    try:
        message = await watcher.next(within=20)
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"
    finally:
        await watcher.close()
