"""File layouts partners send that the readers must take as they are: old Mac line endings, workbooks
with one sheet per month under the same columns, and workbooks as other programs than Excel write them.

The .xls fixtures in tests/data/workbooks were written with xlwt 1.3.0 by _write_xls_fixtures
(`python -m tests.test_readers_layouts` with xlwt installed); openpyxl cannot write .xls.
"""

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

import pytest

from dashboard import readers
from dashboard.problems import Problem, problems_csv
from tests.workbook import xlsx

WORKBOOKS = Path(__file__).parent / "data" / "workbooks"
_NAMES = {"supplier name", "supplier", "amount", "payment date"}


def score(cells) -> int:
    """Our own header score, so these tests do not move when the column recogniser does."""
    return sum(" ".join(str(c).split()).lower() in _NAMES for c in cells)


def rows_of(sheet: readers.Sheet) -> list[list[str]]:
    return sheet.cells.values.tolist()


# Old Mac line endings


LINES = ["Spend report", "", "Supplier Name,Amount,Payment Date,Notes", 'Acme Ltd,100.00,03/02/2025,"two', 'lines"',
         "Brum CIC,200.00,04/02/2025,plain"]


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"], ids=["cr", "lf", "crlf"])
def test_lines_ending_in_a_carriage_return_alone_read_like_any_other(end):
    sheet = readers.read(end.join(LINES).encode("mac_roman") + end.encode(), "old_mac.csv", score)
    assert sheet.headers == ["Supplier Name", "Amount", "Payment Date", "Notes"]
    assert sheet.header_row == 3
    assert list(sheet.cells.index) == [4, 5]  # records, as Excel numbers them, not physical lines
    assert rows_of(sheet)[1] == ["Brum CIC", "200.00", "04/02/2025", "plain"]
    # A line break inside quotes stays in its value, whatever the file's line endings.
    assert rows_of(sheet)[0][:3] == ["Acme Ltd", "100.00", "03/02/2025"]
    assert rows_of(sheet)[0][3].splitlines() == ["two", "lines"]


def test_a_stray_carriage_return_in_a_file_with_a_long_row_is_a_problem_not_a_crash():
    data = b"Supplier Name,Amount,Payment Date\nAc\rme,1,03/02/2025\nBrum,2,03/02/2025,x\n"
    sheet = readers.read(data, "stray.csv", score)
    # The lone '\r' ends a line, as it does on the fast path, so the long row is record 4.
    assert [str(p) for p in sheet.problems] == [
        "Row 4: has more values than there are column names (3): is there a comma inside a value that is not in "
        "quotes?"]


def test_a_carriage_return_file_in_mac_roman_keeps_its_pound_signs():
    text = "Supplier Name,Amount,Payment Date\rCaf\u00e9 \u00a3 Ltd,\u00a310,03/02/2025\r"
    sheet = readers.read(text.encode("mac_roman"), "mac.csv", score)
    assert sheet.format == "CSV (Mac Roman, separated by commas)"
    assert rows_of(sheet) == [["Caf\u00e9 \u00a3 Ltd", "\u00a310", "03/02/2025"]]


# One sheet per month


HEADER = ["Supplier Name", "Amount", "Payment Date"]


