"""The quick ways through the checks give what the full rules give, to the penny and to the word.

Amounts of the usual shape are read by a shorter road, a column's repeated cells are read once, and a
few steps are skipped when they could change nothing. Each test here runs the quick way and the full
rules (every cell, every rule) over thousands of awkward values and asks for identical values, masks
and messages. How fast is measured by 'python -m dashboard.bench_ingest' (see BENCHMARKS.md), not here.
"""

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from dashboard import checks, contract, parsing, recognise

TODAY = dt.date(2025, 6, 30)
CELLS = 20_000


def _awkward_amount(rand: random.Random) -> str:
    """An amount as finance systems and people write them, or nearly: separators, signs, pennies, junk."""
    if rand.random() < 0.4:  # the usual shape, up to the largest amount taken
        whole = rand.randrange(10 ** rand.randrange(1, 13))
        return (rand.choice(["", "-"]) + rand.choice(["", "£"]) + rand.choice([f"{whole}", f"{whole:,}"])
                + rand.choice(["", f".{rand.randrange(10)}", f".{rand.randrange(100):02d}"]))
    if rand.random() < 0.05:
        return rand.choice(["", " ", "#REF!", "#n/a", "n/a", "nil", "-", "£", ".", "..5", "1e5", "inf", "nan",
                            "None", "0x10", "١٢٣", "½", "1/2", "12:30", "1,23", "12,3456.7", "£1,234.56 GBP"])
    if rand.random() < 0.05:
        return "".join(rand.choice("0123456789.,£-() CRDGBP€$\t\u00a0ab") for _ in range(rand.randrange(1, 12)))
    whole = rand.choice([0, 1, 7, 999, 1000, 1234, 99_999, 10**6, 999_999_999_999, 10**12, 10**13,
                         rand.randrange(10 ** rand.randrange(1, 15))])
    number = rand.choice([f"{whole}", f"{whole:,}", f"{whole:,}", f"{whole:,}".replace(",", "."),
                          f"{whole:,}".replace(",", " "), f"0{whole}", f"{whole:,}".replace(",", "", 1)])
    pennies = rand.choice(["", "", ".", ".0", ".5", ".05", ".50", ".99", ".999", ".001", ".100", ".10000", ".123",
                           f".{rand.randrange(100):02d}", f".{rand.randrange(100):02d}", ",50"])
    before = rand.choice(["", "", "", "-", "£", "-£", "£-", "GBP", "GBP ", "(", "(£", "-(", " ", "\u00a0", "\t",
                          "$", "€", "+", "--", "£ "])
    after = rand.choice(["", "", "", ")", " CR", "CR", "DR", "-", " GBP", " ", "\u00a0", "cr", "p", "%", ")-"])
    return before + number + pennies + after


def _awkward_date(rand: random.Random) -> str:
    """A payment date as exports write them, or nearly: UK and ISO order, month names, serials, times, junk."""
    if rand.random() < 0.05:
        return "".join(rand.choice("0123456789/-. :TAPMjanfebsep") for _ in range(rand.randrange(1, 14)))
    day, month = rand.randrange(0, 35), rand.randrange(0, 14)
    year = rand.choice([rand.randrange(1890, 2130), rand.randrange(0, 100)])
    sep = rand.choice(["/", "-", ".", " ", ""])
    name = rand.choice(["Jan", "jan", "JAN", "January", "Feb", "Sept", "Sep", "September", "Foo", "mAy", "Dec"])
    time = rand.choice(["", "", "", " 00:00:00", " 12:30", "T14:22:05", " 9:05 AM", " 12:30:45.123", " 25:00"])
    suffix = rand.choice(["st", "nd", "th", ""])
    return rand.choice([
        f"{day:02d}{sep}{month:02d}{sep}{year}", f"{day}{sep}{month}{sep}{year}",
        f"{year}{sep}{month:02d}{sep}{day:02d}", f"{day}{suffix}{sep}{name}{sep}{year}", f"{name}{sep}{year}",
        f"{month}{sep}{year}",
        f"{year}{sep}{month}", f"{year}{month:02d}", str(rand.randrange(10_000, 99_999)), f"{name}-{year % 100:02d}",
        f"{rand.randrange(10_000, 99_999)}.{rand.randrange(10)}", "", " ", "#REF!", "n/a", "12:30", "00:00:00",
        "30/12/1899 14:30", "29/02/2024", "29/02/2025", "31/04/2025", "0001/01", "201409",
    ]) + time


