"""Bytes to text: detect the encoding of scraped report files.

Government sites still serve GBK; charset-normalizer guesses, and GB2312/GBK are decoded as
their superset GB18030 so that rarer characters in names do not break the decoding.

A few bytes that do not decode (a stray 0xFF from a bad copy, a character cut in half) do not
make a report unreadable: they are replaced by U+FFFD and counted, with the line and byte offset
of the first few, for a warning finding (rule DECODE). Only text that is mostly undecodable in
every likely encoding is refused.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any

from charset_normalizer import from_bytes

from xxgk.errors import InputError, UnknownFormatError

FORMATS = "text, HTML, DOCX, DOC, WPS, PDF, images"
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936"}
# the other East Asian double-byte encodings, whose byte pairs GB18030 mostly shares
_OTHER_CJK = {"big5", "big5hkscs", "cp950", "cp949", "euckr", "johab", "shiftjis", "cp932", "eucjp"}
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_ASCII = bytes(range(128))
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# undecodable sequences per non-ASCII byte: up to FEW, stray bytes in text of that encoding (text in
# another encoding fails on most of its bytes); over MOSTLY in every likely encoding, not text
FEW = 0.01
MOSTLY = 0.5
_MARK = {"utf-8-sig": 3, "utf-16": 2}  # the byte-order mark an encoder writes first
PLACES = 5  # where the first few replaced sequences are, for the warning


@dataclass(frozen=True, slots=True)
class Replaced:
    """Undecodable bytes replaced by U+FFFD: in which encoding, how many sequences, and the
    (1-based line, 0-based byte offset) of the first few."""

    encoding: str
    count: int
    places: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "encoding": self.encoding,
            "count": self.count,
            "at": [{"line": line, "offset": offset} for line, offset in self.places],
        }


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
    """Text that must decode whole (a list of bodies, not a report): undecodable bytes are an error."""
    text, replaced = decode(data, where)
    if replaced is not None:
        line, offset = replaced.places[0]
        raise InputError(
            f"{replaced.count} undecodable byte sequence(s) in {replaced.encoding}, the first on line "
            f"{line} (byte {offset})",
            where,
            kind="encoding",
        )
    return text


def decode(data: bytes, where: str) -> tuple[str, Replaced | None]:
    """The text of a report file, and what had to be replaced to decode it (None: nothing)."""
    if not data.strip():
        raise InputError("empty file", where, kind="empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _accept(data, encoding)  # the mark says the encoding: bad bytes are strays
    if looks_binary(data):
        raise UnknownFormatError(f"binary data in no format xxgk reads ({FORMATS})", where)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    non_ascii = max(1, len(data) - len(data.translate(None, _ASCII)))
    bad: dict[str, float] = {"utf-8": _undecodable(data, "utf-8")}
    if bad["utf-8"] <= FEW * non_ascii:  # UTF-8 with a few stray bytes
        return _accept(data, "utf-8")
    detected = _detect(data)
    if detected in _OTHER_CJK:
        # a short text (a list of bodies, a manifest) gives the detector little to go on: GBK
        # names of a few characters were taken for Korean (北京市 → 굇쑴懇). Bytes that decode
        # whole as GB18030 are read as it: China's government files are, not Korean or Japanese
        try:
            return data.decode("gb18030"), None
        except UnicodeDecodeError:
            pass
    if detected is not None:
        try:
            return data.decode(detected), None
        except (UnicodeDecodeError, LookupError):
            pass
    for encoding in (detected, "gb18030"):
        if encoding is not None and encoding not in bad:
            bad[encoding] = _undecodable(data, encoding)
    encoding = min(bad, key=bad.__getitem__)  # the first with the fewest, as tried
    if bad[encoding] > MOSTLY * non_ascii:
        raise InputError(
            "unknown text encoding: mostly undecodable as UTF-8, GB18030 or another known one",
            where,
            kind="encoding",
        )
    return _accept(data, encoding)


def _detect(data: bytes) -> str | None:
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        return None
    encoding = best.encoding.lower().replace("_", "")
    return "gb18030" if encoding in _GB_FAMILY or encoding.startswith("gb") else encoding


def _undecodable(data: bytes, encoding: str) -> float:
    """How many sequences of `data` do not decode in `encoding` (infinite for an unknown one):
    the U+FFFD a replacing decode makes beyond those the bytes spell out."""
    try:
        text = data.decode(encoding, "replace")
    except LookupError:
        return float("inf")
    try:
        spelled = "\ufffd".encode(encoding)[_MARK.get(encoding, 0) :]
    except UnicodeEncodeError:
        return text.count("\ufffd")
    return text.count("\ufffd") - data.count(spelled)


def _accept(data: bytes, encoding: str) -> tuple[str, Replaced | None]:
    """`data` decoded with undecodable sequences replaced, and where they were."""
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError:
        pass
    places: list[tuple[int, int]] = []
    view, pos = memoryview(data), 0
    while len(places) < PLACES:
        try:
            str(view[pos:], encoding)
            break
        except UnicodeDecodeError as exc:
            start = pos + exc.start
            places.append((data.count(b"\n", 0, start) + 1, start))
            pos += exc.end
    count = int(_undecodable(data, encoding))
    return data.decode(encoding, "replace"), Replaced(encoding, max(count, len(places)), tuple(places))