def test_sheets_with_the_same_columns_are_read_together_in_sheet_order():
    data = xlsx({
        "Read me": [["Payments over £500, by month"], ["Source: ledger"]],
        "Apr": [HEADER, ["Acme Ltd", 100, dt.datetime(2025, 4, 3)], ["Brum CIC", 200, dt.datetime(2025, 4, 9)]],
        "May": [["Payments in May"], [], ["supplier  NAME", " Amount ", "PAYMENT DATE"],
                ["Coventry Co", "=1+1", dt.datetime(2025, 5, 2)]],
        "Summary": [["Total", 302]],
        "Jun": [HEADER, ["Derby Ltd", 4, dt.datetime(2025, 6, 30)], HEADER, ["Ely Ltd", 5, "01/06/2025"]],
    })
    sheet = readers.read(data, "months.xlsx", score)
    assert sheet.headers == HEADER  # the first sheet's spelling
    assert rows_of(sheet) == [["Acme Ltd", "100", "2025-04-03"], ["Brum CIC", "200", "2025-04-09"],
                              ["Coventry Co", "", "2025-05-02"], ["Derby Ltd", "4", "2025-06-30"],
                              ["Ely Ltd", "5", "01/06/2025"]]
    # Row r of the workbook's n-th sheet is n * SHEET_ROW_OFFSET + r; origins says which sheet and row.
    offset = readers.SHEET_ROW_OFFSET
    assert list(sheet.cells.index) == [2 * offset + 2, 2 * offset + 3, 3 * offset + 4, 5 * offset + 2, 5 * offset + 4]
    assert [sheet.origins[i] for i in sheet.cells.index] == [("Apr", 2), ("Apr", 3), ("May", 4), ("Jun", 2),
                                                             ("Jun", 4)]
    assert (sheet.sheet_name, sheet.sheet_names, sheet.header_row) == (None, ["Apr", "May", "Jun"], 1)
    assert sheet.format == "Excel workbook, sheets 'Apr', 'May', 'Jun'"
    assert [str(n) for n in sheet.notes] == [
        "read 3 sheets with the same columns: 'Apr' (2 rows), 'May' (1 row), 'Jun' (2 rows)",
        "skipped sheets 'Read me', 'Summary': no row among the first 30 looks like column names",
        "Sheet 'May': column names found on row 3; the 2 rows above were skipped",
        "Sheet 'Jun': row 3 repeats the column names; skipped (not counted as data)"]
    # The formula saved without its value is found on its own sheet, and given in the combined index.
    assert sheet.uncached == [(3 * offset + 4, "Amount")]
    assert sheet.letters == {"Supplier Name": "A", "Amount": "B", "Payment Date": "C"}


def test_a_problem_found_in_combined_rows_is_put_back_on_its_sheet_and_row():
    data = xlsx({"Apr": [HEADER, ["Acme Ltd", 100, "03/04/2025"]],
                 "May": [["Title"], HEADER, ["Brum CIC", "lots", "02/05/2025"]]})
    sheet = readers.read(data, "months.xlsx", score)
    bad = sheet.cells.index[sheet.cells["Amount"] == "lots"][0]
    found = readers.locate(sheet, Problem(int(bad), "Amount", "'lots' is not an amount in pounds"))
    assert found == Problem(3, "Amount", "'lots' is not an amount in pounds", sheet="May")
    assert str(found) == "Sheet 'May', row 3, column Amount: 'lots' is not an amount in pounds"
    whole_file = Problem(None, None, "the file has a header but no data rows")
    assert readers.locate(sheet, whole_file) == whole_file


def test_a_workbook_with_one_data_sheet_is_read_as_before():
    data = xlsx({"Read me": [["Notes"]], "Payments": [["Report"], HEADER, ["Acme Ltd", 100, "03/04/2025"]]})
    sheet = readers.read(data, "one.xlsx", score)
    assert list(sheet.cells.index) == [3]  # the sheet's own row numbers
    assert (sheet.origins, sheet.sheet_name, sheet.sheet_names) == ({}, "Payments", ["Payments"])
    assert sheet.format == "Excel workbook, sheet 'Payments'"
    assert [str(n) for n in sheet.notes] == [
        "read sheet 'Payments' (sheet 2 of 2): the first with recognisable column names",
        "column names found on row 2; the row above was skipped"]
    problem = Problem(3, "Amount", "x")
    assert readers.locate(sheet, problem) is problem


def test_sheets_whose_columns_differ_are_refused_naming_the_sheets_and_columns():
    data = xlsx({"Oct 2024": [HEADER, ["Acme Ltd", 1, "01/10/2024"]],
                 "Nov 2024": [["Supplier Name", "Net Amount", "VAT", "Payment Date"], ["Brum", 1, 0, "01/11/2024"]]})
    with pytest.raises(readers.Refused) as refused:
        readers.read(data, "differ.xlsx", score)
    assert [str(p) for p in refused.value.problems] == [
        "sheet 'Oct 2024' has columns 'Supplier Name', 'Amount', 'Payment Date' but sheet 'Nov 2024' has "
        "'Supplier Name', 'Net Amount', 'VAT', 'Payment Date' ('Net Amount', 'VAT' only on 'Nov 2024'; 'Amount' "
        "only on 'Oct 2024'): upload one sheet's data at a time (copy it into a workbook of its own, or save it as "
        "CSV), or give every sheet the same columns in the same order"]


