"""Syntax: service characters (UNA or the level defaults), the release character both ways, segment cutting
across chunk boundaries, character sets, values."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from transformers.edifact import Delimiters, EdifactSyntaxError, SyntaxErrorCode
from transformers.edifact.syntax import LEVEL_B, default_delimiters
from transformers.edifact.tokenizer import SegmentReader, tokenize
from transformers.edifact.values import format_date, format_datetime, parse_datetime, parse_decimal
from transformers.edifact.writer import SegmentFormatter

UNB = b"UNB+UNOC:3+S+R+261201:0800+REF'"


def values(data: bytes, **options: int) -> list[list[list[str]]]:
    return [segment.to_list() for segment in tokenize(data, **options)]


def test_una_announces_the_service_characters() -> None:
    data = b"UNA|*,! ~UNB*UNOC|3*S*R*261201|0800*REF~BGM*A!*B|C!~D*1,5~"
    reader = SegmentReader(io.BytesIO(data))
    segments = list(reader)

    assert reader.delimiters == Delimiters(component="|", element="*", decimal=",", release="!", segment="~")
    assert reader.una_present
    assert segments[1].to_list() == [["BGM"], ["A*B", "C~D"], ["1,5"]]


@pytest.mark.parametrize(
    ("una", "why"),
    [(b"UNA:+.? +", "not distinct"), (b"UNA:A.? '", "cannot be"), (b"UNA:+;? '", "decimal mark"), (b"UNA:+", "UNA")],
)
def test_bad_una_is_code_20(una: bytes, why: str) -> None:
    with pytest.raises(EdifactSyntaxError) as raised:
        tokenize(una + UNB)
    assert raised.value.code == SyntaxErrorCode.INVALID_SERVICE_CHARACTER
    assert why in str(raised.value)


def test_without_una_level_a_defaults_apply() -> None:
    reader = SegmentReader(io.BytesIO(UNB + b"BGM+351+A?'B?:C??D?+E'"))
    segments = list(reader)

    assert reader.delimiters == Delimiters() and not reader.una_present
    assert segments[1].to_list() == [["BGM"], ["351"], ["A'B:C?D+E"]]


def test_unob_without_una_uses_the_information_separators() -> None:
    data = b"UNB\x1dUNOB\x1f3\x1dS\x1dR\x1d261201\x1f0800\x1dREF\x1cBGM\x1d351\x1dA+B:C'D?\x1c"
    reader = SegmentReader(io.BytesIO(data))
    segments = list(reader)

    assert reader.delimiters == LEVEL_B and default_delimiters("UNOB", "3") == LEVEL_B
    assert segments[1].to_list() == [["BGM"], ["351"], ["A+B:C'D?"]]  # no release character at level B


def test_syntax_version_4_repeats_data_elements_with_the_default_asterisk() -> None:
    data = b"UNB+UNOC:4+S+R+20261201:0800+REF'GIN+BJ+1:2*3:4*5?*6'"
    gin = tokenize(data)[1]

    assert gin.repeats(2) == [["1", "2"], ["3", "4"], ["5*6"]]
    assert gin.value(2, 2) == "2"  # the first repetition


def test_newlines_between_segments_are_tolerated() -> None:
    data = b"\xef\xbb\xbfUNA:+.? '\r\nUNB+UNOC:3+S+R+261201:0800+REF'\r\nBGM+1'\n\nDTM+137:20261201:102'\n"
    assert [segment.tag for segment in tokenize(data)] == ["UNB", "BGM", "DTM"]


def test_line_feed_as_segment_terminator() -> None:
    data = b"UNA:+.? \nUNB+UNOC:3+S+R+261201:0800+REF\r\nBGM+1?\n2\n"
    assert values(data)[1] == [["BGM"], ["1\n2"]]


@pytest.mark.parametrize("chunk_size", [256, 257, 258, 259, 263, 300, 511])
def test_escapes_are_read_the_same_across_chunk_boundaries(chunk_size: int) -> None:
    body = b"".join(
        b"FTX+AAI+++R??" + b"?" * (n % 3 * 2) + b"?'X?+Y?:Z" + bytes([65 + n % 26]) + b"'" for n in range(80)
    )
    data = UNB + body
    expected = values(data, chunk_size=1 << 16)

    assert values(data, chunk_size=chunk_size) == expected
    assert expected[1] == [["FTX"], ["AAI"], [""], [""], ["R?'X+Y:ZA"]]
    assert expected[2][4] == ["R??'X+Y:ZB"]


def test_segments_keep_their_byte_offsets_and_positions() -> None:
    data = b"UNA:+.? '\n" + UNB + b"\nBGM+1'"
    unb, bgm = tokenize(data)

    assert (unb.position, unb.offset) == (1, 10)
    assert (bgm.position, bgm.offset) == (2, 10 + len(UNB) + 1)


def test_each_interchange_has_its_own_service_characters() -> None:
    data = b"UNA|*.! ~UNB*UNOC|3*S*R*261201|0800*A~UNZ*0*A~" + UNB + b"BGM+1:2'"
    reader = SegmentReader(io.BytesIO(data))

    assert [segment.to_list()[:2] for segment in reader][-1] == [["BGM"], ["1", "2"]]
    assert reader.delimiters == Delimiters() and not reader.una_present


def test_bytes_invalid_in_the_character_set_mark_only_their_segment() -> None:
    data = b"UNB+UNOA:3+S+R+261201:0800+REF'FTX+caf\xe9'BGM+1'"
    unb, ftx, bgm = tokenize(data)

    assert unb.fault is None and bgm.fault is None
    assert ftx.fault is not None and "0xe9" in ftx.fault and "UNOA" in ftx.fault


def test_utf8_characters_split_across_chunks() -> None:
    text = "FTX+AAI+++" + "Grüße aus Köln, 東京 " * 30 + "'"
    data = b"UNB+UNOW:3+S+R+261201:0800+REF'" + text.encode("utf-8")
    ftx = tokenize(data, chunk_size=257)[1]

    assert ftx.fault is None
    assert ftx.value(4) == text[10:-1]


def test_data_without_terminator_at_the_end_is_kept_for_the_report() -> None:
    reader = SegmentReader(io.BytesIO(UNB + b"BGM+351+AS"))
    assert [segment.tag for segment in reader] == ["UNB"]
    assert reader.unterminated == (len(UNB), b"BGM+351+AS")


def test_no_terminator_within_the_segment_limit_is_unreadable() -> None:
    with pytest.raises(EdifactSyntaxError) as raised:
        tokenize(UNB + b"FTX+" + b"x" * 5000, max_segment_length=1000, chunk_size=256)
    assert "no segment terminator" in str(raised.value)


def test_text_streams_are_refused() -> None:
    with pytest.raises(TypeError):
        list(SegmentReader(io.StringIO("UNB+UNOC:3+S+R+261201:0800+REF'")))  # type: ignore[arg-type]


def test_formatter_escapes_service_characters() -> None:
    formatter = SegmentFormatter(Delimiters())
    segment = ("FTX", "AAI", None, None, ("a+b", "c:d", "e'f", "g?h"), "")
    assert formatter.format(segment) == "FTX+AAI+++a?+b:c?:d:e?'f:g??h'"
    assert values(UNB + formatter.format(segment).encode())[1][4] == ["a+b", "c:d", "e'f", "g?h"]


def test_formatter_without_release_character_refuses_separators_in_values() -> None:
    formatter = SegmentFormatter(LEVEL_B)
    with pytest.raises(EdifactSyntaxError) as raised:
        formatter.format(("FTX", "a\x1db"))
    assert raised.value.code == SyntaxErrorCode.INVALID_SERVICE_CHARACTERS


def test_formatter_writes_numbers_with_the_decimal_mark() -> None:
    formatter = SegmentFormatter(Delimiters(decimal=","))
    assert formatter.format(("QTY", ("12", Decimal("12.500"), "KGM"))) == "QTY+12:12,5:KGM'"
    assert formatter.format(("QTY", ("12", Decimal("1E+2")))) == "QTY+12:100'"


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("20261201", "102", datetime(2026, 12, 1)),
        ("261201", "101", datetime(2026, 12, 1)),
        ("202612010830", "203", datetime(2026, 12, 1, 8, 30)),
        ("20261201083015", "204", datetime(2026, 12, 1, 8, 30, 15)),
        ("202612010830+0100", "205", datetime(2026, 12, 1, 8, 30, tzinfo=timezone(timedelta(hours=1)))),
        ("20261201083015UTC", "304", datetime(2026, 12, 1, 8, 30, 15, tzinfo=UTC)),
        ("202612010830", "", datetime(2026, 12, 1, 8, 30)),
    ],
)
def test_dates_and_times(text: str, fmt: str, expected: datetime) -> None:
    assert parse_datetime(text, fmt) == expected


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 1, 8, 30),
        datetime(2026, 12, 1, 8, 30, 15),
        datetime(2026, 12, 1, 8, 30, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2026, 12, 1, 8, 30, 15, tzinfo=UTC),
    ],
)
def test_datetimes_round_trip(value: datetime) -> None:
    text, fmt = format_datetime(value)
    assert parse_datetime(text, fmt) == value
    assert format_date(date(2026, 2, 3)) == ("20260203", "102")


@pytest.mark.parametrize(
    ("text", "fmt"), [("2026120", "102"), ("20261301", "102"), ("2026120108xx", "203"), ("20261201", "718")]
)
def test_invalid_dates(text: str, fmt: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text, fmt)


def test_numbers_take_either_decimal_mark() -> None:
    assert parse_decimal("12,5") == parse_decimal("12.5") == Decimal("12.5")
    assert parse_decimal("-0.25") == Decimal("-0.25")
    for bad in ("1.2.3", "1e5", "", "12 5"):
        with pytest.raises(ValueError):
            parse_decimal(bad)
