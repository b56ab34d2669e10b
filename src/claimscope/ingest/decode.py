"""Bytes to text: encoding detection, binary rejection and mojibake repair, offsets left intact.

The text returned here is the text every offset of an analysis indexes, so nothing in this module
strips, normalizes or re-flows it; the only changes ever made are ftfy's encoding repair and, for
bytes that are not valid UTF-8, a guessed encoding or U+FFFD in their place, and each one is
recorded in the document's ``repairs``.
"""

from __future__ import annotations

import codecs
import logging
import re

import charset_normalizer
import ftfy

from claimscope.errors import EmptyDocumentError, InputError
from claimscope.settings import Settings

log = logging.getLogger(__name__)

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control characters that text does not hold (tab, line breaks, form feed and ESC it does);
# binary data decoded by accident is full of them.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_CONTROL_SHARE = 0.05

# A candidate this close to the best charset-normalizer match counts as just as good.
_SCORE_SLACK = 0.01

# Invalid UTF-8 bytes after decoding with surrogateescape.
_ESCAPED = re.compile("[\udc80-\udcff]+")
_C1 = re.compile("[\x80-\x9f]")
# The most invalid bytes that UTF-8 with replacement characters may stand for: beyond this, the
# input is taken for binary data rather than text with a few broken bytes.
_REPLACED_SHARE = 0.05

# The 8-bit and East Asian encodings the WHATWG Encoding Standard (what browsers read) lists,
# by Python's codec names: the only ones a guess may name.
_LEGACY: tuple[str, ...] = (
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
    "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16",
    "koi8_r", "koi8_u", "mac_cyrillic", "mac_roman", "cp866", "cp874",
    "shift_jis", "cp932", "euc_jp", "iso2022_jp", "gb18030", "gbk", "big5", "euc_kr", "cp949",
)  # fmt: skip

# Only ftfy's encoding repairs: every other fixer changes clean text (quotes, widths, ligatures,
# line breaks, normalization, control characters) and would silently move offsets.
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=True,
)


def decode_bytes(data: bytes, *, source: str, settings: Settings) -> tuple[str, str, list[str]]:
    """Decode an input's bytes to ``(text, encoding, repairs)``; raise InputError if not text."""
    text, encoding, repairs = decode_raw(data, source=source)
    if settings.repair_mojibake:
        text, notes = repair_mojibake(text)
        repairs.extend(notes)
    return text, encoding, repairs


def decode_raw(data: bytes, *, source: str) -> tuple[str, str, list[str]]:
    """Decode bytes without mojibake repair (record readers repair each record on its own)."""
    if not data:
        raise EmptyDocumentError("empty input (0 bytes)", source=source)
    text, encoding, repairs = _decode(data, source)
    if "\x00" in text or _control_share(text) > _CONTROL_SHARE:
        raise InputError("binary file, not text", source=source)
    if not text.strip():
        raise EmptyDocumentError("no text, only whitespace", source=source)
    log.debug("%s: decoded as %s", source, encoding)
    return text, encoding, repairs


def repair_mojibake(text: str) -> tuple[str, list[str]]:
    """Undo mojibake with ftfy's encoding repair only: the text, and a note when it changed."""
    if text.isascii():
        # ASCII cannot hold mojibake, and most inputs are ASCII: skip ftfy's per-line work.
        return text, []
    out: list[str] = []
    plans: dict[str, None] = {}
    lines = 0
    # Line by line, as ftfy.fix_text does: one line's repair plan must not be forced on another,
    # and a line of clean non-ASCII text must not stop a neighbouring line from being fixed.
    for line in _segments(text, _FTFY.max_decode_length):
        fixed, steps = ftfy.fix_and_explain(line, _FTFY)
        if fixed != line:
            lines += 1
            plans[", ".join(f"{action} {arg}" for action, arg in steps or [])] = None
        out.append(fixed)
    if not lines:
        return text, []
    repaired = "".join(out)
    unit = "line" if lines == 1 else "lines"
    note = f"mojibake repaired (ftfy: {'; '.join(plans)}; {lines} {unit})"
    log.info("%s", note)
    return repaired, [note]


def _segments(text: str, limit: int) -> list[str]:
    """The text cut after each newline (and every ``limit`` characters within a long line)."""
    parts: list[str] = []
    for line in text.splitlines(keepends=True):
        parts.extend(line[i : i + limit] for i in range(0, len(line), limit))
    return parts