def _awkward_postcode(rand: random.Random) -> str:
    return rand.choice(["B1 1AA", "b11aa", " B1\u00a01AA ", "B91 3DE", "SW1A 1AA", "BT1 1AA", "B1", "", "#N/A",
                        "b1  1aa", "B1 1AAA", "EC1A\t1BB", "GIR 0AA"]) + rand.choice(["", "", " ", "x"])


def _column(make, seed: int, dtype="str") -> pd.Series:
    rand = random.Random(seed)
    cells = pd.Series([make(rand) for _ in range(CELLS)], dtype=dtype, index=np.arange(CELLS) * 2 + 5, name="cell")
    if dtype is object:  # what a reader might hand over: missing cells and numbers among the text
        cells.iloc[::97], cells.iloc[::89], cells.iloc[::83] = None, 12.5, 45000
    return cells


@pytest.mark.parametrize("dtype", ["str", object])
def test_amounts_by_the_shorter_road_are_the_full_rules_pence_and_refusals(dtype):
    cells = _column(_awkward_amount, 1, dtype)
    pence, bad = parsing.amounts(cells)
    pd.testing.assert_series_equal(pence, parsing._amounts_in_full(cells)[0], check_exact=True)
    pd.testing.assert_series_equal(bad, parsing._amounts_in_full(cells)[1], check_exact=True)
    # Both roads are taken, and both good and bad cells are among them: the test compares something.
    usual = parsing._text(cells).str.fullmatch(parsing._PLAIN_AMOUNT)
    assert 0.3 < usual.mean() < 0.6 and 0.2 < bad.mean() < 0.7
    assert (pence[usual] < 0).any() and (pence[~usual & ~bad] != 0).any()


def test_the_largest_usual_amounts_are_exact_to_the_penny():
    edges = ["999999999999.99", "-£999,999,999,999.99", "£999,999,999,999.9", "0.01", "-0.01", "£0.00", "-0",
             "123456789012.35", "900719925474.09", "£1,000,000,000,000.00", "1000000000000"]
    cells = pd.Series(edges, dtype="str")
    pence, bad = parsing.amounts(cells)
    assert pence.tolist() == [99999999999999, -99999999999999, 99999999999990, 1, -1, 0, 0, 12345678901235,
                              90071992547409, 0, 0]
    assert bad.tolist() == [False] * 9 + [True, True]
    pd.testing.assert_series_equal(pence, parsing._amounts_in_full(cells)[0], check_exact=True)


@pytest.mark.parametrize("dtype", ["str", object])
def test_dates_read_once_per_distinct_cell_are_the_dates_read_cell_by_cell(dtype):
    cells = _column(_awkward_date, 2, dtype)
    values, bad = parsing.dates(cells)
    each_values, each_bad = parsing._dates_each(cells)
    pd.testing.assert_series_equal(values, each_values, check_exact=True)
    pd.testing.assert_series_equal(bad, each_bad, check_exact=True)
    assert 0.1 < bad.mean() < 0.9
    month = parsing.month_only(cells)
    pd.testing.assert_series_equal(month, parsing._months(parsing._dated_text(cells)).notna(), check_exact=True)
    assert month.any()
    times = parsing.time_only(cells)
    pd.testing.assert_series_equal(times, parsing._text(cells).str.fullmatch(parsing._TIME_ONLY).astype(bool))
    assert times.any()


@pytest.mark.parametrize("dtype", ["str", object])
def test_error_values_and_postcodes_read_the_quick_way_are_read_as_cell_by_cell(dtype):
    cells = pd.concat([_column(_awkward_amount, 3, dtype), _column(_awkward_postcode, 4, dtype)], ignore_index=True)
    shown = parsing.is_excel_error(cells)
    pd.testing.assert_series_equal(shown, parsing._text(cells).str.upper().isin(parsing._EXCEL_ERRORS))
    assert shown.any()
    for quick, each in zip(checks.normalise_postcodes(cells), checks._postcodes_each(cells), strict=True):
        pd.testing.assert_series_equal(quick, each, check_exact=True)


def test_pounds_are_the_pence_exactly():
    rand = np.random.default_rng(5)
    pence = pd.Series(np.concatenate([rand.integers(-10**14 + 1, 10**14, 5000),
                                      [0, 1, -1, 99, -99, 100, -100, 10**14 - 1, -(10**14 - 1)]]))
    pounds = checks._pounds(pence)
    assert pounds.dtype == pd.ArrowDtype(checks.pa.decimal128(18, 2))
    assert pounds.tolist() == [Decimal(int(p)).scaleb(-2) for p in pence]


