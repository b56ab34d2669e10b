"""Tests for decoding input bytes: encodings, binary rejection and mojibake repair."""

from __future__ import annotations

import codecs

import pytest

from claimscope.errors import EmptyDocumentError, InputError
from claimscope.ingest.decode import decode_bytes, repair_mojibake
from claimscope.settings import Settings

from .samples import PNG_BYTES

SETTINGS = Settings()
PERUVIAN = "El gobernador de Apurímac dijo que la inversión llegó a 12 millones de soles."
FRENCH = "Le président a déclaré à Genève que la réunion était terminée, dit-il à la presse."
CLEAN = (
    "“We won’t wait,” she said — and 3 schools 🎉 in Apurímac agreed.\r\n"
    "Señor Núñez’s reply: ‘fine’… «d’accord» – ﬁnal ＦＵＬＬ width e\u0301 &amp; 1½\r\n"
)


def decode(data: bytes, settings: Settings = SETTINGS) -> tuple[str, str, list[str]]:
    return decode_bytes(data, source="in.txt", settings=settings)


def test_decode_bytes_utf8() -> None:
    assert decode(PERUVIAN.encode("utf-8")) == (PERUVIAN, "utf-8", [])


def test_decode_bytes_utf8_bom_is_not_text() -> None:
    text, encoding, repairs = decode(codecs.BOM_UTF8 + PERUVIAN.encode("utf-8"))
    assert (text, encoding, repairs) == (PERUVIAN, "utf-8-sig", [])


def test_decode_bytes_cp1252_accented_words() -> None:
    data = "Café in Apurímac — “quoted” and naïve.".encode("cp1252")
    assert decode(data) == (
        "Café in Apurímac — “quoted” and naïve.",
        "cp1252",
        ["decoded as cp1252 (guessed; not valid UTF-8)"],
    )


def test_decode_bytes_latin1_french() -> None:
    text, encoding, _ = decode(FRENCH.encode("latin-1"))
    assert text == FRENCH
    assert encoding == "cp1252"


def test_decode_bytes_cp1251_cyrillic() -> None:
    russian = "Президент заявил, что экономика выросла на три процента за год."
    assert decode(russian.encode("cp1251"))[:2] == (russian, "cp1251")


def test_decode_bytes_utf16_with_bom() -> None:
    assert decode(PERUVIAN.encode("utf-16")) == (PERUVIAN, "utf-16", [])


def test_decode_bytes_utf16_be_with_bom() -> None:
    assert decode(codecs.BOM_UTF16_BE + PERUVIAN.encode("utf-16-be"))[0] == PERUVIAN


def test_decode_bytes_utf16_without_bom() -> None:
    assert decode(PERUVIAN.encode("utf-16-le")) == (
        PERUVIAN,
        "utf-16-le",
        ["decoded as utf-16-le (guessed from its NUL bytes; no byte-order mark)"],
    )


def test_decode_bytes_utf8_with_stray_cp1252_byte() -> None:
    data = "Apurímac said “yes”, ".encode() + "naïve".encode("cp1252")
    text, encoding, repairs = decode(data)
    assert text == "Apurímac said “yes”, naïve"
    assert encoding == "utf-8"
    assert repairs == ["1 byte not valid UTF-8 read as cp1252"]


def test_decode_bytes_mojibake_repaired_and_noted() -> None:
    text, _, repairs = decode("I donâ€™t think the â‚¬5 fee is fair.\n".encode())
    assert text == "I don’t think the €5 fee is fair.\n"
    assert len(repairs) == 1
    assert repairs[0].startswith("mojibake repaired (ftfy: ")


def test_decode_bytes_mojibake_only_on_broken_lines() -> None:
    data = "Clean line: “fine” in Apurímac.\r\nBroken: donâ€™t.\r\n".encode()
    text, _, repairs = decode(data)
    assert text == "Clean line: “fine” in Apurímac.\r\nBroken: don’t.\r\n"
    assert "1 line" in repairs[0]


def test_decode_bytes_mojibake_kept_when_repair_off() -> None:
    data = "I donâ€™t know.".encode()
    text, _, repairs = decode(data, Settings(repair_mojibake=False))
    assert text == "I donâ€™t know."
    assert repairs == []


