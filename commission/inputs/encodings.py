"""Which text encoding a sheet was saved in, decided by its own bytes (issue 15.2, issue 16.6).

Each file is decoded on its own:

1. a byte-order mark decides (UTF-8, UTF-16 or UTF-32), whatever ``--encoding`` says;
2. else bytes that are valid UTF-8 are UTF-8 — a UTF-8 file is never decoded as anything else,
   so no mojibake (``"paid" â€“ good``) can be stored, and a batch may mix UTF-8 sheets with
   sheets in the encoding ``--encoding`` names;
3. else the encoding ``--encoding`` names, when given;
4. else the file is refused with a message suggesting the encoding it most likely is.

The suggestion comes from scoring the text under each candidate (Windows-1252, Windows-1250,
ISO-8859-2, and UTF-16 when every other byte is NUL): each word's letters beyond ASCII count for
a candidate when one language uses them all (``łączy``: Polish), and count against it when a
symbol or a control character sits inside a word (``£¹czy``: Windows-1252 reading a Polish
sheet). When two candidates score alike but read differently, no single one is suggested: the
message shows how a word reads under each, so the user picks the one whose letters are right.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Decoded", "EncodingRefused", "decode", "detect"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
#: Candidates for a file that is not UTF-8, most common first (the order breaks exact ties
#: between candidates that read the file identically).
CANDIDATES = ("cp1252", "cp1250", "iso8859-2")
NAMES = {
    "cp1252": "Windows-1252 (Western European)",
    "cp1250": "Windows-1250 (Central European)",
    "iso8859-2": "ISO-8859-2 (Central European)",
    "utf-16-le": "UTF-16 (little-endian)",
    "utf-16-be": "UTF-16 (big-endian)",
}
_OPTION = {"iso8859-2": "iso-8859-2", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}

# Letters beyond ASCII that each language writes (lower case).
_LANGUAGES = {
    "French": "àâæçéèêëîïôœùûüÿ",
    "German": "äöüß",
    "Spanish": "áéíñóúü",
    "Portuguese": "áâãàçéêíóôõú",
    "Italian": "àèéìíîòóù",
    "Welsh": "âêîôûŵŷáéíóúàèìòùäëïöüẅÿ",
    "Nordic": "åäæøöé",
    "Polish": "ąćęłńóśźż",
    "Czech": "áčďéěíňóřšťúůýž",
    "Slovak": "áäčďéíĺľňóôŕšťúýž",
    "Hungarian": "áéíóöőúüű",
    "Romanian": "ăâîșțşţ",
    "Croatian": "čćđšž",
}
_LETTER_SETS = [frozenset(letters) for letters in _LANGUAGES.values()]
_C1 = re.compile("[\x80-\x9f]")
_WORD = re.compile(r"[^\s\"'`,;:.!?()\[\]{}<>/\\|0-9+=*&#%~_-]+")


@dataclass(frozen=True)
class Decoded:
    text: str
    #: the codec used; "utf-8-sig" for UTF-8 with or without a byte-order mark
    codec: str
    #: why this codec: "bom", "utf-8" or "given"
    reason: str


class EncodingRefused(Exception):
    """The bytes are not in a known encoding; ``message`` and ``fix`` say which one to name."""

    def __init__(self, message: str, fix: str, offset: int, byte: bytes) -> None:
        super().__init__(message)
        self.message, self.fix, self.offset, self.byte = message, fix, offset, byte


def decode(data: bytes, given: str | None = None) -> Decoded:
    """Decode one file by its own bytes; raises :class:`EncodingRefused` with a suggestion.

    ``given`` is the ``--encoding`` the user named (already checked to be a known codec).
    """
    for bom, codec, _ in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec, "bom")
            except UnicodeDecodeError as error:
                raise _refused(data, error, f"{codec} (it starts with a {codec} BOM)") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    else:
        if "\x00" not in text or _utf16_order(data) is None:
            return Decoded(text, "utf-8-sig", "utf-8")
        utf8_error = UnicodeDecodeError("utf-8", data, 0, 1, "NUL bytes: UTF-16 text")
    if given is not None:
        try:
            return Decoded(data.decode(given), given, "given")
        except UnicodeDecodeError as error:
            raise _refused(data, error, given) from None
    raise _refused(data, utf8_error, None)


def _refused(data: bytes, error: UnicodeDecodeError, tried: str | None) -> EncodingRefused:
    byte = data[error.start : error.start + 1]
    line = data.count(b"\n", 0, error.start) + 1
    what = "UTF-8" if tried is None else tried
    message = (
        f"the file is not {what}: byte 0x{byte.hex()} at byte offset {error.start} "
        f"(line {line}) cannot be read"
    )
    return EncodingRefused(message, suggestion(data, exclude=tried), error.start, byte)


def suggestion(data: bytes, exclude: str | None = None) -> str:
    """The fix for a file that is not UTF-8: the encoding to name, or the choice between two."""
    save = "save the sheet as 'CSV UTF-8' (Excel) or 'Text CSV, Unicode (UTF-8)' (LibreOffice)"
    ranked = detect(data)
    if exclude is not None:
        ranked = [r for r in ranked if codecs.lookup(r[0]).name != codecs.lookup(exclude).name]
    if not ranked:
        return f"{save}; it is in none of {', '.join(NAMES[c] for c in CANDIDATES)}"
    best = ranked[0]
    rivals = [r for r in ranked[1:] if r[1] == best[1] and r[2] != best[2]]
    if rivals:
        # show the first place where the readings differ
        pairs = zip(best[2], rivals[0][2], strict=False)
        at = next((i for i, (a, b) in enumerate(pairs) if a != b), 0)
        choices = " or ".join(
            f"{NAMES[c]}, where it reads '{_word_at(t, at)}' (encoding name {_OPTION.get(c, c)})"
            for c, _, t in [best, *rivals]
        )
        return f"{save}, or name the encoding it was saved in: it may be {choices}"
    option = _OPTION.get(best[0], best[0])
    text = best[2]
    at = next((i for i, ch in enumerate(text) if ord(ch) > 127), 0)
    return (
        f"{save}, or name the encoding it was saved in: it looks like {NAMES[best[0]]}, "
        f"where it reads '{_word_at(text, at)}': try the encoding name {option}"
    )


def detect(data: bytes) -> list[tuple[str, int, str]]:
    """Candidates that decode ``data``, best first: (codec, score, decoded text)."""
    order = _utf16_order(data)
    if order is not None:
        try:
            return [(order, 1_000_000, data.decode(order))]
        except UnicodeDecodeError:
            pass
    found = []
    for rank, codec in enumerate(CANDIDATES):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _C1.search(text):
            continue  # C1 control characters: this is not the encoding the sheet was saved in
        found.append((codec, _score(text), text, rank))
    found.sort(key=lambda f: (-f[1], f[3]))
    return [(codec, score, text) for codec, score, text, _ in found]


def _utf16_order(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL bytes in every other place (for Latin text)."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _score(text: str) -> int:
    score = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        has_letters = any(ch.isalpha() for ch in word)
        letters = []
        for i, ch in enumerate(word):
            if ord(ch) <= 127:
                continue
            if ch.isalpha():
                letters.append(ch.casefold())
            elif unicodedata.category(ch) == "Cc":
                score -= 5  # a C1 control character: never in a sheet
            elif has_letters and 0 < i < len(word) - 1 and unicodedata.category(ch)[0] in "SN":
                score -= 3  # a symbol inside a word: '£¹czy' (but 'm³' and '£5' are fine)
        if not letters:
            continue
        if len(word) == 1:
            score -= 1  # a lone letter beyond ASCII, as 'Ł' reading '£' before '5'
        elif len(word) >= 3:  # a short word is no evidence either way ('mł' or 'm³')
            covered = max(sum(ch in language for ch in letters) for language in _LETTER_SETS)
            score += 2 * covered - len(letters)
    return score


def _word_at(text: str, at: int) -> str:
    """The word around ``text[at]`` (at most 40 characters)."""
    start = end = at
    while start > 0 and at - start < 20 and _WORD.fullmatch(text[start - 1]):
        start -= 1
    while end < len(text) and end - at < 20 and _WORD.fullmatch(text[end]):
        end += 1
    return text[start:end] if end > start else text[at : at + 1]
