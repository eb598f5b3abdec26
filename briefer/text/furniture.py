"""Page furniture: the text on a news page that is not the story.

A page carries more than its article: video prompts ("Scroll down for video"), photo captions
and credits, lists of related stories, share and subscribe lines, market tickers, and the
dateline that opens a wire story ("WASHINGTON (Reuters) -"). Extracted or copied text keeps
them, often glued to a neighbouring sentence. None of it is a fact of the story.

`story_sentences` turns the article's sentences into the stretches that carry the story: a
sentence that is all furniture is left out, one with furniture inside is cut down to its
longest clean stretch, and a dateline is cut from the front. Every stretch stays a verbatim
span of the article, so it can still be quoted as evidence.

The rules follow how pages are laid out, not any one site's words: furniture is recognised
by its form (a capitalised label and colon opening a caption, a parenthesised position word
next to a name, a run of " - "-separated headlines after a full stop, a sentence run on
after a lower-case word with no full stop between), with a short list of
the fixed phrases sites use for prompts and sharing.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from briefer.text import Span, finditer_any_case

# Prompts to watch, scroll, click, share, subscribe or follow, and pointers to other pages:
# what a page asks of its reader.
_PROMPT = re.compile(
    r"\b(?:scroll (?:down|up) (?:for|to see|to watch)(?: the)? (?:videos?|pictures?|more)"
    r"|click (?:here|below|on the (?:photos?|image|video)s?(?: above| below)?) to \w+(?: \w+){0,6}"
    r"|watch the (?:full )?video(?: below| above)?"
    r"|(?:share|email|print) this (?:article|story|page)"
    r"|subscribe to (?:our|the) [\w ]{0,40}?newsletter(?: to get [^.]{0,80})?"
    r"|sign up (?:for|to) (?:our|the) [\w ]{0,40}?newsletter"
    r"|follow us on (?:twitter|facebook|instagram)[^.]{0,120}"
    r"|like us on facebook"
    r"|editor['’]s note:[^\n]*"
    r"|read more(?: (?:about|on|from) (?:this|these|the)[^.]{0,60}?)?:"
    r"|(?:related|more|see also|read also|recommended|trending)"
    r"(?: (?:stories|articles|coverage|reading))?:(?=\s)"
    # A player that cannot play here, its time stamp, and a page's note on reading it elsewhere.
    r"|media playback is (?:not supported|unsupported) on (?:this|your) device"
    r"|this content will not work on your device[^.]{0,120}?update your browser"
    r"|(?:\d{1,2} [a-z]{3,9} \d{4} )?last updated at \d{1,2}:\d\d(?: (?:gmt|bst|utc))?"
    r"|if you are (?:reading|viewing) this (?:page|story|article) on [^.]{1,160}\."
    # Pointers: "Find all the latest ... on our dedicated page.", "For more, see ...".
    r"|find (?:all )?the latest [^.]{1,60} on our (?:dedicated )?(?:page|site|website)\."
    r"|for (?:a primer|more|details|further|the latest)\b[^.,]{0,60}, "
    r"(?:see|read|visit|click|go to|check out)\b[^.]{0,120}\."
    r")",
    re.IGNORECASE,
)
# A reporter's address and handle at the story's foot: "jane.doe@example.com twitter.com/jd".
# It starts only where a token starts, so a long run of letters is read once, not once a letter.
_CONTACT = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s+(?:twitter\.com/|@)\w+\.?")
# A photo's position in a caption, or a credit: "(pictured)", "(left)", "(pictured, right)",
# "(file photo)", "(Photo: AP)", "(Credit: NASA)", "(Image credit: ...)", "(Graphic: ...)".
_PHOTO_MARK = re.compile(
    r"\((?:pictured|picture|photo|file photo|left|right|centre|center|above|below|top|bottom|"
    r"front|back|inset|second (?:left|right)|far (?:left|right))"
    r"(?:[,;]? ?(?:left to right|right to left|from left|left|right|centre|center|above|"
    r"below|top|bottom|here|second (?:left|right)|with [^()]{1,40}))?\)",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"\((?:(?:image|photo|picture|video) )?(?:credit|courtesy|source|graphic|photo|image|"
    r"video|picture)s?(?: by)?:[^()]{1,120}\)",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(
    r"\b(?:Photograph|Photo|Picture|Image)(?: credit)?: [A-Z][^.]{0,60}?/"
    r"(?:AP|AFP|Reuters|Getty(?: Images)?|EPA|PA)\b"
)
# A market ticker in wire copy: ".MIAPJ0000PUS", ".N225", "<LCOc1>".
_TICKER = re.compile(r"(?<![\w.])\.[A-Z][A-Z0-9]{2,}[a-z0-9]{0,3}\b|<[A-Z0-9.=]{2,}[a-z0-9]{0,3}>")
# A link to more stories glued to the front of a sentence, as BBC pages lose their line
# breaks: "Read more about the nominees The prize ...", "More on this story and other news in
# Leicestershire ...". Where the link ends is where the next sentence starts, if it shows.
_PROMO_LEAD = re.compile(r"(?:Read more|More on this story)\b(?!:)")
# Related stories after a sentence: "... next year. - Moon Rush: Lander Plans - Where ...",
# on one line or a line each.
_RELATED_RUN = re.compile(r"(?<=[.!?\"”’])(?:\s+[-–•]\s+[A-Z0-9][^\n]{2,120}?){1,}$")
_RELATED_LINES = re.compile(r"(?:\n[ \t]*[-–•][ \t]+[A-Z0-9][^\n]{2,160})+")
# Reuters instrument codes: "NKc1", "LCOc1", "EUR=", "US10YT=RR".
_INSTRUMENT = re.compile(r"\b[A-Z]{2,5}c\d\b|\b[A-Z0-9]{3,8}=[A-Z]{0,4}(?!\w)")
# A caption's label, Daily Mail style, where a caption begins: "Fighter ace: Douglas Bader's..."
_CAPTION_LABEL = re.compile(r"(?:[A-Z][\w'’-]*)(?: [a-zA-Z][\w'’-]*){0,3}: (?=[A-Z])")
# The small words a title leaves in lower case.
_TITLE_SMALL = frozenset("a an and at by for from in of on or the to with".split())
# Where a caption is glued to the next sentence without a full stop: a word, closing quote
# or bracket, then a capitalised word that opens sentences.
_GLUE = re.compile(
    r"(?<=[a-z0-9\)’'\"”])\s+(?=(?:The|A|An|He|She|It|They|His|Her|Their|This|These|Those|"
    r"But|And|Police|Officials)\s|[A-Z][\w'’-]*(?: [a-zA-Z][\w'’-]*){0,2}: [A-Z])"
)
# Where a sentence is glued on after a caption, a byline or a prompt in a way no sentence is
# written: a lower-case word, then a capitalised word that opens sentences and a lower-case
# word ("... banned from driving The brother of ...", "... health correspondent They said
# ...", "... on this device In a tough ..."). What comes before such a seam never ended as a
# sentence, so it is not one. ("A" is left out: "Class A drugs", "Nurse A said".)
_SEAM = re.compile(
    r"(?<=[a-z])\s+(?=(?:The|He|She|It|They|When|But|His|Her|Some|Many|Despite|After|During|"
    r"Speaking)\s[a-z]|In (?:a|an|the|this)\s)"
)
# Words after which a capitalised "The" or "A" is a title, not a new sentence.
_BEFORE_TITLE = frozenset(
    "in of the a an on at to from by with for and or told said says called named dubbed "
    "starring about like as than into onto read watch see star stars film movie book".split()
)
# A wire dateline: "WASHINGTON —", "SIOUX FALLS, S.D. –", "LONDON, Nov 18 (Reuters) -",
# "Boston (CNN)", "(Reuters) —", "HAYWARD, Calif. (AP) —".
_DATELINE = re.compile(
    r"(?:[A-Z][A-Z.'-]+(?:[ -][A-Z][A-Z.'-]+){0,3}"  # a place in capitals
    r"(?:,\s*[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?)?"  # its state or country
    r"(?:,\s*[A-Z][a-z]{2,8}\.? \d{1,2})?\s*"  # a date
    r"(?:\((?:AP|Reuters|AFP|CNN|UPI|Bloomberg|dpa|IANS|PTI|ANI|EFE|Xinhua)\)\s*)?"
    r"[—–-]{1,2}\s+"
    r"|(?:[A-Z][\w.'-]+(?:,? [A-Z][\w.'-]+){0,3}\s*)?"  # "Boston", "Kathmandu, Nepal"
    r"\((?:AP|Reuters|AFP|CNN|UPI|Bloomberg|dpa|IANS|PTI|ANI|EFE|Xinhua)\)\s*(?:[—–-]{1,2}\s*)?)"
)
# A dateline in sentence case, closed by a colon: "Washington, DC, United States: Getting ...".
_DATELINE_COLON = re.compile(
    r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}(?:, [A-Z][\w.]*(?: [A-Z][\w.]*){0,2}){1,2}:\s+(?=[A-Z])"
)
# A dateline alone: "COLUMBIA, S.C." or "HAYWARD, Calif." split off as its own sentence.
_DATELINE_ONLY = re.compile(r"[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,3},\s*[A-Z][A-Za-z.]{1,12}")
# A byline or a timestamp on its own: "Staff Reports", "By Jane Doe", "10 p.m.", "Updated 5:32",
# "5:45 AM PST 11/19/2019 by Jane Doe", "Nov. 19, 2019".
_STAMP = (
    r"(?:\d{1,2}(?::\d\d)? ?[aApP]\.?[mM]\.?(?: [A-Z]{2,4})?|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4})"
)
_BYLINE_ONLY = re.compile(
    rf"(?:{_STAMP}(?:,? {_STAMP})*,? )?[Bb]y [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){{0,3}}"
    rf"|{_STAMP}(?:,? {_STAMP})*|Staff [Rr]eports?|Associated Press"
    r"|(?:Updated|Published|Posted)\b.{0,40}"
)
MIN_STORY_WORDS = 4  # a stretch shorter than this, once furniture is cut, says nothing
GLUED_WORDS = 40  # a "sentence" this long may be a caption and a sentence run together


def _between_sentences(text: str) -> list[tuple[int, int]]:
    """Prompts and credits anywhere in `text` (one pass each), sorted."""
    found = [(m.start(), m.end()) for p in (_PROMPT, _CREDIT) for m in finditer_any_case(p, text)]
    # Every photo credit line names its picture: looking for the word first is much faster.
    if any(word in text for word in ("Photo", "Picture", "Image")):
        found += [(m.start(), m.end()) for m in _CREDIT_LINE.finditer(text)]
    if "@" in text:  # the same for a reporter's address
        found += [(m.start(), m.end()) for m in _CONTACT.finditer(text)]
    return sorted(found)


def _within(found: list[tuple[int, int]], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The ranges of `found` inside `text[start:end]` (clipped), and a related-stories run."""
    i = bisect.bisect_left(found, (start, -1))
    if i > 0 and found[i - 1][1] > start:
        i -= 1
    inside = []
    while i < len(found) and found[i][0] < end:
        inside.append((max(found[i][0], start), min(found[i][1], end)))
        i += 1
    if any(mark in text[start:end] for mark in (" - ", " – ", " • ", "\n-", "\n•")):
        for pattern in (_RELATED_RUN, _RELATED_LINES):
            for related in pattern.finditer(text, start, end):
                if _headline_like(related.group()):
                    inside.append((related.start(), related.end()))
    return _merged(inside)


