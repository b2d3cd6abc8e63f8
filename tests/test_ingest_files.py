"""Ingest takes the files partners really have: finance-system exports, odd encodings, hostile files.

Real exports (tests/data/real_exports) must go in with the right rows and total; every file in
the bad-input corpus (tests/data/bad_inputs, plus the big or binary ones built here) must be
refused with a message naming the file, the row and column where it matters, and the reason,
leaving the database exactly as it was.
"""

import codecs
import csv
import datetime as dt
import gzip
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import access, checks, config, ingest, parsing, postcodes, readers, store
from dashboard.problems import Problem, problems_csv, safe_for_spreadsheet
from tests import tiny
from tests.workbook import xlsx

DATA = Path(__file__).resolve().parent / "data"
REAL = DATA / "real_exports"
BAD = DATA / "bad_inputs"
TODAY = dt.date(2025, 6, 30)
HEADER = "Supplier Name,Amount,Payment Date"
OPERATOR = access.system()


@pytest.fixture(scope="module")
def tiny_template(tmp_path_factory):
    return tiny.build(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")


@pytest.fixture
def db(tmp_path, tiny_template, monkeypatch):
    path = tmp_path / "tiny.duckdb"
    shutil.copyfile(tiny_template, path)
    monkeypatch.setenv("ANCHOR_DB", str(path))
    return path


def dump(db: Path) -> dict[str, str]:
    """Every table's rows, sorted, as CSV: equal dumps mean nothing was written."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()]
        out = {}
        for name in sorted(names):
            frame = con.table(name).df().astype(str)
            out[name] = frame.sort_values(list(frame.columns)).to_csv(index=False)
        return out
    finally:
        con.close()


def prepare(data, name="upload.csv", kind="spend", institution="council", quarter="2025Q1", **kwargs):
    data = data.encode("utf-8") if isinstance(data, str) else data
    return ingest.prepare("tiny", institution, kind, quarter, data, name, today=TODAY, scope=OPERATOR, **kwargs)


def rows_of(db: Path, query: str) -> list[tuple]:
    with store.connect(db) as con:
        return con.cursor().execute(query).fetchall()


# Real exports


def _pounds(text: str) -> Decimal:
    """The test's own reading of an amount, independent of dashboard.parsing."""
    negative = text.startswith("(") or text.startswith("-")
    value = Decimal(text.strip("()-").replace("£", "").replace(",", ""))
    return -value if negative else value


def test_council_spend_over_500_export_goes_in_with_the_right_rows_and_total(db):
    path = REAL / "council_spend_over_500.csv"
    with path.open(encoding="cp1252", newline="") as handle:
        payments = [r for r in csv.reader(handle) if len(r) == 7 and r[0] == "Test City Council"]
    expected = sum((_pounds(r[5]) for r in payments), Decimal(0))
    assert len(payments) == 40 and any(r[5].startswith("(") for r in payments)

    receipt = ingest.ingest("tiny", "council", "spend", "2025Q1", path, today=TODAY)
    assert (receipt.rows, receipt.total_gbp) == (40, expected)
    assert receipt.format == "CSV (Windows-1252, separated by commas)"
    assert receipt.mapping == {"supplier_name": "Supplier Name", "amount_gbp": "Amount", "payment_date": "Date",
                               "category": "Expenses Type"}
    notes = [str(n) for n in receipt.notes]
    assert "column names found on row 5; the 4 rows above were skipped" in notes
    assert "row 27 repeats the column names; skipped (not counted as data)" in notes
    assert any(n.startswith("Row 48: is a total line ('Total', £309,262.54") for n in notes)
    stored = rows_of(db, "select count(*), sum(amount_gbp), count(*) filter (where supplier_name in "
                         "('St John’s Fostering Trust', 'Café Learning CIC', 'O’Neill Taxis')) from spend")
    assert stored == [(40, expected, 6)]


def test_purchase_card_unicode_text_export_goes_in(db):
    path = REAL / "purchase_cards_unicode_text.txt"
    lines = path.read_bytes().decode("utf-16").splitlines()[1:]
    expected = sum((_pounds(line.split("\t")[3]) for line in lines), Decimal(0))
    preview = ingest.prepare("tiny", "council", "spend", "2025Q1", path.read_bytes(), path.name, today=TODAY,
                             scope=OPERATOR)
    assert preview.problems == []
    assert preview.format == "CSV (UTF-16 (Excel 'Unicode text'), separated by tabs)"
    assert preview.mapping.fields == {"supplier_name": "Merchant Name", "amount_gbp": "Amount",
                                      "payment_date": "Transaction Date", "category": "Merchant Category"}
    assert (preview.row_count, preview.total_gbp) == (16, expected)
    assert preview.rows["payment_date"].min() == dt.datetime(2025, 3, 3)
    assert "CAFÉ NERO 0412" in set(preview.rows["supplier_name"])
    receipt = ingest.commit(preview, "cards@council.example", scope=OPERATOR)
    assert rows_of(db, "select sum(amount_gbp), min(amount_gbp) from spend") == [(expected, Decimal("-46.70"))]
    assert receipt.submission_id == rows_of(db, "select max(submission_id) from submission")[0][0]


def _set_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells the value Excel would have saved with them (openpyxl saves none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                for ref, value in values.items():
                    # An empty value is written <v/> or <v></v>, as openpyxl serialises with or without lxml.
                    body = re.sub(rb'(<c r="' + ref.encode() + rb'"[^>]*>.*?</f>)(?:<v\s*/>|<v></v>)',
                                  lambda m, v=value: m.group(1) + b"<v>" + v.encode() + b"</v>", body)
            target.writestr(item, body)
    return out.getvalue()


def _workbook(*sheets: tuple[str, list[list]]) -> bytes:
    return xlsx(dict(sheets))


def test_xlsx_with_title_rows_date_cells_formulas_and_a_total_goes_in(db):
    data = _workbook(
        ("Read me", [["How to use this workbook"], ["Payments are on the next sheet."]]),
        ("Payments", [
            ["Test City Council: payments over £500"],
            ["Quarter 4, 2024-25"],
            [],
            ["Supplier", "Payment Date", "Net Amount", "Category", "Postcode"],
            ["Acme Catering Ltd", dt.datetime(2025, 1, 15), 1250.5, "Catering", "B1 1AA"],
            ["Brum CIC", dt.datetime(2025, 2, 3), 1000, "Cleaning", "b91 3de"],
            ["Brum CIC", dt.datetime(2025, 2, 28), "=C6*2", "Cleaning", "B91 3DE"],
            ["Sandwell Supplies", 45716, 0.1 + 0.2, None, None],  # a date as a serial number; 0.3 to Excel
            ["Acme Catering Ltd", dt.datetime(2025, 3, 10, 14, 35), -100.25, "Catering", "B1 1AA"],
            ["Total", None, "=SUM(C5:C9)", None, None],
        ]))
    data = _set_cached_values(data, {"C7": "2000", "C10": "4150.55"})
    preview = prepare(data, "payments.xlsx")
    assert preview.problems == []
    assert (preview.sheet_name, preview.header_row, preview.row_count) == ("Payments", 4, 5)
    assert preview.total_gbp == Decimal("1250.50") + 1000 + 2000 + Decimal("0.30") - Decimal("100.25")
    assert [d.date() for d in preview.rows["payment_date"]] == [
        dt.date(2025, 1, 15), dt.date(2025, 2, 3), dt.date(2025, 2, 28), dt.date(2025, 2, 28), dt.date(2025, 3, 10)]
    notes = [str(n) for n in preview.notes]
    assert notes[0] == "read sheet 'Payments' (sheet 2 of 2): the first with recognisable column names"
    assert any(n.startswith("Row 10: is a total line ('Total', £4,150.55") for n in notes)
    ingest.commit(preview, "finance@council.example", scope=OPERATOR)
    assert rows_of(db, "select count(*), count(lsoa21_code) from spend") == [(5, 4)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "mac_roman", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_pound_signs_and_accents_survive_every_encoding_and_separator(db, encoding, delimiter):
    amount = '"£1,234.56"' if delimiter == "," else "£1,234.56"
    text = "\r\n".join([delimiter.join(["Supplier Name", "Amount", "Payment Date"]),
                        delimiter.join(["Café £ Co", amount, "03/04/2025"])]) + "\r\n"
    preview = prepare(text.encode(encoding))
    assert preview.problems == []
    assert list(preview.rows["supplier_name"]) == ["Café £ Co"]
    assert preview.total_gbp == Decimal("1234.56")
    assert preview.rows["payment_date"].iloc[0] == dt.datetime(2025, 4, 3)  # 3 April, never 4 March


def test_dates_and_amounts_in_the_forms_finance_systems_write(db):
    cells = [("03/04/2025", "£1,234.56", "2025-04-03", "1234.56"),
             ("3/4/25", "(1,234.56)", "2025-04-03", "-1234.56"),
             ("2025-04-03", "1,234.56 CR", "2025-04-03", "-1234.56"),
             ("03-Apr-2025", "1,234.56 DR", "2025-04-03", "1234.56"),
             ("3 April 2025", "-1234.56", "2025-04-03", "-1234.56"),
             ("45750", "1234.56-", "2025-04-03", "-1234.56"),
             ("03.04.2025 09:30", "GBP 1234.56", "2025-04-03", "1234.56")]
    text = HEADER + "\n" + "\n".join(f'Acme Ltd,"{a}",{d}' for d, a, _, _ in cells) + "\n"
    preview = prepare(text)
    assert preview.problems == []
    assert [str(d.date()) for d in preview.rows["payment_date"]] == [c[2] for c in cells]
    assert [str(a) for a in preview.rows["amount_gbp"]] == [c[3] for c in cells]


def test_a_column_named_total_and_a_supplier_called_totalenergies_are_not_total_lines(db):
    text = ("Supplier,TOTAL,Paid Date\nAcme Ltd,100.00,03/02/2025\nBrum CIC,50.00,04/02/2025\n"
            "TotalEnergies Gas & Power Ltd,150.00,05/02/2025\n")
    receipt = ingest.ingest("tiny", "council", "spend", "2025Q1", data=text.encode(), file_name="t.csv", today=TODAY)
    assert receipt.mapping["amount_gbp"] == "TOTAL"
    assert (receipt.rows, receipt.total_gbp) == (3, Decimal("300.00"))
    # A true total line, unlabelled, after the rows: left out, the rows above counted.
    text += ",300.00,\n"
    receipt = ingest.ingest("tiny", "council", "spend", "2025Q1", data=text.encode(), file_name="t2.csv",
                            today=TODAY)
    assert (receipt.rows, receipt.total_gbp) == (3, Decimal("300.00"))


def test_month_only_dates_count_in_their_month_and_are_stored_as_such(db):
    text = "Supplier Name,Net Amount,Payment Date\nAcme Ltd,100.00,Jan 2025\nBrum CIC,50.00,03/02/2025\n"
    preview = ingest.prepare("tiny", "council", "spend", "2025Q1", text.encode(), "months.csv", today=TODAY,
                             scope=access.system())
    assert preview.ok, preview.problems
    assert list(preview.rows["payment_date_precision"]) == ["month", "day"]
    assert str(preview.rows["payment_date"].iloc[0].date()) == "2025-01-01"
    assert any("dated by month only (such as 'Jan 2025')" in n.message for n in preview.notes)
    ingest.commit(preview, db=db, scope=access.system())
    with store.connect(db) as con:
        stored = con.execute("select payment_date, payment_date_precision from spend order by amount_gbp").fetchall()
    assert [(str(d), p) for d, p in stored] == [("2025-02-03", "day"), ("2025-01-01", "month")]


def _month_sheets() -> bytes:
    """A workbook with one sheet per month, each ending in its own total line, as some councils publish."""
    months = {"Jan 2025": [("Acme Ltd", 100.0, dt.date(2025, 1, 6)), ("Brum CIC", 50.25, dt.date(2025, 1, 9))],
              "Feb 2025": [("Acme Ltd", 70.0, dt.date(2025, 2, 3)), ("Digbeth Print Ltd", None, dt.date(2025, 2, 4)),
                           ("Brum CIC", 30.0, dt.date(2025, 2, 5))],
              "Mar 2025": [("Aston Catering Ltd", 1000.0, dt.date(2025, 3, 2))]}
    return xlsx({name: [[f"Payments over £500: {name}"], ["Supplier Name", "Net Amount", "Payment Date"], *rows,
                        ["Total", sum(r[1] or 0 for r in rows), None]] for name, rows in months.items()})


def test_a_workbook_of_month_sheets_goes_in_whole_with_each_sheets_total_line_left_out(db):
    data = _month_sheets()
    preview = ingest.prepare("tiny", "council", "spend", "2025Q1", data, "months.xlsx", today=TODAY,
                             scope=access.system())
    [question] = [p for p in preview.problems if p.row is None]
    assert "1 row has no amount: row 4 of sheet 'Feb 2025' (Digbeth Print Ltd" in question.message
    assert [str(p) for p in preview.problems if p.row is not None] == [
        "Sheet 'Feb 2025', row 4, column Net Amount: is empty: this row has no amount"]
    preview = ingest.prepare("tiny", "council", "spend", "2025Q1", data, "months.xlsx", today=TODAY,
                             scope=access.system(), choices=ingest.RowChoices(leave_out=frozenset({"no-amount"})))
    assert preview.ok, preview.problems
    assert (preview.row_count, preview.total_gbp) == (5, Decimal("1250.25"))
    assert preview.notes[0].message.startswith("read 3 sheets with the same columns")
    totals = [str(n) for n in preview.notes if "total line" in n.message]
    assert [t.split(":")[0] for t in totals] == ["Sheet 'Jan 2025', row 5", "Sheet 'Feb 2025', row 6",
                                                 "Sheet 'Mar 2025', row 4"]
    assert preview.left_out == [{"row": 4, "sheet": "Feb 2025", "reason": "no amount", "amount_gbp": None}]


def test_identical_rows_are_kept_and_pointed_out(db):
    text = HEADER + "\nAcme Ltd,100.00,03/02/2025\nBrum CIC,5.00,04/02/2025\nAcme Ltd,£100,03/02/2025\n" \
                    "Acme Ltd,100.00,03/02/2025\n"
    receipt = ingest.ingest("tiny", "council", "spend", "2025Q1", data=text.encode(), file_name="dupes.csv",
                            today=TODAY)
    assert (receipt.rows, receipt.duplicate_rows) == (4, 2)
    assert "Row 2: rows 2, 4, 5 are identical" in [str(n) for n in receipt.notes]
    assert rows_of(db, "select count(*) from spend") == [(4,)]


def test_cells_that_look_like_formulas_or_html_are_stored_exactly_as_given(db):
    names = ['=HYPERLINK("http://example.invalid","x")', "+cmd|' /C calc'!A0", "-2+3 Trading", "@SUM(A1) Ltd",
             "<script>alert('x')</script>", "<b>Bold</b> & Co"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER.split(","))
    for i, name in enumerate(names):
        writer.writerow([name, f"{i + 1}00.00", "03/02/2025"])
    ingest.ingest("tiny", "council", "spend", "2025Q1", data=out.getvalue().encode(), file_name="odd.csv",
                  today=TODAY)
    assert sorted(r[0] for r in rows_of(db, "select supplier_name from spend")) == sorted(names)


def test_exports_neutralise_formula_cells_for_spreadsheets():
    assert [safe_for_spreadsheet(t) for t in ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "Acme", "", None, 5]] == [
        "'=1+1", "'+44", "'-2", "'@SUM(A1)", "'\tx", "Acme", "", None, 5]
    data = problems_csv([Problem(3, "=cmd|'/C calc'!A0", "'=SUM(A1)' is not an amount in pounds"),
                         Problem(None, None, "=HYPERLINK(\"x\")")])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["row", "column", "problem"], ["3", "'=cmd|'/C calc'!A0", "'=SUM(A1)' is not an amount in pounds"],
                    ["", "", "'=HYPERLINK(\"x\")"]]


def test_scottish_and_welsh_postcodes_are_accepted_and_labelled(db):
    text = HEADER + ",Supplier Postcode\nEdinburgh Ltd,100,03/02/2025,EH1 1AA\nCardiff Co,200,04/02/2025,cf101aa\n"
    receipt = ingest.ingest("tiny", "council", "spend", "2025Q1", data=text.encode(), file_name="uk.csv",
                            today=TODAY)
    notes = [str(n) for n in receipt.notes]
    assert any("located in Scotland" in n for n in notes) and any("located in Wales" in n for n in notes)
    assert sorted(rows_of(db, "select nation, lsoa21_code from spend")) == [("Scotland", None),
                                                                           ("Wales", "W01000001")]


def test_problem_rows_are_the_files_own_row_numbers_below_title_lines(db):
    text = "Spend report\nRun on 01/04/2025\n\n" + HEADER + "\nAcme Ltd,100,03/02/2025\nBrum CIC,lots,04/02/2025\n"
    preview = prepare(text)
    assert [str(p) for p in preview.problems] == ["Row 6, column Amount: 'lots' is not an amount in pounds"]


# Preview, commit, resubmission


def test_prepare_writes_nothing_and_shows_what_it_would_replace(db):
    first = ingest.ingest("tiny", "council", "spend", "2025Q1", tiny.TINY / "spend_council_2025Q1.csv",
                          today=TODAY)
    before = dump(db)
    preview = prepare(HEADER + "\nAcme Ltd,10.00,03/02/2025\n")
    assert dump(db) == before
    assert preview.ok and preview.row_count == 1 and preview.total_gbp == Decimal("10.00")
    assert preview.supersedes.submission_id == first.submission_id
    assert (preview.supersedes.row_count, preview.supersedes.total_gbp) == (7, Decimal("9300.49"))
    receipt = ingest.commit(preview, "me", scope=OPERATOR)
    assert receipt.superseded == [first.submission_id]
    assert rows_of(db, "select submission_id, status from submission order by 1") == [
        (first.submission_id, "superseded"), (receipt.submission_id, "active")]


def test_a_submission_landing_between_preview_and_commit_is_superseded_too(db):
    mine = prepare(HEADER + "\nMine Ltd,10.00,03/02/2025\n", "mine.csv")
    assert mine.supersedes is None
    theirs = ingest.ingest("tiny", "council", "spend", "2025Q1", data=f"{HEADER}\nTheirs Ltd,20,04/02/2025\n".encode(),
                           file_name="theirs.csv", today=TODAY)
    receipt = ingest.commit(mine, "me", scope=OPERATOR)
    assert receipt.superseded == [theirs.submission_id]
    assert any(f"submission {theirs.submission_id} ('theirs.csv'" in str(n) for n in receipt.notes)
    assert rows_of(db, "select file_name from submission where status = 'active'") == [("mine.csv",)]
    assert rows_of(db, "select supplier_name from spend join submission using (submission_id) "
                       "where status = 'active'") == [("Mine Ltd",)]


def test_the_same_file_anywhere_in_the_network_is_recognised(db):
    data = f"{HEADER}\nAcme Ltd,10.00,03/02/2025\n".encode()
    first = ingest.ingest("tiny", "council", "spend", "2025Q1", data=data, file_name="a.csv", today=TODAY)
    again = ingest.ingest("tiny", "council", "spend", "2025Q1", data=data, file_name="a.csv", today=TODAY)
    assert again.unchanged and again.submission_id == first.submission_id
    before = dump(db)
    with pytest.raises(ingest.IngestError) as caught:
        ingest.ingest("tiny", "council", "spend", "2025Q2", data=data, file_name="a_copy.csv", today=TODAY)
    assert f"this exact file is already counted as submission {first.submission_id} (council, spend, 2025Q1" in str(
        caught.value)
    assert dump(db) == before
    # Replaced, then uploaded again: allowed, and said.
    ingest.ingest("tiny", "council", "spend", "2025Q1", data=f"{HEADER}\nOther,1,03/02/2025\n".encode(),
                  file_name="b.csv", today=TODAY)
    back = ingest.ingest("tiny", "council", "spend", "2025Q1", data=data, file_name="a.csv", today=TODAY)
    assert any("uploaded before as submission" in str(n) and "since replaced" in str(n) for n in back.notes)


def test_a_users_mapping_is_remembered_so_next_quarter_needs_no_questions(db):
    text = "Supplier,Net Amount,Gross Amount,Date\nAcme Ltd,100.00,120.00,{}\n"
    refused = prepare(text.format("03/02/2025"))
    assert any("'Net Amount' and 'Gross Amount'" in p.message for p in refused.problems)
    receipt = ingest.commit(prepare(text.format("03/02/2025"), mapping={"Net Amount": "amount_gbp"}), "me",
                            scope=OPERATOR)
    assert receipt.mapping_saved and receipt.total_gbp == Decimal("100.00")
    other_institution = prepare(text.format("03/02/2025"), institution="trust")
    assert other_institution.problems  # remembered per institution, not for the whole network
    next_quarter = prepare(text.format("03/05/2025"), quarter="2025Q2")
    assert next_quarter.problems == [] and next_quarter.mapping.fields["amount_gbp"] == "Net Amount"
    assert not ingest.commit(next_quarter, "me", scope=OPERATOR).mapping_saved  # nothing new to remember


def test_the_same_file_read_another_way_replaces_the_active_submission_instead_of_being_unchanged(db):
    text = "Supplier,Net Amount,Gross Amount,Date\nAcme Ltd,100.00,120.00,03/02/2025\n"
    first = ingest.commit(prepare(text, mapping={"Net Amount": "amount_gbp"}), "me", scope=OPERATOR)
    same = prepare(text, mapping={"Net Amount": "amount_gbp"})
    assert same.unchanged and ingest.commit(same, "me", scope=OPERATOR).unchanged
    # The partner chose the wrong column: the same bytes with the other amount must not be 'unchanged'.
    gross = prepare(text, mapping={"Gross Amount": "amount_gbp"})
    assert not gross.unchanged
    assert any("read another way then" in n.message for n in gross.notes)
    again = ingest.commit(gross, "me", scope=OPERATOR)
    assert again.superseded == [first.submission_id] and again.total_gbp == Decimal("120.00")


def test_a_currency_column_in_pounds_is_fine(db):
    text = "Supplier Name,Amount,Currency,Payment Date\nA Ltd,1.00,GBP,03/02/2025\nB Ltd,2.00,£,03/02/2025\n"
    assert prepare(text).problems == []


def _cli(*args, db):
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, args)], capture_output=True, text=True,
                          cwd=config.REPO_DIR, env={**os.environ, "ANCHOR_DB": str(db)})


