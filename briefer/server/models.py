"""The HTTP service's requests, answers and errors: pydantic models, which also make its
OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from briefer.schema import Envelope
from briefer.server.guard import (
    one_source,
)

MAX_COMPARE_ARTICLES = 10


BriefFormat = Literal["json", "markdown", "text", "html"]


CompareFormat = Literal["json", "markdown", "html"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BriefRequest(_Request):
    """One article to brief: its text, or the URL of a public web page."""

    text: str | None = Field(
        default=None,
        description=(
            "The article's text (plain text, or a saved page's HTML). Give exactly one of "
            "`text` and `url`."
        ),
        examples=["Port of Calder Reopens\n\nThe Port of Calder reopened on Friday..."],
    )
    url: str | None = Field(
        default=None,
        description=(
            "An http(s) URL of a public web page to fetch and brief. Private, loopback, "
            "link-local and cloud-metadata addresses are refused."
        ),
        examples=["https://example.org/news/story"],
    )
    format: BriefFormat = Field(
        default="json",
        description=(
            "`json` returns the envelope as an object; `markdown`, `text` and `html` return "
            "the rendered brief as a string in `body`."
        ),
    )
    engine: Literal["offline", "openai"] | None = Field(
        default=None,
        description=(
            "The engine expected. Optional; the server's engine is fixed when it starts, "
            "and a different one here is refused."
        ),
    )

    @model_validator(mode="after")
    def _one_source(self) -> BriefRequest:
        one_source(self.text, self.url)
        return self


class CompareRequest(_Request):
    """Two or more articles to compare: texts, URLs, or both (texts come first)."""

    texts: list[str] = Field(
        default_factory=list,
        description="Articles' texts (plain text).",
        max_length=MAX_COMPARE_ARTICLES,
    )
    urls: list[str] = Field(
        default_factory=list,
        description="http(s) URLs of public web pages, fetched like `url` of /v1/brief.",
        max_length=MAX_COMPARE_ARTICLES,
    )
    format: CompareFormat = Field(
        default="json",
        description=(
            "`json` returns the comparison as an object; `markdown` and `html` return it "
            "rendered as a string in `body`."
        ),
    )

    @model_validator(mode="after")
    def _enough(self) -> CompareRequest:
        total = len(self.texts) + len(self.urls)
        if total < 2:
            raise ValueError("a comparison needs at least two articles (texts and urls)")
        if total > MAX_COMPARE_ARTICLES:
            raise ValueError(f"a comparison takes at most {MAX_COMPARE_ARTICLES} articles")
        return self


class BriefResponse(BaseModel):
    """A brief as JSON."""

    id: int | None = Field(description="The brief's id in the store (null without a store).")
    cached: bool = Field(description="True when the store already had this brief.")
    envelope: Envelope


class RenderedBrief(BaseModel):
    """A brief rendered for people."""

    id: int | None = Field(description="The brief's id in the store (null without a store).")
    cached: bool = Field(description="True when the store already had this brief.")
    format: BriefFormat
    body: str = Field(description="The rendered brief.")


class RenderedComparison(BaseModel):
    """A comparison rendered for people."""

    format: CompareFormat
    body: str = Field(description="The rendered comparison.")


class Health(BaseModel):
    """The service is up."""

    status: Literal["ok"] = "ok"
    version: str
    engine: str


class ErrorDetail(BaseModel):
    """What went wrong."""

    code: str = Field(description="A stable, machine-readable code.")
    message: str = Field(description="One line for people.")


class ErrorBody(BaseModel):
    """Every error the service returns."""

    error: ErrorDetail


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Bad input or malformed JSON"),
        (401, "Missing or wrong bearer token"),
        (413, "Body too large"),
        (422, "The body does not match the request model"),
        (502, "The engine or a fetch failed"),
    )
}
