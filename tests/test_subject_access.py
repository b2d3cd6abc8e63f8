"""The right of access: one participant's records by reference, as CSV, in scope and audited without the reference;
and docs/data-protection.md, checked against the schema so it cannot drift from what is held."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys

import duckdb
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard import access, config, ingest, networks, store, subject_access
from dashboard.access import Scope
from tests import tiny
from tests.apptest import partner, signed_in

REPO = config.REPO_DIR
DOC = REPO / "docs" / "data-protection.md"
PERSON = "ZQ-4471"
HEADER = ("participant_ref,initiative,home_postcode,lsoa_code,start_date,completion_date,job_start_date,employer,"
          "in_post_6_months,age_band,gender,ethnicity,disability\n")
# (institution, quarter, file name, rows). The person is in trust's first Q1 file twice (two initiatives), in the
# file that replaced it, and in trust's Q2 file; the same reference at the council is another institution's person.
UPLOADS = [
    ("trust", "2025Q1", "trust-q1.csv", [
        f"{PERSON},h2h,B1 1AA,,10/01/2025,28/02/2025,07/04/2025,Test NHS Trust,Yes,25-34,Female,White,No",
        f"{PERSON},ican,,E01000002,12/01/2025,,,,,,,,",
        "T-2,h2h,B2 2BB,,15/01/2025,,,,,16-24,Male,White,Yes"]),
    ("trust", "2025Q1", "trust-q1-corrected.csv", [
        f"{PERSON},h2h,B91 3DE,,10/01/2025,28/02/2025,,,,25-34,Female,White,No",
        "T-3,ican,B1 1AA,,20/01/2025,,,,,,,,"]),
    ("trust", "2025Q2", "trust-q2.csv", [
        f"{PERSON},ican,B66 4DD,,05/04/2025,20/05/2025,,,,,Prefer not to say,,",
        "T-2,ican,B2 2BB,,06/04/2025,,,,,,,,"]),
    ("council", "2025Q1", "council-q1.csv", [
        f"{PERSON},h2h,B1 1AA,,10/01/2025,,,,,50-64,Male,Asian or Asian British,Yes",
        "C-1,ican,B2 2BB,,11/01/2025,,,,,,,,"]),
]
# What the export must say about the person, written out by hand from the uploads above and the tiny world's
# postcode table (B1 1AA is LSOA E01000001, B66 4DD is E01000004 with 2011 code E01000105): submission, file, quarter
# and status, then the participant's columns. The full postcode is never among them; its district is.
EXPECTED = [
    ("1", "trust-q1.csv", "2025Q1", "superseded", "h2h", "E01000001", "E01000001", "B1", "England", "2025-01-10",
     "2025-02-28", "2025-04-07", "Test NHS Trust", "Yes", "25-34", "Female", "White", "No"),
    ("1", "trust-q1.csv", "2025Q1", "superseded", "ican", "E01000002", "E01000002", "", "England", "2025-01-12",
     "", "", "", "", "", "", "", ""),
    ("2", "trust-q1-corrected.csv", "2025Q1", "active", "h2h", "E01000003", "E01000003", "B91", "England",
     "2025-01-10", "2025-02-28", "", "", "", "25-34", "Female", "White", "No"),
    ("3", "trust-q2.csv", "2025Q2", "active", "ican", "E01000004", "E01000105", "B66", "England", "2025-04-05",
     "2025-05-20", "", "", "", "", "Prefer not to say", "", ""),
]
EXPECTED_FIELDS = ("submission_id", "file_name", "quarter", "submission_status", "initiative_id", "lsoa21_code",
                   "lsoa11_code", "postcode_district", "nation", "start_date", "completion_date", "job_start_date",
                   "employer", "in_post_6_months", "age_band", "gender", "ethnicity", "disability")

SCOPES = {
    "system": access.system("cli:tester"),
    "admin": Scope("admin@x.example", "admin"),
    "coordinator": Scope("coord@x.example", "coordinator", "tiny"),
    "partner": Scope("partner@x.example", "partner", "tiny", "trust"),
    "partner_of_council": Scope("council@x.example", "partner", "tiny", "council"),
    "coordinator_of_other": Scope("coord@other.example", "coordinator", "other"),
    "funder": Scope("funder@x.example", "funder", grants=frozenset({("tiny", None)})),
    "funder_h2h": Scope("funder2@x.example", "funder", grants=frozenset({("tiny", "h2h")})),
    "public": Scope("public", "public", "tiny"),
}
# Who may export trust's participant records, by hand: row-level data, never for funders or the public.
MAY_EXPORT = {"system", "admin", "coordinator", "partner"}


@pytest.fixture(scope="module")
def uploaded(tmp_path_factory):
    """The tiny network and a second network 'other', with the uploads above committed in order."""
    folder = tmp_path_factory.mktemp("subject-access")
    path = tiny.build(folder / "tiny.duckdb")
    other = (tiny.TINY / "network.yaml").read_text().replace("id: tiny", "id: other").replace(
        "id: trust", "id: o-one").replace("lead: trust", "lead: o-one").replace("Tiny Test", "Other")
    (folder / "other.yaml").write_text(other)
    networks.load(folder / "other.yaml", path)
    for institution_id, quarter, file_name, rows in UPLOADS:
        data = (HEADER + "".join(r + "\n" for r in rows)).encode()
        ingest.ingest("tiny", institution_id, "participants", quarter, data=data, file_name=file_name, db=path)
    return path


@pytest.fixture
def db(tmp_path, uploaded, monkeypatch):
    path = tmp_path / "anchor.duckdb"
    shutil.copyfile(uploaded, path)
    monkeypatch.setenv("ANCHOR_DB", str(path))
    return path


def _rows(db, sql, params=None):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _audit_table(db) -> str:
    """Every cell of the audit log, as text."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.table("audit_log").df().to_csv(index=False)