def without_inline(sentence: str) -> str:
    """`sentence` without the furniture that sits inside a sentence: photo marks, tickers."""
    cut = _INSTRUMENT.sub("", _TICKER.sub("", _PHOTO_MARK.sub("", sentence)))
    return re.sub(r"\s+([,.;:!?])", r"\1", " ".join(cut.split())) if cut != sentence else sentence


def dateline_end(text: str, start: int, end: int) -> int:
    """Where the story begins after a dateline that opens `text[start:end]` (else `start`)."""
    colon = _DATELINE_COLON.match(text, start, end)
    if colon is not None and colon.end() < end:
        return colon.end()
    match = _DATELINE.match(text, start, end)
    if match is None or match.end() >= end:
        return start
    # "WASHINGTON —" must be in capitals; a sentence opening "He said - " is no dateline.
    head = text[start : match.end()]
    if "(" not in head and not _is_place_in_capitals(head.strip(" —–-")):
        return start
    return match.end()


def story_sentences(text: str, sentences: Iterable[Span]) -> list[Span]:
    """The stretches of `sentences` that carry the story, furniture and datelines cut out."""
    found = _between_sentences(text)
    out: list[Span] = []
    for sentence in sentences:
        cuts = _within(found, text, sentence.start, sentence.end)
        if _is_furniture_only(sentence, cuts):
            continue
        for start, end in _story_stretches(text, sentence.start, sentence.end, cuts):
            piece = _trimmed(text, start, end)
            if piece is not None and len(piece.text.split()) >= MIN_STORY_WORDS:
                out.append(piece)
    return out


