"""PostGraphile 4, the peer of the patient-page benchmark: installed with npm into
bench/postgraphile (pinned in its package.json and package-lock.json), serving the same
database, asked for the same page.

PostGraphile has no notion of f0care's scope, field rules or audit: the district scope is
emulated with a condition on the patient's district column, and open alerts with a filter
of postgraphile-plugin-connection-filter."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import free_port

FOLDER = Path(__file__).parent / "postgraphile"
CLI = FOLDER / "node_modules" / "postgraphile" / "cli.js"
VERSION = json.loads((FOLDER / "package.json").read_text())["dependencies"]["postgraphile"]


def page(district: str) -> str:
    """The bench's patient page (bench/perf.py's PAGE) in PostGraphile's schema."""
    return (
        "{ allPatients(first: 50, orderBy: [ID_DESC], "
        f'condition: {{homeDistrictCode: "{district}"}}) {{ nodes {{ caseCode fullName status '
        "severity tier lastReportAt areaByHomeCommuneCode { name areaByParentCode { name } } "
        "facilityByFacilityId { name } "
        "healthReportsByPatientId(first: 1, orderBy: [REPORTED_AT_DESC, ID_DESC]) "
        "{ nodes { spo2 respiratoryRate severity } } "
        'alertsByPatientId(filter: {status: {in: ["OPEN", "ACKNOWLEDGED"]}}, orderBy: [ID_ASC]) '
        "{ nodes { kind } } } } }"
    )


def install() -> str | None:
    """Install PostGraphile once (npm ci); None when ready, else why it cannot run."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "node and npm are missing (node 20: apt-get install nodejs npm)"
    if not CLI.exists():
        subprocess.run(  # noqa: S603 - npm with our own pinned lock file
            [npm, "ci", "--no-audit", "--no-fund"], cwd=FOLDER, check=True, capture_output=True
        )
    return None


@dataclass(frozen=True)
class Peer:
    """A running PostGraphile: where to send requests, and its process (for its CPU)."""

    base: str
    pid: int


@contextmanager
def serve(url: str) -> Iterator[Peer]:
    """PostGraphile on database `url` (a postgresql:// URL), until the block ends."""
    node = shutil.which("node") or "node"
    port = free_port()
    connection = url.replace("postgresql+asyncpg://", "postgres://").replace(
        "postgresql://", "postgres://"
    )
    command = [
        node,
        str(CLI),
        "--connection",
        connection,
        "--schema",
        "public",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--append-plugins",
        "postgraphile-plugin-connection-filter",
        "--disable-query-log",
        "--disable-graphiql",
    ]
    proc = subprocess.Popen(  # noqa: S603 - node with the pinned PostGraphile
        command, cwd=FOLDER, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base)
        yield Peer(base, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            answer = httpx.post(f"{base}/graphql", json={"query": "{ __typename }"}, timeout=2)
            if answer.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"PostGraphile at {base} did not become ready")


def case_codes(base: str, district: str) -> list[str]:
    """The case codes of PostGraphile's page, in order (to check it holds f0care's rows)."""
    answer = httpx.post(f"{base}/graphql", json={"query": page(district)}, timeout=30).json()
    return [node["caseCode"] for node in answer["data"]["allPatients"]["nodes"]]