def _exports(db):
    return _rows(db, "select actor_email, role, network_id, institution_id, detail from audit_log "
                     "where action = 'participant.export' order by audit_id")


def _read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so a spreadsheet reads it as UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _participant_columns(db) -> list[str]:
    return [r[0] for r in _rows(db, "select column_name from information_schema.columns where table_name = "
                                    "'participant' order by ordinal_position")]


# The export


def test_the_export_holds_exactly_the_participants_records(db):
    rows = subject_access.export(SCOPES["partner"], "tiny", "trust", f"  {PERSON} ")
    records = _read_csv(subject_access.to_csv(rows))
    # Every column held: the submission's, then each of the participant table's, none left out.
    assert list(records[0]) == [*subject_access.SUBMISSION_COLUMNS,
                                *[c for c in _participant_columns(db) if c != "submission_id"]]
    assert [tuple(r[f] for f in EXPECTED_FIELDS) for r in records] == EXPECTED
    assert {(r["network_id"], r["institution_id"], r["participant_ref"]) for r in records} == {
        ("tiny", "trust", PERSON)}
    # Checked against the rows the ingest stored: the same rows, each with when its submission was committed.
    held = _rows(db, "select p.submission_id, p.initiative_id, p.start_date, strftime(s.submitted_at, "
                     "'%Y-%m-%d %H:%M:%S') from participant as p join submission as s using (submission_id) "
                     "where p.institution_id = 'trust' and p.participant_ref = $ref order by all", {"ref": PERSON})
    assert sorted((int(r["submission_id"]), r["initiative_id"], r["start_date"], r["committed_at"])
                  for r in records) == [(s, i, d.isoformat(), c) for s, i, d, c in held]
    # Nobody else: not the trust's other participants, not the council's person of the same reference.
    text = subject_access.to_csv(rows).decode("utf-8-sig")
    assert not any(other in text for other in ("T-2", "T-3", "C-1", "council", "council-q1.csv", "Asian"))
    # No full postcode is held, so none can be exported.
    assert not re.search(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", text)


def test_the_council_exports_its_own_person_of_the_same_reference(db):
    rows = subject_access.export(SCOPES["partner_of_council"], "tiny", "council", PERSON)
    assert [(r.file_name, r.initiative_id, r.age_band, r.ethnicity) for r in rows.itertuples()] == [
        ("council-q1.csv", "h2h", "50-64", "Asian or Asian British")]


@pytest.mark.parametrize("role", list(SCOPES))
def test_only_row_level_readers_of_the_institution_may_export(db, role):
    before = _audit_table(db)
    if role in MAY_EXPORT:
        assert len(subject_access.export(SCOPES[role], "tiny", "trust", PERSON)) == len(EXPECTED)
        assert _exports(db)[0][:4] == (SCOPES[role].actor, SCOPES[role].role, "tiny", "trust")
    else:
        with pytest.raises(access.Denied, match="may not see the records of institution 'trust'"):
            subject_access.export(SCOPES[role], "tiny", "trust", PERSON)
        assert _audit_table(db) == before  # refused before anything was read or written


def test_an_export_is_audited_with_the_count_and_never_the_reference(db):
    subject_access.export(SCOPES["partner"], "tiny", "trust", PERSON)
    [(actor, role, network_id, institution_id, detail)] = _exports(db)
    assert (actor, role, network_id, institution_id) == ("partner@x.example", "partner", "tiny", "trust")
    assert json.loads(detail) == {"rows": 4, "submissions": [1, 2, 3]}
    assert PERSON not in _audit_table(db)
    # The audit log refuses the reference outright, whoever asks it to record one.
    from dashboard import audit
    with pytest.raises(ValueError, match="never records participant_ref"):
        audit.note(SCOPES["system"], "participant.export", "tiny", "trust", {"participant_ref": PERSON})


def test_an_unknown_reference_says_so_plainly_and_is_still_audited(db):
    rows = subject_access.export(SCOPES["coordinator"], "tiny", "trust", "NOBODY-1")
    assert rows.empty
    assert json.loads(_exports(db)[0][4]) == {"rows": 0, "submissions": []}
    message = subject_access.nothing_found("tiny", "trust")
    assert message.startswith("No records with that reference in institution 'trust' of network 'tiny'; nothing "
                              "was exported.")
    # Matched exactly as uploaded: the same letters in lower case are another reference.
    assert subject_access.export(SCOPES["coordinator"], "tiny", "trust", PERSON.lower()).empty


def test_a_blank_reference_or_an_unknown_institution_is_refused(db):
    with pytest.raises(store.StoreError, match="Give the participant's reference"):
        subject_access.export(SCOPES["coordinator"], "tiny", "trust", "  ")
    with pytest.raises(store.StoreError, match="'nowhere' is not an institution of network 'tiny'"):
        subject_access.export(SCOPES["coordinator"], "tiny", "nowhere", PERSON)
    assert _exports(db) == []


def test_text_that_a_spreadsheet_would_run_is_written_as_typed():
    frame = pd.DataFrame({"submission_id": [7], "file_name": ["=HYPERLINK(\"x\")"], "employer": ["+44 Ltd"],
                          "in_post_6_months": pd.array([None], dtype="boolean"),
                          "start_date": pd.to_datetime(["2025-01-10"]),
                          "committed_at": pd.to_datetime(["2025-03-01 09:30:05"])})
    [record] = _read_csv(subject_access.to_csv(frame))
    assert record == {"submission_id": "7", "file_name": "'=HYPERLINK(\"x\")", "employer": "'+44 Ltd",
                      "in_post_6_months": "", "start_date": "2025-01-10", "committed_at": "2025-03-01 09:30:05"}


def test_the_subject_access_module_does_not_import_streamlit():
    code = "import sys, dashboard.subject_access; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# The command line


def _cli(db, *args):
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, env={**os.environ, "ANCHOR_DB": str(db)})


