"""Decide whether a model's free-text reply states a fact's answer.

Matching is deliberately strict so that scores are honest: after normalise() the
answer (or an alias) must appear in the reply as a whole-token sequence, so "Max"
does not match "Maximilian" and "7" does not match "17". Numbers are compared as
digits ("seventh" == "7th" == "7"), and dates are compared by value, so "14th of
March" matches "3/14" but "March 15" never matches "March 14".
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from typing import NamedTuple, Sequence

__all__ = ["Date", "extract_dates", "is_correct", "match_reason", "normalise"]

# --- numbers -----------------------------------------------------------------

_CARDINALS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_ORDINALS = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
    "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_TENS_ORDINALS = {
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
}
_NUMBER_WORDS: dict[str, int] = {
    **{word: n for n, word in enumerate(_CARDINALS)},
    **{word: n for n, word in enumerate(_ORDINALS)},
    **_TENS,
    **_TENS_ORDINALS,
}

# A decimal ("3.5", also dotted dates) is one token, so answer "3" cannot match "3.5".
_TOKEN = re.compile(r"\d+(?:\.\d+)+|[^\W_]+")
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DIGIT_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _number_tokens(tokens: list[str]) -> list[str]:
    """Spell numbers as digits: "seventh" -> "7", "7th" -> "7", "twenty one" -> "21"."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        ordinal = _DIGIT_ORDINAL.fullmatch(token)
        if ordinal:
            out.append(ordinal.group(1))
        elif token in _NUMBER_WORDS:
            value = _NUMBER_WORDS[token]
            # "twenty one" / "twenty first" (hyphens are already spaces) is one number.
            following = _NUMBER_WORDS.get(tokens[i + 1], 0) if i + 1 < len(tokens) else 0
            if token in _TENS and 1 <= following <= 9:
                value += following
                i += 1
            out.append(str(value))
        else:
            out.append(token)
        i += 1
    return out


def normalise(text: str) -> str:
    """Lower-case, strip accents, drop punctuation, collapse spaces, numbers as digits.

    >>> normalise("Zoë's twenty-first, 1,000 times!")
    'zoe s 21 1000 times'
    """
    text = strip_accents(text).casefold()
    text = _THOUSANDS_COMMA.sub("", text)  # "1,000" and "1000" are the same number
    return " ".join(_number_tokens(_TOKEN.findall(text)))


# --- dates -------------------------------------------------------------------

class Date(NamedTuple):
    """A calendar date reduced to what a fact can state; year is None when absent."""

    month: int
    day: int
    year: int | None = None


_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"

_MONTH_WORD = re.compile(rf"\b{_MONTH}\b")


def is_numeric(answer: str) -> bool:
    """Does the answer hold a number, a year or a month ("1991", "March 14", "two"): what "when",
    "what year" and "how many" ask for?"""
    said = normalise(answer)
    return any(c.isdigit() for c in said) or _MONTH_WORD.search(said) is not None


# Textual forms run on normalise()d text, where "14th of March, 1990" is already
# "14 of march 1990" and "fourteenth" is "14".
_MONTH_DAY = re.compile(rf"\b{_MONTH} (?:the )?(\d{{1,2}})\b(?: (\d{{4}})\b)?")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}) (?:of )?{_MONTH}\b(?: (\d{{4}})\b)?")
# Numeric forms run on the raw text, since normalise() turns "3/14" into "3 14".
_ISO = re.compile(r"(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\d/.-]?\d)")


def _valid(month: int, day: int, year: int | None) -> Date | None:
    if not 1 <= month <= 12:
        return None
    leap_safe_year = year if year is not None and year >= 100 else 2000  # allow Feb 29
    if not 1 <= day <= calendar.monthrange(leap_safe_year, month)[1]:
        return None
    return Date(month, day, year)


def _numeric_date(first: int, second: int, year: int | None) -> Date | None:
    """Read "a/b" as US month/day, or as day/month when a cannot be a month."""
    if first <= 12:
        return _valid(first, second, year)
    return _valid(second, first, year)


def extract_dates(text: str) -> list[Date]:
    """Every date written in text, in any supported format, in no particular order."""
    dates: list[Date | None] = []
    raw = strip_accents(text).casefold()
    for year, _sep, month, day in _ISO.findall(raw):
        dates.append(_valid(int(month), int(day), int(year)))
    for first, sep, second, year in _NUMERIC.findall(raw):
        # "3.5" and "10-15" are a decimal and a range; only "/" is a date without a year.
        if sep == "/" or year:
            dates.append(_numeric_date(int(first), int(second), int(year) if year else None))
    words = normalise(text)
    for month, day, year in _MONTH_DAY.findall(words):
        dates.append(_valid(_MONTHS[month], int(day), int(year) if year else None))
    for day, month, year in _DAY_MONTH.findall(words):
        dates.append(_valid(_MONTHS[month], int(day), int(year) if year else None))
    return [date for date in dates if date is not None]


def _same_year(a: int, b: int) -> bool:
    # "3/14/90" states 1990 as well as anyone can; compare two-digit years by suffix.
    return a % 100 == b % 100 if min(a, b) < 100 else a == b


def _date_matches(expected: Date, response: str) -> bool:
    tokens = normalise(response).split()
    for found in extract_dates(response):
        if (found.month, found.day) != (expected.month, expected.day):
            continue
        if expected.year is None:
            return True
        if found.year is not None:
            if _same_year(found.year, expected.year):
                return True
        elif str(expected.year) in tokens:  # "March 14th. It was 1990."
            return True
    return False


# --- matching ----------------------------------------------------------------

def _contains_tokens(response: str, answer: str) -> bool:
    # Padding with spaces makes substring search a whole-token search.
    return f" {answer} " in f" {response} "


def match_reason(response: str, answer: str, aliases: Sequence[str] = ()) -> str | None:
    """Say why the response is correct ("date: ...", "text: ..."), or None if it is not.

    Meant for logs and debugging an evaluation; is_correct() is this, as a bool.
    """
    normalised_response = normalise(response)
    if not normalised_response:
        return None
    for candidate in (answer, *aliases):
        expected = normalise(candidate)
        if not expected:
            continue  # an empty alias must not match every response
        candidate_dates = extract_dates(candidate)
        if candidate_dates and _date_matches(candidate_dates[0], response):
            return f"date: {candidate!r}"
        if _contains_tokens(normalised_response, expected):
            return f"text: {candidate!r}"
    return None


def is_correct(response: str, answer: str, aliases: Sequence[str] = ()) -> bool:
    """True when the response states the answer or an alias (see the module docstring)."""
    return match_reason(response, answer, aliases) is not None
