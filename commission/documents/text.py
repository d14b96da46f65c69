"""Untrusted text (bidder names, answers, comments) turned into safe Paragraph markup.

Everything a bidder or panel member wrote is escaped, so ``<b>``, ``<img src=...>``, ``<a>``
and ``&`` are shown as the characters they are and never become markup, images or links. The only
tags in the result are the ``<font name=...>`` tags made here, one per run of a script that the
base font cannot write. Runs of right-to-left script have their word order reversed for display
(HarfBuzz lays out the letters within each word); control characters and bidi overrides are
dropped. Very long unbroken words are split at the line width by reportlab (``splitLongWords``).
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

from .fonts import ARABIC, BENGALI, RTL_SCRIPTS, SCRIPT_FONTS, font, register_fonts, script_of

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
            trail = prev[len(stripped):]
            result[-1][1] = stripped
            result.append([script, trail + ch])
        current = script
    if pending:
        result.append(["latin", pending])
    return _neutral_edges_outside_rtl([(s, t) for s, t in result if t])


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


def _visual(script: str, text: str) -> str:
    """A right-to-left run in display order: words reversed (each word is shaped RTL)."""
    if script not in RTL_SCRIPTS:
        return text
    lead = text[: len(text) - len(text.lstrip(" "))]
    tail = text[len(text.rstrip(" ")):]
    words = text.strip(" ").split(" ")
    return lead + " ".join(reversed(words)) + tail


#: Text that needs neither cleaning nor a script font: printable ASCII and Latin-1/Latin
#: Extended-A/B letters (all NFC already, no controls), single spaces, no space at either end.
#: Such text is one Latin run, so its markup is just the escaped text.
_PLAIN_LATIN = re.compile(r"(?:[!-~\u00a1-\u024f]+(?: [!-~\u00a1-\u024f]+)*)?")


def markup(text: object, *, bold: bool = False, newlines: bool = True) -> str:
    """Paragraph markup that shows ``text`` exactly, in the right font for each script."""
    if type(text) is str and _PLAIN_LATIN.fullmatch(text):
        joined = escape(text)
        return f"<b>{joined}</b>" if bold else joined
    register_fonts()
    value = clean(text, keep_newlines=newlines)
    lines = []
    for line in value.split("\n"):
        parts = []
        for script, run in runs(line):
            shown = _visual(script, run)
            regular, heavy = SCRIPT_FONTS[script]
            name = heavy if bold else regular
            if script != "latin":
                learner = font(name)
                for word in shown.split(" "):
                    learner.learn(word)
                parts.append(f'<font name="{name}">{escape(shown)}</font>')
            else:
                parts.append(escape(shown))
        lines.append("".join(parts))
    joined = "<br/>".join(lines)
    return f"<b>{joined}</b>" if bold else joined


def plain(text: object) -> str:
    """Our own fixed wording, escaped (it may quote ids that came from a bidder)."""
    return escape(clean(text, keep_newlines=False))


__all__ = ["ARABIC", "BENGALI", "clean", "markup", "plain", "runs"]
