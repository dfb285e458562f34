"""Tests for andraeus.scoring: strict, honest answer matching."""

from __future__ import annotations

import pytest

from andraeus.scoring import Date, extract_dates, is_correct, match_reason, normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, World!", "hello world"),
        ("  lots   of\tspace\n", "lots of space"),
        ("Zoë", "zoe"),
        ("Crème Brûlée", "creme brulee"),
        ("ＦＵＬＬ width", "full width"),  # NFKD folds compatibility forms
        ("seven", "7"),
        ("Seventh", "7"),
        ("7th", "7"),
        ("1st 2nd 3rd", "1 2 3"),
        ("twenty-one", "21"),
        ("twenty first", "21"),
        ("Thirty-First", "31"),
        ("twenty", "20"),
        ("twentieth", "20"),
        ("nineteen", "19"),
        ("1990", "1990"),
        ("1,000", "1000"),
        ("3.5", "3.5"),
        ("end.", "end"),
        ("O'Brien", "o brien"),
        ("snake_case", "snake case"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 14", Date(3, 14)),
        ("14 March", Date(3, 14)),
        ("March 14th", Date(3, 14)),
        ("Mar 14", Date(3, 14)),
        ("Sept. 3rd", Date(9, 3)),
        ("3 Sep", Date(9, 3)),
        ("3/14", Date(3, 14)),
        ("14/3", Date(3, 14)),
        ("14th of March", Date(3, 14)),
        ("the fourteenth of March", Date(3, 14)),
        ("March the 14th", Date(3, 14)),
        ("March twenty-first", Date(3, 21)),
        ("1990-03-14", Date(3, 14, 1990)),
        ("March 14, 1990", Date(3, 14, 1990)),
        ("14 March 1990", Date(3, 14, 1990)),
        ("3/14/1990", Date(3, 14, 1990)),
        ("14/03/1990", Date(3, 14, 1990)),
        ("14.03.1990", Date(3, 14, 1990)),
        ("February 29", Date(2, 29)),
    ],
)
def test_extract_dates_single(text: str, expected: Date) -> None:
    assert extract_dates(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "no dates here",
        "March 1990",  # no day
        "3.5 kilos",  # a decimal, not a date
        "pages 10-15",  # a range, not a date
        "13/13",  # no month 13
        "February 30",
        "February 29, 1990",  # not a leap year
        "3/45",
    ],
)
def test_extract_dates_none(text: str) -> None:
    assert extract_dates(text) == []


@pytest.mark.parametrize(
    ("response", "answer"),
    [
        # case, punctuation, accents
        ("His name is REX.", "Rex"),
        ("It's rex!", "Rex"),
        ("Her name is Zoe.", "Zoë"),
        ("Her name is Zoë.", "Zoe"),
        ("I live in São Paulo", "Sao Paulo"),
        ("The answer: Mary-Jane", "Mary Jane"),
        ("O'Brien, I think", "O'Brien"),
        # containment
        ("My favourite colour is light blue.", "blue"),
        ("I grew up in New York City.", "New York"),
        ("Max", "Max"),
        # numbers
        ("I have 7 cats.", "seven"),
        ("I have seven cats.", "7"),
        ("It's my seventh year there.", "7"),
        ("It was the 7th.", "seventh"),
        ("She is twenty-one.", "21"),
        ("She turned 21 today.", "twenty one"),
        ("I was born in 1990.", "1990"),
        ("About 1,000 of them.", "1000"),
        ("It weighs 3.5 kg", "3.5"),
    ],
)
def test_correct(response: str, answer: str) -> None:
    assert is_correct(response, answer)


@pytest.mark.parametrize(
    ("response", "answer"),
    [
        ("", "Rex"),
        ("   ", "Rex"),
        ("...", "Rex"),
        ("My dog is Rexy.", "Rex"),
        ("His name is Maximilian.", "Max"),
        ("Biscuits are nice", "Biscuit"),
        ("I live in York.", "New York"),
        ("I have 17 cats.", "7"),
        ("I have 7 cats.", "17"),
        ("It weighs 3.5 kg", "3"),
        ("She is twenty-two.", "21"),
        ("I was born in 1991.", "1990"),
        ("I don't know.", "Rex"),
        ("Portland", "Portland, Oregon"),  # part of the answer, and no alias
    ],
)
def test_incorrect(response: str, answer: str) -> None:
    assert not is_correct(response, answer)


