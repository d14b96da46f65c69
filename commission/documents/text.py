"""Untrusted text (bidder names, answers, comments) turned into safe Paragraph markup.

Everything a bidder or panel member wrote is escaped, so ``<b>``, ``<img src=...>``, ``<a>``
and ``&`` are shown as the characters they are and never become markup, images or links. The only
tags in the result are the ``<font name=...>`` tags made here, one per run of a script that the
base font cannot write. Text stays in logical order: the Unicode Bidirectional Algorithm puts
each line in visual order after reportlab has broken the paragraph into lines
(:mod:`commission.documents.bidi_lines`); HarfBuzz lays out the letters within each word.
Control characters and bidi overrides are dropped. Very long unbroken words are split at the
line width by reportlab (``splitLongWords``).

Every character is drawn from a font that has it: its script's font (Noto Sans, Noto Naskh
Arabic, Noto Sans Bengali), else Noto Sans, else Noto Emoji (emoji and symbols, with their
joiners, skin tones and variation selectors), else another bundled font. A character no bundled
font can draw is replaced by the visible marker ``[U+XXXX]`` (its code point) — never dropped —
and :func:`unsupported` lists such characters so ``decide`` can report them.
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

from .fonts import (
    ARABIC,
    BENGALI,
    EMOJI,
    RTL_SCRIPTS,
    SCRIPT_FONTS,
    covers,
    font,
    register_fonts,
    script_of,
)

#: Bidi embedding/override/isolate controls: a bidder must not be able to reorder our text.
_BIDI_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C], None
)
_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")


def clean(text: object, *, keep_newlines: bool = True) -> str:
    """NFC text with control characters and bidi controls removed and spaces collapsed."""
    value = unicodedata.normalize("NFC", "" if text is None else str(text))
    value = value.translate(_BIDI_CONTROLS).replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in value:
        if ch == "\n":
            out.append("\n" if keep_newlines else " ")
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or ch in "\u2028\u2029":
            continue
        else:
            out.append(ch)
    lines = [_SPACE.sub(" ", line).strip() for line in "".join(out).split("\n")]
    # Collapse runs of blank lines: a comment of 1,000 newlines must not become 1,000 lines.
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


def runs(text: str) -> list[tuple[str, str]]:
    """Split text into (script, text) runs; common characters join the run they sit in."""
    result: list[list[str]] = []
    current: str | None = None
    pending = ""
    for ch in text:
        script = script_of(ch)
        if script is None:
            if current is None:
                pending += ch
            else:
                result[-1][1] += ch
            continue
        if current is None:
            result.append([script, pending + ch])
            pending = ""
        elif script == current:
            result[-1][1] += ch
        else:
            # Spaces and punctuation trailing a run belong with the next one when the next
            # run is in another direction, so the reversed RTL run keeps its words together.
            prev = result[-1][1]
            stripped = prev.rstrip(" ")
            trail = prev[len(stripped) :]
            result[-1][1] = stripped
            result.append([script, trail + ch])
        current = script
    if pending:
        result.append(["latin", pending])
    found = _neutral_edges_outside_rtl([(s, t) for s, t in result if t])
    return _by_coverage(found)


#: Characters that extend the emoji before them (ZWJ, variation selectors, skin tones, tags,
#: the keycap mark): they stay in the emoji's run so HarfBuzz can form the sequence.
def _extends_emoji(ch: str) -> bool:
    code = ord(ch)
    return (
        code in (0x200D, 0xFE0F, 0xFE0E, 0x20E3)
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


#: Where a character no run font has is looked for next.
_FALLBACK = ("latin", "emoji", "arabic", "bengali")


def marker(ch: str) -> str:
    """The visible stand-in for a character no bundled font can draw."""
    return f"[U+{ord(ch):04X}]"


def _font_for(script: str, ch: str, previous: str | None) -> str | None:
    """The run a character is drawn in: its own run's font when it has the glyph."""
    if previous == "emoji" and _extends_emoji(ch):
        return "emoji"
    code = ord(ch)
    if code in covers(SCRIPT_FONTS[script][0]) and not (script != "emoji" and _is_emoji(ch)):
        return script
    for other in _FALLBACK:
        if code in covers(SCRIPT_FONTS[other][0]):
            return other
    return None


