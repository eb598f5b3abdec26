"""The order of a digest's requests: the follow-ups of started articles go before new articles."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx

from briefer.core import Briefer
from briefer.digest import runner
from briefer.digest.runner import adigest
from briefer.engines.openai.config import LLMConfig
from briefer.inputs import load_article
from briefer.io.store import Store
from briefer.text import sentences

from .conftest import ARTICLES, TEST_KEY
from .exchanges import BASE_URL, article_in, brief_json, chat_completion

ARTICLE_COUNT = 10
CONCURRENCY = 2


class RepairingModel:
    """A stand-in endpoint that needs every article asked twice, answering in rounds.

    An article's first request gets a brief without a headline (it fails validation, so the
    engine re-asks); its follow-up gets a valid brief. Requests are held until `CONCURRENCY`
    of them wait and every article has been loaded (`load` stands in for the digest's loader),
    then answered together: the order is the gate's doing, never a matter of timing.
    `events` records ("sent", article, kind) as a request arrives and ("answered", article,
    kind) as its answer leaves, kind being "first" or "follow-up".
    """

    def __init__(self) -> None:
        self.events: list[tuple[str, int, str]] = []
        self.loaded = 0
        self.round: list[tuple[int, str, asyncio.Future[None]]] = []

    def load(self, given: Any, options: Any) -> Any:
        """Load an article as the digest does, counting the loads."""
        article = load_article(given, options)
        self.loaded += 1
        self.answer_round_if_ready()
        return article

    def answer_round_if_ready(self, *, anyway: bool = False) -> None:
        """Answer the waiting requests together once the round is full (or `anyway`)."""
        full = len(self.round) == CONCURRENCY and self.loaded == ARTICLE_COUNT
        if not (full or anyway):
            return
        for article, kind, answered in self.round:
            self.events.append(("answered", article, kind))
            answered.set_result(None)
        self.round = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        user = body["messages"][1]["content"]
        article = int(re.search(r"Its title, if known: Story (\d+)", user).group(1))
        kind = "first" if len(body["messages"]) == 2 else "follow-up"
        self.events.append(("sent", article, kind))
        answered = asyncio.get_running_loop().create_future()
        self.round.append((article, kind, answered))
        self.answer_round_if_ready()
        await asyncio.wait({answered}, timeout=5)
        if not answered.done():  # a round that never fills: answer, the checks will say why
            self.answer_round_if_ready(anyway=True)
        if kind == "first":
            headless = json.loads(brief_json("no quote"))
            del headless["headline"]
            return chat_completion(json.dumps(headless))
        body_text = article_in(body).split("\n\n", 1)[-1]
        return chat_completion(brief_json(sentences(body_text)[0].text))


def write_stories(folder: Path, count: int) -> list[Path]:
    """Write `count` distinct articles titled "Story 0", "Story 1", ..."""
    body = (ARTICLES / "business.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    paths = []
    for i in range(count):
        path = folder / f"story-{i:02d}.txt"
        path.write_text(f"Story {i}\n{body}", encoding="utf-8")
        paths.append(path)
    return paths


def test_started_articles_finish_before_new_ones_start(router, tmp_path, monkeypatch):
    model = RepairingModel()
    monkeypatch.setattr(runner, "load_article", model.load)
    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=model)
    briefer = Briefer(config=LLMConfig(api_key=TEST_KEY, base_url=BASE_URL), store=Store())
    sources = write_stories(tmp_path, ARTICLE_COUNT)

    result = asyncio.run(adigest(sources, briefer, concurrency=CONCURRENCY))

    assert not result.failed and len(result.briefed) == ARTICLE_COUNT
    assert all(any(n.code == "reasked" for n in i.envelope.warnings) for i in result.briefed)
    # The first article is finished (its follow-up answered) before the third one starts.
    assert model.events.index(("answered", 0, "follow-up")) < model.events.index(
        ("sent", 2, "first")
    )
    # Throughout: two articles at a time, each pair finished before the next pair starts.
    sent = [(article, kind) for event, article, kind in model.events if event == "sent"]
    rounds = [set(sent[i : i + CONCURRENCY]) for i in range(0, len(sent), CONCURRENCY)]
    expected = [
        {(article, kind) for article in (pair, pair + 1)}
        for pair in range(0, ARTICLE_COUNT, CONCURRENCY)
        for kind in ("first", "follow-up")
    ]
    assert rounds == expected
