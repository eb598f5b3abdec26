"""Outlets named as the reader knows them: the names a user gives a digest's inputs.

A label names the outlet of one input (a file or a URL) or of every article in a folder:
`{"~/news/reuters": "Reuters", "https://apnews.com/article/x": "AP"}`. It becomes the
article's site name, so the digest's index, its story briefs and every renderer call the
outlet by it, before the site name a page gives, its host or its file's name. A label for a
file wins over one for its folder, and a nearer folder's over one further up.

Labels are checked before anything is briefed: an empty name, or a label that names none of
the digest's inputs (a typing mistake), is a `UsageError`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from briefer.digest.runner import DigestInput, _host, _label, load_input
from briefer.errors import UsageError
from briefer.inputs import STDIN, URL, CommandLine, LoadOptions
from briefer.inputs.article import Article
from briefer.text import one_line

MAX_NAME_CHARS = 80
_EXACT = 1 << 16  # a label for the input itself wins over any folder's


@dataclass(frozen=True)
class Labelled:
    """An input of a digest, with the outlet name the user gave it (a `LoadsItself`)."""

    given: DigestInput
    name: str

    @property
    def host(self) -> str | None:
        """The host the input is fetched from, if any."""
        return _host(self.given)

    def load(self, options: LoadOptions | None = None) -> Article:
        """The input's article, named by its label."""
        return replace(load_input(self.given, options), site_name=self.name)

    def __str__(self) -> str:
        return _label(self.given)


def label_inputs(
    inputs: Sequence[DigestInput], labels: Mapping[Any, str] | None
) -> list[DigestInput]:
    """`inputs` with each one a label names wrapped in `Labelled` (the rules are in the
    module docstring); a `UsageError` for an empty name or a label that names no input."""
    if not labels:
        return list(inputs)
    wanted = [(_place(key), _name(key, name)) for key, name in labels.items()]
    used: set[int] = set()
    out: list[DigestInput] = []
    for given in inputs:
        where = _where(given)
        best, best_score = None, 0
        for i, (place, _) in enumerate(wanted):
            score = _score(place, where)
            if score > best_score:
                best, best_score = i, score
        if best is None:
            out.append(given)
            continue
        used.add(best)
        out.append(Labelled(given, wanted[best][1]))
    for i, key in enumerate(labels):
        if i not in used:
            raise UsageError(
                f"{one_line(str(key), 120)}: a label was given for it, but it is none of the "
                "digest's inputs (a file or URL given, or a folder holding them); check the "
                "path or URL as it was given"
            )
    return out


def _name(key: Any, name: str) -> str:
    shown = one_line(str(key), 120)
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"{shown}: the label is empty; give the outlet's name")
    if any(ch in name for ch in "\r\n\t") or len(name.strip()) > MAX_NAME_CHARS:
        raise UsageError(
            f"{shown}: the label {one_line(name, 40)!r} is not an outlet's name; give one line "
            f"of at most {MAX_NAME_CHARS} characters"
        )
    return name.strip()


Place = tuple[str, str | Path]


def _place(key: Any) -> Place:
    """What a label's key names: ("url", the address) or ("path", the resolved path)."""
    text = str(key).strip() if key is not None else ""
    if not text or text == STDIN:
        raise UsageError(
            f"{text!r} cannot be labelled; label a file, a folder or a URL the digest is given"
        )
    if text.lower().startswith(("http://", "https://")):
        return ("url", text.rstrip("/"))
    return ("path", _resolved(text))


def _where(given: DigestInput) -> Place | None:
    """Where an input comes from, in the terms of `_place`; None for text, standard input
    and feed entries."""
    if isinstance(given, URL):
        return ("url", given.value.rstrip("/"))
    if isinstance(given, CommandLine):
        if given.word == STDIN:
            return None
        if given.word.lower().startswith(("http://", "https://")):
            return ("url", given.word.rstrip("/"))
        return ("path", _resolved(given.word))
    if isinstance(given, os.PathLike):
        return ("path", _resolved(os.fspath(given)))
    if isinstance(given, Article) and given.source.lower().startswith(("http://", "https://")):
        return ("url", given.source.rstrip("/"))
    if isinstance(given, Article) and not given.source.startswith(("<", STDIN)):
        return ("path", _resolved(given.source))
    return None  # text, a feed entry


def _score(place: Place, where: Place | None) -> int:
    """How closely a label's place names an input (0: not at all)."""
    if where is None or place[0] != where[0]:
        return 0
    if place[1] == where[1]:
        return _EXACT
    if isinstance(place[1], Path) and isinstance(where[1], Path) and place[1] in where[1].parents:
        return len(place[1].parts)  # the nearer folder, the more parts
    return 0


def _resolved(text: str) -> Path:
    try:
        return Path(text).expanduser().resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(text))
