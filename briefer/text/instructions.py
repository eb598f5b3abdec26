"""Find instruction-like text in an article: attempts to talk to the model, not the reader.

The phrase lists are data, in `instructions.toml` beside this module: English, French, German
and Spanish, each as imperative verbs, determiners, words meaning "earlier" and words meaning
"instructions", so that "ignore all previous instructions", "ignorez les instructions
précédentes", "vergiss deine bisherigen Anweisungen" and "disregard everything above" are found
while "users should ignore the warning" is not: an instruction needs its form (a verb, and an
earlier or "all"/"your" qualifier before its object), not just its words.

Text is matched after `fold`: compatibility normalisation (NFKD: fullwidth and mathematical
letters become plain ones), accents and invisible characters dropped, and look-alike letters
(Cyrillic "і", Greek "ο") mapped to the Latin ones they imitate, so that "іgnore" with a
Cyrillic i is the word "ignore". Offsets are given in the original text.

A chat role written as a label is instruction-like too: "System:" at the start of a line, in
any case; "SYSTEM:" in capitals anywhere in a line; chat-template markup ("<|im_start|>",
"[INST]") anywhere.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from briefer.text import finditer_any_case

_DATA = Path(__file__).with_name("instructions.toml")
LANGUAGES = ("en", "fr", "de", "es")
MAX_QUALIFIERS = 4  # words between a verb and its object: "all of the previous"


@cache
def _data() -> dict[str, object]:
    return tomllib.loads(_DATA.read_text(encoding="utf-8"))


@cache
def _confusables() -> dict[str, str]:
    table = _data()["confusables"]
    assert isinstance(table, dict)
    return {str(k): str(v) for k, v in table.items()}


@cache
def _fold_char(ch: str) -> str:
    """One non-ASCII character as `fold` reads it (possibly several characters, or none)."""
    if unicodedata.category(ch) in ("Cf", "Mn"):
        return ""
    confusables = _confusables()
    if ch in confusables:
        return confusables[ch]
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(part) in ("Cf", "Mn"):
            continue  # an accent or an invisible character
        out.append(confusables.get(part, part))
    return "".join(out)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(text: str) -> tuple[str, list[int] | None]:
    """`text` as the instruction patterns read it, and where each of its characters came from.

    The second value maps an offset in the folded text to one in `text` (one entry per folded
    character, and one for its end); it is None when the two offsets are the same throughout.
    """
    if text.isascii():
        return text, None
    runs = [run.span() for run in _NON_ASCII.finditer(text)]
    pieces: list[str] = []
    kept = 0  # text[:kept] is folded
    for start, end in runs:
        pieces.append(text[kept:start])
        pieces.extend(_fold_char(ch) for ch in text[start:end])
        kept = end
    pieces.append(text[kept:])
    result = "".join(pieces)
    if len(result) == len(text):
        return result, None  # every character folded to one: offsets unchanged
    return result, _origin(text, runs)


def _origin(text: str, runs: list[tuple[int, int]]) -> list[int]:
    """Where each character `fold` makes of `text` came from (and its end), given the runs of
    non-ASCII characters in `text`."""
    origin: list[int] = []
    kept = 0
    for start, end in runs:
        origin.extend(range(kept, start))
        for i in range(start, end):
            origin.extend([i] * len(_fold_char(text[i])))
        kept = end
    origin.extend(range(kept, len(text) + 1))
    return origin


def _phrase(words: str) -> str:
    """A regex for a phrase, folded and lower case: any whitespace between its words."""
    folded = fold(words.strip().lower())[0]
    parts = []
    for i, token in enumerate(folded.split()):
        if i:
            parts.append(r"\s*" if not token[0].isalnum() else r"\s+")
        parts.append(re.escape(token))
    pattern = "".join(parts)
    return pattern + (r"\b" if folded[-1].isalnum() else "")


def _list(words: object) -> list[str]:
    """A list of phrases of the data file."""
    assert isinstance(words, list)
    return [str(w) for w in words]


def _alternatives(words: object) -> str:
    """The phrases of a list as regex alternatives, the longest first."""
    return "|".join(sorted({_phrase(w) for w in _list(words)}, key=len, reverse=True))


def _any(words: object) -> str:
    return f"(?:{_alternatives(words)})"


def _language(table: dict[str, object]) -> str:
    verb, obj = _any(table["verbs"]), _any(table["objects"])
    earlier, strong = _any(table["earlier"]), _any(table["strong"])
    qualifiers = {*_list(table["determiners"]), *_list(table["strong"])}  # each once
    # At most a few ("all of the", "l'"): a bounded run keeps the scan linear whatever the text.
    between = rf"(?:{_any(sorted(qualifiers))}(?:\s+|(?<=')))" + f"{{0,{MAX_QUALIFIERS}}}"
    forms = [
        rf"{between}{earlier}\s+{between}{obj}",  # ignore all previous instructions
        rf"{between}{obj}\s+{earlier}",  # ignorez les instructions précédentes
        rf"{between}{strong}\s+{between}{obj}",  # forget your directions
        _any(table["everything"]),  # disregard everything above
    ]
    identity = rf"{_any(table['identity'])}\s+{_any(table['becomes'])}"  # you are now a
    # The verb once, then what may follow it: the scan fails fast where no verb starts.
    return rf"{verb}\s+(?:{'|'.join(forms)})|{identity}|{_any(table['phrases'])}"


def _first_letters(table: dict[str, object]) -> set[str]:
    """The characters a language's instructions start with: the first of its verbs, its
    identity phrases and its other phrases, as `_phrase` folds them."""
    return {
        fold(words.strip().lower())[0].split()[0][0]
        for key in ("verbs", "identity", "phrases")
        for words in _list(table[key])
    }


@cache
def _instruction() -> re.Pattern[str]:
    data = _data()
    languages = []
    starts: set[str] = set()
    for code in LANGUAGES:
        table = data[code]
        assert isinstance(table, dict)
        languages.append(_language(table))
        starts |= _first_letters(table)
    # A look-ahead for the first letters lets the scan pass over any other character at once.
    first = "[" + "".join(sorted(map(re.escape, starts))) + "]"
    return re.compile(rf"(?<!\w)(?={first})(?:" + "|".join(languages) + ")", re.IGNORECASE)


@cache
def _role_label() -> re.Pattern[str]:
    roles = _data()["roles"]
    assert isinstance(roles, dict)
    names = sorted({fold(str(n).lower())[0] for n in roles["names"]}, key=len, reverse=True)
    lower = "|".join(map(re.escape, names))
    upper = "|".join(re.escape(n.upper()) for n in names)
    return re.compile(
        rf"(?im:^[ \t>*#_-]*(?:{lower})[ \t]*:)"  # "System:" opening a line
        rf"|\b(?:{upper})[ \t]*:"  # "SYSTEM:" anywhere
        r"|(?i:<\|(?:im_start|im_end|system|assistant|user|endoftext)\|>|\[/?inst\]|<</?sys>>)"
    )


def find_instructions(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) offsets in `text` of each instruction-like passage, in order."""
    folded, origin = fold(text)
    spans = [(m.start(), m.end()) for m in finditer_any_case(_instruction(), folded)]
    spans += [(m.start(), m.end()) for m in _role_label().finditer(folded)]
    last_end = -1
    for start, end in sorted(spans):
        if start < last_end:
            continue  # inside a passage already reported
        last_end = end
        if origin is None:
            yield start, end
        else:
            yield origin[start], origin[end - 1] + 1
