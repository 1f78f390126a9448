"""One batch per period and scope at a time.

The lock is an exclusive ``flock`` on ``<period>/<scope>/.lock``. The kernel releases it
when its holder dies, however it dies (``kill -9`` included), so a stale lock is detected
by simply trying again: the file's content (pid, host, run id, since) only serves the
message shown to the refused run.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from ..errors import EperfError, Refused
from ..safefs import FILE_MODE, open_nofollow, read_nofollow


class BatchLock:
    """``with BatchLock(folder, run_label, wait=False):`` — refuses (exit 4) when held."""

    def __init__(self, folder: Path, label: str, *, wait: bool = False,
                 poll_seconds: float = 1.0, timeout: float | None = None) -> None:
        self.path = folder / ".lock"
        self.label = label
        self.wait = wait
        self.poll = poll_seconds
        self.timeout = timeout
        self._fd: int | None = None

    def _holder(self) -> str:
        try:
            info = json.loads((read_nofollow(self.path) or b"{}").decode("utf-8") or "{}")
        except (OSError, ValueError, EperfError):  # EperfError: not a plain file of ours
            return "another batch"
        return (f"batch {info.get('run', '?')} (pid {info.get('pid', '?')} on "
                f"{info.get('host', '?')}, since {info.get('since', '?')})")

    def acquire(self) -> None:
        # the scope folder is made (link-safe) by the batch; the lock file is opened without
        # following a link, so a planted .lock cannot make us truncate someone's file
        fd = open_nofollow(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not self.wait or (self.timeout is not None
                                     and time.monotonic() - started > self.timeout):
                    holder = self._holder()
                    os.close(fd)
                    raise Refused(
                        f"{holder} is running for {self.label}",
                        hint="wait for it to finish, or rerun with --wait",
                    ) from None
                time.sleep(self.poll)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "run": self.label,
                "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(info).encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> BatchLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
