"""An editor's labels of an article, as `briefer eval` reads them, and how one brief is
scored against them (`score_brief`): key facts, who asserts them, stakeholders, sources,
length."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefer.analysis.sourcing import SourceKind, SourcingProfile
from briefer.errors import BrieferError, InputError
from briefer.schema import NOT_STATED, REPORTER, CaveatKind, Envelope, KeyFact
from briefer.text import one_line, words
from briefer.text.lexicon import STOP_WORDS, lexicon

LONG_ARTICLE_WORDS = 400
MAX_ROLE_WORDS = 8
MAX_LABEL_BYTES = 2_000_000


class _Labels(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LabelledFact(_Labels):
    """A fact an editor expects in the brief, with the quote that supports it."""

    fact: str
    quote: str
    attribution: str = ""


class LabelledStakeholder(_Labels):
    """A stakeholder an editor expects, with the other names the article uses."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    kind: str = ""
    role: str = ""
    central: bool = False


class NamedSource(_Labels):
    """An identified source and a span of the article where it is cited."""

    name: str
    phrase: str


class Labels(_Labels):
    """An editor's labels for one article (README: "Labels for `briefer eval`")."""

    article: str
    key_facts: list[LabelledFact] = Field(default_factory=list)
    stakeholders: list[LabelledStakeholder] = Field(default_factory=list)
    anonymous_source_phrases: list[str] = Field(default_factory=list)
    named_sources: list[NamedSource] = Field(default_factory=list)
    role_references_to_named: list[str] = Field(default_factory=list)
    declined_comment: list[str] = Field(default_factory=list)
    hedged_numbers: list[str] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list)
    kind_of_piece: str = ""
    notes: str = ""


def load_labels(path: Path) -> Labels:
    """Read one label file; a file that is not one is an `InputError` saying why."""
    try:
        if path.stat().st_size > MAX_LABEL_BYTES:
            raise InputError(f"{path}: larger than {MAX_LABEL_BYTES:,} bytes; not a label file")
        return Labels.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "the file"
        raise InputError(
            f"{path}: not a label file ({where}: {problem['msg']})",
            fix="see the label format in the README",
        ) from None


def label_files(given: Iterable[Path]) -> list[Path]:
    """The label files named, a folder standing for its `*.labels.json` files, sorted."""
    out: list[Path] = []
    for path in given:
        if path.is_dir():
            found = sorted(path.glob("*.labels.json"))
            if not found:
                raise InputError(f"{path}: holds no *.labels.json files")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return out


def article_path(label_file: Path, labels: Labels, folders: Iterable[Path] = ()) -> Path:
    """Where the labelled article is: in `folders`, beside the labels, or in ../corpus.

    The label names a file, never a path: a name with a folder in it is refused.
    """
    name = labels.article
    if not name or Path(name).name != name or name in {".", ".."}:
        raise InputError(f"{label_file}: article {name!r} is not a plain file name")
    here = label_file.parent
    for folder in [*folders, here, here.parent / "corpus", here.parent / "articles"]:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise InputError(
        f"{label_file}: article {name} not found beside the labels or in ../corpus",
        fix="give the folder that holds it with {articles}",
    )


@dataclass(frozen=True)
class Ratio:
    """`hits` of `total`; None when there is nothing to count."""

    hits: float
    total: float

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.hits + other.hits, self.total + other.total)


@dataclass
class ArticleScore:
    """The scores of one brief against its labels (or why it could not be briefed)."""

    name: str
    words: int = 0
    metrics: dict[str, Ratio] = field(default_factory=dict)
    error: str | None = None
    failure: BrieferError | None = None  # the error, for a caller to word in its own terms


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def score_brief(name: str, envelope: Envelope, text: str, labels: Labels) -> ArticleScore:
    """Score one brief of `text` against its labels."""
    from briefer.analysis.sourcing import analyze_sourcing
    from briefer.renderers import render_markdown

    brief = envelope.brief
    profile = analyze_sourcing(text)
    words = count_words(text)
    metrics = {
        "key_fact_recall": _key_fact_recall(labels, [f.evidence for f in brief.key_facts]),
        "attribution": _attribution_agreement(labels, brief.key_facts),
        **stakeholder_scores(labels, [(s.name, s.role) for s in brief.stakeholders], text),
        "anonymous_recall": _anonymous_recall(labels, envelope, text),
        "false_anonymous": _false_anonymous(labels, profile, text),
        "unnamed_precision": _unnamed_precision(labels, profile, text),
        "named_source_recall": _named_recall(labels, profile, text),
        "declined_recall": _span_recall(
            text, labels.declined_comment, _spans(envelope.sourcing.declined_comment)
        ),
        "hedged_recall": _span_recall(
            text, labels.hedged_numbers, _spans(envelope.sourcing.hedged_numbers)
        ),
        "hedged_precision": _span_precision(
            text, labels.hedged_numbers, _spans(envelope.sourcing.hedged_numbers)
        ),
        "length": Ratio(count_words(render_markdown(envelope)), words),
        "grounded": Ratio(envelope.verification.grounded_ratio, 1),
    }
    return ArticleScore(name, words, metrics)


