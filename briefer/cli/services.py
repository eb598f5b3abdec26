"""The commands that serve briefer to other programs: serve (HTTP) and mcp."""

from __future__ import annotations

from typing import Annotated

import typer

from briefer.cli.common import (
    command,
)
from briefer.cli.root import app


@command(app)
def serve(
    host: Annotated[str, typer.Option(metavar="ADDRESS", help="Address to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8080,
    token: Annotated[
        str | None,
        typer.Option(
            metavar="TOKEN", help="Require this bearer token (default: $BRIEFER_SERVER_TOKEN)."
        ),
    ] = None,
) -> None:
    """Serve briefs over HTTP (needs the server extra; from a checkout: pip install '.[server]').

    \b
    Example:
      BRIEFER_SERVER_TOKEN=$(openssl rand -hex 16) briefer serve --port 8080
    """
    from briefer.cli.serve import serve as run_server

    run_server(host=host, port=port, token=token)


@command(app)
def mcp(
    http: Annotated[
        bool,
        typer.Option("--http", help="Serve streamable HTTP at /mcp instead of stdin and stdout."),
    ] = False,
    host: Annotated[
        str, typer.Option(metavar="ADDRESS", help="Address to listen on (with --http).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", help="Port to listen on (with --http).")
    ] = 8765,
    token: Annotated[
        str | None,
        typer.Option(
            metavar="TOKEN",
            help="Require this bearer token over HTTP (default: $BRIEFER_SERVER_TOKEN).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            help="Time limit of one tool call, fetching and briefing included.",
        ),
    ] = 120.0,
) -> None:
    """Serve briefer's tools to chat assistants over MCP (needs the mcp extra; from a checkout:
    pip install '.[mcp]').

    \b
    Examples:
      briefer mcp                               stdio, for an MCP client's configuration
      BRIEFER_SERVER_TOKEN=$(openssl rand -hex 16) briefer mcp --http --port 8765
    """
    try:
        from briefer.server.mcp import serve as run_mcp
    except ImportError as exc:
        from briefer.errors import ConfigError

        raise ConfigError(
            f"the MCP server needs the mcp package ({exc.name} is missing); install the mcp "
            "extra (from a checkout: pip install '.[mcp]')"
        ) from None
    run_mcp(http=http, host=host, port=port, token=token, timeout=timeout)