def test_cli_refuses_an_ambiguous_file_until_told_which_column_to_use(db, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("Supplier,Net Amount,Gross Amount,Date\nAcme Ltd,100.00,120.00,03/02/2025\n")
    common = ["ingest", "--network", "tiny", "--institution", "council", "--kind", "spend", "--quarter", "2025Q1"]
    out = _cli(*common, path, db=db)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "ledger.csv: 1 problem(s); nothing was saved." in out.stderr
    assert '--map "Net Amount=amount_gbp"' in out.stderr
    out = _cli(*common, "--map", "Gross Amount=amount_gbp", path, db=db)
    assert out.returncode == 0, out.stderr
    assert "'Gross Amount' as amount_gbp" in out.stdout and "(remembered for next time)" in out.stdout
    assert "Total spend: £120.00" in out.stdout
    out = _cli(*common, "--map", "Gross Amount", path, db=db)
    assert out.returncode == 2 and 'should be like --map "Net Amount=amount_gbp"' in out.stderr


# Limits and speed


@pytest.mark.slow
def test_a_million_row_spend_file_at_the_limit_goes_in(db):
    lines = [HEADER + ",Supplier Postcode"]
    places = ["B1 1AA", "", "B66 4DD", ""]
    lines += [f"Supplier {i % 5000},{i % 9973}.{i % 100:02d},{1 + i % 28:02d}/0{1 + i % 3}/2025,{places[i % 4]}"
              for i in range(readers.MAX_DATA_ROWS)]
    data = ("\n".join(lines) + "\n").encode()
    assert len(data) < readers.MAX_FILE_BYTES
    start = time.perf_counter()
    receipt = ingest.ingest("tiny", "council", "spend", "2025Q1", data=data, file_name="million.csv", today=TODAY)
    elapsed = time.perf_counter() - start
    print(f"\n1,000,000 spend rows ingested in {elapsed:.1f} s")
    assert receipt.rows == readers.MAX_DATA_ROWS
    expected = sum(Decimal(f"{i % 9973}.{i % 100:02d}") for i in range(readers.MAX_DATA_ROWS))
    assert receipt.total_gbp == expected
    assert elapsed < 120


# The bad-input corpus


def _xlsx_bytes(rows: list[list]) -> bytes:
    return _workbook(("Sheet1", rows))


def _zip(entries: dict[str, bytes], *, stream: tuple[str, bytes, int] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
        if stream:  # a part written in chunks: large when unpacked, tiny when packed
            name, chunk, times = stream
            with archive.open(name, "w", force_zip64=True) as part:
                for _ in range(times):
                    part.write(chunk)
    return out.getvalue()


def _bomb(megabytes: int) -> bytes:
    """A real workbook whose sheet is padded with blank space: highly compressible."""
    base = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([HEADER.split(","), ["Acme Ltd", 1, "03/02/2025"]])))
    entries = {n: base.read(n) for n in base.namelist() if n != "xl/worksheets/sheet1.xml"}
    return _zip(entries, stream=("xl/worksheets/sheet1.xml", b" " * 2**20, megabytes))


