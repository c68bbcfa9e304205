"""A line-list export of 100,000 patients streams: the server's peak memory (VmHWM of the
`f0care serve` process) grows by far less than the file, in CSV and in XLSX."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.dataset import Shape, generate
from domain.enums import Role
from tests.conftest import TEST_SECRET, fresh_database
from tests.server.procs import F0CARE, env, free_port, wait_ready
from tests.tokens import token_of

PATIENTS = 100_000
# below either file (CSV about 13 MB, XLSX about 7 MB), far below what holding the rows
# would take (Python rows of 100,000 patients: over 100 MB); measured growth: 0 MB
BOUND_MB = 6
EXPORT = "mutation($x: ExportFormat!) { exportPatients(format: $x) { url rows } }"


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc")


async def _download(base: str, token: str, fmt: str) -> tuple[int, int]:
    """Export and download (the body read and dropped as it comes): (rows, bytes)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        made = await client.post(
            "/graphql", json={"query": EXPORT, "variables": {"x": fmt}}, headers=headers
        )
        link = made.json()["data"]["exportPatients"]
        size = 0
        async with client.stream("GET", link["url"], headers=headers) as response:
            assert response.status_code == 200
            async for chunk in response.aiter_bytes():
                size += len(chunk)
    return int(link["rows"]), size


@contextmanager
def _server(url: str, cwd: Path) -> Iterator[tuple[str, int]]:
    """One `f0care serve` on `url`: its base URL and process id."""
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own console script
        [F0CARE, "serve", "--port", str(port), "--no-migrate"],
        env=env(DATABASE_URL=url, F0CARE_JWT_SECRET=TEST_SECRET, F0CARE_JOBS="false",
                F0CARE_DEMO=None),
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        yield base, proc.pid
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)


async def test_exporting_100000_patients_keeps_memory_bounded(
    server_url: str, tmp_path: Path
) -> None:
    async with fresh_database(server_url, "f0care_export") as (url, _):
        shape = Shape(patients=PATIENTS, reports=0, days=30, now=datetime.now(UTC))
        await generate(url, shape, timezone="Asia/Ho_Chi_Minh")
        with _server(url, tmp_path) as (base, pid):
            staff = token_of("export-country", Role.HEALTH_STAFF, "VN")  # every patient
            await _download(base, staff, "CSV")  # warm: code paths, pools, caches
            before = _peak_mb(pid)
            rows, csv_bytes = await _download(base, staff, "CSV")
            after_csv = _peak_mb(pid)
            xlsx_rows, xlsx_bytes = await _download(base, staff, "XLSX")
            after_xlsx = _peak_mb(pid)
    assert rows == xlsx_rows == PATIENTS
    assert csv_bytes > 10 * 1024 * 1024  # the file is bigger than the bound
    assert xlsx_bytes > 1024 * 1024
    measured = (
        f"peak {before:.0f} MB, after the CSV ({csv_bytes / 2**20:.1f} MB) {after_csv:.0f} MB, "
        f"after the XLSX ({xlsx_bytes / 2**20:.1f} MB) {after_xlsx:.0f} MB"
    )
    assert after_xlsx - before < BOUND_MB, measured