def count_words(text: str) -> int:
    """Words as a reader counts them (`briefer.text.words`, as an article's own count):
    Markdown's table pipes, dashes and check marks are not words; "U.S." and "$4.5m" are."""
    return len(words(text))


_TOKEN = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_][\w'’-]*")


def _tokens(text: str) -> set[str]:
    """Content words (three letters or more, stop words out) and numbers, lower case."""
    out = set()
    for token in _TOKEN.findall(text.lower().replace("’", "'")):
        token = token.rstrip("'").removesuffix("'s")
        if token[:1].isdigit() or (len(token) >= 3 and token not in STOP_WORDS):
            out.add(token)
    return out


def _key_fact_recall(labels: Labels, evidence: list[str]) -> Ratio:
    held = [_tokens(e) for e in evidence]
    found = 0
    for fact in labels.key_facts:
        want = _tokens(fact.quote)
        if want and any(len(want & have) > len(want) / 2 for have in held):
            found += 1
    return Ratio(found, len(labels.key_facts))


def _attribution_agreement(labels: Labels, facts: Sequence[KeyFact]) -> Ratio:
    """Of the editor's key facts the brief found, how many it credits to the same source.

    Both say the reporter (an editor's "the reporter (citing ...)" counts), or both name the
    source with a word in common ("the people" and "people familiar with the matter").
    """
    agreed = matched = 0
    for fact in labels.key_facts:
        want = _tokens(fact.quote)
        ours = next(
            (f for f in facts if want and len(want & _tokens(f.evidence)) > len(want) / 2), None
        )
        if ours is None:
            continue
        matched += 1
        theirs = fact.attribution.lower()
        if ours.attribution.lower().startswith(REPORTER):
            agreed += "reporter" in theirs
        else:
            agreed += bool(_source_words(ours.attribution) & _source_words(theirs))
    return Ratio(agreed, matched)


_NOT_SOURCE_WORDS = frozenset(
    "the and for with from reporter said says citing unnamed unspecified".split()
)


def _source_words(source: str) -> set[str]:
    """The words that say who a source is ("officials", "people", "Kennedy"), lower case."""
    found = re.findall(r"[^\W\d_][\w'’-]{2,}", source.lower())
    return {w.removesuffix("'s").removesuffix("’s") for w in found} - _NOT_SOURCE_WORDS


def _norm(name: str) -> str:
    name = name.lower().replace("’", "'")
    name = re.sub(r"^the\s+", "", name)
    name = re.sub(r"'s\b", "", name)
    return " ".join(re.findall(r"[\w&]+", name))


def _name_words(name: str) -> list[str]:
    """A name's words, without the titles in front of it ("President Trump" is "Trump")."""
    words = _norm(name).split()
    titles = lexicon().person_titles
    while len(words) > 1 and words[0] in titles:
        words = words[1:]
    return words


_GOVERNMENT = re.compile(r"^(?:the\s+)?(.+?)(?:['’]s)?\s+(?:government|administration)$", re.I)


def _country(name: str) -> str | None:
    """The country a name stands for as a government: "Afghanistan", "the Afghan government"."""
    lex = lexicon()
    key = name.lower().removeprefix("the ").strip()
    if key in lex.country_of:
        return lex.country_of[key]
    match = _GOVERNMENT.match(name.strip())
    if match:
        head = match.group(1).lower().removeprefix("the ")
        return lex.country_of.get(head) or lex.demonym_of.get(head)
    return None


def names_match(predicted: str, names: list[str]) -> bool:
    """Whether a brief's stakeholder name is one of a labelled stakeholder's names.

    A country stands for its government: "Afghanistan" is "the Afghan government".
    """
    country = _country(predicted)
    if country is not None and any(_country(name) == country for name in names):
        return True
    p_words = _name_words(predicted)
    for name in names:
        n_words = _name_words(name)
        if p_words == n_words:
            return True
        if not p_words or not n_words or p_words[-1] != n_words[-1]:
            continue
        # One name's words within the other's, the same last word: "former employees" is
        # "employees"; a bare surname is not a full name (it matches only as an alias).
        if (len(p_words) > 1 or predicted.islower()) and set(p_words) <= set(n_words):
            return True  # a bare common noun ("lawmakers") is "US lawmakers"; a surname is not
        if set(n_words) <= set(p_words):
            return True
    return False


def stakeholder_scores(
    labels: Labels, predicted: list[tuple[str, str]], text: str
) -> dict[str, Ratio]:
    groups = [[s.name, *s.aliases] for s in labels.stakeholders]
    matched = [any(names_match(p, names) for p, _ in predicted) for names in groups]
    correct = [
        next((i for i, names in enumerate(groups) if names_match(p, names)), None)
        for p, _ in predicted
    ]
    central = [m for m, s in zip(matched, labels.stakeholders, strict=True) if s.central]
    good_roles = sum(
        _good_role(role, labels.stakeholders[i].role if i is not None else "", text)
        for (_, role), i in zip(predicted, correct, strict=True)
    )
    return {
        "stakeholder_recall": Ratio(sum(matched), len(groups)),
        "stakeholder_precision": Ratio(sum(i is not None for i in correct), len(predicted)),
        "central_recall": Ratio(sum(central), len(central)),
        "role_quality": Ratio(good_roles, len(predicted)),
    }


def _good_role(role: str, editor_role: str, text: str) -> bool:
    role = one_line(role)
    if role.lower() in ("", NOT_STATED):
        return True
    words = role.split()
    if len(words) > MAX_ROLE_WORDS or _norm(role) not in _norm(text):
        return False
    titles = lexicon().person_titles
    lowered = {w.lower().strip(",.") for w in words}
    if lowered & titles or any(t in role.lower() for t in titles if " " in t):
        return True
    return bool(_tokens(role) & _tokens(editor_role))


def _locate(text: str, phrase: str) -> tuple[int, int] | None:
    at = text.find(phrase)
    if at < 0:
        squeezed = one_line(phrase)
        at = text.find(squeezed)
        phrase = squeezed
    return None if at < 0 else (at, at + len(phrase))


def _overlaps(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def _spans(refs: Iterable[Any]) -> list[tuple[int, int]]:
    return [(r.start, r.end) for r in refs]


def _span_recall(text: str, phrases: list[str], spans: list[tuple[int, int]]) -> Ratio:
    located = [s for s in (_locate(text, p) for p in phrases) if s is not None]
    return Ratio(sum(_overlaps(s, spans) for s in located), len(located))


def _span_precision(text: str, phrases: list[str], spans: list[tuple[int, int]]) -> Ratio:
    located = [s for s in (_locate(text, p) for p in phrases) if s is not None]
    return Ratio(sum(_overlaps(s, located) for s in spans), len(spans))


_ANONYMOUS_CAVEATS = (
    CaveatKind.ANONYMOUS_SOURCE,
    CaveatKind.UNNAMED_INSTITUTION,
    CaveatKind.SINGLE_SOURCE,
)


def _anonymous_recall(labels: Labels, envelope: Envelope, text: str) -> Ratio:
    caveats = [c for c in envelope.brief.sourcing_caveats if c.kind in _ANONYMOUS_CAVEATS]
    pieces = [c.evidence for c in caveats]
    pieces += [q for c in caveats for q in _QUOTED.findall(c.detail)]
    shown = [span for piece in pieces for span in _occurrences(text, piece)]
    found = total = 0
    for phrase in labels.anonymous_source_phrases:
        span = _locate(text, phrase)
        if span is None:
            continue
        total += 1
        found += _overlaps(span, shown)
    return Ratio(found, total)


_QUOTED = re.compile(r"“([^”]{3,})”")


def _occurrences(text: str, piece: str) -> list[tuple[int, int]]:
    """Every place `piece` stands in `text`, whatever whitespace separates its words."""
    words = piece.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _false_anonymous(labels: Labels, profile: SourcingProfile, text: str) -> Ratio:
    anonymous = [(a.start, a.end) for a in profile.attributions if a.kind is SourceKind.ANONYMOUS]
    located = [s for s in (_locate(text, p) for p in labels.role_references_to_named) if s]
    return Ratio(sum(_overlaps(s, anonymous) for s in located), len(located))


def _unnamed_precision(labels: Labels, profile: SourcingProfile, text: str) -> Ratio:
    """Of the attributions the analysis calls anonymous or an unnamed institution that the
    editor labelled either way, the share labelled anonymous (not a named source, not a role
    reference to a named party)."""
    anonymous = [s for p in labels.anonymous_source_phrases for s in _occurrences(text, p)]
    named = [
        s
        for p in [*(n.phrase for n in labels.named_sources), *labels.role_references_to_named]
        for s in _occurrences(text, p)
    ]
    hits = total = 0
    for a in profile.attributions:
        if a.kind not in (SourceKind.ANONYMOUS, SourceKind.UNNAMED_INSTITUTION):
            continue
        if _overlaps((a.start, a.end), anonymous):
            hits, total = hits + 1, total + 1
        elif _overlaps((a.start, a.end), named):
            total += 1
    return Ratio(hits, total)


def _named_recall(labels: Labels, profile: SourcingProfile, text: str) -> Ratio:
    named = [
        (a.start, a.end)
        for a in profile.attributions
        if a.kind in (SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION)
    ]
    return _span_recall(text, [n.phrase for n in labels.named_sources], named)