_DATE_FORMS = [
    "March 14",
    "14 March",
    "March 14th",
    "Mar 14",
    "3/14",
    "14/3",
    "14th of March",
    "the fourteenth of March",
    "March fourteenth",
    "1990-03-14",
    "March 14, 1990",
    "14.03.1990",
]


@pytest.mark.parametrize("answer", _DATE_FORMS)
@pytest.mark.parametrize("written", _DATE_FORMS)
def test_dates_match_across_formats(answer: str, written: str) -> None:
    """Any format matches any other when the expected answer has no year, or both have it."""
    answer_has_year = "1990" in answer
    written_has_year = "1990" in written
    expected = written_has_year or not answer_has_year
    assert is_correct(f"My birthday is {written}.", answer) is expected


@pytest.mark.parametrize(
    ("response", "answer"),
    [
        ("It's on March 15.", "March 14"),
        ("It's on April 14.", "March 14"),
        ("It's the 15th of March.", "14 March"),
        ("3/15", "March 14"),
        ("4/14", "March 14"),
        ("15/3", "March 14"),
        ("1990-03-15", "March 14, 1990"),
        ("1990-04-14", "1990-03-14"),
        ("March 14, 1991", "March 14, 1990"),
        ("14/03/1991", "1990-03-14"),
        ("March 14", "March 14, 1990"),  # the year was asked for
        ("March", "March 14"),
        ("the 14th", "March 14"),
        ("March 1", "March 14"),
        ("March 4", "March 14"),
        ("3/1", "3/14"),
        ("September 3", "Sept 30"),
    ],
)
def test_wrong_dates_fail(response: str, answer: str) -> None:
    assert not is_correct(response, answer)


@pytest.mark.parametrize(
    ("response", "answer"),
    [
        ("Sept 3rd", "September 3"),
        ("September the third", "3 Sep"),
        ("3/14/90", "March 14, 1990"),  # two-digit year
        ("March 14th. The year was 1990.", "1990-03-14"),  # year stated apart
        ("Born 14/3/1990, in Leeds", "March 14 1990"),
        ("July 4", "4th of July"),
        ("It's on 12/25.", "Christmas Day, December 25"),
    ],
)
def test_more_dates_match(response: str, answer: str) -> None:
    assert is_correct(response, answer)


@pytest.mark.parametrize(
    ("response", "answer", "aliases", "expected"),
    [
        ("Portland", "Portland, Oregon", ["Portland"], True),
        ("I live in Portland, Oregon.", "Portland, Oregon", ["Portland"], True),
        ("I live in Portland, Maine.", "Portland, Oregon", ["PDX"], False),
        ("We call him Bobby", "Robert", ["Bob", "Bobby"], True),
        ("We call him Bobbie", "Robert", ["Bob", "Bobby"], False),
        ("Rex", "Rex", [], True),
        ("Anything at all", "Rex", [""], False),  # an empty alias matches nothing
        ("Anything at all", "Rex", ["!!"], False),
        ("Her birthday is 3/14", "Pi Day", ["March 14"], True),
        ("Her birthday is 3/15", "Pi Day", ["March 14"], False),
    ],
)
def test_aliases(response: str, answer: str, aliases: list[str], expected: bool) -> None:
    assert is_correct(response, answer, aliases) is expected
    assert is_correct(response, answer, tuple(aliases)) is expected


def test_match_reason_says_how() -> None:
    assert match_reason("It's 3/14", "March 14") == "date: 'March 14'"
    assert match_reason("Portland", "Portland, Oregon", ["Portland"]) == "text: 'Portland'"
    assert match_reason("Seattle", "Portland, Oregon", ["Portland"]) is None
