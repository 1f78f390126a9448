"""A real ``eperf app`` on a free localhost port against a tiny database, for the browser and
server tests: started in its own session, its URL (with the token it printed) read from
its start-up line, and stopped with its kernels at the end."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from test_cards_support import TinyDb

START_TIMEOUT = 120  # seconds: Voilà start-up and the first kernel can be slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AppServer:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    url: str  # the URL eperf app printed: http://127.0.0.1:<port>/?token=…

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def token(self) -> str:
        return self.url.split("?token=", 1)[1]

    def kernel_pids(self) -> list[int]:
        """The server's running kernel processes (ipykernel children)."""
        import psutil

        out = []
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                if child.status() != psutil.STATUS_ZOMBIE and any(
                        "ipykernel" in part for part in child.cmdline()):
                    out.append(child.pid)
            except psutil.NoSuchProcess:
                continue
        return out

    def text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def app_server(db: TinyDb, log_dir: Path, args: Sequence[str] = (),
               env_extra: dict[str, str] | None = None) -> Iterator[AppServer]:
    """``eperf app --port <free> --db <tiny> <args>``, ready to answer."""
    port = free_port()
    log = log_dir / "voila.log"
    env = db.env()
    env.pop("DATABASE_URL")  # the URL must reach the kernel through eperf app --db
    env.pop("EPERF_APP_TOKEN", None)
    env.update(env_extra or {})
    with log.open("w") as out:
        proc = subprocess.Popen([str(BIN / "eperf"), "app", "--port", str(port), "--db", db.url,
                                 *args], stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=db.home, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        url = None
        while True:
            if proc.poll() is not None:
                pytest.fail(f"eperf app ended with {proc.returncode}: {log.read_text()[-3000:]}")
            if url is None:
                m = re.search(r"open (http://\S+) ", log.read_text())
                url = m.group(1) if m else None
            try:  # the port answers (a tokened GET of the page would start a kernel)
                with socket.create_connection(("127.0.0.1", port), timeout=5):
                    if url is not None:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"eperf app did not answer in {START_TIMEOUT} s: "
                            f"{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield AppServer(proc, port, log, url)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)


def wait_until(what: str, check: object, timeout: float, every: float = 0.25) -> None:
    """Poll ``check()`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)
