from __future__ import annotations

import builtins
import errno
import io
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
import respx

from briefer.analysis.sourcing import Attribution, SourcingProfile
from briefer.engines.openai.config import LLMConfig
from briefer.inputs import load_article
from briefer.inputs.article import Article
from briefer.text import tokens

from .exchanges import BASE_URL, FIXTURES

ARTICLES = FIXTURES / "articles"
TEST_KEY = "test-key-not-a-secret"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's real configuration."""
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "BRIEFER_MODEL",
        "BRIEFER_ENGINE",
        "BRIEFER_MAX_BYTES",
        "BRIEFER_DEBUG",
        "BRIEFER_DB",
        "BRIEFER_PRICES",
        "TIKTOKEN_CACHE_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    # Never let tiktoken try to download an encoding during tests: counts use the estimate,
    # except in tests that hand tiktoken an encoding of their own. The setting covers the
    # command line and services; the patch, configs a test builds itself.
    monkeypatch.setenv("BRIEFER_TOKENIZER", "estimate")
    monkeypatch.setattr(tokens, "_default_counter", _quiet_estimate)
    # Each test has user folders of its own: its brief store and price file are never the
    # user's. BRIEFER_DB names the same store a Store() without a path opens.
    for folder in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(folder, str(tmp_path / folder.lower()))
    monkeypatch.setenv("BRIEFER_DB", str(tmp_path / "xdg_data_home" / "briefer" / "briefer.db"))


DEFAULT_COUNTER = tokens._default_counter  # tiktoken's, for the tests of it


def _quiet_estimate(encoding_name: str) -> tokens.TokenCounter:
    return tokens.TokenCounter(encoding_name)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """Requests to the stand-in endpoint at BASE_URL, answered by each test's routes.

    Like any local server, the stand-in is asked which model it serves and what context it
    has: it lists one model, gpt-4o-mini, and has no llama.cpp `/props` (so the model table
    gives the context). Tests may route these differently.
    """
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        serve_model_list(mock)
        yield mock


def serve_model_list(mock: respx.MockRouter, *names: str) -> None:
    """Answer `GET BASE_URL/models` with `names` (default: gpt-4o-mini) and `/props` with 404."""
    listed = [{"id": name, "object": "model"} for name in names or ("gpt-4o-mini",)]
    mock.get(f"{BASE_URL}/models").mock(
        return_value=httpx.Response(200, json={"object": "list", "data": listed})
    )
    mock.get(f"{BASE_URL.removesuffix('/v1')}/props").mock(
        return_value=httpx.Response(404, json={"error": {"message": "not found"}})
    )


@pytest.fixture
def config() -> LLMConfig:
    return LLMConfig(api_key=TEST_KEY, base_url=BASE_URL, model="gpt-4o-mini")


@pytest.fixture
def list_prices(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Price gpt-4o-mini at the stand-in endpoint as OpenAI does: shipped prices apply at
    OpenAI and Azure only, and llm.test is neither, so the user's price file must say: the
    one in the user's config folder (for configs a test builds) and BRIEFER_PRICES."""
    prices = Path(os.environ["XDG_CONFIG_HOME"]) / "briefer" / "prices.toml"
    prices.parent.mkdir(parents=True, exist_ok=True)
    prices.write_text(
        '[models."gpt-4o-mini"]\ninput_per_million = 0.15\noutput_per_million = 0.60\n'
        "cached_input_per_million = 0.075\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("BRIEFER_PRICES", str(prices))


def attribution_to(profile: SourcingProfile, source: str) -> Attribution:
    """The first attribution in `profile` to `source`; a failed assertion naming the sources
    found when there is none."""
    found = [a for a in profile.attributions if a.source == source]
    assert found, f"no attribution to {source!r} in {[a.source for a in profile.attributions]}"
    return found[0]


def fixture_article(stem: str) -> Article:
    return load_article(ARTICLES / f"{stem}.txt")


@pytest.fixture
def article_path() -> Path:
    return ARTICLES / "very_short.txt"


class Result(NamedTuple):
    """What one run of the command line did."""

    code: int
    out: str
    err: str


@pytest.fixture
def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Result]:
    """Run `briefer ARGS...` in this process (optionally with bytes on stdin)."""
    from briefer.cli import main

    def invoke(*args: str, stdin: bytes | None = None) -> Result:
        monkeypatch.setattr(sys, "argv", ["briefer", *args])
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


class _FillingUp:
    """A file on a disk that fills up: the first write keeps half its text, then fails."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, text):
        self._handle.write(text[: len(text) // 2])
        self._handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


def fill_up_disk(monkeypatch, folder: Path) -> None:
    """From now on, text files opened for writing in `folder` run out of space midway."""
    real = io.open

    def opening(file, mode="r", *args, **kwargs):
        handle = real(file, mode, *args, **kwargs)
        inside = Path(os.fspath(file)).parent == folder if isinstance(file, str | Path) else False
        return _FillingUp(handle) if inside and set(mode) & set("wxa") else handle

    monkeypatch.setattr(io, "open", opening)
    monkeypatch.setattr(builtins, "open", opening)
