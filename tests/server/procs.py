"""Helpers to run `f0care` as a real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

F0CARE = str(Path(sys.executable).parent / "f0care")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def env(**overrides: str | None) -> dict[str, str]:
    """The current environment with overrides; a None value removes the variable."""
    result = dict(os.environ)
    for key, value in overrides.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def run_cli(*args: str, environ: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `f0care ARGS` to completion."""
    return subprocess.run(
        [F0CARE, *args], env=environ, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def wait_ready(base: str, proc: subprocess.Popen[str], seconds: float = 180) -> None:
    """Wait until /readyz answers 200, or fail with the process output."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"f0care exited with {proc.returncode}:\n{out}\n{err}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"f0care not ready at {base} after {seconds} s")


@contextmanager
def serving(cwd: Path, *args: str, **overrides: str | None) -> Iterator[str]:
    """`f0care serve ARGS` on a free port with environment `overrides`, until the block
    ends (then stopped with SIGINT); yields its base URL once /readyz answers."""
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own console script
        [F0CARE, "serve", "--port", str(port), "--no-migrate", *args],
        env=env(**overrides),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