def _is_emoji(ch: str) -> bool:
    """Pictographs that must come from the emoji font even where a text font has a glyph."""
    code = ord(ch)
    return code >= 0x1F000 and code in covers(EMOJI)


def _by_coverage(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    register_fonts()
    out: list[list[str]] = []
    for script, text in found:
        previous: str | None = None
        for ch in text:
            chosen = _font_for(script, ch, previous)
            if chosen is None:
                if _extends_emoji(ch):
                    continue  # an invisible joiner no font has: nothing visible is lost
                chosen, ch = "latin", marker(ch)
            previous = chosen
            if out and out[-1][0] == chosen:
                out[-1][1] += ch
            else:
                out.append([chosen, ch])
    return [(s, t) for s, t in out]


def unsupported(text: object) -> set[str]:
    """The characters of ``text`` no bundled font can draw (shown as :func:`marker`)."""
    if type(text) is str and _PLAIN_LATIN.fullmatch(text):
        return set()
    value = clean(text)
    missing: set[str] = set()
    for _script, run in runs(value.replace("\n", " ")):
        missing.update(chr(int(code, 16)) for code in re.findall(r"\[U\+([0-9A-F]{4,6})\]", run))
    # A bidder who typed the marker text itself is not reported.
    return {ch for ch in missing if marker(ch) not in value}


def _neutral_edges_outside_rtl(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Brackets, commas and spaces at the edges of a right-to-left run belong to the text around
    it: in ``Café بزم, Łódź`` the comma follows the Urdu name on the left-to-right line, and
    the Arabic-script fonts have no brackets to draw it with anyway."""
    out: list[tuple[str, str]] = []
    for script, text in found:
        if script not in RTL_SCRIPTS:
            out.append((script, text))
            continue
        start, end = 0, len(text)
        while start < end and script_of(text[start]) is None:
            start += 1
        while end > start and script_of(text[end - 1]) is None:
            end -= 1
        if start:
            out.append(("latin", text[:start]))
        out.append((script, text[start:end]))
        if end < len(text):
            out.append(("latin", text[end:]))
    merged: list[tuple[str, str]] = []
    for script, text in out:
        if merged and merged[-1][0] == script:
            merged[-1] = (script, merged[-1][1] + text)
        else:
            merged.append((script, text))
    return merged


#: Text that needs neither cleaning nor a script font: printable ASCII, Latin-1/Latin
#: Extended-A/B letters, dashes, curly quotes, the bullet, the ellipsis and the euro sign (all
#: NFC already, no controls, every one in both Noto Sans faces), single spaces, no space at
#: either end. Such text is one Latin run, so its markup is just the escaped text.
_PLAIN_CHARS = "!-~\u00a1-\u024f\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac"
_PLAIN_LATIN = re.compile(f"(?:[{_PLAIN_CHARS}]+(?: [{_PLAIN_CHARS}]+)*)?")


def markup(text: object, *, bold: bool = False, newlines: bool = True) -> str:
    """Paragraph markup that shows ``text`` exactly, in the right font for each script."""
    # (cleaning trims the text: spaces at either end never reach the markup)
    if type(text) is str and _PLAIN_LATIN.fullmatch(trimmed := text.strip(" ")):
        joined = escape(trimmed)
        return f"<b>{joined}</b>" if bold else joined
    register_fonts()
    value = clean(text, keep_newlines=newlines)
    lines = []
    for line in value.split("\n"):
        parts = []
        for script, run in runs(line):
            shown = run
            regular, heavy = SCRIPT_FONTS[script]
            name = heavy if bold else regular
            if script != "latin":
                # Both faces learn the words: <b> around this run, or a bold style, draws it
                # in the bold face.
                for face in {regular, heavy}:
                    learner = font(face)
                    for word in shown.split(" "):
                        learner.learn(word)
                parts.append(f'<font name="{name}">{escape(shown)}</font>')
            else:
                parts.append(escape(shown))
        lines.append("".join(parts))
    joined = "<br/>".join(lines)
    return f"<b>{joined}</b>" if bold else joined


def plain(text: object) -> str:
    """Text on one line, as markup: our own wording, or names and ids that came from someone
    else, in any script (the same pipeline as :func:`markup`)."""
    return markup(text, newlines=False)


__all__ = ["ARABIC", "BENGALI", "clean", "marker", "markup", "plain", "runs", "unsupported"]