def _decode(data: bytes, source: str) -> tuple[str, str, list[str]]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, source), encoding, []

    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        note = f"decoded as {utf16} (guessed from its NUL bytes; no byte-order mark)"
        return _strict(data, utf16, source), utf16, [note]

    # NULs never occur in 8-bit text: reject without asking charset-normalizer.
    if b"\x00" in data:
        raise InputError("binary file, not text", source=source)

    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass

    mixed = _mostly_utf8(data)
    if mixed is not None:
        return mixed

    detected = _detect(data)
    if detected is not None:
        text, encoding = detected
        return text, encoding, [f"decoded as {encoding} (guessed; not valid UTF-8)"]

    replaced = _utf8_replaced(data)
    if replaced is not None:
        return replaced
    raise InputError("binary file, not text (no plausible text encoding)", source=source)


def _strict(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"undecodable bytes: not valid {encoding} at byte {exc.start}", source=source
        ) from None


def _control_share(text: str) -> float:
    return sum(1 for _ in _CONTROLS.finditer(text)) / max(len(text), 1)


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when NULs sit on every other byte, as in BOM-less UTF-16 text."""
    head = data[:4096]
    if len(head) < 4 or len(data) % 2:
        return None
    even, odd = head[0::2], head[1::2]
    # Latin-script UTF-16 has a NUL high byte for nearly every character, on one side only.
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes) -> tuple[str, str, list[str]] | None:
    """UTF-8 holding a few stray legacy bytes (a pasted cp1252 quote), read byte by byte."""
    text = data.decode("utf-8", "surrogateescape")
    stray = sum(len(m.group()) for m in _ESCAPED.finditer(text))
    good = len(text) - len(text.encode("ascii", "ignore")) - stray
    # Legacy-encoded text almost never forms valid multi-byte UTF-8 sequences by chance, so
    # real UTF-8 outnumbering the stray bytes means the file is UTF-8 with a few slips.
    if good < stray:
        return None
    text = _ESCAPED.sub(lambda m: _legacy(m.group().encode("utf-8", "surrogateescape")), text)
    unit = "byte" if stray == 1 else "bytes"
    return text, "utf-8", [f"{stray} {unit} not valid UTF-8 read as cp1252"]


def _legacy(raw: bytes) -> str:
    # cp1252 leaves five bytes undefined; those fall back to Latin-1, as browsers do.
    return "".join(_cp1252_or_latin1(b) for b in raw)


def _cp1252_or_latin1(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


def _detect(data: bytes) -> tuple[str, str] | None:
    """The text and encoding charset-normalizer finds among the encodings web pages use, when it
    is sure of one: cp1252 among equally good candidates, another one only when it stands alone.

    Unrestricted, charset-normalizer reads a few stray bytes in English text as cp1125, cp775
    or mac-latin2 as readily as anything; those are never what a news page was written in.
    """
    matches = charset_normalizer.from_bytes(data, cp_isolation=list(_LEGACY))
    best = matches.best()
    if best is None:
        return None
    # Candidates this close to the best decode the same bytes just as plausibly.
    ties = [
        match
        for match in matches
        if match.chaos <= best.chaos + _SCORE_SLACK
        and match.coherence >= best.coherence - _SCORE_SLACK
    ]
    # Short Western texts score the same in cp1250, cp1252 and cp1257; cp1252 is by far the most
    # common of them (it is what browsers read "latin-1" pages as), so it wins a tie.
    if any("cp1252" in match.could_be_from_charset for match in ties):
        encoding = "cp1252"
    elif len(ties) == 1:
        encoding = codecs.lookup(best.encoding).name
    else:
        return None  # several encodings fit as well: a guess would be a coin toss
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    # C1 controls (U+0080-U+009F) are what an 8-bit codec makes of bytes it does not define.
    if _C1.search(text):
        return None
    return text, encoding


def _utf8_replaced(data: bytes) -> tuple[str, str, list[str]] | None:
    """Mostly ASCII with a few bytes no encoding explains: UTF-8, those bytes replaced by U+FFFD
    (and the count recorded); None when too many bytes are invalid for the input to be text."""
    text = data.decode("utf-8", "surrogateescape")
    bad = sum(len(m.group()) for m in _ESCAPED.finditer(text))
    if bad > _REPLACED_SHARE * len(data):
        return None
    unit = "byte" if bad == 1 else "bytes"
    return data.decode("utf-8", "replace"), "utf-8", [f"replaced {bad} invalid UTF-8 {unit}"]
