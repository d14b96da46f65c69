"""PDF structure for readers and assistive technology: an outline, XMP metadata, the title shown.

- **Outline** (bookmarks): one entry per heading as it is laid out — the document title and each
  section (``title``/``h1`` styles) at the top level, each tender (``h2``) beneath its section —
  so an 8–14-page decision can be navigated by section and by tender. Entry titles are the
  headings' text in logical order, in any script.
- **DisplayDocTitle**: viewers show the document's title, not its file name.
- **XMP metadata** (``/Metadata`` in the catalogue, uncompressed): Dublin Core title, creator,
  description and language, and the PDF producer and keywords, matching the document
  information dictionary.

The PDFs are not tagged (no structure tree): the accessible edition is the HTML one.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Any
from xml.sax.saxutils import escape

_TAG = re.compile(r"<[^>]*>")
#: Paragraph styles that are headings, and their outline level.
HEADING_LEVELS = {"title": 0, "h1": 0, "h2": 1}


def heading_level(flowable: Any) -> int | None:
    style = getattr(flowable, "style", None)
    if style is None or not hasattr(flowable, "getPlainText"):
        return None
    # derived styles are named "h1-shaped", "h1-rtl", "h1-rtl-shaped"
    return HEADING_LEVELS.get(str(style.name).split("-", 1)[0])


@functools.cache
def outlined_template() -> type:
    from reportlab.platypus import SimpleDocTemplate

    class OutlinedDocTemplate(SimpleDocTemplate):  # type: ignore[misc]
        """Adds an outline entry for every heading it lays out."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._outline_count = 0
            self._outline_level = -1

        def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 - reportlab's name
            level = heading_level(flowable)
            if level is None:
                return
            # the text as written (getPlainText would give shaped glyphs)
            source = getattr(flowable, "source_markup", None)
            plain = html.unescape(_TAG.sub("", source)) if source else flowable.getPlainText()
            text = " ".join(plain.split())
            if not text:
                return
            level = min(level, self._outline_level + 1)
            self._outline_count += 1
            key = f"h{self._outline_count}"
            canvas = self.canv
            top = self.frame._y + flowable.height + 4
            canvas.bookmarkHorizontalAbsolute(key, top)
            canvas.addOutlineEntry(text[:200], key, level=level, closed=False)
            self._outline_level = level

    return OutlinedDocTemplate


def xmp_packet(
    title: str, author: str, subject: str, keywords: str, lang: str, producer: str
) -> bytes:
    """An XMP packet with the document's title, author, subject, keywords and language."""

    def alt(value: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:format>application/pdf</dc:format>
<dc:title>{alt(title)}</dc:title>
<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>
<dc:description>{alt(subject)}</dc:description>
<dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>
<pdf:Producer>{escape(producer)}</pdf:Producer>
<pdf:Keywords>{escape(keywords)}</pdf:Keywords>
<xmp:CreatorTool>commission</xmp:CreatorTool>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return body.encode("utf-8")


def add_structure(canvas: Any, meta: Any) -> None:
    """Catalogue entries on a new canvas: XMP metadata, DisplayDocTitle, the outline shown."""
    from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream

    canvas.setViewerPreference("DisplayDocTitle", "true")
    canvas.showOutline()
    info = canvas._doc.info
    packet = xmp_packet(
        meta.title,
        meta.author,
        meta.subject,
        ", ".join(meta.keywords),
        meta.lang,
        str(getattr(info, "producer", "ReportLab")),
    )
    stream = PDFStream(
        PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), packet, filters=[]
    )
    canvas._doc.Catalog.Metadata = stream


__all__ = ["add_structure", "heading_level", "outlined_template", "xmp_packet"]