def test_export_command_writes_the_csv_and_says_where(db, tmp_path):
    out_file = tmp_path / "request.csv"
    done = _cli(db, "participant", "export", "--network", "tiny", "--institution", "trust", "--ref", PERSON,
                "--out", out_file)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"Wrote 4 record(s) of that participant from institution 'trust' to {out_file}. The audit "
                           "log keeps the count, not the reference.\n")
    records = _read_csv(out_file.read_bytes())
    assert [tuple(r[f] for f in EXPECTED_FIELDS) for r in records] == EXPECTED
    assert not list(tmp_path.glob("*.partial"))
    [(actor, role, _, institution_id, detail)] = _exports(db)
    assert role == "system" and actor.startswith("cli:") and institution_id == "trust"
    assert json.loads(detail)["rows"] == 4
    log = _cli(db, "audit", "--network", "tiny")
    assert "participant.export" in log.stdout and PERSON not in log.stdout + _audit_table(db)


def test_export_command_with_an_unknown_reference_writes_nothing(db, tmp_path):
    out_file = tmp_path / "request.csv"
    done = _cli(db, "participant", "export", "--network", "tiny", "--institution", "trust", "--ref", "NOBODY-1",
                "--out", out_file)
    assert done.returncode == 1
    assert done.stdout.strip() == subject_access.nothing_found("tiny", "trust")
    assert not out_file.exists()


