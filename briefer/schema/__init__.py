"""The brief and its envelope: the public JSON contract (schema version 2).

`Brief` is what an engine produces and the only part a model ever sees as a schema.
`Envelope` wraps it with facts our own code knows: where the article came from, which
engine, model and prompt made the brief, what it cost, and any warnings.

Field names are a public interface. Change them only together with `SCHEMA_VERSION`.

Version history:

* 1: `schema_version`, `article`, `brief`, `engine`, `model`, `prompt`, `usage`,
  `created_at`, `warnings`.
* 2: adds `verification` (every evidence quote located in the article, with the origin of each
  caveat) and `sourcing` (the article's sourcing profile, computed from the text); warnings
  may carry `start`/`end` offsets; `usage` gains `chunks` and `cost_usd`; `article` gains
  `author`, `site_name`, `published` and `url`.
"""

from __future__ import annotations

import copy
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import PurePath
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "2"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StakeholderKind(StrEnum):
    """What sort of actor a stakeholder is."""

    PERSON = "person"
    GOVERNMENT = "government"  # states, ministries, agencies, courts, armed forces, police
    COMPANY = "company"  # businesses
    ORGANIZATION = "organization"  # non-profits, unions, universities, parties, intl. bodies
    GROUP = "group"  # collectives of people: residents, shareholders, protesters


class CaveatKind(StrEnum):
    """Why a reader should weigh part of the article with care."""

    ANONYMOUS_SOURCE = "anonymous_source"  # "people familiar with the matter"
    UNNAMED_INSTITUTION = "unnamed_institution"  # "Western officials", "a G7 nation"
    SINGLE_SOURCE = "single_source"  # a claim resting on one source
    UNVERIFIED_NUMBER = "unverified_number"  # hedged, estimated or disputed quantities
    INTERESTED_PARTY = "interested_party"  # the source gains from the claim
    DECLINED_COMMENT = "declined_comment"  # a party declined or did not respond
    CONFLICTING_ACCOUNTS = "conflicting_accounts"  # sources in the article disagree
    PARTIAL_COVERAGE = "partial_coverage"  # the brief covers only part of the article


REPORTER = "the reporter"  # who asserts a fact the article states without attribution
QUOTED = "a quoted speaker"  # who asserts a quotation whose speaker the engine did not find


class KeyFact(_Model):
    """One fact the article reports, with the words that support it."""

    statement: str = Field(
        min_length=1, max_length=400, description="The fact, in one plain sentence."
    )
    evidence: str = Field(
        min_length=1,
        max_length=600,
        description="A verbatim span copied from the article that supports the statement.",
    )
    attribution: str = Field(
        min_length=1,
        max_length=160,
        description=(
            "Who asserts it, as the article says (a name, 'people familiar with the matter', "
            "or 'the reporter' when the article states it without attribution)."
        ),
    )


NOT_STATED = "not stated"  # a stakeholder's role or stance the article does not give


class Stakeholder(_Model):
    """A person, organisation, government or group with a part in the story."""

    name: str = Field(min_length=1, max_length=120, description="Name as the article gives it.")
    kind: StakeholderKind
    role: str = Field(
        min_length=1, max_length=200, description="Their part in the story, in a short phrase."
    )
    stance: str = Field(
        min_length=1,
        max_length=300,
        description="What they want or stand to gain or lose, as far as the article shows.",
    )


class OpenQuestion(_Model):
    """Something the article leaves unanswered."""

    question: str = Field(min_length=1, max_length=300)
    why_it_matters: str = Field(min_length=1, max_length=300)


class SourcingCaveat(_Model):
    """A reason to weigh part of the article with care."""

    kind: CaveatKind
    detail: str = Field(min_length=1, max_length=400, description="What the caveat is about.")
    evidence: str = Field(
        min_length=1, max_length=600, description="A verbatim span of the article that shows it."
    )


class Brief(_Model):
    """What an engine produces for one article."""

    headline: str = Field(
        min_length=1, max_length=200, description="One line: the bottom line up front."
    )
    summary: str = Field(min_length=1, max_length=800, description="At most three sentences.")
    key_facts: list[KeyFact] = Field(min_length=1, max_length=12)
    stakeholders: list[Stakeholder] = Field(max_length=15)
    open_questions: list[OpenQuestion] = Field(max_length=8)
    sourcing_caveats: list[SourcingCaveat] = Field(max_length=12)


