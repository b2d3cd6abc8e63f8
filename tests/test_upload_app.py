"""The partner's and the coordinator's pages, driven by AppTest against a private copy of the demo database:
upload a file, see its problems, commit it; the submissions board; suppliers to classify."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access, figures, parsing, store, submissions, suppliers
from dashboard.ui import formatting
from tests.apptest import ADMIN, signed_in

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
NETWORK = "birmingham"
INSTITUTION = "uob"  # the demo's University of Birmingham sends spend files but no participants
QUARTER = submissions.last_complete_quarter()


def day(n: int, quarter: str = QUARTER) -> str:
    """The n-th day (from 0) of a quarter (by default the last complete one), as a partner types it."""
    return f"{parsing.quarter_bounds(quarter)[0] + dt.timedelta(days=n):%d/%m/%Y}"


def participants_csv(quarter: str = QUARTER) -> str:
    return ("participant_ref,initiative,home_postcode,start_date,job_start_date\n"
            f"UOB-1,i-can,B10 0AB,{day(3, quarter)},{day(40, quarter)}\n"
            f"UOB-2,I Can,B12 9QE,{day(10, quarter)},\n"
            f"UOB-3,hospitality-to-health,B10 0AB,{day(20, quarter)},\n")


PARTICIPANTS_CSV = participants_csv()
BAD_DATE = "31/02/2026"  # no such day


def open_page(page: str) -> AppTest:
    at = signed_in(AppTest.from_file(str(APP), default_timeout=60))
    at.query_params["network"] = NETWORK
    at.run()
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception
    return at


def choose(at: AppTest, kind: str, quarter: str = QUARTER) -> AppTest:
    at.selectbox(key="upload_network").set_value(NETWORK).run()
    at.selectbox(key="upload_institution").set_value(INSTITUTION).run()
    at.selectbox(key="upload_kind").set_value(kind).run()
    at.selectbox(key="upload_quarter").set_value(quarter).run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, text: str) -> AppTest:
    at.file_uploader(key="upload_file").upload(name, text.encode("utf-8"), "text/csv").run()
    assert not at.exception
    return at


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one table on the page with these columns (tables have no keys in AppTest)."""
    tables = [*at.dataframe, *at.table]
    found = [df.value for df in tables if set(columns) <= set(df.value.columns)]
    assert len(found) == 1, [list(df.value.columns) for df in tables]
    return found[0]


def table_of(at: AppTest, *columns: str) -> pd.DataFrame | None:
    """The table on the page with exactly these columns, or None."""
    found = [df.value for df in at.dataframe if list(df.value.columns) == list(columns)]
    assert len(found) <= 1
    return found[0] if found else None


def commit_file(at: AppTest, name: str, text: str) -> AppTest:
    upload(at, name, text)
    at.button(key="upload_commit").click().run()
    assert not at.exception
    assert any("Committed as submission" in s.value for s in at.success)
    return at


def replaced(at: AppTest) -> pd.DataFrame:
    """The 'already sent' and 'this file' comparison shown before a resubmission is committed."""
    return table_with(at, "Already sent", "This file").set_index("")


def submission_rows(db: Path) -> pd.DataFrame:
    with store.connect(db) as con:
        return submissions.history(con.cursor(), NETWORK, scope=access.system())


def report(db: Path, first: str, last: str) -> dict:
    with store.connect(db) as con:
        return figures.report(con.cursor(), figures.Selection(network_id=NETWORK, from_quarter=first,
                                                              to_quarter=last))


def test_templates_and_column_guide_for_each_dataset(demo_db):
    at = open_page("upload")
    assert at.selectbox(key="upload_quarter").value == QUARTER  # the last complete quarter by default
    for kind, first_column in (("participants", "participant_ref"), ("spend", "supplier_name")):
        at.selectbox(key="upload_kind").set_value(kind).run()
        assert not at.exception
        csv_button = at.download_button(key="upload_template_csv")
        xlsx_button = at.download_button(key="upload_template_xlsx")
        assert csv_button.proto.url.endswith(".csv") and xlsx_button.proto.url.endswith(".xlsx")
        guide = at.table[0].value
        assert guide["column"].iloc[0] == first_column
        assert {"required", "description", "example"} <= set(guide.columns)


