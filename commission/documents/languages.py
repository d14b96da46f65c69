"""Which language a passage of untrusted text is in, so the HTML edition can mark it up.

Screen readers switch voice on ``lang``; browsers lay right-to-left text out on ``dir``. Our own
wording is British English (``en-GB``, the document's language). For text someone else wrote:

- a run of Arabic-script letters is **Urdu** (``lang="ur" dir="rtl"``): Urdu is the
  Arabic-script language the authorities' residents write (SPEC §8);
- a run of Bengali-script letters is **Bengali** (``lang="bn"``);
- Latin text is **Polish** (``lang="pl"``) when it holds a letter only Polish uses among these
  languages (ą ć ę ł ń ś ź ż), **Welsh** (``lang="cy"``) when it holds ŵ or ŷ or at least two
  distinct common Welsh words (``yr``, ``gyda``, ``mae``, ``cymuned``…), and otherwise English,
  the document's language (no attribute).

This is simple detection, not a language model: a Polish name in an English sentence marks that
sentence Polish, and Welsh with neither ŵ/ŷ nor two common words stays English. Digits, spaces
and punctuation join the run they sit in; a Latin word or number between two pieces of one other
script (``ہم NHS کے ساتھ``) is part of that passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fonts import script_of

_POLISH = re.compile(r"[ąćęłńśźżĄĆĘŁŃŚŹŻ]")
_WELSH_LETTERS = re.compile(r"[ŵŷŴŶ]")
_WELSH_WORDS = frozenset(
    "yr gyda mae ydym ydyn ein eich wedi hefyd dros gyfer cymuned cymunedol cymdeithas "
    "canolfan gwasanaeth gwasanaethau gweithio pobl lleol ardal byddwn rydym ni chi iawn "
    "croeso diolch cyngor ysgol".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class Passage:
    text: str
    #: BCP 47 tag, or "" for the document's own language.
    lang: str = ""
    #: "rtl" for right-to-left text, else "".
    dir: str = ""


def latin_language(text: str) -> str:
    """``pl``, ``cy`` or "" (English) for Latin-script text."""
    if _POLISH.search(text):
        return "pl"
    if _WELSH_LETTERS.search(text):
        return "cy"
    words = {w.lower() for w in _WORD.findall(text)}
    if len(words & _WELSH_WORDS) >= 2:
        return "cy"
    return ""


def passages(text: str) -> list[Passage]:
    """``text`` cut where its language changes; each piece knows its ``lang`` and ``dir``.

    Spaces, digits and punctuation between two runs stay with the Latin side (our own wording is
    Latin), and never sit at the edge of a right-to-left run."""
    runs: list[list[str]] = []  # [script, text]
    pending = ""
    for ch in text:
        script = script_of(ch)
        if script is None:
            pending += ch
            continue
        if not runs:
            if pending and script == "arabic":
                runs.append(["latin", pending])
                pending = ""
            runs.append([script, pending + ch])
        elif runs[-1][0] == script:
            runs[-1][1] += pending + ch
        elif script == "latin":
            runs.append([script, pending + ch])
        else:
            if runs[-1][0] == "arabic" and pending:
                runs.append(["latin", pending])
            else:
                runs[-1][1] += pending
            runs.append([script, ch])
        pending = ""
    if pending:
        if runs and runs[-1][0] != "arabic":
            runs[-1][1] += pending
        else:
            runs.append(["latin", pending])
    # A Latin word or number inside an Urdu or Bengali sentence belongs to that sentence
    # ("ہم NHS کے ساتھ 2027 میں"): the browser's bidi algorithm places it.
    i = 1
    while i < len(runs) - 1:
        if runs[i][0] == "latin" and runs[i - 1][0] == runs[i + 1][0] != "latin":
            runs[i - 1][1] += runs[i][1] + runs[i + 1][1]
            del runs[i : i + 2]
        else:
            i += 1
    out: list[Passage] = []
    for script, piece in runs:
        if script == "arabic":
            out.append(Passage(piece, "ur", "rtl"))
        elif script == "bengali":
            out.append(Passage(piece, "bn"))
        else:
            out.append(Passage(piece, latin_language(piece)))
    merged: list[Passage] = []
    for p in out:
        if merged and (merged[-1].lang, merged[-1].dir) == (p.lang, p.dir):
            merged[-1] = Passage(merged[-1].text + p.text, p.lang, p.dir)
        else:
            merged.append(p)
    return merged


def language_of(text: str) -> Passage | None:
    """The one language of the whole of ``text``, when it is all in one other language."""
    found = [p for p in passages(text) if p.text.strip()]
    if len(found) == 1 and found[0].lang:
        return found[0]
    return None


__all__ = ["Passage", "language_of", "latin_language", "passages"]
