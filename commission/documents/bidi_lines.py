"""The Unicode Bidirectional Algorithm, applied to each laid-out line of a paragraph.

reportlab breaks a paragraph into lines in the order the text was written (logical order). Only
then, line by line, are the pieces put in the order they are seen (UAX #9 rules L1–L2, via
python-bidi's implementation of the earlier rules), so a wrapped Urdu paragraph reads from the top
line down, and an Urdu sentence with a Latin word or a number in it (``ہم NHS کے ساتھ 2027 میں``)
keeps its clauses in order. Letters within an Arabic-script word are already in visual order:
HarfBuzz shaped each word right to left. What is reordered is the *tokens* of a line: words,
numbers, spaces and punctuation, each given one proxy character of its bidi class.

The paragraph's direction is that of its first strong letter (rule P2): a paragraph that starts
in Urdu is right-to-left, and is right-aligned (see :func:`starts_right_to_left`).
"""

from __future__ import annotations

import copy
import functools
import html
import re
from collections.abc import Sequence
from typing import Any

from .fonts import ARABIC, ARABIC_BOLD, script_of

RTL_FONTS = frozenset({ARABIC, ARABIC_BOLD})
#: One proxy character per token class: an Arabic letter (AL), a Latin letter (L), a digit (EN).
_RTL, _LTR, _NUMBER = "\u0627", "a", "1"
_LATIN_TOKENS = re.compile(r"\s+|[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|.", re.S)
_RTL_TOKENS = re.compile(r"\s+|\S+")
_MIRROR = {
    "(": ")",
    ")": "(",
    "[": "]",
    "]": "[",
    "{": "}",
    "}": "{",
    "<": ">",
    ">": "<",
    "«": "»",
    "»": "«",
    "‹": "›",
    "›": "‹",
}
_TAG = re.compile(r"<[^>]*>")


def _tokens(text: str, rtl_font: bool) -> list[tuple[str, str]]:
    """(token, proxy) pairs: the proxy is one character of the token's bidi class."""
    out = []
    if rtl_font:
        for token in _RTL_TOKENS.findall(text):
            if token.isspace():
                out.append((token, " "))
            elif all(ch.isdigit() or ch in ".,:" for ch in token) and any(
                c.isdigit() for c in token
            ):
                out.append((token, _NUMBER))
            else:
                out.append((token, _RTL))
        return out
    for token in _LATIN_TOKENS.findall(text):
        if token.isspace():
            out.append((token, " "))
        elif token[0].isdigit():
            out.append((token, _NUMBER))
        elif len(token) == 1 and not token.isalpha():
            out.append((token, token))
        else:
            out.append((token, _LTR))
    return out


@functools.lru_cache(maxsize=4096)
def _levels(proxy: str, rtl: bool) -> tuple[int, ...]:
    from bidi import algorithm

    storage = algorithm.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    algorithm.get_embedding_levels(proxy, storage, False, False)
    algorithm.explicit_embed_and_overrides(storage, False)
    algorithm.resolve_weak_types(storage, False)
    algorithm.resolve_neutral_types(storage, False)
    algorithm.resolve_implicit_levels(storage, False)
    return tuple(int(ch["level"]) for ch in storage["chars"])


def visual_order(proxy: str, rtl: bool) -> list[tuple[int, int]]:
    """(logical index, level) of each token of one line, in visual order (rules L1 and L2)."""
    levels = list(_levels(proxy, rtl))
    base = 1 if rtl else 0
    # L1: whitespace at the end of the line goes to the paragraph level.
    i = len(proxy) - 1
    while i >= 0 and proxy[i] == " ":
        levels[i] = base
        i -= 1
    order = list(range(len(proxy)))
    if not levels:
        return []
    highest = max(levels)
    lowest_odd = min((lv for lv in levels if lv % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return [(index, levels[index]) for index in order]


def needs_reordering(frags: Sequence[Any]) -> bool:
    return any(getattr(f, "fontName", None) in RTL_FONTS for f in frags)


def reorder_frag_line(words: Sequence[Any], rtl: bool) -> list[Any]:
    """The fragments of one laid-out line, cut into tokens and put in visual order."""
    tokens: list[tuple[Any, str]] = []
    proxy = []
    for frag in words:
        if hasattr(frag, "cbDefn") or not hasattr(frag, "text"):
            tokens.append((frag, ""))
            proxy.append(" ")
            continue
        for token, kind in _tokens(frag.text, frag.fontName in RTL_FONTS):
            tokens.append((frag, token))
            proxy.append(kind)
    if not tokens:
        return list(words)
    out: list[Any] = []
    last: Any = None
    for index, level in visual_order("".join(proxy), rtl):
        frag, text = tokens[index]
        if not text and hasattr(frag, "cbDefn"):
            out.append(frag)
            last = None
            continue
        if level % 2 and frag.fontName not in RTL_FONTS:
            text = _MIRROR.get(text, text)
        if last is not None and last[0] is frag:
            last[1].text += text
        else:
            piece = copy.copy(frag)
            piece.text = text
            out.append(piece)
            last = (frag, piece)
    return out


def reorder_words(words: Sequence[str], font_name: str, rtl: bool) -> list[str]:
    """The words of one line of a single-font paragraph, in visual order."""
    joined = " ".join(words)
    pairs = _tokens(joined, font_name in RTL_FONTS)
    order = visual_order("".join(p for _, p in pairs), rtl)
    text = "".join(pairs[i][0] for i, _ in order)
    return text.split(" ")


def starts_right_to_left(markup_text: str) -> bool:
    """Whether a paragraph's first strong letter is right-to-left (UAX #9 rule P2)."""
    for ch in html.unescape(_TAG.sub("", markup_text)):
        script = script_of(ch)
        if script == "arabic":
            return True
        if script is not None:
            return False
    return False


def visual_para(bl_para: Any, rtl: bool) -> Any:
    """A copy of reportlab's laid-out paragraph with every line in visual order."""
    visual = copy.copy(bl_para)
    if bl_para.kind == 0:
        font_name = bl_para.fontName
        if font_name not in RTL_FONTS:
            return bl_para
        visual.lines = [
            (extra, reorder_words(words, font_name, rtl)) for extra, words in bl_para.lines
        ]
        return visual
    lines = []
    for line in bl_para.lines:
        if needs_reordering(line.words):
            line = copy.copy(line)
            line.words = reorder_frag_line(line.words, rtl)
        lines.append(line)
    visual.lines = lines
    return visual


__all__ = ["reorder_frag_line", "starts_right_to_left", "visual_order", "visual_para"]