def test_a_file_with_an_error_lists_it_by_row_and_column_and_saves_nothing(demo_db):
    before = submission_rows(demo_db)
    at = choose(open_page("upload"), "participants")
    upload(at, "uob_participants.csv", PARTICIPANTS_CSV.replace(day(10), BAD_DATE))

    problems = table_with(at, "Row", "Column", "Problem")
    assert list(problems["Row"]) == [3] and list(problems["Column"]) == ["start_date"]
    assert BAD_DATE in problems["Problem"].iloc[0]
    assert any("1 problem to fix" in e.value for e in at.error)
    assert at.download_button(key="upload_problems_csv").label == "Download the list of problems (CSV)"
    assert at.button(key="upload_commit").disabled
    pd.testing.assert_frame_equal(submission_rows(demo_db), before)


def test_fixed_file_commits_and_shows_everywhere(demo_db):
    at = open_page("overview")
    first, last = at.select_slider(key="overview_quarters").value
    shown_before = int(next(m for m in at.metric if m.label == "Participants").value.replace(",", ""))

    at.switch_page("views/upload.py").run()
    choose(at, "participants")
    upload(at, "uob_participants.csv", PARTICIPANTS_CSV.replace(day(10), BAD_DATE))
    assert at.button(key="upload_commit").disabled
    upload(at, "uob_participants.csv", PARTICIPANTS_CSV)
    assert not at.error
    assert [m.value for m in at.metric if m.label in ("Rows", "Problems")] == ["3", "0"]
    assert not any("replaces" in w.value for w in at.warning)  # UoB never sent participants
    at.button(key="upload_commit").click().run()
    assert not at.exception

    new = submission_rows(demo_db).iloc[0]
    assert (new["institution_id"], new["kind"], new["quarter"], new["row_count"], new["submitted_by"]) == (
        INSTITUTION, "participants", QUARTER, 3, ADMIN.actor)  # the signed-in account
    receipt = at.success[0].value
    assert f"submission {new['submission_id']}" in receipt and "3 rows accepted" in receipt
    receipt_table = table_with(at, "Receipt", "Value").set_index("Receipt")["Value"]
    assert receipt_table["Submission"] == str(new["submission_id"]) and receipt_table["Rows accepted"] == "3"
    assert receipt_table["Replaces"] == "nothing"
    assert at.code[0].value == new["sha256"]
    history = table_with(at, "Submission", "Status")
    assert history["Submission"].iloc[0] == new["submission_id"] and history["Status"].iloc[0] == "Active"

    # The overview shows the new figures at once (the cache was cleared) and they agree with the report.
    at.switch_page("views/overview.py").run()
    assert not at.exception
    first, last = at.select_slider(key="overview_quarters").value
    expected = report(demo_db, first, last)
    shown = int(next(m for m in at.metric if m.label == "Participants").value.replace(",", ""))
    assert shown == expected["participants"] == shown_before + 3


def test_resubmission_says_what_it_replaces_before_commit(demo_db):
    at = choose(open_page("upload"), "participants")
    upload(at, "first.csv", PARTICIPANTS_CSV)
    at.button(key="upload_commit").click().run()
    first_id = int(submission_rows(demo_db)["submission_id"].iloc[0])
    count = len(submission_rows(demo_db))

    upload(at, "second.csv", PARTICIPANTS_CSV + f"UOB-4,i-can,B12 9QE,{day(30)},\n")
    assert len([w for w in at.warning if "replaces the one already sent" in w.value]) == 1
    compare = replaced(at)
    assert compare.loc["File"].tolist() == ["first.csv", "second.csv"]
    assert compare.loc["Submission", "Already sent"] == str(first_id)
    assert compare.loc["Rows"].tolist() == ["3", "4"]
    assert compare.loc["Sent by", "Already sent"] == ADMIN.actor
    assert len(submission_rows(demo_db)) == count  # nothing written by the preview

    at.button(key="upload_commit").click().run()
    assert not at.exception
    assert f"replaces submission {first_id}" in at.success[0].value
    rows = submission_rows(demo_db).set_index("submission_id")
    assert rows.loc[first_id, "status"] == "superseded"


def test_spend_resubmission_compares_totals(demo_db):
    at = choose(open_page("upload"), "spend")
    old = submission_rows(demo_db).query("institution_id == @INSTITUTION and kind == 'spend' and quarter == @QUARTER")
    if old.empty:
        pytest.skip(f"the demo has no UoB spend file for {QUARTER}")
    upload(at, "uob_spend.csv", "supplier_name,supplier_postcode,amount_gbp,payment_date\n"
                                f"Balsall Heath Catering CIC,B12 9QE,\"£1,250.00\",{day(5)}\n"
                                f"Digbeth Print Ltd,,(250.00),{day(6)}\n")
    assert next(m for m in at.metric if m.label == "Total spend").value == "£1,000.00"
    compare = replaced(at)
    assert compare.loc["Rows"].tolist() == [f"{int(old['row_count'].iloc[0]):,}", "2"]
    assert compare.loc["Total spend"].tolist() == [formatting.money_exact(old["total_gbp"].iloc[0]), "£1,000.00"]


