"""The web application (`xxgk serve`)."""

from __future__ import annotations

import errno
import logging
import socket
from typing import TYPE_CHECKING, Any

from xxgk.errors import XxgkError

if TYPE_CHECKING:
    from xxgk.serve.app import create_app

__all__ = ["create_app", "serve"]


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    db: str | None = None,
    *,
    workers: int | None = None,
    secure_cookies: bool | None = None,
) -> None:
    """Serve on one event loop; uploads are read by `workers` processes (see workers.py).

    The address is taken before the store is opened or a worker started, so that a port in use
    (or a host not of this machine) is one line, with nothing begun."""
    import uvicorn

    from xxgk.serve.app import create_app

    listener = listen(host, port)
    try:
        app = create_app(db, workers=workers, secure_cookies=secure_cookies)
        server = uvicorn.Server(uvicorn.Config(app, log_level="info", proxy_headers=True))
        # the line uvicorn gives when it binds the address itself
        shown = f"[{host}]" if ":" in host else host
        logging.getLogger("uvicorn.error").info(
            "Uvicorn running on http://%s:%d (Press CTRL+C to quit)", shown, listener.getsockname()[1]
        )
        server.run(sockets=[listener])
    finally:
        listener.close()


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port and listening."""
    where = f"{host}:{port}"
    try:
        family, _, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise XxgkError(f"cannot serve on {where}: no such address ({error.strerror})") from None
    try:
        return socket.create_server(address, family=family)
    except OSError as error:
        reason = _REASONS.get(error.errno or 0, error.strerror or str(error))
        raise XxgkError(f"cannot serve on {where}: {reason}") from None


_REASONS = {
    errno.EADDRINUSE: "the port is in use (another server is on it: choose another with --port)",
    errno.EACCES: "not allowed (ports below 1024 are for the system: choose another with --port)",
    errno.EADDRNOTAVAIL: "the address is not one of this machine's (see --host)",
}


def __getattr__(name: str) -> Any:
    """create_app on first use: the worker processes import xxgk.serve.workers without the web stack."""
    if name == "create_app":
        from xxgk.serve.app import create_app

        return create_app
    raise AttributeError(name)
