"""The Voilà server that ``eperf app`` runs (``python -m eperformance.explorer.voila_app``).

Voilà 0.5 standalone with three guards a bare ``voila`` lacks:

* **a token** (jupyter_server's own identity provider, Voilà's ``token`` trait), read from
  :data:`TOKEN_ENV` and removed from the environment before any kernel starts, so it never
  reaches a kernel, a log or the process list; a request without it is sent to the login
  page (the page) or refused with 403 (the API, the kernel websocket) and starts nothing;
* **a host allowlist**, checked when a request is routed, before any handler runs: the
  ``Host`` header must name an allowed host, and so must the ``Origin`` header when there is
  one (a DNS-rebinding page sends a foreign ``Host``; a cross-site websocket a foreign
  ``Origin``); anything else gets 403;
* **capped kernels**: :class:`CappedKernelManager` refuses a kernel beyond ``max_kernels``
  with a 503 page, and jupyter_server's culler stops idle kernels.

And one page template, :data:`TEMPLATE_DIR` (first on Voilà's template path): Voilà's
``lab`` page without its links to a public CDN (Font Awesome, which Voilà's own
``voila-style.js`` already bundles), so loading and using the page asks no other host.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tornado.web
from jupyter_server.log import log_request
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import httputil
from traitlets import Integer, List, Unicode
from voila.app import Voila

from .serve import LOCAL_HOSTS, TOKEN_ENV

TEMPLATE_DIR = Path(__file__).with_name("voila_template")  # index.html.j2 (package data)


def normal_host(name: str) -> str:
    """A host name as compared: lower case, no brackets around IPv6, no trailing dot."""
    name = name.strip().lower().rstrip(".")
    return name[1:-1] if name.startswith("[") and name.endswith("]") else name


def host_of(host_header: str) -> str:
    """The host part of a ``Host`` header value (``name``, ``name:port``, ``[::1]:port``)."""
    host, _ = httputil.split_host_and_port(host_header.strip())
    return normal_host(host)


def request_allowed(host_header: str | None, origin: str | None,
                    allowed: Iterable[str]) -> bool:
    """Whether a request may be routed: its ``Host`` names an allowed host, and so does its
    ``Origin`` when it sends one (``Origin: null`` is refused)."""
    names = {normal_host(a) for a in allowed}
    if not host_header or host_of(host_header) not in names:
        return False
    if origin is None:
        return True
    try:
        origin_host = urlsplit(origin.strip()).hostname
    except ValueError:
        return False
    return origin_host is not None and normal_host(origin_host) in names


class ScrubTokens(logging.Filter):
    """Replaces ``token=<value>`` by ``token=[secret]`` in every record it sees (tornado
    logs a failed request's URL, query string included)."""

    PATTERN = re.compile(r"(token=)[^\s&'\"]+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message.lower():
            record.msg, record.args = self.PATTERN.sub(r"\1[secret]", message), None
        return True


def scrub_logs(*loggers: logging.Logger) -> None:
    """Make sure every handler that can print a record of the server scrubs tokens: the
    given loggers' handlers and a root handler (instead of Python's bare last resort)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for logger in (root, *loggers):
        for handler in logger.handlers:
            if not any(isinstance(f, ScrubTokens) for f in handler.filters):
                handler.addFilter(ScrubTokens())


class HostCheckedApplication(tornado.web.Application):
    """Voilà's tornado application, refusing (403) a request whose ``Host`` or ``Origin``
    is not in ``settings["eperf_allowed_hosts"]`` before it reaches any handler."""

    def find_handler(self, request: httputil.HTTPServerRequest,
                     **kwargs: Any) -> tornado.web._HandlerDelegate:
        allowed = self.settings.get("eperf_allowed_hosts", LOCAL_HOSTS)
        if not request_allowed(request.headers.get("Host"), request.headers.get("Origin"),
                               allowed):
            return self.get_handler_delegate(request, tornado.web.ErrorHandler,
                                             {"status_code": 403})
        return super().find_handler(request, **kwargs)


class KernelLimitReached(tornado.web.HTTPError):
    """A page asked for a kernel while ``max_kernels`` were running (HTTP 503, a page that
    says so)."""


class CappedKernelManager(AsyncMappingKernelManager):  # type: ignore[misc]
    """jupyter_server's kernel manager with a ceiling on the number of kernels."""

    max_kernels = Integer(8, config=True,
                          help="Most kernels at once; a page beyond it gets a 503 page.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._starting = 0

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        if kwargs.get("kernel_id") is None:
            running = len(self.list_kernel_ids()) + self._starting
            if running >= self.max_kernels:
                self.log.warning("Refusing a kernel: %d of %d running", running,
                                 self.max_kernels)
                # Voilà's error page shows the reason, not the message: the reason says it
                raise KernelLimitReached(  # no log message: tornado's would show the URL
                    503, reason=f"Too many open explorer sessions ({self.max_kernels}): close a "
                    "tab, or try again in a few minutes when an idle one has stopped")
        self._starting += 1
        try:
            kernel_id: str = await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1
        return kernel_id


class EperfVoila(Voila):  # type: ignore[misc]
    """Voilà with the token from :data:`TOKEN_ENV`, the host allowlist and capped kernels."""

    allowed_hosts = List(Unicode(), default_value=list(LOCAL_HOSTS), config=True,
                         help="Host names the server answers to (Host and Origin headers).")

    def initialize(self, argv: Any = None) -> None:
        super().initialize(argv)
        token = os.environ.pop(TOKEN_ENV, "")  # kernels inherit os.environ: not this
        configured: str | None = self.token  # type: ignore[has-type]
        if configured is None:
            self.token = configured = token
        if not configured:
            self.log.critical("No token: set %s (eperf app does)", TOKEN_ENV)
            self.exit(2)
        self.voila_configuration.multi_kernel_manager_class = CappedKernelManager
        scrub_logs(self.log)

    def setup_template_dirs(self) -> None:
        """Voilà's template folders, ours first: its ``index.html.j2`` extends Voilà's
        ``lab`` page (found through the folders after it) without the CDN links."""
        super().setup_template_dirs()
        paths: list[str] = list(self.template_paths)  # type: ignore[has-type]
        self.template_paths = [str(TEMPLATE_DIR), *paths]

    def start(self) -> None:
        """Voilà's ``start`` with :class:`HostCheckedApplication` and host-checking
        settings (jupyter_server's own ``check_host`` too, which Voilà switches off)."""
        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        self.log.info("Storing connection files in %s.", self.connection_dir)
        settings = self.init_settings()
        hosts = [normal_host(h) for h in self.allowed_hosts]
        guards: dict[str, Any] = {"allow_remote_access": False, "local_hostnames": hosts,
                  "eperf_allowed_hosts": hosts,
                  # jupyter_server's access log, which writes ?token=[secret]
                  "log_function": functools.partial(log_request,
                                                    record_prometheus_metrics=False)}
        self.app = HostCheckedApplication(**{**settings, **guards})
        self.app.settings.update(self.tornado_settings)
        self.app.settings.update(guards)
        self.app.add_handlers(".*$", self.init_handlers())
        self.listen()


main = EperfVoila.launch_instance

if __name__ == "__main__":
    sys.exit(main())