# The page


def test_the_records_page_offers_the_same_csv_for_download(db, monkeypatch):
    saved = []
    keep = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        saved.append((path_or_data, filename))
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    from dashboard.ui import cache
    cache.clear()
    at = signed_in(AppTest.from_file(str(REPO / "dashboard" / "views" / "records.py"), default_timeout=60),
                   partner("tiny", "trust"))
    at.query_params["network"] = "tiny"
    at.run()
    assert not at.exception
    # A partner exports for their own institution only.
    assert at.selectbox(key="records_export_institution").options == ["Test NHS Trust"]
    at.text_input(key="records_export_ref").input(PERSON)
    at.button(key="FormSubmitter:records_export_form-Find records").click().run()
    assert not at.exception and not at.error
    [button] = at.get("download_button")
    assert button.proto.label == "Download 4 records (CSV)"
    [(data, file_name)] = saved
    assert file_name == "tiny-trust-participant-records.csv"
    assert [tuple(r[f] for f in EXPECTED_FIELDS) for r in _read_csv(data)] == EXPECTED
    assert len(_exports(db)) == 1 and PERSON not in _audit_table(db)

    at.text_input(key="records_export_ref").input("NOBODY-1")
    at.button(key="FormSubmitter:records_export_form-Find records").click().run()
    assert not at.get("download_button")
    assert [w.value for w in at.warning] == [subject_access.nothing_found("tiny", "trust")]


# docs/data-protection.md cannot drift from the schema


def _doc_columns() -> set[tuple[str, str]]:
    """Every `table.column` the document names."""
    return set(re.findall(r"`([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)`", DOC.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory) -> dict[str, set[str]]:
    """The tables and columns of a freshly migrated, empty database."""
    with store.connect(tmp_path_factory.mktemp("schema") / "new.duckdb") as con:
        rows = con.execute("select table_name, column_name from information_schema.columns "
                           "where table_schema = 'main'").fetchall()
    schema: dict[str, set[str]] = {}
    for table, column in rows:
        schema.setdefault(table, set()).add(column)
    return schema


def test_every_table_and_column_the_document_names_exists(fresh_schema):
    named = _doc_columns()
    assert len(named) >= 30
    missing = sorted(f"{t}.{c}" for t, c in named if c not in fresh_schema.get(t, set()))
    assert not missing, f"docs/data-protection.md names columns no migration creates: {missing}"


def test_the_document_names_every_column_of_the_participant_table(fresh_schema):
    named = {c for t, c in _doc_columns() if t == "participant"}
    left_out = sorted(fresh_schema["participant"] - named)
    assert not left_out, f"docs/data-protection.md does not say what participant.{left_out} holds"


def test_the_document_names_every_column_that_holds_an_email_or_free_text(fresh_schema):
    # Staff emails and text people type are personal data too: every such column is in the document.
    people = {(t, c) for t, cols in fresh_schema.items() for c in cols
              if c in {"email", "actor_email", "submitted_by", "created_by", "updated_by", "decided_by",
                       "written_by", "text", "detail", "supplier_name", "employer"}}
    assert people and not people - _doc_columns(), sorted(people - _doc_columns())


def test_the_document_lists_what_the_ingest_refuses_and_is_linked_from_the_readme():
    from dashboard import contract
    text = DOC.read_text(encoding="utf-8")
    assert all(f"`{column}`" in text for column in contract.FORBIDDEN_COLUMNS)
    assert "(docs/data-protection.md)" in (REPO / "README.md").read_text(encoding="utf-8")
