from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
import respx

from briefer.engines.openai.config import LLMConfig
from briefer.inputs import load_article
from briefer.inputs.article import Article

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
    # except in tests that hand tiktoken an encoding of their own.
    monkeypatch.setenv("BRIEFER_TOKENIZER", "estimate")
    # Each test has a brief store of its own, never the user's.
    monkeypatch.setenv("BRIEFER_DB", str(tmp_path / "briefer.db"))


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def config() -> LLMConfig:
    return LLMConfig(api_key=TEST_KEY, base_url=BASE_URL, model="gpt-4o-mini")


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