def source_label(source: str, site_name: str | None = None, url: str | None = None) -> str:
    """How people name where an article came from: its site ("Reuters"), else the web
    address's host ("apnews.com"), else the file's name without folder, extension or
    underscores ("reuters wework probe"), never a server's path."""
    if site_name and site_name.strip():
        return site_name.strip()
    for address in (url, source):
        if address and address.startswith(("http://", "https://")):
            host = urlsplit(address).hostname or address
            return host.removeprefix("www.")
    if source in ("-", "standard input"):
        return "standard input"
    if source.startswith("<") and source.endswith(">"):
        return source.strip("<>")  # "<text>"
    name = PurePath(source).name
    stem = " ".join(PurePath(name).stem.replace("_", " ").split())
    return stem or name or source


class ArticleInfo(_Model):
    """Where the briefed text came from."""

    title: str | None
    source: str = Field(description="Path, '-' for standard input, or URL.")
    sha256: str = Field(description="SHA-256 of the article text, hex.")
    words: int
    chars: int
    author: str | None = None
    site_name: str | None = None
    published: str | None = Field(
        default=None, description="Publication date as the page states it (ISO 8601 when known)."
    )
    url: str | None = Field(default=None, description="The page's address, after redirects.")

    @property
    def label(self) -> str:
        """The source as people name it (`source_label`): "Reuters", "apnews.com", a file's
        name."""
        return source_label(self.source, self.site_name, self.url)


class PromptInfo(_Model):
    """Which prompt template produced the brief."""

    name: str
    version: str


class Usage(_Model):
    """Tokens used, summed over every request and chunk made for one brief."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = Field(
        default=0,
        description="Prompt tokens the provider served from its prompt cache (part of "
        "prompt_tokens, billed at the cached price).",
    )
    chunks: int = Field(default=1, description="Parts the article was briefed in.")
    cost_usd: float | None = Field(
        default=None, description="From the price table; null when the model has no price."
    )

    @classmethod
    def total(cls, usages: list[Usage]) -> Usage:
        """Usages added up, cost included (None only when none of them has a price)."""
        summed = sum(usages, cls())
        costs = [u.cost_usd for u in usages if u.cost_usd is not None]
        return summed.model_copy(update={"cost_usd": round(sum(costs), 6) if costs else None})

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            requests=self.requests + other.requests,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            chunks=max(self.chunks, other.chunks),
        )


class Notice(_Model):
    """A warning about a brief: something the reader should know, not a failure."""

    code: str = Field(description="Stable machine-readable code, e.g. 'reasked'.")
    message: str
    start: int | None = Field(default=None, description="Offset into the article, if any.")
    end: int | None = None


QuoteStatus = Literal["exact", "fuzzy", "missing"]


class QuoteCheck(_Model):
    """Where one evidence quote was found in the article."""

    status: QuoteStatus = Field(
        description="exact (after normalisation), fuzzy (approximately), or missing."
    )
    start: int | None = Field(description="Offset of the match in the article text, or null.")
    end: int | None = Field(description="End offset (exclusive), or null.")
    score: float = Field(description="Similarity 0-100 of the best match.")


class CaveatCheck(QuoteCheck):
    """A caveat's quote check, and who raised the caveat."""

    origin: Literal["model", "rules"] = Field(
        description="model: the engine's own caveat; rules: added by the sourcing analysis."
    )


class Verification(_Model):
    """Every evidence quote of the brief, checked against the article by code."""

    key_facts: list[QuoteCheck] = Field(description="Parallel to brief.key_facts.")
    sourcing_caveats: list[CaveatCheck] = Field(description="Parallel to brief.sourcing_caveats.")
    exact: int
    fuzzy: int
    missing: int
    grounded_ratio: float = Field(description="(exact + fuzzy) / all quotes; 1.0 when none.")
    fuzzy_threshold: float


