"""What briefer knows about a model: its encoding, context window, output limit and price.

The table ships as `briefer/engines/openai/models.toml`. A user file (`$BRIEFER_PRICES`, else
`prices.toml` in the user config folder) may add models or change any value, in the same
format. Lookup is by exact name, else the longest listed prefix, else `[default]`.

The shipped prices are OpenAI's list prices: they apply at OpenAI and Azure only. A model of
any other endpoint (a local server, which may well call itself "gpt-4o-mini") has a price only
when the user's file gives one (`list_prices=False`).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefer.errors import ConfigError

_SHIPPED = Path(__file__).parent / "models.toml"


@dataclass(frozen=True)
class ModelInfo:
    """Limits and prices of one model."""

    name: str  # the table entry used ("default" when the model is unknown)
    encoding: str
    context_tokens: int
    max_output_tokens: int
    input_per_million: float | None = None
    output_per_million: float | None = None
    cached_input_per_million: float | None = None  # None: cached tokens cost the full price

    def cost(
        self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0
    ) -> float | None:
        """Dollars for these token counts (`cached_tokens` of the prompt at the cached
        price), or None when the price is unknown."""
        if self.input_per_million is None or self.output_per_million is None:
            return None
        cached = min(max(cached_tokens, 0), prompt_tokens)
        cached_price = (
            self.cached_input_per_million
            if self.cached_input_per_million is not None
            else self.input_per_million
        )
        dollars = (
            (prompt_tokens - cached) * self.input_per_million
            + cached * cached_price
            + completion_tokens * self.output_per_million
        )
        return round(dollars / 1_000_000, 6)


def user_prices_path(path: Path | None = None) -> Path | None:
    """The price file: `path` (the BRIEFER_PRICES setting) when given, which must exist; else
    the user's own in their config folder, if there is one."""
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"BRIEFER_PRICES={path}: no such file; fix the path or unset it")
        return path
    from platformdirs import user_config_dir

    path = Path(user_config_dir("briefer")) / "prices.toml"
    return path if path.is_file() else None


def _read(path: Path) -> dict[str, Any]:
    """The parsed table at `path`, re-read only when the file changes."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise ConfigError(f"{path}: not a readable model and price table ({exc})") from None
    return _parse(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _parse(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable model and price table ({exc})") from None


def model_table(*, user_file: Path | None = None) -> list[ModelInfo]:
    """Every listed model, the user's file laid over the shipped table, then `default`."""
    default, models = _merged(user_file)
    return [model_info(name, user_file=user_file) for name in sorted(models)] + [
        _info("default", default, "default")
    ]


_PRICES = ("input_per_million", "output_per_million", "cached_input_per_million")


def model_info(model: str, *, user_file: Path | None = None, list_prices: bool = True) -> ModelInfo:
    """Look up `model` in the shipped table, with the user's file laid over it; without
    `list_prices`, only the user's file prices it."""
    default, models = _merged(user_file, list_prices)
    key = model if model in models else _longest_prefix(model, models)
    values = {**default, **models[key]} if key else default
    return _info(model, values, key or "default")


def _merged(
    user_file: Path | None, list_prices: bool = True
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    shipped = _read(_SHIPPED)

    def unpriced(values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items() if list_prices or k not in _PRICES}

    default: dict[str, Any] = unpriced(shipped["default"])
    models: dict[str, dict[str, Any]] = {k: unpriced(v) for k, v in shipped["models"].items()}
    user = user_prices_path(user_file)
    if user is not None:
        extra = _read(user)
        default.update(extra.get("default", {}))
        for name, values in extra.get("models", {}).items():
            models.setdefault(name, {}).update(values)
    return default, models


def _info(model: str, values: dict[str, Any], key: str) -> ModelInfo:
    try:
        return ModelInfo(
            name=key,
            encoding=str(values["encoding"]),
            context_tokens=int(values["context_tokens"]),
            max_output_tokens=int(values["max_output_tokens"]),
            input_per_million=_float_or_none(values.get("input_per_million")),
            output_per_million=_float_or_none(values.get("output_per_million")),
            cached_input_per_million=_float_or_none(values.get("cached_input_per_million")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"model table entry for {model!r} is incomplete ({exc})") from None


def _longest_prefix(model: str, models: dict[str, Any]) -> str | None:
    matches = [name for name in models if model.startswith(name)]
    return max(matches, key=len) if matches else None


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
