"""What every benchmark needs: a throwaway database, server processes, machine facts."""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.engine import make_url

from db import rollup
from db.admin import drop_database, ensure_database
from db.areas import has_areas, load_areas, load_reference
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.models import Patient
from domain.enums import AreaEdition
from server.settings import Settings
from server.setup import database_url

SECRET = "bench-secret-" + "b" * 40
F0CARE = str(Path(sys.executable).parent / "f0care")
RESULTS = Path(__file__).parent / "RESULTS.md"
TIMEZONE = "Asia/Ho_Chi_Minh"


def _named(name: str) -> str:
    """The URL of database `name` on DATABASE_URL's server (or the embedded one)."""
    server = database_url(Settings())
    return make_url(server).set(database=name).render_as_string(hide_password=False)


async def _prepare(url: str) -> bool:
    """Create (if missing) and migrate the database, load the areas; whether it holds no
    patients yet."""
    await ensure_database(url)
    engine = make_engine(url, pool_size=2)
    try:
        await upgrade(engine)
        async with make_session_factory(engine).begin() as session:
            if await has_areas(session):
                await load_reference(session)
            else:
                await load_areas(session, AreaEdition.VN_2021)  # the dataset is on 2021's map
            await rollup.ensure(session, TIMEZONE)
            return await session.scalar(select(Patient.id).limit(1)) is None
    finally:
        await engine.dispose()


@contextmanager
def bench_database(prefix: str) -> Iterator[str]:
    """A fresh database (on DATABASE_URL's server, or the embedded one), migrated, with
    the areas loaded; dropped afterwards."""
    url = _named(f"{prefix}_{secrets.token_hex(3)}")
    asyncio.run(_prepare(url))
    try:
        yield url
    finally:
        asyncio.run(drop_database(url))


@contextmanager
def kept_database(name: str) -> Iterator[tuple[str, bool]]:
    """Database `name`, made ready like `bench_database` but kept afterwards (large datasets
    are reused by several benchmarks); yields its URL and whether it holds no patients."""
    url = _named(name)
    yield url, asyncio.run(_prepare(url))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def server_processes(
    url: str, count: int, *, workers: int = 1, pids: list[int] | None = None, **settings: str
) -> Iterator[list[str]]:
    """`count` `f0care serve` processes (of `workers` workers each) on `url`; yields their
    base URLs (and puts their process ids in `pids`, for `cpu_seconds`)."""
    environ = {**os.environ, "DATABASE_URL": url, "F0CARE_JWT_SECRET": SECRET, **settings}
    environ.pop("F0CARE_DEMO", None)
    procs, bases = [], []
    try:
        for _ in range(count):
            port = free_port()
            procs.append(
                subprocess.Popen(  # noqa: S603 - our own console script
                    [
                        F0CARE,
                        "serve",
                        "--port",
                        str(port),
                        "--no-migrate",
                        "--workers",
                        str(workers),
                    ],
                    env=environ,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
            if pids is not None:
                pids.append(procs[-1].pid)
        for base in bases:
            _wait_ready(base)
        yield bases
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            proc.wait(timeout=30)


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server at {base} did not become ready")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def machine() -> str:
    """One line about where the numbers come from."""
    cores = os.cpu_count()
    return (
        f"{platform.machine()}, {cores} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def record(section: str, body: str) -> None:
    """Replace (or add) `## section` in bench/RESULTS.md."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    parts = text.split("\n## ")
    kept = [parts[0]] + [p for p in parts[1:] if not p.startswith(section + "\n")]
    updated = "\n## ".join(kept).rstrip() + f"\n\n## {section}\n\n{body.strip()}\n"
    RESULTS.write_text(updated, encoding="utf-8")


def _stat(pid: str) -> tuple[str, int, float] | None:
    """(command name, parent pid, CPU seconds incl. reaped children) of a process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # it ended meanwhile
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    ticks = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return name, int(fields[1]), ticks / os.sysconf("SC_CLK_TCK")


def cpu_seconds(roots: list[int]) -> tuple[float, float]:
    """CPU seconds used so far by the process trees of `roots` (a server and its workers)
    and by every PostgreSQL process of the machine (its backends and background workers;
    a backend that ended counts through the postmaster that reaped it)."""
    table = {int(pid): stat for pid in os.listdir("/proc") if pid.isdigit() if (stat := _stat(pid))}
    inside: set[int] = set(roots)
    grew = True
    while grew:
        more = {pid for pid, (_, parent, _) in table.items() if parent in inside} - inside
        inside |= more
        grew = bool(more)
    ours = sum(table[pid][2] for pid in inside if pid in table)
    postgres = sum(cpu for name, _, cpu in table.values() if name.startswith("postgres"))
    return ours, postgres