class SpanRef(_Model):
    """A stretch of the article: `text` is article[start:end]."""

    text: str
    start: int
    end: int


class SourcingSummary(_Model):
    """How the article is sourced, computed from its text by rules."""

    attributions: int
    named: int
    anonymous: int
    unnamed_institution: int
    anonymous_share: float
    declined_comment: list[SpanRef]
    hedged_numbers: list[SpanRef]
    unverified: list[SpanRef]


class Envelope(_Model):
    """A brief with everything our code knows about how it was made."""

    schema_version: Literal["2"] = "2"
    article: ArticleInfo
    brief: Brief
    engine: str  # "openai", "offline", or the name of a plugin engine
    model: str | None
    prompt: PromptInfo | None
    usage: Usage
    created_at: datetime
    warnings: list[Notice] = Field(default_factory=list)
    verification: Verification
    sourcing: SourcingSummary


# --- the model-facing JSON Schema ------------------------------------------------------------

# Keywords OpenAI strict structured outputs accept. Length limits on strings are not among
# them, so we drop those from what OpenAI sees and enforce them client-side (pydantic), where a
# violation leads to one re-ask. Other servers (llama.cpp, vLLM, Ollama) turn the schema into a
# grammar that does enforce them, so they get the limits (`lengths=True`): without them, a
# constrained model writes empty or over-long strings that the validator then rejects.
STRICT_ALLOWED_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "anyOf",
        "$ref",
        "$defs",
        "description",
        "minItems",
        "maxItems",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    }
)
_DROPPED_KEYWORDS = frozenset({"title", "default"})
LENGTH_KEYWORDS = frozenset({"minLength", "maxLength"})


@cache
def strict_json_schema(model: type[BaseModel], *, lengths: bool = False) -> dict[str, Any]:
    """Return `model`'s JSON Schema in the form OpenAI strict mode accepts (do not mutate);
    with `lengths`, its strings keep their minLength / maxLength (for grammar-constrained
    servers: the one addition to the strict form)."""
    dropped = _DROPPED_KEYWORDS if lengths else _DROPPED_KEYWORDS | LENGTH_KEYWORDS
    schema: dict[str, Any] = _strictify(copy.deepcopy(model.model_json_schema()), dropped)
    return schema


def brief_json_schema(*, lengths: bool = False) -> dict[str, Any]:
    """Return the JSON Schema of `Brief` in the form OpenAI strict mode accepts (do not mutate);
    `lengths` keeps the strings' length limits."""
    return strict_json_schema(Brief, lengths=lengths)


def envelope_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the whole envelope (documentation, not for the model)."""
    return Envelope.model_json_schema()


def _strictify(node: Any, dropped: frozenset[str]) -> Any:
    if isinstance(node, list):
        return [_strictify(item, dropped) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in dropped:
            continue
        if key in ("properties", "$defs"):  # maps of names to schemas, not keywords
            out[key] = {name: _strictify(child, dropped) for name, child in value.items()}
        else:
            out[key] = _strictify(value, dropped)
    if out.get("type") == "object":
        out["additionalProperties"] = False
        out["required"] = list(out.get("properties", {}))
    return out


def strict_schema_problems(schema: dict[str, Any]) -> list[str]:
    """List every way `schema` breaks OpenAI strict-mode rules (empty when it complies)."""
    problems: list[str] = []
    if schema.get("type") != "object":
        problems.append("root: must be an object")

    def walk(node: Any, path: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")
            return
        if not isinstance(node, dict):
            return
        for key in node:
            if key not in STRICT_ALLOWED_KEYWORDS:
                problems.append(f"{path}: unsupported keyword {key!r}")
        if node.get("type") == "object":
            if node.get("additionalProperties") is not False:
                problems.append(f"{path}: additionalProperties must be false")
            props = node.get("properties", {})
            if sorted(node.get("required", [])) != sorted(props):
                problems.append(f"{path}: every property must be required")
        for key in ("properties", "$defs"):
            for name, child in node.get(key, {}).items():
                walk(child, f"{path}.{key}.{name}")
        for key in ("items", "anyOf"):
            if key in node:
                walk(node[key], f"{path}.{key}")

    walk(schema, "$")
    return problems