def _story_stretches(
    text: str, start: int, end: int, cuts: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """`text[start:end]` without its dateline, the furniture `cuts` and glued captions."""
    start = dateline_end(text, start, end)
    pieces: list[tuple[int, int]] = []
    pos = start
    for a, b in ((max(a, start), b) for a, b in cuts if b > start):
        pieces.append((pos, a))
        pos = b
    pieces.append((pos, end))
    out: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(pieces):
        if promo := _PROMO_LEAD.search(text, a, b):
            # Before the link, a sentence only if it ends as one ("The nominees are: Read
            # more ..." leaves a fragment); after it, the sentence it was glued to, if a start
            # shows.
            before = text[a : promo.start()].rstrip()
            kept = [(a, promo.start())] if before.endswith((".", "!", "?", '"', "”")) else []
            out.extend([*kept, *_unglued(text, promo.start(), b)[1:]])
            continue
        # Captions hide in run-on "sentences": after a prompt, or long, or placing a photo.
        suspect = (
            i > 0
            or len(text[a:b].split()) > GLUED_WORDS
            or _is_caption(text, a, b)
            or _has_seam(text, a, b)
        )
        parts = _unglued(text, a, b) if suspect else [(a, b)]
        if len(parts) > 1 or i > 0:  # a caption glued to a sentence, or after a prompt
            parts = [
                (c, d)
                for c, d in parts
                if not _is_caption(text, c, d) and not _SEAM.match(text, d, b)
            ]
        elif _labelled_caption(text, a, b):
            continue  # a caption on its own: "Mystery: The Department of ..."
        out.extend(parts)
    return out


def _labelled_caption(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` opens with a caption's label: a word or a phrase in sentence
    case ("Mystery:", "Booming business:", "From left:"), not a title ("Fall of an Empire: The
    Story of ...") or a place ("Vale of Glamorgan: Labour ...")."""
    label = _CAPTION_LABEL.match(text, _skip_space(text, start), end)
    if label is None:
        return False
    words = label.group().rstrip(": ").split()
    return len(words) == 1 or any(w[:1].islower() and w not in _TITLE_SMALL for w in words[1:])


def _has_seam(text: str, start: int, end: int) -> bool:
    """Whether a sentence is glued on at a `_SEAM` in `text[start:end]`."""
    return any(
        not _after_title_word(text, start, m.start()) for m in _SEAM.finditer(text, start, end)
    )


def _after_title_word(text: str, start: int, at: int) -> bool:
    """Whether the word before `at` (within `text[start:at]`) is one after which a capital
    opens a title, not a sentence ("reported by The ...", "a film called The ...")."""
    before = text[max(start, at - 20) : at].split()
    return bool(before) and before[-1].lower().strip("'’\"”()") in _BEFORE_TITLE


def _is_caption(text: str, start: int, end: int) -> bool:
    """A caption: it opens with a label ("Fighter ace: ...") or places a photo ("(left)")."""
    if _CAPTION_LABEL.match(text, _skip_space(text, start), end) is not None:
        return True
    # A photo mark is in brackets: look for one only where there is a bracket.
    return "(" in text[start:end] and _PHOTO_MARK.search(text, start, end) is not None


def _unglued(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split where a sentence starts after a lower-case word with no full stop between."""
    out = []
    pos = start
    seams = {m.start(): m for p in (_GLUE, _SEAM) for m in p.finditer(text, start, end)}
    for match in (seams[at] for at in sorted(seams)):
        if match.start() < pos:
            continue
        if _after_title_word(text, start, match.start()):
            continue
        out.append((pos, match.start()))
        pos = match.end()
    out.append((pos, end))
    return out


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _is_furniture_only(sentence: Span, cuts: list[tuple[int, int]]) -> bool:
    """A line that is nothing but a dateline, a byline, a time stamp or a prompt."""
    stripped = sentence.text.strip(" ()[]:-—–")
    if len(stripped) < 60 and (
        _DATELINE_ONLY.fullmatch(stripped) or _BYLINE_ONLY.fullmatch(stripped)
    ):
        return True
    return bool(cuts) and _words_outside(sentence, cuts) < MIN_STORY_WORDS


def _words_outside(sentence: Span, cuts: list[tuple[int, int]]) -> int:
    """How many words of `sentence` lie outside the ranges `cuts`."""
    words, pos = 0, sentence.start
    for a, b in cuts:
        words += len(sentence.text[pos - sentence.start : a - sentence.start].split())
        pos = b
    return words + len(sentence.text[pos - sentence.start :].split())


def _is_place_in_capitals(head: str) -> bool:
    letters = [ch for ch in head.split(",")[0] if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _headline_like(run: str) -> bool:
    """Whether a " - "-separated run reads as a list of headlines (words mostly capitalised)."""
    items = [i for i in re.split(r"\s+[-–•]\s+", run.strip()) if i.strip()]
    if not items:
        return False
    for item in items:
        words = re.findall(r"[A-Za-z][\w'’]*", item)
        long_words = [w for w in words if len(w) > 3]
        if not long_words or sum(w[0].isupper() for w in long_words) < 0.6 * len(long_words):
            return False
    return True


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _trimmed(text: str, start: int, end: int) -> Span | None:
    """The span without surrounding space and dangling separators; None when empty."""
    while start < end and (text[start].isspace() or text[start] in "-–—:;,|•"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "-–—:;,|•"):
        end -= 1
    return Span(start, end, text[start:end]) if end > start else None
