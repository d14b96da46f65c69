"""Adversarial inputs shared by the hardening tests and ``benchmarks/hostile.py``.

Each JSON document is just under the 5 MB cap of :func:`commission.inputs.jsonio.load_json`.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

SIZE = 4_999_000


def escaped_quotes() -> bytes:
    """An unterminated string of escaped quotes, then brackets: once 734 s for 320 KB."""
    head, tail = b'{"id":"', b"[" * 70
    return head + b'\\"' * ((SIZE - len(head) - len(tail)) // 2) + tail


def deep_nesting() -> bytes:
    return b"[" * SIZE


def wide_then_deep() -> bytes:
    """Millions of empty arrays side by side, then one nest of 65 at the very end."""
    tail = b"[" * 65 + b"]" * 65 + b"]"
    pairs = (SIZE - len(tail) - 1) // 3
    return b"[" + b"[]," * pairs + tail


def long_string() -> bytes:
    head, tail = b'{"id":"T-1","bidder":{"name":"', b'"}}'
    return head + b"a" * (SIZE - len(head) - len(tail)) + tail


def many_keys() -> bytes:
    out = io.BytesIO()
    out.write(b'{"id":"T-1"')
    i = 0
    while out.tell() < SIZE - 40:
        out.write(b',"k%d":[1]' % i)
        i += 1
    out.write(b',"k0":2}')  # the one duplicate key, at the very end
    return out.getvalue()


def quotes_and_backslashes() -> bytes:
    """Terminated strings of escaped backslashes and quotes, with brackets inside them."""
    item = b'"\\\\\\"[{\\\\",'
    count = (SIZE - 20) // len(item)
    return b'{"id":[' + item * count + b'"end"]}'


JSON_CASES = {
    "escaped-quotes": escaped_quotes,
    "deep-nesting": deep_nesting,
    "wide-then-deep": wide_then_deep,
    "long-string": long_string,
    "many-keys": many_keys,
    "quotes-and-backslashes": quotes_and_backslashes,
}


def dimension_bomb(
    path: Path, cell: str = "XFD1048576", sheet: str = "Scores", dimension: str = "A1"
) -> Path:
    """A tiny XLSX whose one cell sits at ``cell``: a grid of billions of cells if allocated."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    worksheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>evaluator</t></is></c></row>'
        f'<row r="{cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'
        f'<c r="{cell}"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/worksheets/sheet1.xml", worksheet)
    return path