def test_the_same_columns_in_another_order_are_refused():
    data = xlsx({"Apr": [HEADER, ["Acme Ltd", 1, "01/04/2025"]],
                 "May": [HEADER[::-1], ["01/05/2025", 2, "Brum"]]})
    with pytest.raises(readers.Refused, match=r"\(the same columns in another order\)"):
        readers.read(data, "order.xlsx", score)


def test_a_sheet_repeating_the_other_sheets_rows_is_refused_not_counted_twice():
    apr, may = [["Acme Ltd", 1, "01/04/2025"]], [["Brum", 2, "01/05/2025"], ["Cov", 3, "02/05/2025"]]
    data = xlsx({"Apr": [HEADER, *apr], "May": [HEADER, *may], "Q1": [HEADER, *apr, *may]})
    with pytest.raises(readers.Refused) as refused:
        readers.read(data, "quarter.xlsx", score)
    assert str(refused.value).startswith("every row of sheet 'Q1' is also on sheets 'Apr', 'May', so reading every "
                                         "sheet would count those payments twice")


def test_an_unnamed_column_on_one_sheet_only_is_blank_on_the_others():
    data = xlsx({"Apr": [HEADER, ["Acme Ltd", 1, "01/04/2025"]],
                 "May": [HEADER + [None, None], ["Brum", 2, "01/05/2025", None, "checked"]]})
    sheet = readers.read(data, "extra.xlsx", score)
    assert sheet.headers == HEADER + ["Column E"]
    assert rows_of(sheet) == [["Acme Ltd", "1", "01/04/2025", ""], ["Brum", "2", "01/05/2025", "checked"]]
    assert sheet.letters["Column E"] == "E"


def test_too_many_rows_across_sheets_are_refused(monkeypatch):
    monkeypatch.setattr(readers, "MAX_DATA_ROWS", 3)
    data = xlsx({"Apr": [HEADER, *[["Acme", 1, "01/04/2025"]] * 2], "May": [HEADER, *[["Brum", 2, "01/05/2025"]] * 2]})
    with pytest.raises(readers.Refused, match="more than 3 rows"):
        readers.read(data, "big.xlsx", score)


def test_xls_sheets_with_the_same_columns_are_read_together():
    sheet = readers.read((WORKBOOKS / "months.xls").read_bytes(), "months.xls", score)
    assert sheet.format == "Excel 97-2003 workbook (.xls), sheets 'Apr 2025', 'May 2025'"
    assert rows_of(sheet) == [["Acme Ltd", "100.5", "2025-04-03"], ["Brum CIC", "200", "2025-04-09"],
                              ["Coventry Co", "300", "12:00:00"]]  # a time-formatted cell: a time, not 1899
    assert [sheet.origins[i] for i in sheet.cells.index] == [("Apr 2025", 2), ("Apr 2025", 3), ("May 2025", 4)]
    assert str(sheet.notes[1]) == "skipped sheet 'Read me': no row among the first 30 looks like column names"


def test_xls_sheets_whose_columns_differ_are_refused():
    with pytest.raises(readers.Refused, match=r"'Net Amount', 'VAT' only on 'May'; 'Amount' only on 'Apr'"):
        readers.read((WORKBOOKS / "differ.xls").read_bytes(), "differ.xls", score)


def test_the_real_single_sheet_xls_reads_as_before(spend_corpus):
    path = spend_corpus / "files" / "barts-health-nhs-trust" / "BART 09 - December.xls"
    sheet = readers.read(path.read_bytes(), path.name, score)
    assert (len(sheet.cells), sheet.header_row, sheet.sheet_name, sheet.origins) == (212, 1, "Final Review ", {})
    assert sheet.headers[-2:] == ["Supplier", "Amount"]
    assert list(sheet.cells.index[:2]) == [2, 3]


