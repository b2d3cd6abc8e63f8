"""Notes on a quarter: who may write them, every version kept, plain text everywhere, audited."""

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access, notes, store
from dashboard.ui import cache
from tests import tiny
from tests.apptest import coordinator, partner, signed_in

COORDINATOR = access.Scope("coord@tiny.example", "coordinator", "tiny")
TRUST = access.Scope("p@trust.example", "partner", "tiny", "trust")  # lead of h2h
COUNCIL = access.Scope("p@council.example", "partner", "tiny", "council")  # lead of ican
FUNDER_ICAN = access.Scope("f@tiny.example", "funder", grants=frozenset({("tiny", "ican")}))
FUNDER = access.Scope("f2@tiny.example", "funder", grants=frozenset({("tiny", None)}))
QUERY = {"network": "birmingham", "initiative": "hospitality-to-health", "from": "2026Q3", "to": "2026Q3"}
INITIATIVE_PAGE = Path(__file__).resolve().parent.parent / "dashboard" / "views" / "initiative.py"


@pytest.fixture
def tiny_db(tmp_path) -> Path:
    return tiny.build(tmp_path / "tiny.duckdb")


def _current(db: Path, scope: access.Scope, initiative_id: str | None) -> list[tuple]:
    with store.connect(db) as con:
        found = notes.current(con.cursor(), scope, "tiny", initiative_id, "2025Q1", "2025Q4")
    return list(found[["initiative_id", "quarter", "text", "written_by"]].itertuples(index=False, name=None))


def test_the_coordinator_and_the_lead_partner_write_notes_and_the_newest_counts(tiny_db):
    notes.write(COORDINATOR, "tiny", None, "2025Q2", "Network: all four partners sent files.", db=tiny_db)
    notes.write(TRUST, "tiny", "h2h", "2025Q2", "First cohort of 10 started.", db=tiny_db)
    notes.write(TRUST, "tiny", "h2h", "2025Q2", "  First cohort of 12 started;\n\nPioneer residents referred.  ",
                db=tiny_db)
    assert _current(tiny_db, COORDINATOR, "h2h") == [
        ("", "2025Q2", "Network: all four partners sent files.", COORDINATOR.actor),
        ("h2h", "2025Q2", "First cohort of 12 started; Pioneer residents referred.", TRUST.actor)]
    # Every version is kept, with who and when.
    with duckdb.connect(str(tiny_db), read_only=True) as con:
        assert con.execute("select count(*) from quarter_note").fetchone() == (3,)
        actions = con.execute("select action, detail from audit_log where action like 'note.%' order by 1")
        logged = actions.fetchall()
    assert [a for a, _ in logged] == ["note.write"] * 3
    assert "cohort" not in " ".join(d for _, d in logged)  # the log says what changed, not the text
    # An empty note clears the quarter's note.
    notes.write(TRUST, "tiny", "h2h", "2025Q2", "   ", db=tiny_db)
    assert [row[0] for row in _current(tiny_db, COORDINATOR, "h2h")] == [""]


def test_only_the_coordinator_and_the_initiatives_lead_partner_may_write(tiny_db):
    with pytest.raises(access.Denied):
        notes.write(COUNCIL, "tiny", "h2h", "2025Q2", "Not my initiative.", db=tiny_db)
    with pytest.raises(access.Denied):
        notes.write(TRUST, "tiny", None, "2025Q2", "A partner does not speak for the network.", db=tiny_db)
    with pytest.raises(access.Denied):
        notes.write(FUNDER, "tiny", None, "2025Q2", "Funders read.", db=tiny_db)
    with pytest.raises(store.StoreError, match="at most 600 characters"):
        notes.write(COORDINATOR, "tiny", None, "2025Q2", "x" * 601, db=tiny_db)
    with pytest.raises(store.StoreError, match="'nope' is not an initiative"):
        notes.write(COORDINATOR, "tiny", "nope", "2025Q2", "Hello.", db=tiny_db)
    with duckdb.connect(str(tiny_db), read_only=True) as con:
        assert con.execute("select count(*) from quarter_note").fetchone() == (0,)


def test_a_funder_of_one_initiative_reads_its_notes_but_not_the_networks(tiny_db):
    notes.write(COORDINATOR, "tiny", None, "2025Q3", "Network note naming another initiative.", db=tiny_db)
    notes.write(COUNCIL, "tiny", "ican", "2025Q3", "I Can note.", db=tiny_db)
    assert [r[2] for r in _current(tiny_db, FUNDER_ICAN, "ican")] == ["I Can note."]
    assert [r[2] for r in _current(tiny_db, FUNDER, "ican")] == ["Network note naming another initiative.",
                                                                   "I Can note."]
    with pytest.raises(access.Denied):
        _current(tiny_db, FUNDER_ICAN, "h2h")


def test_the_initiative_page_shows_notes_as_plain_text_and_saves_one(demo_db):
    written = "Cohort **one** started <b>today</b> [link](http://x.example) # not a heading"
    notes.write(coordinator("birmingham"), "birmingham", None, "2026Q3", written, db=demo_db)
    cache.clear()
    at = signed_in(AppTest.from_file(str(INITIATIVE_PAGE), default_timeout=120), coordinator("birmingham"))
    at.query_params.update(QUERY)
    at = at.run()
    assert not at.exception
    shown = [m.value for m in at.markdown if "Cohort" in m.value]
    assert len(shown) == 1 and "\\*\\*one\\*\\*" in shown[0] and "\\<b\\>" in shown[0]  # escaped, never rendered
    at.text_area(key="initiative_note_text").input("Ten residents referred by the housing team.")
    at.radio(key="initiative_note_subject").set_value("initiative")
    at = next(b for b in at.button if b.label == "Save note").click().run()
    assert not at.exception
    assert any("Ten residents referred by the housing team" in m.value for m in at.markdown)
    # A partner who does not lead the initiative reads the notes but is offered no form.
    cache.clear()
    other = signed_in(AppTest.from_file(str(INITIATIVE_PAGE), default_timeout=120), partner("birmingham", "bcc"))
    other.query_params.update(QUERY)
    other = other.run()
    assert not other.exception
    assert any("housing team" in m.value for m in other.markdown)
    assert not [b for b in other.button if b.label == "Save note"]
