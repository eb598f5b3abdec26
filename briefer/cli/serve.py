"""Run the HTTP service (`briefer serve`): uvicorn around `briefer.server.http.create_app`.

FastAPI and uvicorn are the optional `server` extra, imported only here and only when the
service starts, so the rest of briefer never needs them.
"""

from __future__ import annotations

from briefer.errors import ConfigError
from briefer.settings import Settings

INSTALL_HINT = "install the server extra (from a checkout: pip install '.[server]')"


def serve(host: str = "127.0.0.1", port: int = 8080, token: str | None = None) -> None:
    """Serve the HTTP API on host:port until interrupted (token: else $BRIEFER_SERVER_TOKEN)."""
    try:
        import uvicorn

        from briefer.server.http import create_app
    except ImportError as exc:
        raise ConfigError(
            f"the HTTP server needs FastAPI and uvicorn ({exc.name} is missing); {INSTALL_HINT}"
        ) from None
    from briefer.core import Briefer
    from briefer.io.store import Store
    from briefer.server.guard import refuse_open

    if not 0 < port < 65536:
        raise ConfigError(f"port {port} is not between 1 and 65535")
    settings = Settings.from_env()
    token = token or settings.server_token
    refuse_open(host, token, "HTTP")
    # Made here, not inside the app, so a configuration error is one line before serving.
    briefer = Briefer(store=Store(settings.db), settings=settings)
    app = create_app(lambda: briefer, token=token)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
