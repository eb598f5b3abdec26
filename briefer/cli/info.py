"""The commands that describe briefer: models, prompts, schema."""

from __future__ import annotations

import json

import typer

from briefer.cli.common import command
from briefer.cli.root import app


@command(app)
def models() -> None:
    """List the model table: context window, output limit and prices per million tokens.

    Models not listed use the default row. Add or change rows in a price file
    ($BRIEFER_PRICES, or prices.toml in the user config folder), same format.

    \b
    Example:
      briefer models
    """
    from briefer.engines.openai.models import model_table, user_prices_path
    from briefer.settings import Settings
    from briefer.text import columns

    rows: list[tuple[str, ...]] = [
        ("model", "context", "max output", "$ in / 1M", "$ out / 1M", "encoding")
    ]
    prices = Settings.from_env().prices
    for m in model_table(user_file=prices):
        price = [
            f"{p:g}" if p is not None else "-" for p in (m.input_per_million, m.output_per_million)
        ]
        rows.append(
            (m.name, f"{m.context_tokens:,}", f"{m.max_output_tokens:,}", *price, m.encoding)
        )
    typer.echo(columns(rows))
    user = user_prices_path(prices)
    typer.echo(f"\nprices: shipped table{f' with {user} laid over it' if user else ''}")


@command(app)
def prompts() -> None:
    """List the shipped prompt templates with their versions (--prompt NAME uses one).

    \b
    Example:
      briefer prompts
    """
    from briefer.engines.openai.prompts import shipped_templates
    from briefer.text import columns

    rows: list[tuple[str, ...]] = [("name", "version", "file")]
    rows += [(name, version, str(path)) for name, version, path in shipped_templates()]
    typer.echo(columns(rows))


@command(app)
def schema() -> None:
    """Print the JSON Schema of the brief envelope.

    \b
    Example:
      briefer schema > brief.schema.json
    """
    from briefer.schema import envelope_json_schema

    typer.echo(json.dumps(envelope_json_schema(), indent=2))
