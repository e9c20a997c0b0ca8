"""`shoumen-server serve --workers N`: N processes under gunicorn, each a uvicorn server of the app.

Why gunicorn (with uvicorn's worker class) and not uvicorn's own `--workers`:
- Drain. On SIGTERM gunicorn's master closes its listening socket at once and every worker
  stops accepting and finishes what is in flight (up to `graceful_timeout`), so new connections
  are refused while pushes complete: a load balancer moves on at once. uvicorn's supervisor
  keeps the listening socket open in the parent until the last worker has exited, so meanwhile
  the kernel still accepts connections nobody will ever serve.
- Supervision: a worker that stops answering its heartbeat (`timeout`) is killed and replaced,
  a crashed one restarted; `child_exit` is where prometheus-client's multiprocess mode is told
  a worker is gone (metrics.py).
- The app is built in each worker by a factory after the fork (no import string, no engine or
  connection pool shared across a fork), from the settings `serve` already checked.
The worker class is uvicorn's, so every process speaks HTTP exactly as single-process `serve`
and the app's embedded server do (httptools, keep-alive, 413 handling). gunicorn 27's native
`asgi` worker would do, but its shutdown waits for idle keep-alive connections (stations keep
one open) until graceful_timeout. `uvicorn.workers` is deprecated in favour of the
`uvicorn-worker` package (the same class); moving there is a one-line change when uvicorn
drops it.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from shoumen_server.settings import KEEP_ALIVE_SECONDS

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from uvicorn.workers import UvicornWorker

log = logging.getLogger("shoumen.server.workers")

# Seconds a worker may take to finish its in-flight requests after SIGTERM before gunicorn
# kills it. A push of 500 rows takes well under a second; an XLSX export of a region a few.
DEFAULT_GRACEFUL_TIMEOUT = 30


class ShoumenWorker(UvicornWorker):
    """uvicorn's worker, named here so gunicorn imports it through this module (which silences
    the deprecation warning of `uvicorn.workers` in every worker's log)."""


class ShoumenLogger(GunicornLogger):  # type: ignore[misc]
    """gunicorn's (and through it uvicorn's) log lines in the format of the root logger's
    handler (text or JSON, shoumen_server.logs), not gunicorn's own."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        ours = next((h.formatter for h in logging.getLogger().handlers if h.formatter is not None), None)
        if ours is None:
            return
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.setFormatter(ours)


def _child_exit(_server: Any, worker: Any) -> None:
    # Only for prometheus-client's live gauges; counters and histograms of a dead worker are
    # kept (they are totals).
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


class ShoumenGunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # control_socket_disable is new in gunicorn 25.1
                self.cfg.set(key, value)

    def load(self) -> Any:
        return self.factory()


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def run_workers(
    factory: Callable[[], Any],
    *,
    host: str,
    port: int,
    workers: int,
    graceful_timeout: int,
    forwarded_allow_ips: str = "",
) -> None:
    """Serve until SIGTERM/SIGINT; `factory` builds the app in each worker process."""
    options: dict[str, Any] = {
        "bind": bind_address(host, port),
        "workers": workers,
        "worker_class": f"{__name__}.ShoumenWorker",
        "graceful_timeout": graceful_timeout,
        "timeout": 60,
        "keepalive": KEEP_ALIVE_SECONDS,
        "accesslog": "-",  # single-process serve (uvicorn) logs every request too
        "loglevel": "info",
        "logger_class": f"{__name__}.ShoumenLogger",
        "proc_name": "shoumen-server",
        "child_exit": _child_exit,
        # gunicorn's runtime control socket (a fixed path under $HOME or $XDG_RUNTIME_DIR) is
        # an admin interface this server does not need; two servers would also share its path.
        "control_socket_disable": True,
        # Whose X-Forwarded-For the uvicorn workers believe: SHOUMEN_TRUSTED_PROXIES ("" = none;
        # gunicorn's own default would be loopback).
        "forwarded_allow_ips": forwarded_allow_ips,
    }
    ShoumenGunicorn(factory, options).run()
