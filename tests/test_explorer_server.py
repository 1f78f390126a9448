"""``eperf app`` as an attacker probes it: a real server on a free localhost port against a
tiny database, spoken to over HTTP and websockets (only 127.0.0.1, every wait bounded).

* without the token nothing is served and no kernel starts (a cross-site ``<img>`` or a
  DNS-rebinding page has no token);
* a foreign ``Host`` (DNS rebinding) and a foreign websocket ``Origin`` are refused even
  with the token; ``--allow-host`` admits a reverse proxy's name;
* kernels are capped (a page beyond the cap gets a clear 503 page, no extra kernel) and a
  kernel whose page went away is culled after the idle timeout of the settings.
"""

from __future__ import annotations

import http.client
import re
import shutil
from collections.abc import Iterator

import pytest

from app_server_support import AppServer, app_server, wait_until
from test_cards_support import TinyDb, build_tiny_db

pytestmark = pytest.mark.slow

MAX_KERNELS = 2
IDLE_SECONDS = 4  # explorer.idle_timeout_seconds of the limited server
CULL_TIMEOUT = 60  # seconds allowed for a cull to show (idle + interval + slack)
PAGE_TIMEOUT = 120  # seconds: one page renders the notebook in a new kernel


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyDb]:
    tiny = build_tiny_db(tmp_path_factory.mktemp("explorer-server"))
    yield tiny
    tiny.engine.dispose()


@pytest.fixture(scope="module")
def server(db: TinyDb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """Default settings, plus a reverse proxy's name."""
    with app_server(db, tmp_path_factory.mktemp("app"),
                    ["--allow-host", "kinerja.example.go.id"]) as srv:
        yield srv


@pytest.fixture(scope="module")
def limited(db: TinyDb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """At most two kernels; idle ones stopped after a few seconds."""
    home = tmp_path_factory.mktemp("limited-home")
    shutil.copytree(db.home / "params", home / "params")
    path = home / "params" / "settings.yaml"
    settings = path.read_text(encoding="utf-8")
    path.write_text(settings[:settings.index("\nexplorer:")] + (
        f"\nexplorer:\n  max_kernels: {MAX_KERNELS}\n  idle_timeout_seconds: {IDLE_SECONDS}\n"
        "  cull_interval_seconds: 1\n  cull_connected: false\n"), encoding="utf-8")
    with app_server(db, tmp_path_factory.mktemp("app-limited"),
                    env_extra={"EPERF_HOME": str(home)}) as srv:
        yield srv


def _get(srv: AppServer, path: str, host: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=PAGE_TIMEOUT)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", f"127.0.0.1:{srv.port}" if host is None else host)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.endheaders()
        res = conn.getresponse()
        return res.status, dict(res.getheaders()), res.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _page(srv: AppServer) -> str:
    """Open the explorer with the token; the page's kernel id."""
    status, _, body = _get(srv, f"/?token={srv.token}")
    assert status == 200, body[-2000:]
    m = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', body)
    assert m, body[-2000:]
    return m.group(1)


def _websocket(srv: AppServer, kernel_id: str, *, token: bool = True,
               host: str | None = None, origin: str | None = None) -> object:
    """A websocket to the kernel's channels (open) or the HTTP status that refused it."""
    import websocket

    query = f"?token={srv.token}" if token else ""
    url = f"ws://127.0.0.1:{srv.port}/api/kernels/{kernel_id}/channels{query}"
    try:
        return websocket.create_connection(
            url, timeout=30, host=host or f"127.0.0.1:{srv.port}",
            origin=origin or f"http://127.0.0.1:{srv.port}")
    except websocket.WebSocketBadStatusException as exc:
        return exc.status_code


# --------------------------------------------------------------------------- token
def test_start_line_gives_a_tokened_url_and_no_password(server: AppServer) -> None:
    first = server.text().splitlines()[0]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{40,}", server.url), first
    assert server.text().count(server.token) == 1  # printed once, never logged again


def test_without_the_token_nothing_runs(server: AppServer) -> None:
    before = server.kernel_pids()
    for path in ("/", "/?token=wrong", "/?token="):
        status, headers, _ = _get(server, path)
        assert status in (302, 403), (path, status)
        if status == 302:
            assert headers["Location"].startswith("/login"), headers
    # a cross-site <img src="http://127.0.0.1:…/"> sends no token and no Origin either
    status, _, _ = _get(server, "/", headers={"Referer": "https://evil.example/",
                                              "Sec-Fetch-Site": "cross-site"})
    assert status in (302, 403)
    assert server.kernel_pids() == before
    assert "Kernel started" not in server.text()


def test_with_the_token_the_page_is_served(server: AppServer) -> None:
    kernel_id = _page(server)
    assert server.kernel_pids()
    assert f"Kernel started: {kernel_id}" in server.text()
    assert server.token not in server.text().split("\n", 1)[1]  # the log scrubs it


# --------------------------------------------------------------------------- hosts
@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io",
                                  "localhost.evil.example:{port}", ""])
