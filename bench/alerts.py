"""Alert delivery latency: from the SOS request to its receipt by every subscriber, with
many WebSocket subscribers spread over two server processes.

    python -m bench alerts [--subscribers 1000] [--alerts 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import time
from collections import defaultdict
from datetime import timedelta

import httpx
from rich.progress import Progress
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from auth.tokens import TokenClaims, mint_token
from bench.common import SECRET, bench_database, machine, percentile, record, server_processes
from db.engine import make_engine, make_session_factory
from db.models import Area
from db.queries.patients import add_patient
from domain.enums import AreaLevel, PatientStatus, Role, Sex

SUBSCRIPTION = "subscription { alertEvents { alert { id } } }"
COMMUNE = "25708"


def token(subject: str, role: Role, area: str | None = None) -> str:
    claims = TokenClaims(subject, role, area)
    return mint_token(claims, secret=SECRET, ttl=timedelta(hours=2))[0]


async def make_patients(url: str, count: int) -> list[str]:
    """Patients at home in one commune, each owned by its own citizen subject."""
    from datetime import UTC, date, datetime

    engine = make_engine(url, pool_size=1)
    try:
        async with make_session_factory(engine).begin() as session:
            commune = await session.get(Area, COMMUNE)
            if commune is None or commune.level is not AreaLevel.COMMUNE:
                raise LookupError(f"commune {COMMUNE} is missing")
            subjects = [f"bench-citizen-{i}" for i in range(count)]
            for subject in subjects:
                await add_patient(
                    session,
                    case_code=f"B-{secrets.token_hex(5)}",
                    status=PatientStatus.HOME_TREATMENT,
                    full_name="Người Thử Nghiệm",
                    date_of_birth=date(1990, 1, 1),
                    sex=Sex.MALE,
                    phone="0912345678",
                    address="Bench",
                    home_province_code=commune.province_code,
                    home_district_code=commune.district_code or "",
                    home_commune_code=commune.code,
                    citizen_subject=subject,
                    confirmed_at=datetime.now(UTC),
                )
        return subjects
    finally:
        await engine.dispose()


async def subscribe(base: str, bearer: str) -> ClientConnection:
    ws = await connect(
        base.replace("http://", "ws://") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        max_queue=None,
    )
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {bearer}"}})
    )
    await ws.recv()
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
    return ws


async def listen(ws: ClientConnection, frames: list[tuple[float, str | bytes]]) -> None:
    # keep the client cheap while measuring: timestamp raw frames, decode them afterwards
    async for raw in ws:
        frames.append((time.perf_counter(), raw))


def decode(frames: list[tuple[float, str | bytes]]) -> dict[str, list[float]]:
    received: dict[str, list[float]] = defaultdict(list)
    for at, raw in frames:
        message = json.loads(raw)
        if message.get("type") == "next":
            received[message["payload"]["data"]["alertEvents"]["alert"]["id"]].append(at)
    return received


async def run(subscribers: int, alerts: int, url: str, bases: list[str]) -> dict[str, float]:
    citizens = await make_patients(url, alerts)
    staff = token("bench-staff", Role.HEALTH_STAFF, COMMUNE)
    frames: list[tuple[float, str | bytes]] = []
    sockets = []
    with Progress(transient=True) as bar:
        task = bar.add_task("subscribers", total=subscribers)
        for i in range(subscribers):
            sockets.append(await subscribe(bases[i % len(bases)], staff))
            bar.advance(task)
    readers = [asyncio.create_task(listen(ws, frames)) for ws in sockets]
    await asyncio.sleep(1)
    sent: dict[str, float] = {}
    mutation = "mutation($i: SosInput!) { raiseSos(input: $i) { id } }"
    async with httpx.AsyncClient(timeout=30) as client:
        for n, subject in enumerate(citizens):
            bearer = token(subject, Role.CITIZEN)
            started = time.perf_counter()
            response = await client.post(
                f"{bases[n % len(bases)]}/graphql",
                json={"query": mutation, "variables": {"i": {"idempotencyKey": f"b{n}"}}},
                headers={"Authorization": f"Bearer {bearer}"},
            )
            sent[response.json()["data"]["raiseSos"]["id"]] = started
            await asyncio.sleep(0.25)
    deadline = time.monotonic() + 30
    while len(frames) < len(sent) * subscribers and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    for reader in readers:
        reader.cancel()
    for ws in sockets:
        await ws.close()
    received = decode(frames)
    latencies = [(t - sent[a]) * 1000 for a in sent for t in received[a]]
    delivered = sum(len(received[a]) for a in sent)
    return {
        "expected": float(len(sent) * subscribers),
        "delivered": float(delivered),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench alerts", description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--alerts", type=int, default=40)
    args = parser.parse_args(argv)
    with (
        bench_database("f0care_bench_alerts") as url,
        server_processes(url, 2, F0CARE_JOBS="false") as bases,
    ):
        result = asyncio.run(run(args.subscribers, args.alerts, url, bases))
    verdict = (
        "met" if result["p99"] < 250 and result["delivered"] == result["expected"] else "MISSED"
    )
    body = f"""Machine: {machine()}. Two `f0care serve` processes (one worker each), PostgreSQL
LISTEN/NOTIFY fan-out; {args.subscribers} graphql-transport-ws subscribers (half on each
process) in one client process on the same machine; {args.alerts} SOS alerts raised one
every 250 ms, alternating processes. Latency is measured from sending the `raiseSos` HTTP
request (so it includes the mutation itself) to receipt by each subscriber.

| delivered | p50 | p99 | max | target p99 < 250 ms |
|---|---|---|---|---|
| {int(result["delivered"])} / {int(result["expected"])} | {result["p50"]:.1f} ms \
| {result["p99"]:.1f} ms | {result["max"]:.1f} ms | {verdict} |
"""
    record("Alert delivery latency", body)
    print(body)
    return 0 if verdict == "met" else 1
