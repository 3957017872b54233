"""The web application (`xxgk serve`)."""

from __future__ import annotations

from xxgk.serve.app import create_app

__all__ = ["create_app", "serve"]


def serve(host: str = "127.0.0.1", port: int = 8000, db: str | None = None) -> None:
    import uvicorn

    uvicorn.run(create_app(db), host=host, port=port, log_level="info")
