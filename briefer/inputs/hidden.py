"""Find and remove the parts of a web page that a reader never sees.

A page can carry text for the model alone: an element with the ``hidden`` attribute, or an
inline ``style`` that hides it (``display:none``, ``visibility:hidden``, ``font-size:0``,
``opacity:0``, a zero width or height with the overflow hidden, or a position far off the
screen such as ``position:absolute; left:-9999px``). That text is not part of the article a
reader sees, so it is removed before the article is extracted, and `remove_hidden` says what
went so that the brief can warn about it.

Only the markup itself is read: style sheets (``<style>``, linked CSS) are not rendered, so an
element hidden by a class is not found here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from briefer.text import one_line

# A cheap test first: most pages have nothing here worth parsing for.
_MAYBE_HIDDEN = re.compile(
    r"\b(?:hidden|none|clip|collapse)\b|font-size\s*:\s*0|opacity\s*:\s*0|:\s*-\s*\d{2}", re.I
)
_LENGTH = re.compile(r"^([-+]?(?:\d+\.?\d*|\.\d+))\s*([a-z%]*)$")
# How far off the screen an offset must be before it hides text (a small negative margin
# is ordinary layout): in pixels, or in units of a font size or of the screen.
_OFF_SCREEN = {"": 500.0, "px": 500.0, "pt": 375.0, "em": 50.0, "rem": 50.0, "%": 100.0}
_OFF_SCREEN |= {"vw": 100.0, "vh": 100.0, "cm": 13.0, "mm": 130.0, "in": 5.0}
_OFFSETS = ("left", "right", "top", "bottom", "margin-left", "margin-top", "text-indent")


@dataclass(frozen=True)
class Hidden:
    """Text of a page that a reader does not see, and why."""

    why: str  # "display:none", "the hidden attribute"...
    text: str  # the element's text, on one line


def declarations(style: str) -> dict[str, str]:
    """An inline style's declarations, names and values in lower case, without "!important"."""
    found: dict[str, str] = {}
    for part in style.split(";"):
        name, colon, value = part.partition(":")
        if colon:
            value = value.lower().replace("!important", "").strip()
            found[name.strip().lower()] = value
    return found


def _length(value: str) -> tuple[float, str] | None:
    match = _LENGTH.match(value.strip())
    if match is None:
        return None
    return float(match.group(1)), match.group(2)


def _zero(value: str) -> bool:
    length = _length(value)
    return length is not None and length[0] == 0


def _far_off(value: str) -> bool:
    length = _length(value)
    if length is None or length[1] not in _OFF_SCREEN:
        return False
    return length[0] <= -_OFF_SCREEN[length[1]]


def hiding_style(style: str) -> str | None:
    """Why an inline style hides its element from a reader, or None when it does not."""
    css = declarations(style)
    if css.get("display") == "none":
        return "display:none"
    if css.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    if _zero(css.get("font-size", "")):
        return "font-size:0"
    if _zero(css.get("opacity", "")):
        return "opacity:0"
    overflow = {css.get(k) for k in ("overflow", "overflow-x", "overflow-y")}
    if overflow & {"hidden", "clip"} and any(
        _zero(css.get(k, "")) for k in ("width", "height", "max-width", "max-height")
    ):
        return "zero size with the overflow hidden"
    if any(_far_off(css.get(k, "")) for k in _OFFSETS) and (
        css.get("position") in ("absolute", "fixed", "relative") or "text-indent" in css
    ):
        return "positioned off the screen"
    return None


def remove_hidden(page: str | bytes) -> tuple[str | bytes, list[Hidden]]:
    """`page` without the elements a reader does not see, and the text they held.

    The page comes back unchanged (the same object) when nothing is hidden, or when it cannot
    be parsed (the extraction then fails on it the same way).
    """
    sample = page if isinstance(page, str) else page.decode("latin-1")
    if not _MAYBE_HIDDEN.search(sample):
        return page, []
    import lxml.etree  # type: ignore[import-untyped]
    import lxml.html  # type: ignore[import-untyped]

    try:
        root = lxml.html.document_fromstring(page)
    except (lxml.etree.LxmlError, ValueError):
        return page, []
    found: list[Hidden] = []
    doomed: set[Any] = set()  # lxml elements
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        why = "the hidden attribute" if element.get("hidden") is not None else None
        why = why or hiding_style(element.get("style") or "")
        if why is None or element.tag in ("html", "head"):
            continue
        if any(a in doomed for a in element.iterancestors()):
            continue  # inside an element already going
        doomed.add(element)
        text = one_line(element.text_content())
        if text:
            found.append(Hidden(why, text))
    if not doomed:
        return page, []
    for element in doomed:
        element.drop_tree()  # its tail (the text after it) stays
    return lxml.html.tostring(root, encoding="unicode"), found


def hidden_note(hidden: list[Hidden]) -> str:
    """The warning for text a page hides from its readers (`remove_hidden`): what hid it, and
    the start of the text, on one line and without invisible characters."""
    from briefer.text.untrusted import strip_invisible

    quoted = [(h.why, one_line(strip_invisible(h.text), 60, at_word=True)) for h in hidden[:3]]
    shown = "; ".join(f'{why}: "{text}"' for why, text in quoted)
    more = f" and {len(hidden) - 3} more" if len(hidden) > 3 else ""
    return f"the page hides text from its readers ({shown}{more}); it was left out of the article"
