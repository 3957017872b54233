"""Bytes to text: detect the encoding of scraped report files.

Government sites still serve GBK; charset-normalizer guesses, and GB2312/GBK are decoded as
their superset GB18030 so that rarer characters in names do not break the decoding.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from xxgk.errors import InputError

FORMATS = "text, HTML, DOCX, DOC, WPS, PDF, images"
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936"}
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KiB mean this is not a text file."""
    head = data[:8192]
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return controls > max(8, len(head) // 100)


def decode_text(data: bytes, where: str) -> str:
    if not data.strip():
        raise InputError("empty file", where)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    if looks_binary(data):
        raise InputError(f"binary data in no format xxgk reads ({FORMATS})", where)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise InputError("unknown text encoding (not UTF-8, GB18030 or another known one)", where)
    encoding = best.encoding.lower().replace("_", "")
    if encoding in _GB_FAMILY or encoding.startswith("gb"):
        encoding = "gb18030"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise InputError(f"text is not valid {encoding}", where) from None