def _spend_file(rows: int, seed: int) -> pd.DataFrame:
    """A spend file's cells by header (index: file rows), awkward in every column, with repeats and a total."""
    rand = random.Random(seed)
    suppliers = [f"Supplier {i} Ltd" for i in range(40)] + ["", "#REF!", "x" * 201, "Total Produce Ltd"]
    body = [{"Supplier Name": rand.choice(suppliers),
             "Amount": rand.choice([f"£{rand.randrange(50_000, 900_000) / 100:,.2f}", _awkward_amount(rand)]),
             "Payment Date": rand.choice([f"{rand.randrange(1, 29):02d}/0{rand.randrange(1, 4)}/2025",
                                          _awkward_date(rand)]),
             "Supplier Postcode": _awkward_postcode(rand),
             "Category": rand.choice(["Premises", "Transport", "", "#N/A"]),
             "SME": rand.choice(["Yes", "no", "", "maybe"])} for _ in range(rows)]
    body += [dict(body[3]), dict(body[4]), dict(body[3])]
    body.append({"Supplier Name": "", "Amount": "£1,000.00", "Payment Date": "", "Supplier Postcode": "",
                 "Category": "Total", "SME": ""})
    return pd.DataFrame(body, index=range(2, len(body) + 2), dtype="str")


@pytest.mark.parametrize("choices", [checks.NO_CHOICES, checks.RowChoices(frozenset(checks.LEAVE_OUT)),
                                     checks.RowChoices(date_to_quarter=True)], ids=["none", "leave-out", "to-quarter"])
def test_checking_a_file_the_quick_way_gives_the_full_rules_rows_problems_and_notes(monkeypatch, choices):
    cells = _spend_file(3000, 6)
    found = recognise.recognise("spend", list(cells.columns), cells)
    assert found.fields["amount_gbp"] == "Amount" and found.fields["payment_date"] == "Payment Date"

    def checked() -> tuple[pd.DataFrame, list, list, list]:
        out = checks.check_file("spend", cells, found, "2025Q1", today=TODAY, choices=choices)
        repeats = checks.duplicates(out.rows, cells.loc[out.rows.index, found.unmapped]) if not out.rows.empty else 0
        return out.rows, out.problems, out.notes + [repeats], out.left_out

    quick = checked()
    monkeypatch.setattr(parsing, "amounts", parsing._amounts_in_full)
    monkeypatch.setattr(parsing, "dates", parsing._dates_each)
    monkeypatch.setattr(parsing, "month_only", lambda c: parsing._months(parsing._dated_text(c)).notna())
    monkeypatch.setattr(parsing, "is_excel_error", lambda c: parsing._text(c).str.upper().isin(parsing._EXCEL_ERRORS))
    monkeypatch.setattr(checks, "normalise_postcodes", checks._postcodes_each)
    full = checked()
    pd.testing.assert_frame_equal(quick[0], full[0], check_exact=True)
    assert quick[1:] == full[1:]
    assert len(quick[1]) > 100  # bad amounts, dates, postcodes, flags, errors and long names, each with its words


def test_repeated_rows_are_the_rows_equal_in_every_column():
    rand = random.Random(7)
    rows = range(5, 4005)
    typed = pd.DataFrame({c.name: rand.choice([None, "x"]) for c in contract.SPEND_COLUMNS if c.kind != "amount"},
                         index=rows)
    typed["supplier_name"] = [rand.choice(["A Ltd", "B Ltd", None]) for _ in rows]
    typed["payment_date"] = pd.to_datetime([f"2025-01-{rand.randrange(1, 4):02d}" for _ in rows])
    typed["amount_pence"] = [rand.choice([100, 250, 999]) for _ in rows]
    unused = pd.DataFrame({"Reference": [rand.choice(["r1", "r2", None]) for _ in rows]}, index=typed.index)
    repeats, notes = checks.duplicates(typed, unused)
    everything = pd.concat([typed, unused], axis=1)
    assert repeats == int(everything.duplicated(keep="first").sum()) > 0
    groups = everything[everything.duplicated(keep=False)].groupby(list(everything.columns), dropna=False).groups
    firsts = sorted(min(group) for group in groups.values())
    assert len(firsts) > 50  # so the list is cut at 50 groups, and says how many more
    assert [n.row for n in notes[1:51]] == firsts[:50]
    assert notes[51].message == f"... and {len(firsts) - 50:,} more groups of identical rows"
