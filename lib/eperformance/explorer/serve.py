"""``eperf app``: serve ``notebooks/30-explorer.ipynb`` with Voilà on localhost, no code shown.

The database URL reaches the Voilà kernel through ``DATABASE_URL`` in the server's
environment (kernels inherit it), never through the notebook; the project home through
``EPERF_HOME``. The database is checked first, so a wrong URL ends with one line and
exit 5 instead of a broken page.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from ..home import masked_url, project_home, resolve_db_url

EXPLORER_NOTEBOOK = "30-explorer.ipynb"
HOST = "127.0.0.1"
DEFAULT_PORT = 8866
CELL_TIMEOUT = 900  # seconds: the first period of a large organisation takes a while


def voila_command(notebook: Path, port: int) -> list[str]:
    """The Voilà command line: localhost only, no browser, sources stripped, kernels on
    IPC sockets in Voilà's private connection folder (no TCP port for the kernel, and no
    ipykernel warning about unencrypted TCP in the server's log)."""
    return [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser",
            f"--Voila.ip={HOST}", "--Voila.port_retries=0", "--strip_sources=True",
            "--show_tracebacks=False", f"--VoilaExecutor.timeout={CELL_TIMEOUT}",
            "--theme=light", "--KernelManager.transport=ipc"]


def app_environment(db_url: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's (hence the kernel's) environment: ``DATABASE_URL`` and ``EPERF_HOME``."""
    env = dict(os.environ if base is None else base)
    env["DATABASE_URL"] = db_url
    env["EPERF_HOME"] = str(project_home())
    return env


def serve_app(port: int = DEFAULT_PORT, db_url: str | None = None) -> None:
    """Check the database, then replace this process by Voilà (does not return)."""
    from ..db.engine import open_engine, require_current
    from ..render.single import notebook_path

    url = resolve_db_url(db_url)
    engine = open_engine(url)
    try:
        require_current(engine)
    finally:
        engine.dispose()
    notebook = notebook_path(EXPLORER_NOTEBOOK)
    print(f"eperf app: {masked_url(url)} on http://{HOST}:{port}/ (Ctrl-C stops)",
          flush=True)
    argv = voila_command(notebook, port)
    os.execve(argv[0], argv, app_environment(url))