def test_unrecognised_and_ambiguous_columns_are_asked_then_remembered(demo_db):
    at = choose(open_page("upload"), "spend")
    export = ("Payee,Net Amount,Gross Amount,Date Paid,Postcode\n"
              f"Balsall Heath Catering CIC,100.00,120.00,{day(5)},B12 9QE\n")
    upload(at, "export.csv", export)
    assert any("more than one column could be the amount in pounds" in line.value.lower() for line in at.text)
    assert next(m for m in at.metric if m.label == "Rows").value == "–"
    assert at.button(key="upload_commit").disabled
    at.selectbox(key="upload_map_Net Amount").set_value("amount_gbp").run()
    assert not at.exception
    assert not at.error
    assert next(m for m in at.metric if m.label == "Total spend").value == "£100.00"
    at.button(key="upload_commit").click().run()
    assert any("column choices are saved" in c.value for c in at.caption)

    # Next quarter's export maps itself from the saved choice, in a fresh session.
    again = choose(open_page("upload"), "spend")
    upload(again, "export2.csv", export.replace("100.00", "90.00"))
    assert not again.error
    mapped = table_with(again, "Your column", "Read as", "Because").set_index("Your column")
    assert mapped.loc["Net Amount", "Because"] == "saved from your last file"


def test_rows_with_no_amount_or_date_are_chosen_on_the_page_and_recorded(demo_db):
    at = choose(open_page("upload"), "spend")
    export = ("Supplier,Amount,Paid Date\n"
              f"Balsall Heath Catering CIC,100.00,{day(5)}\n"
              f"Digbeth Print Ltd,,{day(6)}\n"
              "CAPITA - BENEFIT PAYMENTS,\"7,815,670.80\",\n")
    upload(at, "export.csv", export)
    assert at.button(key="upload_commit").disabled
    assert any("1 row has no amount" in line.value for line in at.text)
    assert any("1 row has no payment date, £7,815,670.80 in all" in line.value for line in at.text)
    at.radio(key="upload_rows_no-amount").set_value("Leave them out").run()
    at.radio(key="upload_rows_no-date").set_value("Date them to {quarter}").run()
    assert not at.exception and not at.error
    assert next(m for m in at.metric if m.label == "Total spend").value == "£7,815,770.80"
    at.button(key="upload_commit").click().run()
    assert not at.exception
    receipt = table_with(at, "Receipt", "Value").set_index("Receipt")["Value"]
    assert receipt["Rows left out, as you chose"] == "1" and receipt["Rows dated to the quarter, as you chose"] == "1"
    with store.connect(demo_db) as con:
        [(choices,)] = con.execute("select row_choices from submission where file_name = 'export.csv'").fetchall()
        dates = con.execute("select payment_date_precision, count(*) from spend join submission using "
                            "(submission_id) where file_name = 'export.csv' group by all order by 1").fetchall()
    assert '"row": 3' in choices and '"reason": "no amount"' in choices and '"dated_to_quarter": 1' in choices
    assert dates == [("day", 1), ("quarter", 1)]


def test_text_from_the_file_is_never_markup(demo_db):
    at = choose(open_page("upload"), "participants")
    upload(at, "first.csv", PARTICIPANTS_CSV)
    at.button(key="upload_commit").click().run()
    upload(at, "[click](http://example.invalid) <b>x</b>.csv", PARTICIPANTS_CSV + f"UOB-9,i-can,B10 0AB,{day(1)},\n")
    name = "[click](http://example.invalid) <b>x</b>.csv"
    assert replaced(at).loc["File", "This file"] == name  # shown as typed, in a table
    markup = [e.value for elements in (at.markdown, at.caption, at.warning, at.info, at.success, at.error)
              for e in elements]
    assert any("replaces the one already sent" in text for text in markup)
    assert not any("example" in text or "<b>" in text for text in markup)  # never via Markdown, even escaped


