"""The conversation for one answer, with no I/O: what to send, and what to make of the answer.

`conversation(...)` is a generator: it yields each request body and receives the completion
(or has the SDK's error thrown in). It owns the re-ask after invalid output, the switch to
another output format when the endpoint refuses one (`briefer.engines.openai.endpoint`), and
the one repair request for quotes that are not in the article. What it asks for is an
`OutputSpec`: a brief (`BRIEF`), or a comparison draft.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from briefer import errors
from briefer.engines import EngineResult
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.endpoint import Negotiation, OutputFormat, refuses_format
from briefer.engines.openai.prompts import PromptTemplate
from briefer.schema import Brief, Notice, PromptInfo, Usage
from briefer.text import one_line
from briefer.text.redact import redact

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion
from briefer.engines.openai.messages import OutputSpec, Request, request_body, with_format


@dataclass(frozen=True)
class Answer:
    """A validated answer and what it cost."""

    value: Any
    usage: Usage
    model: str | None
    prompt: PromptInfo
    notices: list[Notice]

    def as_result(self) -> EngineResult:
        """The answer as an engine result (for brief answers)."""
        return EngineResult(
            brief=self.value, usage=self.usage, model=self.model, prompt=self.prompt,
            notices=self.notices,
        )  # fmt: skip


BRIEF = OutputSpec("brief", Brief)
Conversation = Generator[Request, "ChatCompletion", Answer]
MissingQuotes = Callable[[Any], list[tuple[str, str]]]
# Why a request of these messages, in this format, cannot fit the context (None: it fits).
Overflow = Callable[[list[dict[str, str]], OutputFormat], "str | None"]


def conversation(
    messages: list[dict[str, str]],
    template: PromptTemplate,
    config: LLMConfig,
    output_tokens: int,
    *,
    output: OutputSpec = BRIEF,
    missing: MissingQuotes | None = None,
    negotiation: Negotiation | None = None,
    overflow: Overflow | None = None,
) -> Conversation:
    """Ask for `output` with `messages`; `missing` lists quotes not found (one repair).

    Each request asks in the format `negotiation` holds at the time (the engine shares one
    among its conversations); a refusal of it moves the negotiation on and asks again at
    once, in the next format, never twice in the same one.

    Every request is measured by `overflow` (the engine's budget) before it is sent: one
    that cannot fit the context is not sent. A repair that cannot fit is skipped, the first
    answer kept, with a notice saying why; any other such request is an error saying why.
    """
    import openai

    talk = _Talk(template, config, output, output_tokens, missing)
    negotiation = negotiation if negotiation is not None else Negotiation(config)
    while True:
        fmt = negotiation.current
        sent = with_format(messages, template, output, fmt)
        too_long = overflow(sent, fmt) if overflow is not None else None
        if too_long is not None:
            return talk.not_sent(too_long, fmt)
        try:
            completion = yield request_body(config, sent, fmt, output_tokens, output)
        except openai.APIError as exc:
            if talk.before_repair is not None:  # the repair is optional: keep the answer we have
                why = _kind_of(exc, config)
                talk.notices.append(_repair_failed(f"the repair request failed ({why})"))
                return talk.done(talk.before_repair, None, talk.first_model)
            following = _format_after(exc, fmt, negotiation, config)
            if following is None:
                raise
            talk.notices.append(_format_notice(exc, fmt, following))
            continue
        step = talk.answered(completion, messages)
        if isinstance(step, Answer):
            return step
        messages = step  # a re-ask or a repair: the conversation so far, and what to fix


class _Talk:
    """What a conversation has learned so far: usage, attempts, notices, and the answer kept
    while a repair is asked for."""

    def __init__(
        self,
        template: PromptTemplate,
        config: LLMConfig,
        output: OutputSpec,
        output_tokens: int,
        missing: MissingQuotes | None,
    ) -> None:
        self.template = template
        self.config = config
        self.output = output
        self.output_tokens = output_tokens
        self.missing = missing
        self.usage = Usage()
        self.attempts: list[str] = []
        self.notices: list[Notice] = []
        self.reasked = False
        self.before_repair: Any = None
        self.found_before = 0  # quotes the answer before the repair had found in the article
        self.first_model: str | None = None  # the model that gave that answer

    def done(
        self, value: Any, completion: ChatCompletion | None, model: str | None = None
    ) -> Answer:
        """The conversation's answer: `value`, with what it cost and what happened."""
        return Answer(
            value=value,
            usage=self.usage,
            model=model or getattr(completion, "model", None) or self.config.model,
            prompt=PromptInfo(name=self.template.name, version=self.template.version),
            notices=self.notices,
        )

    def not_sent(self, too_long: str, fmt: OutputFormat) -> Answer:
        """A request too long for the context: a repair is skipped (the first answer kept);
        any other is an error saying why."""
        if self.before_repair is not None:
            self.notices.append(
                Notice(
                    code="repair_skipped",
                    message=f"the repair request was not sent: {too_long}; kept the first answer",
                )
            )
            return self.done(self.before_repair, None, self.first_model)
        what = (
            "the re-ask" if self.reasked else f"the {self.output.name} request ({fmt.describe()})"
        )
        raise errors.BadRequestError(
            f"{what} was not sent: {too_long}",
            fix="set {context_tokens} to the context the server gives a request, if it "
            "has more, or give it more (llama-server: a larger -c, or fewer slots -np)",
        )

    def answered(
        self, completion: ChatCompletion, messages: list[dict[str, str]]
    ) -> Answer | list[dict[str, str]]:
        """Read an answer: the conversation's result, or the messages to send next (a re-ask
        after an unusable answer, a repair of quotes not found in the article)."""
        self.usage += _usage_of(completion, self.notices)
        try:
            raw = _content_of(completion, self.usage, self.attempts, self.output_tokens)
        except errors.OutputError as problem:  # refused, cut off, empty
            if self.before_repair is None:
                raise
            self.notices.append(_repair_failed(f"the repair answer was unusable: {problem}"))
            return self.done(self.before_repair, completion, self.first_model)
        self.attempts.append(raw)
        try:
            value = parse_output(raw, self.output.model)
        except Unusable as problem:
            return self._unusable(problem, raw, completion, messages)
        return self._checked(value, raw, completion, messages)

    def _unusable(
        self,
        problem: Unusable,
        raw: str,
        completion: ChatCompletion,
        messages: list[dict[str, str]],
    ) -> Answer | list[dict[str, str]]:
        if self.before_repair is not None:  # the repair came back unusable: keep what we had
            self.notices.append(
                Notice(code="repair_failed", message=f"the repair answer was unusable: {problem}")
            )
            return self.done(self.before_repair, completion, self.first_model)
        if self.reasked:
            raise errors.InvalidOutputError(
                f"the model's output is not a valid {self.output.name} after a re-ask: {problem}",
                raw_output=raw,
                attempts=self.attempts,
                usage=self.usage,
            ) from None
        self.reasked = True
        self.notices.append(Notice(code="reasked", message=f"first answer was unusable: {problem}"))
        return [
            *messages,
            {"role": "assistant", "content": raw},
            {"role": "user", "content": self.template.render("reask", {"errors": str(problem)})},
        ]

    def _checked(
        self, value: Any, raw: str, completion: ChatCompletion, messages: list[dict[str, str]]
    ) -> Answer | list[dict[str, str]]:
        not_found = self.missing(value) if self.missing is not None else []
        found = _quote_count(value) - len(not_found)
        if self.before_repair is not None and found < self.found_before:
            self.notices.append(
                _repair_failed("the repair answer found fewer quotes in the article than the first")
            )
            return self.done(self.before_repair, completion, self.first_model)
        if not not_found or self.before_repair is not None:
            return self.done(value, completion)
        self.before_repair = value
        self.found_before = found
        self.first_model = getattr(completion, "model", None)
        self.notices.append(
            Notice(
                code="repair_requested",
                message=f"{len(not_found)} evidence quote(s) were not in the article; "
                "asked the model once to quote exactly or drop them",
            )
        )
        items = "\n".join(f"- {where}: {quote!r}" for where, quote in not_found)
        return [
            *messages,
            {"role": "assistant", "content": raw},
            {"role": "user", "content": self.template.render("repair", {"items": items})},
        ]


def _repair_failed(message: str) -> Notice:
    return Notice(code="repair_failed", message=f"{message}; kept the first answer")


def _kind_of(exc: openai.APIError, config: LLMConfig | None = None) -> str:
    """An API error in a few words: its status and the server's message."""
    status = getattr(exc, "status_code", None)
    if not status:
        return type(exc).__name__
    secrets = config.secrets if config is not None else ()
    said = one_line(redact(error_message(exc), secrets), 160)
    return f"{status}: {said}" if said else f"{status}"


def _quote_count(value: Any) -> int:
    """How many quotes an answer gives (evidence of a brief; quotes of a comparison or story
    draft)."""
    if isinstance(value, Brief):
        return len(value.key_facts) + len(value.sourcing_caveats)
    counted = getattr(value, "quote_count", None)
    if callable(counted):
        return int(counted())
    facts = getattr(value, "facts", None)
    conflicts = getattr(value, "conflicts", None)
    if facts is not None and conflicts is not None:
        return sum(len(f.quotes) for f in facts) + sum(len(c.claims) for c in conflicts)
    return 0


def _format_after(
    exc: openai.APIError, fmt: OutputFormat, negotiation: Negotiation, config: LLMConfig
) -> OutputFormat | None:
    """The format to ask in after `exc`, when it refused `fmt`; None to give up on it."""
    status = getattr(exc, "status_code", None)
    if not refuses_format(status, error_text(exc), config):
        return None
    return negotiation.refused(fmt, error_text(exc))


def _format_notice(exc: Exception, tried: OutputFormat, following: OutputFormat) -> Notice:
    refused = f"the endpoint refused {tried.describe()} ({getattr(exc, 'status_code', '?')})"
    if following.mode != tried.mode:
        return Notice(
            code="json_object_fallback",
            message=f"{refused}; asked again in json_object mode with the schema",
        )
    return Notice(
        code="schema_lengths_dropped",
        message=f"{refused}; asked again without the schema's length limits",
    )


class Unusable(Exception):
    """The model's answer cannot be turned into a Brief (internal; becomes a re-ask)."""


_FENCE = re.compile(r"```(?:json)?[ \t]*\n(.*?)\n\s*```", re.DOTALL)
_THINKING = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)