# Workbooks as other programs write them


def _sheet_xml_changed(data: bytes, change) -> bytes:
    """The workbook with its one sheet's XML passed through change(xml) -> xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, change(body) if item.filename == "xl/worksheets/sheet1.xml" else body)
    return out.getvalue()


def _prefixed(xml: bytes) -> bytes:
    xml = re.sub(rb"<(/?)(?!\?)([A-Za-z])", rb"<\1x:\2", xml)
    return xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="')


WRITTEN = {
    "with references": lambda xml: xml,
    "without references": lambda xml: re.sub(rb' r="[A-Z]*[0-9]+"', b"", xml),
    "in single quotes": lambda xml: re.sub(rb' r="([A-Z]*[0-9]+)"', rb" r='\1'", xml),
    "with a namespace prefix": _prefixed,
}


@pytest.mark.parametrize("written", sorted(WRITTEN))
def test_error_cells_and_formulas_without_values_are_found_however_the_sheet_is_written(written):
    data = xlsx({"Payments": [["Report"], HEADER, ["Acme Ltd", 100.5, dt.datetime(2025, 4, 3)],
                              ["Brum CIC", "#REF!", dt.datetime(2025, 4, 9)],
                              ["Cov Ltd", "=B3*2", dt.datetime(2025, 4, 10)], ["Derby", "#N/A", "01/05/2025"]]})
    sheet = readers.read(_sheet_xml_changed(data, WRITTEN[written]), "payments.xlsx", score)
    assert rows_of(sheet) == [["Acme Ltd", "100.5", "2025-04-03"], ["Brum CIC", "#REF!", "2025-04-09"],
                              ["Cov Ltd", "", "2025-04-10"], ["Derby", "#N/A", "01/05/2025"]]
    assert sheet.uncached == [(5, "Amount")]  # the formula openpyxl saved without its value


def test_cells_read_as_the_text_excel_shows():
    values = [0.1 + 0.2, -0.0, 1234.5678901234, 1234567890123456, 1e20, 0.000001234, "007", "  B1 1AA ", True,
              dt.datetime(2025, 3, 10, 14, 35, 12), dt.datetime(2025, 3, 10), dt.date(2025, 2, 3), dt.time(12)]
    data = xlsx({"Payments": [["Supplier Name", "Amount", "Payment Date"], *[["Acme", v, None] for v in values]]})
    sheet = readers.read(data, "kinds.xlsx", score)
    # Numbers to Excel's 15 significant digits (a 16-digit whole number too, as Excel shows it), text as written
    # but for spaces at its ends, dates as yyyy-mm-dd, a time-formatted cell as a time of day.
    assert list(sheet.cells["Amount"]) == [
        "0.3", "0", "1234.5678901234", "1234567890123460", "100000000000000000000", "0.000001234", "007", "B1 1AA",
        "TRUE", "2025-03-10 14:35:12", "2025-03-10", "2025-02-03", "12:00:00"]


# CSV read by Arrow where it reads as pandas does


def _as_pandas_reads(text: str, delimiter: str, width: int) -> list[list[str]] | None:
    """The records as pandas' C parser reads them (the way _read_text falls back to), missing cells as ''."""
    import pandas as pd

    try:
        grid = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, names=range(width), dtype=str,
                           keep_default_na=False, skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, ValueError):
        return None
    return grid.fillna("").values.tolist()


def _awkward_csv(rand) -> str:
    """A few records of quoted and unquoted cells, some written wrong: quotes inside or after a value, '""',
    line breaks inside quotes, short and long records, blank lines, every line ending."""
    cells = ["a", "", " ", "Caf\u00e9 \u00a3", "x,y", 'say ""hi""', "two\nlines", "cr\rhere", '"', "a\tb", ";", "|",
             "#"]
    records = []
    for _ in range(rand.randint(1, 8)):
        row = []
        for _ in range(rand.randint(0, 5)):
            value = rand.choice(cells)
            row.append(rand.choice([value, f'"{value}"', f'"{value}"', f' "{value}"', f'"{value}"x']))
        records.append(rand.choice([",", ",", ";", "\t"]).join(row))
    return rand.choice(["\n", "\r\n", "\r"]).join(records) + rand.choice(["", "\n", "\r\n", "\n\n"])


