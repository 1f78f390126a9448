"""``eperf app``: serve ``notebooks/30-explorer.ipynb`` with Voilà on localhost, no code shown.

The database URL reaches the Voilà kernel through ``DATABASE_URL`` in the server's
environment (kernels inherit it), never through the notebook; the project home through
``EPERF_HOME``. The database is checked first, so a wrong URL ends with one line and
exit 5 instead of a broken page.

The server (:mod:`.voila_app`) wants a token: ``EPERF_APP_TOKEN`` when set, else a new
one per start (``secrets.token_urlsafe``), printed once in the start-up line as the URL to
open and handed to the server through its environment (never its command line, which any
local user can read). It answers only to the host names of :func:`allowed_hosts` and
keeps at most ``explorer.max_kernels`` kernels, stopping idle ones
(``params/settings.yaml``, section ``explorer``).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import UsageError
from ..home import EXPLORER_NOTEBOOK, masked_url, notebook_path, project_home, resolve_db_url
from ..params import ExplorerApp, HostName

HOST = "127.0.0.1"
DEFAULT_PORT = 8866
TOKEN_ENV = "EPERF_APP_TOKEN"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")  # the server's names besides allow_hosts
CELL_TIMEOUT = 900  # seconds: the first period of a large organisation takes a while


def allowed_hosts(settings: ExplorerApp | None = None, extra: Iterable[str] = ()) -> list[str]:
    """Localhost names, then ``explorer.allow_hosts`` of the settings, then ``extra``
    (``--allow-host``), each once; a malformed name is a usage error (exit 2)."""
    from pydantic import TypeAdapter, ValidationError

    names = list(LOCAL_HOSTS) + list(settings.allow_hosts if settings else ())
    check: TypeAdapter[str] = TypeAdapter(HostName)
    for name in extra:
        try:
            names.append(check.validate_python(name))
        except ValidationError as exc:
            msg = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            raise UsageError(f"--allow-host: {msg}", hint="give a bare host name, e.g. "
                             "--allow-host kinerja.example.go.id") from None
    return list(dict.fromkeys(names))


def voila_command(notebook: Path, port: int, settings: ExplorerApp | None = None,
                  hosts: Iterable[str] = LOCAL_HOSTS) -> list[str]:
    """The server's command line: localhost only, no browser, sources stripped, kernels on
    IPC sockets in Voilà's private connection folder (no TCP port for the kernel, and no
    ipykernel warning about unencrypted TCP in the server's log); the allowed host names;
    the kernel ceiling and the culling of idle kernels. No token here: see
    :func:`app_environment`."""
    cfg = settings or ExplorerApp()
    return [sys.executable, "-m", "eperformance.explorer.voila_app", str(notebook),
            f"--port={port}", "--no-browser",
            f"--Voila.ip={HOST}", "--Voila.port_retries=0", "--strip_sources=True",
            "--show_tracebacks=False", f"--VoilaExecutor.timeout={CELL_TIMEOUT}",
            "--theme=light", "--KernelManager.transport=ipc",
            *(f"--EperfVoila.allowed_hosts={h}" for h in hosts),
            f"--CappedKernelManager.max_kernels={cfg.max_kernels}",
            f"--MappingKernelManager.cull_idle_timeout={cfg.idle_timeout_seconds}",
            f"--MappingKernelManager.cull_interval={cfg.cull_interval_seconds}",
            f"--MappingKernelManager.cull_connected={cfg.cull_connected}"]


def app_environment(db_url: str, base: Mapping[str, str] | None = None,
                    token: str | None = None) -> dict[str, str]:
    """The server's (hence the kernel's) environment: ``DATABASE_URL`` and ``EPERF_HOME``;
    and the token for the server only (it removes it before starting any kernel)."""
    env = dict(os.environ if base is None else base)
    env["DATABASE_URL"] = db_url
    env["EPERF_HOME"] = str(project_home())
    if token is not None:
        env[TOKEN_ENV] = token
    return env


def app_token(environ: Mapping[str, str] | None = None) -> tuple[str, bool]:
    """(token, whether it came from ``EPERF_APP_TOKEN``): the variable's value when set and
    not blank, else a new random one."""
    given = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip()
    return (given, True) if given else (secrets.token_urlsafe(32), False)


def start_line(db_url: str, port: int, token: str, token_given: bool) -> str:
    """The one line ``eperf app`` prints: the database (password masked) and the URL to
    open; a token from ``EPERF_APP_TOKEN`` is named, not shown."""
    shown = f"${TOKEN_ENV}" if token_given else token
    return (f"eperf app: {masked_url(db_url)}; open http://{HOST}:{port}/?token={shown} "
            "(Ctrl-C stops)")


def serve_app(port: int = DEFAULT_PORT, db_url: str | None = None,
              allow_hosts: Iterable[str] = ()) -> None:
    """Check the database, then replace this process by the Voilà server (does not
    return)."""
    from ..db.engine import open_engine, require_current
    from ..params import load_settings

    settings = load_settings().explorer
    hosts = allowed_hosts(settings, allow_hosts)
    url = resolve_db_url(db_url)
    engine = open_engine(url)
    try:
        require_current(engine)
    finally:
        engine.dispose()
    notebook = notebook_path(EXPLORER_NOTEBOOK)
    token, given = app_token()
    print(start_line(url, port, token, given), flush=True)
    argv = voila_command(notebook, port, settings, hosts)
    os.execve(argv[0], argv, app_environment(url, token=token))
