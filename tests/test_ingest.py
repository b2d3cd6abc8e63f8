"""Ingest: every problem reported by row and column, and nothing written unless all is well."""

import datetime as dt
import hashlib
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import ingest, parsing, postcodes, store
from tests import tiny

HEADER = "participant_ref,initiative,home_postcode,start_date,completion_date,job_start_date\n"


@pytest.fixture
def tiny_db(tmp_path, monkeypatch):
    path = tiny.build(tmp_path / "tiny.duckdb")
    monkeypatch.setenv("ANCHOR_DB", str(path))
    return path


PARTICIPANT_ROWS = "select * from participant where network_id = 'tiny' order by submission_id, participant_ref"


def _snapshot():
    with store.connect() as con:
        cur = con.cursor()
        return {"submissions": store.run(cur, "submissions_of_network", network_id="tiny").to_csv(),
                "participants": cur.execute(PARTICIPANT_ROWS).df().to_csv()}


def _refused(kind, text, **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(ingest.IngestError) as caught:
        ingest.ingest("tiny", kwargs.pop("institution", "trust"), kind, "2025Q1", data=data,
                      file_name="upload.csv", **kwargs)
    return [str(p) for p in caught.value.problems]


def test_every_bad_cell_is_reported_with_row_and_column_and_nothing_is_saved(tiny_db):
    before = _snapshot()
    problems = _refused("participants", HEADER + "\n".join([
        "A1,h2h,B1 1AA,10/01/2025,,",
        "A2,h2h,B1 1AA,31/02/2025,,",           # row 3: no 31 February
        "A3,nonsense,B1 1AA,10/01/2025,,",      # row 4: unknown initiative
        "A4,h2h,ZZ,10/01/2025,,",               # row 5: not a postcode
        "A5,h2h,B1 1AA,10/01/2025,01/01/2025,", # row 6: completed before starting
        "A1,h2h,B1 1AA,10/01/2025,,",           # row 7: duplicate reference
        "A7,h2h,B1 1AA,10/01/2099,,",           # row 8: future
        "A8,h2h,SW1A 1AA,10/01/2025,,",         # row 9: valid but not in the lookup
    ]))
    assert any(p.startswith("Row 3, column start_date") and "not a real date" in p for p in problems)
    assert any(p.startswith("Row 5, column home_postcode") for p in problems)
    assert any(p.startswith("Row 6, column completion_date") and "before the start" in p for p in problems)
    assert any(p.startswith("Row 7, column participant_ref") and "more than once" in p for p in problems)
    assert any(p.startswith("Row 8, column start_date") and "future" in p for p in problems)
    assert _snapshot() == before


def test_unknown_initiative_and_postcode_are_reported_after_the_cell_checks(tiny_db):
    before = _snapshot()
    problems = _refused("participants", HEADER + "A3,nonsense,B1 1AA,10/01/2025,,\nA8,h2h,SW1A 1AA,10/01/2025,,\n")
    assert problems[0].startswith("Row 2, column initiative: 'nonsense' is not an initiative")
    assert problems[1] == "Row 3, column home_postcode: SW1A 1AA is not a current postcode in OS Code-Point Open"
    assert _snapshot() == before


@pytest.mark.parametrize("text, expected", [
    (b"", "the file is empty"),
    (b"\x00\x01\x02garbage\x00" * 50, "binary data"),
    ("participant_ref,initiative,start_date\nA1,h2h,10/01/2025\n", "give a postcode"),
    ("initiative,home_postcode,start_date\nh2h,B1 1AA,10/01/2025\n",
     "Column participant_ref: this required column is missing"),
    ("participant_ref,first_name,initiative,home_postcode,start_date\nA1,Jo,h2h,B1 1AA,10/01/2025\n", "a name"),
    (HEADER, "no data rows"),
    (b"PK\x03\x04not really a zip", "cannot be read"),
])
def test_bad_files_get_a_clear_message_and_change_nothing(tiny_db, text, expected):
    before = _snapshot()
    problems = _refused("participants", text)
    assert any(expected in p for p in problems), problems
    assert _snapshot() == before


def test_unknown_institution_is_refused(tiny_db):
    problems = _refused("participants", HEADER + "A1,h2h,B1 1AA,10/01/2025,,\n", institution="elsewhere")
    assert problems == ["'elsewhere' is not an institution of network 'tiny'"]


def test_full_postcode_and_names_are_not_stored(tiny_db):
    ingest.ingest("tiny", "trust", "participants", "2025Q1", tiny.TINY / "participants_trust_2025Q1.csv")
    with store.connect() as con:
        rows = con.cursor().execute(PARTICIPANT_ROWS).df()
    text = rows.to_csv()
    assert "B1 1AA" not in text and "CF10 1AA" not in text
    assert set(rows["postcode_district"].dropna()) == {"B1", "B2", "B66", "CF10", "EH1"}


def test_submission_records_who_what_when_and_checksum(tiny_db):
    path = tiny.TINY / "spend_council_2025Q1.csv"
    receipt = ingest.ingest("tiny", "council", "spend", "2025Q1", path, submitted_by="finance@council.example")
    assert receipt.rows == 7
    assert receipt.total_gbp == Decimal("9300.49")  # the file's own total, Q2 payment included
    assert receipt.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    with store.connect() as con:
        sub = store.run(con.cursor(), "submissions_of_network", network_id="tiny")
    columns = ["institution_id", "kind", "quarter", "file_name", "submitted_by", "row_count", "status"]
    assert sub[columns].values.tolist() == [
        ["council", "spend", "2025Q1", "spend_council_2025Q1.csv", "finance@council.example", 7, "active"]]


def test_xlsx_upload_is_read_like_csv(tiny_db, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["supplier_name", "amount_gbp", "payment_date", "supplier_postcode"])
    ws.append(["Acme Catering Ltd", 1250.5, dt.datetime(2025, 2, 3), "b11aa"])
    ws.append(["Brum CIC", "£2,000.00", "04/02/2025", None])
    path = tmp_path / "spend.xlsx"
    wb.save(path)
    receipt = ingest.ingest("tiny", "council", "spend", "2025Q1", path)
    assert receipt.rows == 2 and receipt.total_gbp == Decimal("3250.50")


def test_cli_says_plainly_when_the_database_is_busy(tiny_db):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(30)"),
        str(tiny_db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        out = subprocess.run([sys.executable, "-m", "dashboard", "network", "list"], capture_output=True, text=True,
                             env={**__import__("os").environ, "ANCHOR_DB_WAIT_S": "1"})
    finally:
        holder.kill()
    assert out.returncode == 2
    assert "in use by another program" in out.stderr and "Traceback" not in out.stderr


# Property-based tests of the cell parsers.

@given(st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2))
def test_amounts_round_trip_in_every_format(value):
    plain = f"{value:.2f}"
    assert parsing.parse_amount(plain) == value
    assert parsing.parse_amount(f"£{abs(value):,.2f}") == abs(value)
    if value < 0:
        assert parsing.parse_amount(f"({abs(value):,.2f})") == value


@given(st.text(max_size=12))
def test_amount_parser_never_crashes(text):
    try:
        parsing.parse_amount(text)
    except parsing.ValueProblem:
        pass


@given(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_round_trip_in_uk_iso_and_excel_forms(day):
    assert parsing.parse_date(f"{day:%d/%m/%Y}") == day
    assert parsing.parse_date(day.isoformat()) == day
    assert parsing.parse_date(str((day - parsing.EXCEL_EPOCH).days)) == day


@given(st.text(max_size=10))
def test_date_parser_never_crashes(text):
    try:
        parsing.parse_date(text)
    except parsing.ValueProblem:
        pass


@given(st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}", fullmatch=True), st.booleans())
def test_postcodes_normalise_to_one_canonical_form(raw, lower):
    text = raw.lower() if lower else raw
    once = postcodes.normalise(text)
    assert postcodes.normalise(once) == once
    assert once == once.upper() and once.count(" ") == 1
    assert once.replace(" ", "") == raw.replace(" ", "")


@given(st.text(max_size=10))
def test_postcode_normaliser_refuses_with_a_reason_or_returns_canonical(text):
    try:
        result = postcodes.normalise(text)
    except postcodes.PostcodeError as exc:
        assert str(exc)
    else:
        assert postcodes.normalise(result) == result
