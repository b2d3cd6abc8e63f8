"""Payment dates given as a month only, and 'dates' that are only a time of day."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import parsing, readers

SEPTEMBER_2014 = ["Sep 2014", "September 2014", "Sept-14", "Sep-14", "SEP-14", "sept 2014", "Sep '14", "Sep14",
                  "09/2014", "9/2014", "09-2014", "2014-09", "2014/9", "201409", "Sep 2014 00:00:00"]
# Forms that must stay refused: no year, a year too short to tell from a day, not a month, not a year.
NOT_DATES = ["14-Sep", "Sep", "2014", "09/14", "9.2014", "13/2014", "00/2014", "2014-13", "201413", "201400",
             "123456", "189912", "0001/01", "Sep 0014", "Foo 2014", "Sep 5", "Septembre 2014", "14 Sep"]
# Full dates as read before month-only dates were accepted.
FULL_DATES = {"03/04/2025": dt.date(2025, 4, 3), "2025-04-03": dt.date(2025, 4, 3), "3-Apr-25": dt.date(2025, 4, 3),
              "3rd April 2025": dt.date(2025, 4, 3), "03.04.25": dt.date(2025, 4, 3), "45658": dt.date(2025, 1, 1),
              "03/04/2025 13:45": dt.date(2025, 4, 3), "2025-04-03 00:00:00": dt.date(2025, 4, 3),
              "1/2/68": dt.date(2068, 2, 1), "1/2/69": dt.date(1969, 2, 1), "20 Sept 2014": dt.date(2014, 9, 20)}


@pytest.mark.parametrize("raw", SEPTEMBER_2014)
def test_a_month_with_no_day_is_read_as_its_first_day(raw):
    values, bad = parsing.dates(pd.Series([raw]))
    assert (values.iloc[0], bad.iloc[0], parsing.month_only(pd.Series([raw])).iloc[0]) == (
        pd.Timestamp(2014, 9, 1), False, True)
    assert parsing.parse_date(raw) == dt.date(2014, 9, 1)


def test_two_digits_after_a_month_are_the_year_by_the_usual_pivot():
    assert [parsing.parse_date(raw) for raw in ("Mar-68", "Mar-69", "Mar-00")] == [
        dt.date(2068, 3, 1), dt.date(1969, 3, 1), dt.date(2000, 3, 1)]


@pytest.mark.parametrize("raw", NOT_DATES)
def test_a_month_or_year_alone_or_junk_is_still_refused(raw):
    assert parsing.dates(pd.Series([raw]))[1].iloc[0]
    assert not parsing.month_only(pd.Series([raw])).iloc[0]
    with pytest.raises(parsing.ValueProblem):
        parsing.parse_date(raw)


def test_full_dates_read_as_before_and_are_not_month_only():
    cells = pd.Series(list(FULL_DATES))
    values, bad = parsing.dates(cells)
    assert [v.date() for v in values] == list(FULL_DATES.values()) and not bad.any()
    assert not parsing.month_only(cells).any()
    assert [parsing.parse_date(raw) for raw in FULL_DATES] == list(FULL_DATES.values())


def test_a_full_month_name_is_read_even_when_it_starts_with_sept():
    assert parsing.parse_date("3 September 2025") == dt.date(2025, 9, 3)
    assert parsing.parse_date("September 2025") == dt.date(2025, 9, 1)


def test_a_month_that_does_not_exist_says_so():
    with pytest.raises(parsing.ValueProblem, match=r"^'13/2014' is not a real month$"):
        parsing.parse_date("13/2014")


# Times with no date

TIMES = ["00:00:00", "00:00", "0:00", "12:30:00 AM", "12:30 pm", "23:59:59", "07:15:00.500", "30/12/1899 14:30",
         "1899-12-30 00:00:00"]


def test_cells_holding_only_a_time_of_day_are_told_apart():
    cells = pd.Series(TIMES + ["03/04/2025 00:00:00", "24:00", "12:60", "1230", "00:00:00 2025", ""])
    assert parsing.time_only(cells).tolist() == [True] * len(TIMES) + [False] * 6


@pytest.mark.parametrize("raw", ["00:00:00", "12:30:00 AM"])
def test_a_time_with_no_date_is_refused_saying_so(raw):
    assert parsing.dates(pd.Series([raw]))[1].iloc[0]
    with pytest.raises(parsing.ValueProblem, match=f"^'{raw}' is a time of day with no date$"):
        parsing.parse_date(raw)


def test_oxfords_paid_date_column_holds_only_times(spend_corpus):
    path = spend_corpus / "files" / "oxford-city-council" / "expenditure-over-500-apr-jun-2014.csv"
    sheet = readers.read(path.read_bytes(), path.name, lambda cells: 2 * ("Paid Date" in cells))
    paid = sheet.cells["Paid Date"]
    assert len(paid) == 3836 and parsing.time_only(paid).all() and parsing.dates(paid)[1].all()


# The column and one-cell parsers agree, month-only and time-only cells included

_DATE_LIKE = st.one_of(
    st.from_regex(r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.]([0-9]{2}|[0-9]{4})( [0-9]{1,2}:[0-9]{2})?", fullmatch=True),
    st.from_regex(r"[0-9]{4}[-/.][0-9]{1,2}([-/.][0-9]{1,2})?", fullmatch=True),
    st.from_regex(r"[0-9]{1,2}[-/][0-9]{2,4}", fullmatch=True),
    st.from_regex(r"([0-9]{1,2}(st|nd|rd|th)?[- ]?)?(Jan|feb|MAR|April|Sept|September|June|Foo)[- ,']*"
                  r"([0-9]{2}|[0-9]{4})( [0-9]{2}:[0-9]{2}:[0-9]{2})?", fullmatch=True),
    st.from_regex(r"(19|20|18)[0-9]{2}[0-9]{2}|[0-9]{5,6}(\.[0-9])?", fullmatch=True),
    st.from_regex(r"[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( ?[AP]M)?", fullmatch=True),
    st.text(max_size=12))


@given(st.lists(_DATE_LIKE, min_size=1, max_size=5))
def test_column_and_one_cell_date_parsers_agree_with_months(cells):
    series = pd.Series(cells, dtype="str")
    values, bad = parsing.dates(series)
    month = parsing.month_only(series)
    for raw, value, is_bad, is_month in zip(cells, values, bad, month, strict=True):
        try:
            one = parsing.parse_date(raw)
        except parsing.ValueProblem:
            assert is_bad and not is_month, raw
        else:
            assert not is_bad and value.date() == one, raw
            assert not is_month or one.day == 1, raw