def test_a_foreign_host_is_refused_even_with_the_token(server: AppServer, host: str) -> None:
    before = len(server.kernel_pids())
    for path in (f"/?token={server.token}", "/voila/static/voila.js", "/login"):
        status, _, _ = _get(server, path, host=host.format(port=server.port))
        assert status == 403, (host, path, status)
    assert len(server.kernel_pids()) == before


def test_localhost_names_and_allowed_hosts_are_served(server: AppServer) -> None:
    for host in ("localhost:{port}", "[::1]:{port}", "kinerja.example.go.id"):
        status, _, _ = _get(server, "/login", host=host.format(port=server.port))
        assert status == 200, host


def test_a_foreign_origin_is_refused(server: AppServer) -> None:
    kernel_id = _page(server)
    ws = _websocket(server, kernel_id)  # the page's own origin: accepted
    assert not isinstance(ws, int), ws
    ws.close()  # type: ignore[attr-defined]
    port = server.port
    # a DNS-rebinding page: its Origin matches the Host it sends
    assert _websocket(server, kernel_id, host=f"evil.example:{port}",
                      origin=f"http://evil.example:{port}") == 403
    # a cross-site page talking to 127.0.0.1
    assert _websocket(server, kernel_id, origin="https://evil.example") == 403
    assert _websocket(server, kernel_id, origin="null") == 403
    # no token
    assert _websocket(server, kernel_id, token=False) == 403
    status, _, _ = _get(server, f"/?token={server.token}",
                        headers={"Origin": "https://evil.example"})
    assert status == 403


# --------------------------------------------------------------------------- kernels
def test_kernels_are_capped_and_idle_ones_culled(limited: AppServer) -> None:
    socks = []
    try:
        for _ in range(MAX_KERNELS):  # each page keeps its kernel busy-connected
            kernel_id = _page(limited)
            ws = _websocket(limited, kernel_id)
            assert not isinstance(ws, int), ws
            socks.append(ws)
        assert len(limited.kernel_pids()) == MAX_KERNELS, limited.text()[-4000:]
        assert f"idle durations > {IDLE_SECONDS} seconds at 1 second" in limited.text()
        status, _, body = _get(limited, f"/?token={limited.token}")
        assert status == 503, (body[-2000:], limited.text()[-4000:])
        assert f"Too many open explorer sessions ({MAX_KERNELS})" in body
        assert "Traceback" not in body
        assert len(limited.kernel_pids()) == MAX_KERNELS
        assert limited.proc.poll() is None  # still serving
        assert "Traceback" not in limited.text(), limited.text()[-4000:]  # refused, not crashed

        socks.pop(0).close()  # one page closed: its kernel is culled once idle
        wait_until("the closed page's kernel to be culled",
                   lambda: len(limited.kernel_pids()) < MAX_KERNELS, CULL_TIMEOUT)
        assert "Culling" in limited.text()
        assert len(limited.kernel_pids()) == MAX_KERNELS - 1  # the open page keeps its own
        # room again (the culled kernel leaves the manager just after its process ends)
        wait_until("a page to be served again",
                   lambda: _get(limited, f"/?token={limited.token}")[0] == 200, CULL_TIMEOUT,
                   every=0.5)
    finally:
        for ws in socks:
            ws.close()  # type: ignore[attr-defined]
    wait_until("every idle kernel to be culled", lambda: not limited.kernel_pids(),
               CULL_TIMEOUT)
    assert limited.text().count(limited.token) == 1  # the start-up line only


# --------------------------------------------------------------------------- units
def test_start_line_masks_the_password_and_names_a_given_token() -> None:
    from eperformance.explorer.serve import app_token, start_line

    line = start_line("postgresql+psycopg://hr:s3cret@db/kinerja", 8866, "tok-1", False)
    assert "s3cret" not in line and "hr:***@db" in line
    assert "http://127.0.0.1:8866/?token=tok-1 " in line
    assert "tok-2" not in start_line("sqlite:///x.sqlite", 8866, "tok-2", True)
    assert app_token({"EPERF_APP_TOKEN": " given "}) == ("given", True)
    first, given = app_token({})
    assert not given and len(first) >= 40 and app_token({})[0] != first


def test_host_allowlist_rules() -> None:
    from eperformance.errors import UsageError
    from eperformance.explorer.serve import allowed_hosts
    from eperformance.explorer.voila_app import request_allowed
    from eperformance.params import ExplorerApp

    hosts = allowed_hosts(ExplorerApp(allow_hosts=("a.example",)), ["B.Example"])
    assert hosts == ["localhost", "127.0.0.1", "::1", "a.example", "b.example"]
    with pytest.raises(UsageError):
        allowed_hosts(None, ["https://b.example/"])
    ok = [("127.0.0.1:8866", None), ("localhost", "http://localhost:8866"),
          ("[::1]:8866", "http://[::1]:8866"), ("a.example", "https://a.example")]
    bad = [("evil.example:8866", None), ("127.0.0.1:8866", "http://evil.example"),
           ("127.0.0.1:8866", "null"), ("", None), ("a.example.evil.example", None),
           ("127.0.0.2:8866", None)]
    assert all(request_allowed(h, o, hosts) for h, o in ok)
    assert not any(request_allowed(h, o, hosts) for h, o in bad)