def test_submissions_board_shows_new_files_and_whom_to_chase(demo_db):
    uob, label = "University of Birmingham", parsing.quarter_label(QUARTER)
    previous = parsing.shift_quarter(QUARTER, -1)

    def uob_participants(table: pd.DataFrame | None) -> bool:
        return table is not None and ((table["Institution"] == uob) & (table["Dataset"] == "Participants")).any()

    at = open_page("submissions")
    assert at.selectbox(key="submissions_quarter").value == QUARTER
    # UoB has never sent participants: listed apart, not to chase.
    assert uob_participants(table_of(at, "Institution", "Dataset"))
    assert not uob_participants(table_of(at, "Institution", "Dataset", "Last sent"))

    # Once it has sent the quarter before, the missing quarter is one to chase.
    at.switch_page("views/upload.py").run()
    commit_file(choose(at, "participants", previous), "uob_previous.csv", participants_csv(previous))
    at.switch_page("views/submissions.py").run()
    assert not at.exception
    chase = table_of(at, "Institution", "Dataset", "Last sent")
    assert uob_participants(chase)
    assert chase.set_index("Institution").loc[uob, "Last sent"] == parsing.quarter_label(previous)
    assert any("Whom to chase before the meeting" in w.value for w in at.warning)

    at.switch_page("views/upload.py").run()
    commit_file(choose(at, "participants"), "uob.csv", PARTICIPANTS_CSV)
    at.switch_page("views/submissions.py").run()
    assert not at.exception
    assert not uob_participants(table_of(at, "Institution", "Dataset", "Last sent"))
    grids = [df.value.set_index("Institution") for df in at.dataframe if label in df.value.columns]
    participants_grid = grids[0]  # participants first, then spend
    sent_on = submission_rows(demo_db)["submitted_at"].iloc[0]
    assert participants_grid.loc[uob, label] == f"3 rows · {sent_on:%-d %b}"
    assert participants_grid.loc[uob, parsing.quarter_label(previous)].startswith("3 rows")
    # Institutions that have never sent participants are not flagged as missing.
    assert (participants_grid[label] == submissions.NEVER_SENT).any()
    history = table_with(at, "Submission", "Institution", "Status")
    assert history["Institution"].iloc[0] == uob and history["Sent by"].iloc[0] == ADMIN.actor


