"""`f0care serve --demo` on the embedded PostgreSQL, over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.server.procs import F0CARE, env, free_port, wait_ready


def _postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_serve_demo_on_embedded_postgres(tmp_path: Path) -> None:
    # given no DATABASE_URL and an empty data folder
    data_dir = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environ = env(DATABASE_URL=None, F0CARE_DATA_DIR=str(data_dir), F0CARE_JWT_SECRET=None)
    proc = subprocess.Popen(
        [F0CARE, "serve", "--demo", "--port", str(port)],
        env=environ,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # when it starts, then it is ready and answers GraphQL over HTTP
        wait_ready(base, proc)
        response = httpx.post(
            f"{base}/graphql", json={"query": "{ areas(level: PROVINCE) { code } }"}, timeout=10
        )
        assert response.status_code == 200
        assert len(response.json()["data"]["areas"]) == 63
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=10)
        assert "graphiql" in page.text.lower()
        # when the embedded database stops, then /readyz says so
        postmaster = _postmaster_pid(data_dir)
        os.kill(postmaster, signal.SIGINT)  # PostgreSQL's "fast" shutdown
        deadline = time.monotonic() + 30
        while not _gone(postmaster) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _gone(postmaster)
        not_ready = httpx.get(f"{base}/readyz", timeout=10)
        assert not_ready.status_code == 503
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    # the demo logins were printed with ready tokens
    assert "health.commune" in out
    assert "Authorization: Bearer ey" in out
    assert f"{base}/graphql" in out
    # and the embedded server's own narration stays out of the way (`--verbose` shows it)
    before_banner = err.split("Uvicorn running")[0]
    assert "pgserver" not in before_banner, before_banner
