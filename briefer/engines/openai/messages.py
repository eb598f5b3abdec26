"""The messages of each request to the model: the article (or the outlets' briefs and articles)
wrapped in a boundary it cannot forge, under the template's system message; the request body in
the output format asked for."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.endpoint import OutputFormat, provider_of
from briefer.engines.openai.prompts import PromptTemplate
from briefer.inputs.article import Article
from briefer.schema import Brief, strict_json_schema
from briefer.text.untrusted import Boundary, wrap_article

Request = dict[str, Any]


@dataclass(frozen=True)
class OutputSpec:
    """What a conversation asks the model for: a name and a pydantic model."""

    name: str
    model: type[BaseModel]

    def schema(self, *, lengths: bool = False) -> dict[str, Any]:
        """The model's strict JSON Schema (`lengths`: strings keep their length limits)."""
        return strict_json_schema(self.model, lengths=lengths)


def build_briefs_messages(
    briefs: list[Brief],
    template: PromptTemplate,
    boundary: Boundary,
    *,
    label: str,
    first: int,
    **extra: str,
) -> list[dict[str, str]]:
    """Render the messages that hand several briefs to the model, as JSON inside the boundary.

    Each brief is numbered under `label` from `first` ("part" 1, 2... for an article's parts;
    "source" 0, 1... for a comparison). `extra` are further template variables.
    """
    entries = [{label: i, "brief": b.model_dump(mode="json")} for i, b in enumerate(briefs, first)]
    return _data_messages(entries, template, boundary, "briefs", **extra)


def build_story_messages(
    outlets: list[tuple[str, Brief, str]], template: PromptTemplate, boundary: Boundary
) -> list[dict[str, str]]:
    """Render the messages that hand several outlets' reports of one story to the model: for
    each outlet (numbered from 0) its name, its brief and its article's text, as JSON inside
    the boundary (the article text cleaned and the markers defused as for one article)."""
    entries = [
        {"outlet": i, "name": name, "brief": brief.model_dump(mode="json"), "article": text}
        for i, (name, brief, text) in enumerate(outlets)
    ]
    return _data_messages(entries, template, boundary, "outlets")


def _data_messages(
    entries: list[dict[str, Any]],
    template: PromptTemplate,
    boundary: Boundary,
    variable: str,
    **extra: str,
) -> list[dict[str, str]]:
    """The system and user messages with `entries`, as JSON wrapped in the boundary's
    markers, in the template's `variable` (and `count`, how many there are)."""
    payload = json.dumps(entries, ensure_ascii=False, indent=1)
    variables = {
        "boundary_start": boundary.start,
        "boundary_end": boundary.end,
        variable: wrap_article(payload, boundary),
        "count": str(len(entries)),
        **extra,
    }
    return [
        {"role": "system", "content": template.render("system", variables).strip()},
        {"role": "user", "content": template.render("user", variables).strip()},
    ]


def build_merge_messages(
    partials: list[Brief], template: PromptTemplate, boundary: Boundary, title: str | None
) -> list[dict[str, str]]:
    """Render the messages that merge the briefs of an article's parts into one."""
    return build_briefs_messages(
        partials, template, boundary, label="part", first=1, title=title or "(none)"
    )


def build_messages(
    article: Article, template: PromptTemplate, boundary: Boundary
) -> list[dict[str, str]]:
    """Render the system and user messages for one article."""
    variables = {
        "boundary_start": boundary.start,
        "boundary_end": boundary.end,
        "article": wrap_article(article.text, boundary),
        "title": article.title or "(none)",
    }
    return [
        {"role": "system", "content": template.render("system", variables).strip()},
        {"role": "user", "content": template.render("user", variables).strip()},
    ]


def request_body(
    config: LLMConfig,
    messages: list[dict[str, str]],
    fmt: OutputFormat,
    output_tokens: int,
    output: OutputSpec,
) -> Request:
    """The request body for `messages` in the output format `fmt` (the messages as given:
    in json_object mode they already carry the schema, see `with_format`)."""
    body: Request = {"model": config.model, "messages": messages}
    schema = output.schema(lengths=fmt.lengths)
    if fmt.mode == "schema":
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": output.name, "strict": True, "schema": schema},
        }
    elif provider_of(config.base_url) == "other":
        # llama.cpp and llama-cpp-python hold the answer to a schema given here; OpenAI
        # refuses the extra key, so it gets the schema in the prompt only.
        body["response_format"] = {"type": "json_object", "schema": schema}
    else:
        body["response_format"] = {"type": "json_object"}
    if config.temperature is not None:
        body["temperature"] = config.temperature
    # OpenAI's own API wants max_completion_tokens; most compatible servers know max_tokens.
    budget_key = "max_tokens" if config.base_url else "max_completion_tokens"
    body[budget_key] = output_tokens
    return body


def prefix_key(request: Request) -> str:
    """A short key for what a server can cache of `request`: the model, the messages before
    the first user message, and the response format (two requests with the same key start
    with the same bytes)."""
    fixed = []
    for message in request.get("messages", []):
        if message.get("role") == "user":
            break
        fixed.append(message)
    head = [request.get("model"), fixed, request.get("response_format")]
    encoded = json.dumps(head, sort_keys=True, ensure_ascii=False).encode("utf-8", "replace")
    return hashlib.blake2b(encoded, digest_size=8).hexdigest()


def with_format(
    messages: list[dict[str, str]], template: PromptTemplate, output: OutputSpec, fmt: OutputFormat
) -> list[dict[str, str]]:
    """The messages as sent in `fmt`: in json_object mode, the system message ends with the
    schema (the `json_object` part of the template), so the model knows the shape even where
    the server does not hold it to it."""
    if fmt.mode != "object":
        return messages
    schema = json.dumps(output.schema(lengths=fmt.lengths), ensure_ascii=False)
    extra = template.render("json_object", {"schema": schema}).strip()
    system, *rest = messages
    return [{"role": "system", "content": f"{system['content']}\n\n{extra}"}, *rest]