def test_decode_bytes_clean_text_unchanged_byte_for_byte() -> None:
    data = CLEAN.encode("utf-8")
    text, encoding, repairs = decode(data)
    assert text.encode("utf-8") == data
    assert (encoding, repairs) == ("utf-8", [])


def test_repair_mojibake_leaves_clean_text_alone() -> None:
    assert repair_mojibake(CLEAN) == (CLEAN, [])


def test_decode_bytes_empty_file() -> None:
    with pytest.raises(EmptyDocumentError, match="empty"):
        decode(b"")


def test_decode_bytes_whitespace_only() -> None:
    with pytest.raises(EmptyDocumentError, match="only whitespace"):
        decode(b" \r\n\t\n  ")


def test_decode_bytes_bom_only_is_empty() -> None:
    with pytest.raises(EmptyDocumentError):
        decode(codecs.BOM_UTF8)


def test_decode_bytes_binary_with_nuls() -> None:
    with pytest.raises(InputError, match="binary file, not text") as info:
        decode(PNG_BYTES)
    assert str(info.value) == "in.txt: binary file, not text"


def test_decode_bytes_binary_control_characters() -> None:
    with pytest.raises(InputError, match="binary"):
        decode(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18]) * 10 + b"some text")


def test_decode_bytes_binary_without_plausible_encoding() -> None:
    # High bytes with no NULs and no controls: no text encoding makes sense of them.
    noise = bytes((i * 167 + 13) % 128 + 128 for i in range(2000))
    with pytest.raises(InputError, match="binary"):
        decode(noise)


def test_decode_bytes_invalid_utf16_after_bom() -> None:
    with pytest.raises(InputError, match="undecodable bytes: not valid utf-16") as info:
        decode(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8b\x00")
    assert type(info.value) is InputError


ENGLISH = (
    "The minister said the port would reopen in May, and 40 boats were moved before the storm. "
)


def test_decode_bytes_a_guessed_legacy_encoding_is_recorded() -> None:
    russian = "Президент заявил, что экономика выросла на три процента за год."
    assert decode(russian.encode("cp1251")) == (
        russian,
        "cp1251",
        ["decoded as cp1251 (guessed; not valid UTF-8)"],
    )


def test_decode_bytes_stray_invalid_bytes_are_replaced_and_counted() -> None:
    """English with three bytes no encoding explains was read as cp1125 (or mac-latin2), with
    no repair recorded; it is UTF-8 with the three bytes replaced, and says so."""
    data = ENGLISH.encode() * 3 + b"\xff\xfe then \x81."
    text, encoding, repairs = decode(data)
    assert (encoding, repairs) == ("utf-8", ["replaced 3 invalid UTF-8 bytes"])
    assert text == ENGLISH * 3 + "\ufffd\ufffd then \ufffd."


def test_decode_bytes_one_accented_cp1252_word_in_english() -> None:
    """One byte that cp1252 explains ("é") was read as cp775 ("Caf‚"): cp1252 wins ties."""
    data = ENGLISH.encode() + "Caf\xe9 owners agreed.".encode("cp1252")
    assert decode(data) == (
        ENGLISH + "Caf\xe9 owners agreed.",
        "cp1252",
        ["decoded as cp1252 (guessed; not valid UTF-8)"],
    )


@pytest.mark.parametrize(
    "data",
    [
        "Zażółć gęślą jaźń. Prezydent powiedział, że gospodarka rośnie.".encode("cp1250"),
        "Ο πρωθυπουργός δήλωσε ότι η οικονομία αναπτύσσεται γρήγορα.".encode("cp1253"),
        "東京都は今日、新しい予算案を発表した。市民の反応はさまざまだ。".encode("shift_jis"),
        ENGLISH.encode() + b"\xc3 \xa9",
        ENGLISH.encode() + b"\x90",
    ],
)
def test_decode_bytes_not_utf8_always_records_a_repair(data: bytes) -> None:
    text, encoding, repairs = decode(data)
    assert len(repairs) == 1
    assert repairs[0] in (
        f"decoded as {encoding} (guessed; not valid UTF-8)",
        "replaced 1 invalid UTF-8 byte",
        "replaced 2 invalid UTF-8 bytes",
    )
    assert not any("\x80" <= c <= "\x9f" for c in text)  # no C1 control from a bad guess
