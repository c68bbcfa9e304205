"""The embedded PostgreSQL stops when the last f0care process using it exits."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.server.test_serve_embedded import _gone

# a process that uses the embedded server, prints the server's pid and exits
JOIN = (
    "import sys; from pathlib import Path; from server.embedded import embedded_server; "
    "print(embedded_server(Path(sys.argv[1])).get_pid())"
)


def _use_once(data_dir: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", JOIN, str(data_dir)],
        check=True, timeout=120, capture_output=True, text=True,
    )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1])


def _wait_gone(pid: int) -> bool:
    # generous: a loaded machine may take long to shut PostgreSQL down; only "never" fails
    deadline = time.monotonic() + 120
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _gone(pid)


def test_server_stops_with_its_last_process(tmp_path: Path) -> None:
    # given a process that starts the embedded server and exits
    postmaster = _use_once(tmp_path)
    # then the server it started is gone
    assert _wait_gone(postmaster)


def test_crashed_process_does_not_keep_the_server_alive(tmp_path: Path) -> None:
    # given a data folder whose handle list names a process that died without cleaning up
    _use_once(tmp_path)
    handles = tmp_path / "pgdata" / ".handle_pids.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    handles.write_text(json.dumps([int(dead)]))
    # when another process uses the server and exits
    postmaster = _use_once(tmp_path)
    # then the server stops all the same
    assert _wait_gone(postmaster)


def test_sigterm_stops_serve_and_its_embedded_server(tmp_path: Path) -> None:
    import signal

    from tests.conftest import TEST_SECRET
    from tests.server.procs import F0CARE, env, free_port, wait_ready

    port = free_port()
    environ = env(
        DATABASE_URL=None, F0CARE_DATA_DIR=str(tmp_path / "data"), F0CARE_JWT_SECRET=TEST_SECRET
    )
    proc = subprocess.Popen(
        [F0CARE, "serve", "--port", str(port)],
        env=environ,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    wait_ready(f"http://127.0.0.1:{port}", proc)
    postmaster = int((tmp_path / "data" / "pgdata" / "postmaster.pid").read_text().splitlines()[0])
    proc.send_signal(signal.SIGTERM)  # what service managers send
    proc.wait(timeout=120)
    assert _wait_gone(postmaster)