def json_text(raw: str) -> str:
    """The JSON object in a model's answer, as local servers often wrap it.

    A leading `<think>...</think>` block (reasoning models served by Ollama, vLLM or
    llama.cpp) is dropped; then a fenced ```json block is taken; else, when there is prose
    around the object ("Here is the brief: {...}"), the text from its first "{" to its last
    "}". What comes out is still parsed and validated in full.
    """
    text = _THINKING.sub("", raw, count=1)
    fenced = _FENCE.search(text)
    if fenced:
        return fenced.group(1)
    stripped = text.strip()
    start, end = stripped.find("{"), stripped.rfind("}")
    if 0 <= start < end and (start > 0 or end < len(stripped) - 1):
        return stripped[start : end + 1]
    return stripped


# Control characters other than tab and line breaks: grammar-constrained servers let them
# into strings (llama-cpp-python wrote a raw \x04), where no reader wants them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def parse_output(raw: str, model: type[BaseModel]) -> Any:
    """Parse and validate a model's JSON answer; raise `Unusable` saying what is wrong.

    Parsing is lenient about raw control characters inside strings (`strict=False`); every
    string is then cleaned of them (`clean_strings`) before validation.
    """
    text = json_text(raw)
    try:
        data = clean_strings(json.loads(text, strict=False))
    except json.JSONDecodeError as exc:
        raise Unusable(f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Unusable(f"does not match the schema: {_validation_summary(exc)}") from None


def clean_strings(value: Any) -> Any:
    """`value` (parsed JSON) with control characters other than tab, CR and LF removed from
    every string in it."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [clean_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: clean_strings(item) for key, item in value.items()}
    return value


def _validation_summary(exc: ValidationError, limit: int = 8) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{where}: {err['msg']}")
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _usage_of(completion: ChatCompletion, notices: list[Notice]) -> Usage:
    usage = getattr(completion, "usage", None)
    if usage is None:
        if not any(n.code == "usage_missing" for n in notices):
            notices.append(
                Notice(
                    code="usage_missing",
                    message="the endpoint reported no token usage; usage counts are incomplete",
                )
            )
        return Usage(requests=1)
    return Usage(
        requests=1,
        prompt_tokens=usage.prompt_tokens or 0,
        completion_tokens=usage.completion_tokens or 0,
        total_tokens=usage.total_tokens or 0,
        cached_tokens=_cached_tokens(usage),
    )


def _cached_tokens(usage: Any) -> int:
    """Prompt tokens served from the provider's cache: OpenAI's and vLLM's
    `prompt_tokens_details.cached_tokens`, or a top-level `cached_tokens` (llama.cpp and
    others); 0 when the endpoint does not say."""
    details = getattr(usage, "prompt_tokens_details", None)
    found = getattr(details, "cached_tokens", None) if details is not None else None
    if found is None:
        extra = getattr(usage, "model_extra", None) or {}
        found = extra.get("cached_tokens")
    try:
        return max(0, min(int(found or 0), int(usage.prompt_tokens or 0)))
    except (TypeError, ValueError):
        return 0


def _content_of(
    completion: ChatCompletion, usage: Usage, attempts: list[str], output_tokens: int
) -> str:
    choices = getattr(completion, "choices", None) or []
    if not choices:
        raise errors.EmptyResponseError(
            "the endpoint answered with no choices; try again, or another model",
            usage=usage,
            attempts=attempts,
        )
    choice = choices[0]
    message = choice.message
    content = message.content if message is not None else None
    refusal = getattr(message, "refusal", None)
    if refusal:
        raise errors.RefusalError(refusal, raw_output=content, attempts=attempts, usage=usage)
    if choice.finish_reason == "length":
        written = getattr(getattr(completion, "usage", None), "completion_tokens", None)
        if written is not None and written < CUT_BY_CONTEXT * output_tokens:
            # The budget was not reached: the prompt and the answer filled the context.
            raise errors.TruncatedOutputError(
                f"the answer was cut off after {written:,} tokens, well short of its "
                f"{output_tokens:,}-token budget: the server's context window ran out",
                fix="set {context_tokens} to the context the server gives a request "
                "(llama-server: its -c, divided among its -np slots), so that requests are "
                "split to fit; give the server more context; or, when its slots share it, "
                "send fewer requests at once ({concurrency})",
                raw_output=content,
                attempts=[*attempts, content or ""],
                usage=usage,
            )
        raise errors.TruncatedOutputError(
            "the answer was cut off at the output token budget",
            fix="raise {max_output_tokens}",
            raw_output=content,
            attempts=[*attempts, content or ""],
            usage=usage,
        )
    if choice.finish_reason == "content_filter":
        raise errors.RefusalError(
            "the endpoint's content filter stopped the answer",
            raw_output=content,
            attempts=attempts,
            usage=usage,
        )
    if not content or not content.strip():
        raise errors.EmptyResponseError(
            "the endpoint answered with an empty message; try again, or another model",
            usage=usage,
            attempts=attempts,
        )
    return str(content)


# A `length` stop with fewer completion tokens than this share of the budget: the context
# window cut the answer, not the output budget (which stops it at the budget exactly).
CUT_BY_CONTEXT = 0.9


# --- reading the SDK's errors ---------------------------------------------------------------


def error_body(exc: openai.APIStatusError) -> dict[str, Any]:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    return dict(body) if isinstance(body, dict) else {}


def error_code(exc: openai.APIStatusError) -> str | None:
    body = error_body(exc)
    code = exc.code or body.get("code") or body.get("type")
    return str(code) if code else None


def error_message(exc: openai.APIError) -> str:
    if hasattr(exc, "status_code"):
        message = error_body(exc).get("message")  # type: ignore[arg-type]
        if message:
            return str(message)
    return str(exc)


def error_text(exc: openai.APIError) -> str:
    """Everything an error says: its message, parameter, code and type (for classifying)."""
    if not hasattr(exc, "status_code"):
        return str(exc)
    body = error_body(exc)  # type: ignore[arg-type]
    parts = [error_message(exc), getattr(exc, "param", None), body.get("code"), body.get("type")]
    return " ".join(str(part) for part in parts if part)