def test_classifying_a_supplier_raises_the_known_location_share(demo_db):
    at = open_page("suppliers")
    share_before = next(m for m in at.metric if m.label == "Spend with a known location").value
    editor = at.data_editor[0].value
    top = editor.iloc[0]["supplier_name"]

    # A postcode that does not exist: the problem names the row and column; nothing is saved.
    at.session_state["suppliers_editor"] = {"edited_rows": {0: {"supplier_postcode": "ZZ9 9ZZ"}},
                                            "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="suppliers_save").click().run()
    assert not at.exception
    problems = table_with(at, "Row", "Supplier", "Column", "Problem")
    assert problems.iloc[0][["Row", "Supplier", "Column"]].tolist() == [1, top, "Postcode"]
    with store.connect(demo_db) as con:
        assert suppliers.register(con.cursor(), NETWORK, scope=access.system()).empty

    at.session_state["suppliers_editor"] = {"edited_rows": {0: {"supplier_postcode": "B10 0AB", "is_sme": "Yes"}},
                                            "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="suppliers_save").click().run()
    assert not at.exception and not at.error
    assert "Saved 1 supplier" in at.success[0].value
    share = next(m for m in at.metric if m.label == "Spend with a known location")
    assert float(share.value.rstrip("%")) > float(share_before.rstrip("%"))
    assert share.proto.delta.startswith("+")
    assert top not in set(at.data_editor[0].value["supplier_name"])
    with store.connect(demo_db) as con:
        entry = suppliers.register(con.cursor(), NETWORK, scope=access.system()).iloc[0]
    assert (entry["supplier_name"], entry["supplier_postcode"], bool(entry["is_sme"])) == (top, "B10 0AB", True)
    assert entry["updated_by"] == ADMIN.actor


def test_supplier_list_upload_adds_to_the_register(demo_db):
    at = open_page("suppliers")
    names = list(at.data_editor[0].value["supplier_name"].iloc[:2])
    csv = "supplier_name,supplier_postcode,is_sme\n" + "".join(f"{n},B12 9QE,Yes\n" for n in names)
    at.file_uploader(key="suppliers_file").upload("suppliers.csv", csv.encode(), "text/csv").run()
    at.button(key="suppliers_load").click().run()
    assert not at.exception and not at.error
    assert "2 new" in at.success[0].value
    register = table_with(at, "supplier_name", "updated_by")
    assert set(register["supplier_name"]) == set(names)


def test_submissions_core_imports_no_streamlit():
    import subprocess
    import sys

    code = "import sys, dashboard.submissions; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=APP.parent.parent).returncode == 0


def test_board_and_chase_list_from_hand_made_rows():
    rows = pd.DataFrame([
        # institution, kind, quarter, sent?, last quarter sent up to the board's last
        ("Trust", "participants", "2025Q1", 1, 12, "2025Q2"),
        ("Trust", "participants", "2025Q2", 2, 1, "2025Q2"),
        ("Council", "participants", "2025Q1", 3, 5, "2025Q1"),
        ("Council", "participants", "2025Q2", None, None, "2025Q1"),
        ("College", "participants", "2025Q1", None, None, None),
        ("College", "participants", "2025Q2", None, None, None),
    ], columns=["institution_name", "kind", "quarter", "submission_id", "row_count", "last_quarter_sent"])
    rows["submitted_at"] = pd.Timestamp("2025-07-03 10:00")
    rows.loc[rows["submission_id"].isna(), "submitted_at"] = pd.NaT
    grid = submissions.grid(rows, "participants").set_index("Institution")
    assert list(grid.columns) == ["Jan–Mar 2025", "Apr–Jun 2025"]
    assert grid.loc["Trust", "Apr–Jun 2025"] == "1 row · 3 Jul"
    assert grid.loc["Council", "Jan–Mar 2025"] == "5 rows · 3 Jul"
    assert grid.loc["Council", "Apr–Jun 2025"] == submissions.MISSING
    gaps = submissions.missing(rows, "2025Q2")
    assert gaps.to_dict("records") == [
        {"Institution": "Council", "Dataset": "Participants", "Last sent": "Jan–Mar 2025", "sent_before": True},
        {"Institution": "College", "Dataset": "Participants", "Last sent": "Never", "sent_before": False},
    ]
    assert submissions.last_complete_quarter(dt.date(2026, 11, 24)) == "2026Q3"
    assert submissions.last_complete_quarter(dt.date(2027, 1, 1)) == "2026Q4"
    assert submissions.recent_quarters("2025Q2", 3) == ["2024Q4", "2025Q1", "2025Q2"]


def test_board_and_history_queries_on_the_tiny_network(tmp_path):
    from dashboard import ingest
    from tests import tiny

    db = tiny.build(tmp_path / "tiny.duckdb")
    ingest.ingest("tiny", "trust", "participants", "2025Q1", tiny.TINY / "participants_trust_2025Q1.csv", db=db,
                  submitted_by="a@trust.nhs.uk")
    ingest.ingest("tiny", "council", "spend", "2025Q1", tiny.TINY / "spend_council_2025Q1.csv", db=db,
                  submitted_by="b@council.gov.uk")
    with store.connect(db) as con:
        board = submissions.board(con.cursor(), "tiny", ["2024Q4", "2025Q1", "2025Q2"], scope=access.system())
        history = submissions.history(con.cursor(), "tiny", scope=access.system())
    # 2 institutions x 2 datasets x 3 quarters; only two cells were sent.
    assert len(board) == 12
    sent = board.dropna(subset=["submission_id"])
    assert sorted(zip(sent["institution_id"], sent["kind"], sent["quarter"], sent["row_count"], strict=True)) == [
        ("council", "spend", "2025Q1", 7), ("trust", "participants", "2025Q1", 7)]
    # The last quarter sent is counted up to the board's last quarter only.
    trust = board[(board["institution_id"] == "trust") & (board["kind"] == "participants")]
    assert set(trust["last_quarter_sent"]) == {"2025Q1"}
    assert board[(board["institution_id"] == "trust") & (board["kind"] == "spend")]["last_quarter_sent"].isna().all()
    assert list(history["kind"]) == ["spend", "participants"]  # newest first
    # Spend total to the penny: 1000 + 2500.50 + 400 + 300 + 199.99 - 100 + 5000.
    assert float(history["total_gbp"].iloc[0]) == pytest.approx(9300.49)
    assert pd.isna(history["total_gbp"].iloc[1])
    with store.connect(db) as con:
        earlier = submissions.board(con.cursor(), "tiny", ["2024Q3", "2024Q4"], scope=access.system())
    assert earlier["last_quarter_sent"].isna().all()


def test_the_network_chosen_on_one_page_carries_to_the_next(demo_db):
    at = open_page("overview")
    assert at.selectbox(key="overview_network").value == NETWORK
    at.switch_page("views/submissions.py").run()
    at.selectbox(key="submissions_network").set_value("london").run()
    assert not at.exception
    at.switch_page("views/overview.py").run()
    assert not at.exception
    assert at.selectbox(key="overview_network").value == "london"
    at.switch_page("views/suppliers.py").run()
    assert at.selectbox(key="suppliers_network").value == "london"
