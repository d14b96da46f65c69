"""Bundled Noto fonts, registered once per process, and which font writes which script.

reportlab shapes words with HarfBuzz when the font is ``shapable`` and the paragraph style has
``shaping=1``: Arabic letters join and Bengali conjuncts form. Shaped glyphs that have no code
point of their own (contextual Arabic forms, Bengali conjuncts) would reach the PDF's ToUnicode
map as private-use or presentation-form characters, and text extraction would lose the letters.
:class:`ExtractableTTFont` learns, from the words we shape, which letters each such glyph stands
for and writes those letters into the ToUnicode map instead.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from typing import Any

from ..resources import fonts_dir

SANS = "CommissionSans"
SANS_BOLD = "CommissionSans-Bold"
ARABIC = "CommissionArabic"
ARABIC_BOLD = "CommissionArabic-Bold"
BENGALI = "CommissionBengali"
BENGALI_BOLD = "CommissionBengali-Bold"
#: Noto Emoji (monochrome, OFL): emoji and symbols the script fonts lack, for regular and bold.
EMOJI = "CommissionEmoji"

_FILES = {
    SANS: "NotoSans-Regular.ttf",
    SANS_BOLD: "NotoSans-Bold.ttf",
    ARABIC: "NotoNaskhArabic-Regular.ttf",
    ARABIC_BOLD: "NotoNaskhArabic-Bold.ttf",
    BENGALI: "NotoSansBengali-Regular.ttf",
    BENGALI_BOLD: "NotoSansBengali-Bold.ttf",
    EMOJI: "NotoEmoji-Regular.ttf",
}

#: script → (regular, bold)
SCRIPT_FONTS = {
    "latin": (SANS, SANS_BOLD),
    "arabic": (ARABIC, ARABIC_BOLD),
    "bengali": (BENGALI, BENGALI_BOLD),
    "emoji": (EMOJI, EMOJI),
}
#: regular face → bold face, for every script font
BOLD_OF = {regular: bold for regular, bold in SCRIPT_FONTS.values()}

RTL_SCRIPTS = frozenset({"arabic"})

_lock = threading.Lock()
#: Word widths remembered per font before the cache starts again (a few MB at most).
_WIDTH_CACHE = 100_000


def _is_presentation_form(code: int) -> bool:
    return 0xFB00 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF


def _is_private(code: int) -> bool:
    return 0xE000 <= code <= 0xF8FF


@functools.cache
def _font_class() -> type:
    from reportlab.pdfbase.ttfonts import TTFont

    class ExtractableTTFont(TTFont):  # type: ignore[misc]
        """A shapable TTFont whose ToUnicode map gives back the letters behind shaped glyphs."""

        def __init__(self, name: str, filename: str) -> None:
            super().__init__(name, filename, shapable=True)
            self.glyph_text: dict[int, str] = {}
            self._widths: dict[tuple[Any, float, str], float] = {}

        def stringWidth(self, text: Any, size: float, encoding: str = "utf8") -> float:  # noqa: N802
            """reportlab's width of ``text``, remembered: line breaking measures every word of
            every paragraph, and the same words (scale descriptors, our own wording, common
            words) come back in every summary a worker renders."""
            key = (text, size, encoding)
            width = self._widths.get(key)
            if width is None:
                if len(self._widths) >= _WIDTH_CACHE:
                    self._widths.clear()
                width = self._widths[key] = super().stringWidth(text, size, encoding)
            return width

        def learn(self, word: str) -> None:
            """Shape ``word`` as reportlab will, and remember what text each new glyph shows."""
            import uharfbuzz

            if not word:
                return
            font = self.hbFont(10)
            buf = uharfbuzz.Buffer()
            buf.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
            buf.add_str(word)
            buf.guess_segment_properties()
            uharfbuzz.shape(font, buf, dict(kern=True, liga=True, dlig=True))
            infos = buf.glyph_infos
            starts = sorted({info.cluster for info in infos})
            ends = {
                s: (starts[i + 1] if i + 1 < len(starts) else len(word))
                for i, s in enumerate(starts)
            }
            by_cluster: dict[int, list[int]] = {}
            for info in infos:
                by_cluster.setdefault(info.cluster, []).append(info.codepoint)
            glyph_to_char = self.face.glyphToChar
            for cluster, gids in by_cluster.items():
                pool = list(word[cluster : ends[cluster]])
                unknown = []
                for gid in gids:
                    chars = [
                        c
                        for c in glyph_to_char.get(gid, ())
                        if not _is_private(c) and not _is_presentation_form(c)
                    ]
                    own = next((chr(c) for c in chars if chr(c) in pool), None)
                    if own is not None:
                        pool.remove(own)
                    elif gid not in self.glyph_text:
                        unknown.append(gid)
                if not unknown:
                    continue
                for i, gid in enumerate(unknown):
                    if i == len(unknown) - 1:
                        text = "".join(pool)
                    else:
                        text = pool.pop(0) if pool else ""
                    if text.strip():
                        self.glyph_text.setdefault(gid, text)

        def addObjects(self, doc: Any) -> None:  # noqa: N802 - reportlab's name
            from reportlab.pdfbase import ttfonts

            state = self.state.get(doc)
            subsets = [list(s) for s in state.subsets] if state is not None else []
            super().addObjects(doc)
            for n, subset in enumerate(subsets):
                if not subset or max(subset) < 0xE000:
                    # reportlab's own map is already right (and the same as ours) for
                    # BMP characters below the private-use and presentation-form blocks
                    continue
                base = b"".join(
                    (ttfonts.SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)
                ).decode("pdfdoc")
                stream = doc.idToObject.get("toUnicodeCMap:" + base)
                if stream is not None:
                    stream.content = self._to_unicode(base, subset)

        def _to_unicode(self, name: str, subset: list[int]) -> str:
            entries = []
            for i, code in enumerate(subset):
                text = chr(code)
                if _is_private(code) or _is_presentation_form(code):
                    gid = self.face.charToGlyph.get(code)
                    learned = self.glyph_text.get(gid) if gid is not None else None
                    if learned:
                        text = learned
                    elif _is_presentation_form(code):
                        text = unicodedata.normalize("NFKC", text)
                hexed = text.encode("utf-16-be").hex().upper()
                entries.append(f"<{i:02X}> <{hexed}>")
            return "\n".join(
                [
                    "/CIDInit /ProcSet findresource begin",
                    "12 dict begin",
                    "begincmap",
                    "/CIDSystemInfo",
                    f"<< /Registry ({name})",
                    f"/Ordering ({name})",
                    "/Supplement 0",
                    ">> def",
                    f"/CMapName /{name} def",
                    "/CMapType 2 def",
                    "1 begincodespacerange",
                    f"<00> <{len(subset) - 1:02X}>",
                    "endcodespacerange",
                    f"{len(subset)} beginbfchar",
                    *entries,
                    "endbfchar",
                    "endcmap",
                    "CMapName currentdict /CMap defineresource pop",
                    "end",
                    "end",
                ]
            )

    return ExtractableTTFont


def register_fonts() -> None:
    """Register the bundled fonts with reportlab, once per process."""
    with _lock:
        _register()


@functools.cache
def _register() -> bool:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics

    cls = _font_class()
    folder = fonts_dir()
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(cls(name, str(folder / filename)))
    _shape_each_font_apart()
    for regular, bold in SCRIPT_FONTS.values():
        if regular == bold:
            for b in (0, 1):
                for i in (0, 1):
                    addMapping(regular, b, i, regular)
            continue
        addMapping(regular, 0, 0, regular)
        addMapping(regular, 0, 1, regular)
        addMapping(regular, 1, 0, bold)
        addMapping(regular, 1, 1, bold)
        addMapping(bold, 0, 0, regular)
        addMapping(bold, 1, 0, bold)
    return True


def _shape_each_font_apart() -> None:
    """Make reportlab shape a word that mixes fonts one font at a time.

    reportlab 5.1 shapes a whole word with the HarfBuzz font of its first piece, so a word such
    as ``(বাংলা`` — our bracket in Noto Sans, the bidder's name in Noto Sans Bengali — is drawn
    with glyph numbers of the wrong font: boxes and stray letters. Splitting the word where its
    font changes and shaping each piece in its own font gives the right glyphs, and the same
    width and text. Words in one font go to reportlab unchanged.
    """
    from reportlab.pdfbase import pdfmetrics, ttfonts
    from reportlab.platypus import paragraph

    original = ttfonts.shapeFragWord
    if getattr(original, "shapes_each_font_apart", False):
        return

    def shape(word: Any, *args: Any, **kwargs: Any) -> Any:
        pieces = word[1:]
        if isinstance(word, ttfonts.ShapedFragWord) or len(pieces) < 2:
            return original(word, *args, **kwargs)
        fonts = {getattr(frag, "fontName", None) for frag, _ in pieces}
        if len(fonts) < 2 or any(hasattr(frag, "cbDefn") for frag, _ in pieces):
            return original(word, *args, **kwargs)
        groups: list[list[Any]] = []
        for frag, text in pieces:
            if groups and groups[-1][0][0].fontName == frag.fontName:
                groups[-1].append((frag, text))
            else:
                groups.append([(frag, text)])
        width = 0.0
        shaped: list[Any] = []
        for group in groups:
            part_width = sum(
                pdfmetrics.stringWidth(text, frag.fontName, frag.fontSize) for frag, text in group
            )
            result = original(word.__class__([part_width, *group]), force=True)
            width += result[0]
            shaped.extend(result[1:])
        return ttfonts.makeShapedFragWord(word)([width, *shaped])

    shape.shapes_each_font_apart = True  # type: ignore[attr-defined]
    ttfonts.shapeFragWord = shape
    paragraph.shapeFragWord = shape


def font(name: str) -> Any:
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    return pdfmetrics.getFont(name)


@functools.cache
def covers(name: str) -> frozenset[int]:
    """The code points the font ``name`` has a glyph for."""
    return frozenset(font(name).face.charToGlyph)


def script_of(char: str) -> str | None:
    """The script a character asks for, or None for common characters (spaces, digits, marks)."""
    code = ord(char)
    if (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    ):
        return "arabic"
    if 0x0980 <= code <= 0x09FF:
        return "bengali"
    if char.isalpha():
        return "latin"
    return None