def _chart_sheet_only() -> bytes:
    """A workbook whose one sheet is a chart: its data sheet was deleted, the chart kept."""
    import openpyxl
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    data = book.active
    for row in [["Month", "Spend"], ["Jan 2025", 41250.0], ["Feb 2025", 38900.5], ["Mar 2025", 45010.25]]:
        data.append(row)
    chart = BarChart()
    chart.add_data(Reference(data, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    book.create_chartsheet("Spend by month").add_chart(chart)
    book.remove(data)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _damaged_part(data: bytes, name: str) -> bytes:
    """The workbook with one byte of a part's packed data flipped, as a bad disk or transfer leaves it."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    # The packed data follows the part's 30-byte local header, its name and its extra field.
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    at = info.header_offset + 30 + name_length + extra_length + info.compress_size // 2
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


_CARD_LINES = ["Transaction Date\tMerchant Name\tAmount\tMerchant Category",
               "03/02/2025\tTRAINLINE.COM\t120.50\tRail", "04/02/2025\tZOOM.US 888-799-9666\t$15.99\tSoftware",
               "06/02/2025\tCAFE NERO 0412\t8.40\tRestaurants"]
_UNICODE_TEXT = "\r\n".join(_CARD_LINES) + "\r\n"
_PAYMENTS = [["Acme Catering Ltd", 1250.0, dt.datetime(2025, 1, 6)],
             ["Brum Cleaning CIC", 642.0, dt.datetime(2025, 2, 3)]]


def _ole(*streams: str) -> bytes:
    """An OLE2 container header with the named streams in its directory (as Office writes them)."""
    names = b"".join(s.encode("utf-16-le") + b"\x00\x00" for s in streams)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + names + bytes(range(256)) * 8


GENERATED = {
    "zip_bomb_size.xlsx": lambda: _bomb(210),
    "zip_bomb_ratio.xlsx": lambda: _bomb(20),
    "sixty_sheets.xlsx": lambda: _workbook(*[(f"Sheet {i}", [HEADER.split(",")]) for i in range(60)]),
    "not_a_workbook.xlsx": lambda: _zip({"notes.txt": b"hello"}),
    "word_document.xlsx": lambda: _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
    "damaged.xlsx": lambda: _xlsx_bytes([HEADER.split(",")])[:900],
    "encrypted.xlsx": lambda: _ole("EncryptionInfo", "EncryptedPackage"),
    "not_really.xls": lambda: _ole("WordDocument"),
    "formula_without_value.xlsx": lambda: _xlsx_bytes([HEADER.split(","), ["Acme Ltd", 100, "03/02/2025"],
                                                       ["Brum CIC", "=B2*2", "04/02/2025"]]),
    "over_size_limit.csv": lambda: (HEADER + "\n" + "Acme Ltd,1.00,03/02/2025\n" * 2_300_000).encode()[
        :readers.MAX_FILE_BYTES + 1],
    "too_many_rows.csv": lambda: (HEADER + "\n" + "A,1,03/02/2025\n" * (readers.MAX_DATA_ROWS + 1)).encode(),
    "purchase_cards_utf16_no_bom.txt": lambda: _UNICODE_TEXT.encode("utf-16-le"),
    "utf16_cut_short.txt": lambda: codecs.BOM_UTF16_LE + _UNICODE_TEXT.encode("utf-16-le")[:-1],
    "only_sheet_empty.xlsx": lambda: _workbook(("Sheet1", [])),
    "chart_sheet_only.xlsx": _chart_sheet_only,
    "damaged_sheet_part.xlsx": lambda: _damaged_part(_xlsx_bytes(
        [HEADER.split(",")] + [[f"Supplier {i}", 100 + i, dt.datetime(2025, 2, 3)] for i in range(40)]),
        "xl/worksheets/sheet1.xml"),
    "dates_typed_as_numbers.xlsx": lambda: _xlsx_bytes([HEADER.split(","), ["Acme Catering Ltd", 1250, 45691],
                                                        ["Brum Cleaning CIC", 642, 4571],
                                                        ["Digbeth Print Ltd", 80, dt.datetime(1925, 2, 3)]]),
    "error_cells.xlsx": lambda: _xlsx_bytes([HEADER.split(","), ["Acme Catering Ltd", 1250, dt.datetime(2025, 2, 3)],
                                             ["Brum Cleaning CIC", "#DIV/0!", dt.datetime(2025, 2, 5)]]),
    "month_sheets_differ.xlsx": lambda: _workbook(
        ("Jan 2025", [HEADER.split(","), _PAYMENTS[0]]),
        ("Feb 2025", [["Supplier Name", "Net Amount", "VAT", "Payment Date"], ["Brum Cleaning CIC", 642, 128.4,
                                                                               dt.datetime(2025, 2, 3)]])),
    "quarter_sheet_repeats_months.xlsx": lambda: _workbook(
        ("Jan", [HEADER.split(","), _PAYMENTS[0]]), ("Feb", [HEADER.split(","), _PAYMENTS[1]]),
        ("Q4 2024-25", [HEADER.split(","), *_PAYMENTS])),
    "binary_workbook.xlsb": lambda: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00"}),
    "opendocument.ods": lambda: _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                                      "content.xml": b"<office:document-content/>"}),
    "powerpoint_renamed.xlsx": lambda: _zip({"[Content_Types].xml": b"<Types/>",
                                             "ppt/presentation.xml": b"<p:presentation/>"}),
    "gzipped_export.csv": lambda: gzip.compress((HEADER + "\nAcme Catering Ltd,1250.00,03/02/2025\n").encode()),
    "photo_of_printout.csv": lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48" + bytes(range(256)) * 4,
    "nul_padded.csv": lambda: (HEADER + "\r\nAcme Catering Ltd,1250.00,03/02/2025\r\n").encode() + b"\x00" * 4096,
}

# file -> (kind, [(row, column, what the message says)]); a committed file missing here fails the test.
CORPUS = {
    "empty.csv": ("spend", [(None, None, "the file is empty")]),
    "blank_lines_only.csv": ("spend", [(None, None, "the file is empty")]),
    "png_renamed.csv": ("spend", [(None, None, "this is a PNG image, not a CSV or Excel file")]),
    "pdf_renamed.csv": ("spend", [(None, None, "this is a PDF document, not a CSV or Excel file")]),
    "binary_garbage.csv": ("spend", [(None, None, "it holds binary data")]),
    "web_page_saved_as.xls": ("spend", [(None, None, "this is a web page (HTML)")]),
    "header_only.csv": ("spend", [(None, None, "the file has a header but no data rows")]),
    "formula_cells.csv": ("spend", [(6, "Amount", "'=SUM(B2:B5)' is not an amount in pounds")]),
    "html_in_names.csv": ("spend", [(4, "Payment Date", "'<b>05/02/2025</b>' is not a date")]),
    "postcodes.csv": ("spend", [(4, "Supplier Postcode", "XX1 1XX is not a current postcode in OS Code-Point Open"),
                                (5, "Supplier Postcode", "'NOTAPOSTCODE' is not a UK postcode")]),
    "dates_out_of_range.csv": ("spend", [(2, "Payment Date", "01/01/2099 is in the future"),
                                         (3, "Payment Date", "31/12/1999 is before 2000"),
                                         (4, "Payment Date", "'31/02/2025' is not a real date"),
                                         (5, "Payment Date", "looks like month first (US order)")]),
    "amounts_not_numbers.csv": ("spend", [(2, "Amount", "'twelve pounds' is not an amount in pounds"),
                                          (3, "Amount", "'1.2.3' is not an amount in pounds"),
                                          (4, "Amount", "misplaced thousands separators"),
                                          (5, "Amount", "fractions of a penny"),
                                          (6, "Amount", "'N/A' is not an amount in pounds"),
                                          (7, "Amount", "'€1,200.00' is not in pounds")]),
    "ambiguous_amounts.csv": ("spend", [(None, None, "'Net Amount' and 'Gross Amount'"),
                                        (None, None, '--map "Net Amount=amount_gbp"')]),
    "ambiguous_dates.csv": ("spend", [(None, None, "'Posting Date' and 'Payment Date'")]),
    "currency_eur.csv": ("spend", [(None, "Currency", "is not in pounds on 1 row(s) (EUR 1)"),
                                   (3, "Currency", "EUR: the amount in 'Amount' is not in pounds")]),
    "missing_supplier_column.csv": ("spend", [(None, "supplier_name", "this required column is missing")]),
    "personal_data_participants.csv": ("participants", [(None, "Surname", "personal identifiers must not be")]),
    "ragged_unquoted_comma.csv": ("spend", [(3, None, "is there a comma inside a value that is not in quotes?")]),
    "total_row_not_the_sum.csv": ("spend", [(4, None, "is not the sum of the rows above (£300.00)")]),
    "excel_error_values.csv": ("spend", [(2, "Amount", "shows the spreadsheet error #REF!"),
                                         (3, "Payment Date", "shows the spreadsheet error #N/A")]),
    "name_too_long.csv": ("spend", [(2, "Supplier Name", "is longer than 200 characters")]),
    "no_recognisable_header.csv": ("spend", [(None, None, "looks like the column names of a spend file")]),
    "zip_bomb_size.xlsx": ("spend", [(None, None, "would unpack to 210 MB, over the 200 MB limit")]),
    "zip_bomb_ratio.xlsx": ("spend", [(None, None, "'zip bombs'")]),
    "sixty_sheets.xlsx": ("spend", [(None, None, "the workbook has 60 sheets; at most 50 are read")]),
    "not_a_workbook.xlsx": ("spend", [(None, None, "this is a zip archive, not a CSV or Excel file")]),
    "word_document.xlsx": ("spend", [(None, None, "this is a Word document")]),
    "damaged.xlsx": ("spend", [(None, None, "cannot be read as an Excel workbook")]),
    "encrypted.xlsx": ("spend", [(None, None, "protected with a password")]),
    "not_really.xls": ("spend", [(None, None, "cannot be read as an Excel workbook (.xls)")]),
    "formula_without_value.xlsx": ("spend", [(3, "Amount", "holds a formula whose result was not saved")]),
    "over_size_limit.csv": ("spend", [(None, None, "larger than the 50 MB limit")]),
    "too_many_rows.csv": ("spend", [(None, None, "more than 1,000,000 rows")]),
    # Encodings and what files really are
    "purchase_cards_utf16_no_bom.txt": ("spend", [(3, "Amount", "'$15.99' is not in pounds")]),
    "utf16_cut_short.txt": ("spend", [(None, None, "says it is UTF-16 text but is damaged")]),
    "nul_padded.csv": ("spend", [(None, None, "it holds binary data")]),
    "rich_text_renamed.csv": ("spend", [(None, None, "this is a Rich Text (RTF) document")]),
    "gzipped_export.csv": ("spend", [(None, None, "this is a gzip archive")]),
    "photo_of_printout.csv": ("spend", [(None, None, "this is a JPEG image")]),
    "excel_2003_xml.xls": ("spend", [(None, None, "this is an Excel 2003 XML spreadsheet")]),
    "login_page_saved_as.xls": ("spend", [(None, None, "this is a web page (HTML)")]),
    "binary_workbook.xlsb": ("spend", [(None, None, "this is an Excel binary workbook (.xlsb)")]),
    "opendocument.ods": ("spend", [(None, None, "this is an OpenDocument spreadsheet (.ods)")]),
    "powerpoint_renamed.xlsx": ("spend", [(None, None, "this is a PowerPoint presentation")]),
    # Workbooks
    "only_sheet_empty.xlsx": ("spend", [(None, None, "it is blank at the top")]),
    "chart_sheet_only.xlsx": ("spend", [(None, None, "the workbook has no sheets with cells")]),
    "damaged_sheet_part.xlsx": ("spend", [(None, None, "Bad CRC-32 for file 'xl/worksheets/sheet1.xml'")]),
    "dates_typed_as_numbers.xlsx": ("spend", [(3, "Payment Date", "'4571' is not a date"),
                                              (4, "Payment Date", "03/02/1925 is before 2000")]),
    "error_cells.xlsx": ("spend", [(3, "Amount", "shows the spreadsheet error #DIV/0!")]),
    "month_sheets_differ.xlsx": ("spend", [(None, None, "'Net Amount', 'VAT' only on 'Feb 2025'")]),
    "quarter_sheet_repeats_months.xlsx": ("spend", [(None, None, "every row of sheet 'Q4 2024-25' is also on sheets "
                                                                 "'Jan', 'Feb'")]),
    # Columns
    "duplicate_amount_columns.csv": ("spend", [(None, None, "'Amount (column H)' and 'Amount (column I)'")]),
    "two_header_rows.csv": ("spend", [(2, "Amount (£)", "'Net' is not an amount in pounds"),
                                      (2, "Date", "'Paid' is not a date")]),
    "vat_column_only.csv": ("spend", [(None, "amount_gbp", "this required column is missing (the amount in pounds)")]),
    "amount_in_euros.csv": ("spend", [(None, "Amount (EUR)", "says its amounts are in EUR, not pounds")]),
    "amounts_in_thousands.csv": ("spend", [(None, "Value £000", "in thousands of pounds (£000), not pounds")]),
    "amounts_in_pence.csv": ("spend", [(None, "Amount (pence)", "says its amounts are in pence, not pounds")]),
    "paid_date_times_only.csv": ("spend", [(None, "Paid Date", "holds only times of day, no dates")]),
    "summary_by_expense_type.csv": ("spend", [(None, "payment_date",
                                               "this required column is missing (the payment date)")]),
    "spend_sent_as_participants.csv": ("participants", [(None, None, "the column names of a participants file"),
                                                        (None, "participant_ref", "this required column is missing")]),
    # Rows and cells
    "no_rows_under_title.csv": ("spend", [(None, None, "the file has a header but no data rows")]),
    "payment_without_amount.csv": ("spend", [(None, "Amount", "1 row has no amount: row 3 (Medtronic Ltd"),
                                             (3, "Amount", "is empty: this row has no amount")]),
    "every_amount_blank.csv": ("spend", [(None, "Amount", "2 rows have no amount")]),
    "aggregated_lines_without_date.csv": ("spend", [(None, "Paid Date", "has no payment date, £7,815,670.80 in all"),
                                                    (3, "Paid Date", "is empty: this row has no payment date")]),
    "amounts_in_pence_text.csv": ("spend", [(3, "Amount", "'95p' is not an amount in pounds"),
                                            (5, "Amount", "'450p' is not an amount in pounds")]),
    "semicolon_decimal_commas.csv": ("spend", [(2, "Amount", "'1250,50' has misplaced thousands separators"),
                                               (4, "Amount", "'12,5' has misplaced thousands separators")]),
    "accounting_format_zero.csv": ("spend", [(3, "Net Amount", "'-' is not an amount in pounds")]),
    "card_number_in_amount.csv": ("spend", [(3, "Amount", "is too large for an amount in pounds")]),
    "dates_after_today.csv": ("spend", [(2, "Date", "03/07/2025 is in the future"),
                                        (4, "Date", "02/09/2025 is in the future")]),
    "ledger_period_not_a_date.csv": ("spend", [(3, "Payment Date", "'P11 2024/25' is not a date")]),
    "sme_flag_not_known.csv": ("spend", [(3, "Voluntary Community and Social Enterprise Supplier",
                                          "'Not known' is not Yes or No")]),
    # Participants
    "participants_date_of_birth.csv": ("participants", [(None, "Date of Birth", "holds a date of birth")]),
    "participants_names_and_postcodes.csv": ("participants", [(None, "Forename", "this column holds a name"),
                                                              (None, "Email", "this column holds an email address")]),
    "participants_job_before_start.csv": ("participants", [(2, "job_start_date", "is before the start date"),
                                                           (3, "completion_date", "is before the start date")]),
    "participants_unknown_initiative.csv": ("participants", [(3, "Programme", "'Kickstart' is not an initiative of "
                                                                              "this network")]),
    "participants_in_post_without_job_start.csv": ("participants", [(3, "in_post_6_months",
                                                                     "there is no job start date")]),
    "participants_repeated_reference.csv": ("participants", [(4, "Participant Ref", "'HTH-0042' appears more than "
                                                                                    "once for this initiative")]),
    "participants_no_postcode_or_lsoa.csv": ("participants", [(3, "home_postcode", "give a postcode or an lsoa_code")]),
    "participants_msoa_codes.csv": ("participants", [(3, "lsoa_code", "'E02001234' is not an LSOA code"),
                                                     (4, "lsoa_code", "E01009999 is not an LSOA 2021 code")]),
    "participants_monitoring_codes.csv": ("participants", [(2, "age_band", "'34' is not one of"),
                                                           (2, "gender", "'F' is not one of"),
                                                           (2, "ethnicity", "'WBRI' is not one of")]),
    "participants_postcode_district_only.csv": ("participants", [
        (2, "home_postcode", "'B10' is not a UK postcode"), (3, "start_date", "01/01/1900 is before 2000"),
        (4, "completion_date", "31/08/2025 is in the future")]),
}


def test_every_committed_corpus_file_has_expectations():
    committed = {p.name for p in BAD.iterdir()}
    assert committed and committed <= set(CORPUS) and not committed & set(GENERATED)
    assert set(CORPUS) == committed | set(GENERATED)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_input_is_refused_with_where_and_why_and_changes_nothing(db, name):
    kind, expected = CORPUS[name]
    data = GENERATED[name]() if name in GENERATED else (BAD / name).read_bytes()
    before = dump(db)
    with pytest.raises(ingest.IngestError) as caught:
        ingest.ingest("tiny", "council" if kind == "spend" else "trust", kind, "2025Q1", data=data, file_name=name,
                      today=TODAY)
    assert str(caught.value).startswith(f"{name}: ") and "nothing was saved" in str(caught.value)
    problems = caught.value.problems
    for row, column, words in expected:
        found = [p for p in problems if p.row == row and p.column == column and words in p.message]
        assert found, f"no problem at row {row}, column {column} saying {words!r}: {[str(p) for p in problems]}"
        if row is not None:
            assert str(found[0]).startswith(f"Row {row}, column {column}:" if column else f"Row {row}:")
    assert dump(db) == before


def test_a_file_whose_every_row_lacks_an_amount_is_not_called_one_with_no_data_rows(db):
    preview = prepare((BAD / "every_amount_blank.csv").read_bytes(), "every_amount_blank.csv")
    messages = [p.message for p in preview.problems]
    assert any(m.startswith("2 rows have no amount: row 2 (Acme Catering Ltd") for m in messages)
    assert "the file has a header but no data rows" not in messages


def test_postcode_rows_in_scotland_and_wales_are_not_problems(db):
    preview = prepare((BAD / "postcodes.csv").read_bytes(), "postcodes.csv")
    assert sorted({p.row for p in preview.problems}) == [4, 5]


# The core stays free of Streamlit; the column-at-a-time parsers agree with the one-cell ones


@pytest.mark.parametrize("module", ["recognise", "checks", "place", "readers", "problems", "ingest"])
def test_new_core_modules_do_not_import_streamlit(module):
    code = f"import sys, dashboard.{module}; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=config.REPO_DIR, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@given(st.one_of(st.from_regex(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}", fullmatch=True),
                 st.text(max_size=9)))
def test_column_postcode_check_agrees_with_postcodes_normalise(raw):
    import pandas as pd

    values, bad = checks.normalise_postcodes(pd.Series([raw], dtype="str"))
    try:
        expected = postcodes.normalise(raw)
    except postcodes.PostcodeError:
        assert bad.iloc[0]
    else:
        assert not bad.iloc[0] and values.iloc[0] == expected


def test_reading_excel_serial_and_two_digit_years_is_documented_behaviour():
    assert parsing.parse_date("1/2/68") == dt.date(2068, 2, 1)
    assert parsing.parse_date("1/2/69") == dt.date(1969, 2, 1)
    assert parsing.parse_date("45658") == dt.date(2025, 1, 1)


_DATE_LIKE = st.one_of(
    st.from_regex(r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.]([0-9]{2}|[0-9]{4})( [0-9]{1,2}:[0-9]{2})?", fullmatch=True),
    st.from_regex(r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}", fullmatch=True),
    st.from_regex(r"[0-9]{1,2}(st|nd|rd|th)?[- ]?(Jan|feb|MAR|April|Sept|June|Foo)[- ,]*([0-9]{2}|[0-9]{4})",
                  fullmatch=True),
    st.from_regex(r"[0-9]{5}(\.[0-9])?", fullmatch=True),
    st.text(max_size=12))
_AMOUNT_LIKE = st.one_of(
    st.from_regex(r"-?\(?(£|GBP)?-?[0-9]{1,14}(,[0-9]{3})*(\.[0-9]{0,4})?\)?( ?(CR|DR|-))?", fullmatch=True),
    st.text(max_size=12))


@given(st.lists(_DATE_LIKE, min_size=1, max_size=5))
def test_column_and_one_cell_date_parsers_agree(cells):
    import pandas as pd

    values, bad = parsing.dates(pd.Series(cells, dtype="str"))
    for raw, value, is_bad in zip(cells, values, bad, strict=True):
        try:
            one = parsing.parse_date(raw)
        except parsing.ValueProblem:
            assert is_bad, raw
        else:
            assert not is_bad and value.date() == one, raw


@given(st.lists(_AMOUNT_LIKE, min_size=1, max_size=5))
def test_column_and_one_cell_amount_parsers_agree(cells):
    import pandas as pd

    pence, bad = parsing.amounts(pd.Series(cells, dtype="str"))
    for raw, value, is_bad in zip(cells, pence, bad, strict=True):
        try:
            one = parsing.parse_amount(raw)
        except parsing.ValueProblem:
            assert is_bad, raw
        else:
            assert not is_bad and Decimal(int(value)).scaleb(-2) == one, raw
