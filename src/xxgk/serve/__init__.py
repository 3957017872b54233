"""The web application (`xxgk serve`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    """Serve on one event loop; uploads are read by `workers` processes (see workers.py)."""
    import uvicorn

    from xxgk.serve.app import create_app

    app = create_app(db, workers=workers, secure_cookies=secure_cookies)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


def __getattr__(name: str) -> Any:
    """create_app on first use: the worker processes import xxgk.serve.workers without the web stack."""
    if name == "create_app":
        from xxgk.serve.app import create_app

        return create_app
    raise AttributeError(name)
