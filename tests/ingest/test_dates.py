"""Tests for reading publication dates into ISO dates."""

from __future__ import annotations

import pytest

from claimscope.ingest.dates import parse_date


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-05",
        "2024-03-05T10:00:00Z",
        "2024-03-05T23:30:00-08:00",
        "2024-03-05 10:00",
        "20240305",
        "2024/3/5",
        "05.03.2024",
        "5 March 2024",
        "5th of March 2024",
        "March 5, 2024",
        "Mar. 5 2024",
        "Tuesday, March 5th, 2024",
        "Tue, 05 Mar 2024 10:00:00 GMT",
        "1709640000",
        "1709640000000",
        1709640000,
    ],
)
def test_parse_date_common_forms(value: object) -> None:
    assert parse_date(value) == "2024-03-05"


def test_parse_date_day_month_order_decided_by_numbers() -> None:
    assert parse_date("25/12/2023") == "2023-12-25"
    assert parse_date("12/25/2023") == "2023-12-25"


@pytest.mark.parametrize(
    "value",
    ["03/05/2024", "yesterday", "2024", "March 2024", "2024-02-30", "", None, True, 42, ["x"]],
)
def test_parse_date_unreadable_is_none(value: object) -> None:
    assert parse_date(value) is None