def test_a_plain_csv_is_read_by_arrow_exactly_as_pandas_reads_it():
    import random

    rand = random.Random(2025)
    read_by_arrow = 0
    for _ in range(1500):
        text = _awkward_csv(rand)
        for delimiter in (",", ";", "\t"):
            for width in (1, 3, 5):
                grid = readers._plain_grid(text, delimiter, width, 10**6)
                if grid is None:
                    continue  # not plain: pandas reads it
                read_by_arrow += 1
                assert grid.values.tolist() == _as_pandas_reads(text, delimiter, width), (text, delimiter, width)
                assert list(grid.dtypes) == ["str"] * width
    assert read_by_arrow > 300  # many of them plain, so the test compares many


def test_only_plain_quoting_is_read_by_arrow():
    plain = ['a,"b,c"\n', '"",x\r\n', '"say ""hi""",y\n', 'title\n\n"a",b\n']
    not_plain = ['a"b,c\n', '"a"b,c\n', '"two\nlines",c\n', '"open,c\n', ' "a",b\n', '\ufeffa,b\n', 'a\x00,b\n']
    assert all(readers._plain_grid(text, ",", 2, 100) is not None for text in plain)
    assert all(readers._plain_grid(text, ",", 2, 100) is None for text in not_plain)
    # Records past nrows are not read, as pandas' nrows; a record with more cells than the widest is pandas' to refuse.
    assert readers._plain_grid("a,b\nc,d\ne,f\n", ",", 2, 2).values.tolist() == [["a", "b"], ["c", "d"]]
    assert readers._plain_grid("a,b\nc,d,e\n", ",", 2, 100) is None


# Problems that name a sheet


def test_a_problem_names_its_sheet_in_words_and_in_the_csv():
    assert str(Problem(None, None, "two header rows", sheet="May")) == "Sheet 'May': two header rows"
    data = problems_csv([Problem(3, "Amount", "bad", sheet="=May"), Problem(None, None, "whole file")])
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [
        ["sheet", "row", "column", "problem"], ["'=May", "3", "Amount", "bad"], ["", "", "", "whole file"]]
    plain = problems_csv([Problem(3, "Amount", "bad")])
    assert plain.decode("utf-8-sig").splitlines()[0] == "row,column,problem"


def _write_xls_fixtures(folder: Path) -> None:
    """Write months.xls and differ.xls (needs xlwt, which the app does not)."""
    import xlwt

    day, clock = xlwt.easyxf(num_format_str="dd/mm/yyyy"), xlwt.easyxf(num_format_str="hh:mm:ss")

    def sheet(book, name, rows):
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write(r, c, value, day)
                elif isinstance(value, dt.time):
                    ws.write(r, c, (value.hour * 3600 + value.minute * 60) / 86400, clock)
                elif value is not None:
                    ws.write(r, c, value)

    book = xlwt.Workbook()
    sheet(book, "Read me", [["Payments by month"]])
    sheet(book, "Apr 2025", [HEADER, ["Acme Ltd", 100.5, dt.date(2025, 4, 3)], ["Brum CIC", 200, dt.date(2025, 4, 9)]])
    sheet(book, "May 2025", [["Payments in May"], [], HEADER, ["Coventry Co", 300, dt.time(12)]])
    book.save(str(folder / "months.xls"))
    book = xlwt.Workbook()
    sheet(book, "Apr", [HEADER, ["Acme Ltd", 1, dt.date(2025, 4, 1)]])
    sheet(book, "May", [["Supplier Name", "Net Amount", "VAT", "Payment Date"], ["Brum", 1, 0, dt.date(2025, 5, 1)]])
    book.save(str(folder / "differ.xls"))


if __name__ == "__main__":
    WORKBOOKS.mkdir(exist_ok=True)
    _write_xls_fixtures(WORKBOOKS)
    sys.exit(0)
