"""The supplier register: spend without postcodes placed by matching, on the tiny world, worked by hand.

tests/data/suppliers/spend_trust_2025Q1.csv (the trust's spend; no row has a postcode), in 2025Q1:
  Acme Catering Ltd / ACME CATERING LTD. (id 01234567)  1000 + 250 - 100 = 1150.00  3 payments
  Acme Catering Limited (no id)                                             500.00  1
  The Brum Community Kitchen C.I.C. / brum  community kitchen  2000 + 400 = 2400.00  2 (the 400: VCSE No)
  Brum Community Cafe                                                        60.00  1
  Mystery Trading (x2) / MYSTERY TRADING LTD             100 + 50 + 25 =    175.00  3
  total                                                                    4285.00
and in 2025Q2 one more Mystery Trading payment of 999.00.
register_two.csv: ACME (Midlands) Catering Services by id 0123 4567 at B66 4DD (Sandwell, not local;
IoD2025 decile 1, 2011 LSOA E01000105 = IoD2019 decile 5), SME Yes, VCSE No; Brum Community Kitchen CIC by
name at LSOA E01000003 (Solihull, local, decile 10 in both releases), SME No, VCSE Yes.
"""

import datetime as dt
import io
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import access, config, figures, ingest, store, suppliers
from tests import tiny

DATA = Path(__file__).resolve().parent / "data" / "suppliers"
Q1 = dict(network_id="tiny", from_quarter="2025Q1", to_quarter="2025Q1")
Q1_DATES = dict(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 31))
OPERATOR = access.system()
UNCLASSIFIED_COLUMNS = ["supplier_key", "supplier_name", "supplier_id", "payments", "spend_gbp"]


@pytest.fixture
def tiny_db(tmp_path, monkeypatch):
    path = tiny.build(tmp_path / "tiny.duckdb")
    monkeypatch.setenv("ANCHOR_DB", str(path))
    ingest.ingest("tiny", "trust", "spend", "2025Q1", DATA / "spend_trust_2025Q1.csv")
    return path


def _report(**kwargs):
    with store.connect() as con:
        return figures.report(con.cursor(), figures.Selection(**{**Q1, "institution_id": "trust", **kwargs}))


def _groups(result, field="spend_gbp"):
    return {row["group"]: row[field] for row in result["by_decile"] if row[field]}


def _unclassified(**dates):
    with store.connect() as con:
        df = suppliers.unclassified(con.cursor(), "tiny", **dates, scope=access.system())
    assert list(df.columns) == UNCLASSIFIED_COLUMNS
    return [(r.supplier_key, r.supplier_name, r.supplier_id if isinstance(r.supplier_id, str) else None,
             int(r.payments), round(float(r.spend_gbp), 2)) for r in df.itertuples()]


def _register():
    with store.connect() as con:
        return suppliers.register(con.cursor(), "tiny", scope=access.system())


def _load(name, **kwargs):
    return suppliers.load_file("tiny", (DATA / name).read_bytes(), name, "finance@trust.example", scope=OPERATOR,
                               **kwargs)


def test_names_without_postcodes_are_all_unknown(tiny_db):
    result = _report()
    assert result["spend_total_gbp"] == 4285.00
    assert _groups(result) == {"unknown": 4285.00}
    assert result["spend_known_location_pct"] == 0.0
    assert result["spend_local_gbp"] == 0.0
    assert result["spend_sme_flagged_pct"] == 0.0
    assert result["spend_vcse_flagged_pct"] == 9.33  # only the 400.00 marked VCSE No


def test_unclassified_groups_spellings_by_key_largest_spend_first(tiny_db):
    # The most used spelling names the supplier: most payments, then most spend.
    assert _unclassified(**Q1_DATES) == [
        ("brum community kitchen", "The Brum Community Kitchen C.I.C.", None, 2, 2400.00),
        ("acme catering", "Acme Catering Ltd", "01234567", 4, 1650.00),
        ("mystery trading", "Mystery Trading", None, 3, 175.00),
        ("brum community cafe", "Brum Community Cafe", None, 1, 60.00),
    ]
    # Without dates, every quarter: the April payment joins Mystery Trading.
    assert [r[0] for r in _unclassified()] == ["brum community kitchen", "acme catering", "mystery trading",
                                               "brum community cafe"]
    assert _unclassified()[2] == ("mystery trading", "Mystery Trading", None, 4, 1174.00)


def test_registering_one_supplier_by_id_and_one_by_name_places_their_spend(tiny_db):
    summary = _load("register_two.csv")
    assert (summary.rows, summary.added, summary.updated) == (2, 2, 0)
    result = _report()
    assert result["spend_total_gbp"] == 4285.00
    assert _groups(result) == {"1": 1150.00, "10": 2400.00, "unknown": 735.00}
    assert result["spend_unknown_location_gbp"] == 735.00  # Acme Catering Limited (no id), the cafe, Mystery
    assert result["spend_known_location_pct"] == 82.85  # 3550 / 4285
    assert result["spend_local_gbp"] == 2400.00  # the kitchen in Solihull; Acme is in Sandwell
    assert result["spend_local_pct"] == 56.01
    assert result["spend_most_deprived_20_gbp"] == 1150.00
    assert result["spend_most_deprived_20_pct"] == 26.84
    assert result["spend_sme_gbp"] == 1150.00
    assert result["spend_sme_flagged_pct"] == 82.85
    # The kitchen's 2000.00 takes VCSE Yes from the register; its 400.00 keeps the file's own No.
    assert result["spend_vcse_gbp"] == 2000.00
    assert result["spend_vcse_flagged_pct"] == 82.85
    # IoD2019 uses the register's best-fit 2011 LSOA: B66 4DD lies in E01000105, decile 5.
    assert _groups(_report(imd_release="IoD2019")) == {"5": 1150.00, "10": 2400.00, "unknown": 735.00}
    with store.connect() as con:
        assert suppliers.coverage(con.cursor(), figures.Selection(**Q1), scope=access.system()) == {
            "spend_total_gbp": 4285.00, "spend_unknown_location_gbp": 735.00, "spend_known_location_pct": 82.85}


def test_register_holds_normalised_entries(tiny_db):
    _load("register_two.csv")
    register = _register()
    assert register[["supplier_key", "supplier_name", "supplier_id", "supplier_postcode", "lsoa21_code",
                     "lsoa11_code", "nation"]].astype(object).where(register.notna(), None).values.tolist() == [
        ["acme midlands catering services", "ACME (Midlands) Catering Services", "01234567", "B66 4DD",
         "E01000004", "E01000105", "England"],
        ["brum community kitchen", "Brum Community Kitchen CIC", None, None, "E01000003", "E01000003", "England"],
    ]
    assert register["is_sme"].tolist() == [True, False] and register["is_vcse"].tolist() == [False, True]
    assert set(register["updated_by"]) == {"finance@trust.example"}


def test_unclassified_after_matching(tiny_db):
    _load("register_two.csv")
    # Acme's payments with the id are placed; the one without the id does not match the register's name.
    assert _unclassified(**Q1_DATES) == [
        ("acme catering", "Acme Catering Limited", None, 1, 500.00),
        ("mystery trading", "Mystery Trading", None, 3, 175.00),
        ("brum community cafe", "Brum Community Cafe", None, 1, 60.00),
    ]


def test_a_payment_naming_no_supplier_is_counted_but_not_offered_for_classifying(tiny_db):
    before = _unclassified(**Q1_DATES)
    unknown_before = _report()["spend_unknown_location_gbp"]
    # Redacted in the publisher's file: the supplier's name left empty (as Tameside's export does).
    text = "Supplier Name,Amount,Paid Date\n,646.00,03/02/2025\nMystery Trading,10.00,04/02/2025\n"
    ingest.ingest("tiny", "council", "spend", "2025Q1", data=text.encode(), file_name="redacted.csv")
    assert _report(institution_id=None)["spend_unknown_location_gbp"] >= unknown_before + 656.00
    after = dict((key, row) for key, *row in _unclassified(**Q1_DATES))
    assert "" not in after and after["mystery trading"][2] == 4
    assert len(after) == len(before)


@pytest.mark.parametrize("register_first", [False, True])
def test_unclassified_spend_adds_up_to_the_unknown_location_spend(tiny_db, register_first):
    if register_first:
        _load("register_two.csv")
    listed = sum(r[4] for r in _unclassified(**Q1_DATES))
    assert listed == pytest.approx(_report()["spend_unknown_location_gbp"])


def test_a_row_with_its_own_postcode_is_not_overridden(tiny_db):
    # The council's file gives Acme Catering Ltd (id 01234567) the postcode B1 1AA (Birmingham, local) and
    # Sandwell Supplies the postcode B66 4DD with SME Yes but no VCSE flag.
    ingest.ingest("tiny", "council", "spend", "2025Q1", tiny.TINY / "spend_council_2025Q1.csv")
    _load("register_two.csv")
    sandwell = {"supplier_name": "Sandwell Supplies Limited", "supplier_postcode": "CF10 1AA", "is_sme": "No",
                "is_vcse": "Yes"}
    suppliers.upsert("tiny", pd.DataFrame([sandwell]), "finance@trust.example", scope=OPERATOR)
    result = _report(institution_id="council")
    # As in test_figures: the register's Sandwell (Acme) and Cardiff (Sandwell Supplies) move nothing.
    assert result["spend_local_gbp"] == 3400.50
    assert _groups(result) == {"1": 1300.0, "10": 2500.5, "wales": 300.0, "unknown": 199.99}
    assert result["spend_sme_gbp"] == 3800.50  # Sandwell Supplies keeps its own SME Yes
    assert result["spend_vcse_gbp"] == 2900.50  # 2500.50 + Sandwell Supplies' 400 now VCSE from the register


def test_figures_follow_the_register_at_once(tiny_db):
    _load("register_two.csv")
    moved = pd.DataFrame([{"supplier_name": "brum community kitchen c.i.c", "supplier_postcode": "B2 2BB",
                           "is_sme": "No", "is_vcse": "Yes"}])
    summary = suppliers.upsert("tiny", moved, "ops@trust.example", scope=OPERATOR)
    assert (summary.rows, summary.added, summary.updated) == (1, 0, 1)
    assert _groups(_report()) == {"1": 1150.00, "2": 2400.00, "unknown": 735.00}
    register = _register()
    assert len(register) == 2
    kitchen = register[register["supplier_key"] == "brum community kitchen"].iloc[0]
    assert (kitchen["supplier_name"], kitchen["supplier_postcode"], kitchen["updated_by"]) == (
        "brum community kitchen c.i.c", "B2 2BB", "ops@trust.example")


def test_bad_supplier_rows_are_refused_with_row_and_column_and_nothing_written(tiny_db):
    with pytest.raises(ingest.IngestError) as caught:
        _load("register_bad.csv")
    assert [str(p) for p in caught.value.problems] == [
        "Row 3, column supplier_name: is empty but required",
        "Row 4, column supplier_postcode: ZZ1 1ZZ is not a current postcode in OS Code-Point Open",
        "Row 5, column supplier_lsoa_code: 'X01000001' is not an LSOA code like E01033620",
        "Row 6, column supplier_lsoa_code: E01999999 is not an LSOA 2021 code",
        "Row 7, column supplier_postcode: give a supplier_postcode or a supplier_lsoa_code",
        "Row 8, column is_sme: 'Maybe' is not Yes or No",
        "Row 9, column supplier_name: 'GOOD SUPPLIER LIMITED' is the same supplier as row 2; give each supplier once",
        "Row 10, column supplier_id: 'N/A' is not a Companies House or charity number (5 to 10 letters and digits, "
        "e.g. 01234567)",
        "Row 10, column supplier_postcode: 'B1' is not a UK postcode (wrong length)",
    ]
    assert str(caught.value).startswith("register_bad.csv: 9 problem(s); nothing was saved.")
    assert _register().empty
    assert _report()["spend_unknown_location_gbp"] == 4285.00


def test_problems_name_the_row_of_the_file(tiny_db):
    data = b"supplier_name,supplier_postcode\r\nA Ltd,B1 1AA\r\n\r\nB Ltd,ZZ1 1ZZ\r\n"
    with pytest.raises(ingest.IngestError) as caught:
        suppliers.load_file("tiny", data, "list.csv", "me", scope=OPERATOR)
    assert [str(p) for p in caught.value.problems] == [
        "Row 4, column supplier_postcode: ZZ1 1ZZ is not a current postcode in OS Code-Point Open"]


def test_an_identifier_belongs_to_one_entry(tiny_db):
    _load("register_two.csv")
    clash = pd.DataFrame([{"supplier_name": "Good Supplier Ltd", "supplier_postcode": "B1 1AA"},
                          {"supplier_name": "Acme Catering", "supplier_id": "01234567", "supplier_postcode": "B1 1AA"}])
    with pytest.raises(ingest.IngestError) as caught:
        suppliers.upsert("tiny", clash, "finance@trust.example", scope=OPERATOR, source="the table", first_row=1)
    assert [str(p) for p in caught.value.problems] == [
        "Row 2, column supplier_id: 01234567 is already the identifier of 'ACME (Midlands) Catering Services' "
        "in the register; change that entry first"]
    assert len(_register()) == 2
    # Moving the identifier within one upsert (the entry that held it is replaced) is fine.
    moved = pd.DataFrame([{"supplier_name": "Acme (Midlands) Catering Services", "supplier_postcode": "B66 4DD"},
                          {"supplier_name": "Acme Catering", "supplier_id": "01234567", "supplier_postcode": "B1 1AA"}])
    assert suppliers.upsert("tiny", moved, "finance@trust.example", scope=OPERATOR).added == 1
    # All of Acme's payments now match (by id, or by name for the one without it) and are local.
    assert _report()["spend_local_gbp"] == 2400.00 + 1650.00


def test_upsert_takes_the_editable_table_as_it_comes(tiny_db):
    # A data editor gives None for empty cells, booleans for tick boxes and NaN in numeric columns.
    rows = pd.DataFrame({"supplier_name": ["Mystery Trading", "Brum Community Cafe"],
                         "supplier_id": [None, float("nan")], "supplier_postcode": ["b2 2bb", None],
                         "supplier_lsoa_code": [None, "E01000001"], "is_sme": [True, None], "is_vcse": [False, None],
                         "spend_gbp": [175.0, 60.0]})
    summary = suppliers.upsert("tiny", rows, "ops@trust.example", scope=OPERATOR, source="the table", first_row=1)
    assert (summary.rows, summary.added) == (2, 2)
    assert _unclassified(**Q1_DATES) == [
        ("brum community kitchen", "The Brum Community Kitchen C.I.C.", None, 2, 2400.00),
        ("acme catering", "Acme Catering Ltd", "01234567", 4, 1650.00),
    ]
    result = _report()
    assert _groups(result) == {"1": 60.00, "2": 175.00, "unknown": 4050.00}
    assert result["spend_sme_gbp"] == 175.00  # all three Mystery Trading payments, however spelt


def test_supplier_list_as_xlsx(tiny_db):
    frame = pd.read_csv(DATA / "register_two.csv", dtype=str, keep_default_na=False)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    summary = suppliers.load_file("tiny", buffer.getvalue(), "register.xlsx", "finance@trust.example", scope=OPERATOR)
    assert summary.added == 2
    assert _groups(_report()) == {"1": 1150.00, "10": 2400.00, "unknown": 735.00}


def test_list_without_names_or_for_an_unknown_network_is_refused(tiny_db):
    with pytest.raises(ingest.IngestError, match="Column supplier_name: this required column is missing"):
        suppliers.load_file("tiny", b"supplier_postcode\nB1 1AA\n", "list.csv", "me", scope=OPERATOR)
    with pytest.raises(store.StoreError, match="No network 'nowhere'"):
        suppliers.upsert("nowhere", pd.read_csv(DATA / "register_two.csv", dtype=str, keep_default_na=False), "me",
                         scope=OPERATOR)


# --- the key: one function in Python and in SQL ---------------------------------------------------------

SAME_SUPPLIER = ["ACME CATERING LTD.", "Acme Catering Limited", "acme  catering", "The Acme Catering Ltd",
                 "Acme-Catering plc", "acme catering LLP", "Acme Catering C.I.C."]


def test_spellings_of_one_supplier_share_a_key_and_others_do_not():
    assert {suppliers.supplier_key(n) for n in SAME_SUPPLIER} == {"acme catering"}
    assert suppliers.supplier_key("Acme Catering") != suppliers.supplier_key("Acme Cleaning")
    assert suppliers.supplier_key("Smith & Sons") == suppliers.supplier_key("Smith and Sons") == "smith and sons"
    assert suppliers.supplier_key("Café Rouge") == suppliers.supplier_key("CAFE ROUGE LIMITED") == "cafe rouge"
    assert suppliers.supplier_key("O’Brien’s Builders") == suppliers.supplier_key("OBriens Builders")
    assert suppliers.supplier_key("Theatre Royal Ltd") == "theatre royal"  # 'The' only as a whole word
    assert suppliers.supplier_key("Ltd") == "ltd"  # a legal form alone is still a name
    assert suppliers.supplier_id_key(" sc-123 456 ") == "SC123456" and suppliers.supplier_id_key("  ") is None


@cache
def _sql_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    store.migrate(con)
    return con


def _sql_keys(names: list[str]) -> list[tuple[str, str | None]]:
    cur = _sql_connection().cursor()
    cur.register("name_input", pd.DataFrame({"i": range(len(names)), "name": pd.Series(names, dtype=object)}))
    return cur.execute("select supplier_key(name), supplier_id_key(name) from name_input order by i").fetchall()


def test_python_and_sql_keys_agree_on_every_rule():
    names = [*SAME_SUPPLIER, *(f"Acme {form.upper()}" for form in suppliers.LEGAL_FORMS),
             *(f"the THE Acme & co {form} ltd." for form in suppliers.LEGAL_FORMS),
             *(f"Caf{c} {c}{c}" for c in "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ'’‘`.&"),
             "", " ", "The", "Ltd", "the ltd", "Theatre", "ﬁne ﬁsh", "ÆTHER", "Straße"]
    assert _sql_keys(names) == [(suppliers.supplier_key(n), suppliers.supplier_id_key(n)) for n in names]


NAMEISH = st.text(alphabet=st.sampled_from(list("AaBbEeLlTtDdHhIiMmCcPp0 9 .,&'’-()/\téÉçØñ\u0301ßİ")), max_size=30)


@given(st.lists(st.one_of(st.text(max_size=40), NAMEISH), min_size=1, max_size=25))
def test_python_and_sql_keys_agree(names):
    assert _sql_keys(names) == [(suppliers.supplier_key(n), suppliers.supplier_id_key(n)) for n in names]


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8).filter(
    lambda w: w not in {"the", "ltd", "limited", "plc", "llp", "cic", "cio", "public", "community", "and"})
LEGAL_FORMS = ["", " Ltd", " Ltd.", " LTD", " Limited", " Plc", " PLC", " LLP", " CIC", " C.I.C.", " Limited."]


@given(st.lists(WORD, min_size=1, max_size=5), st.lists(st.sampled_from([" ", "  ", " - ", ", ", "\t"]), min_size=4,
       max_size=4), st.booleans(), st.sampled_from(LEGAL_FORMS), st.sampled_from([str.upper, str.title, str.lower]))
def test_case_spacing_punctuation_the_and_legal_form_do_not_change_the_key(words, gaps, the, form, case):
    plain = " ".join(words)
    written = ("The " if the else "") + "".join(w + gaps[i % len(gaps)] for i, w in enumerate(words)).strip() + form
    assert suppliers.supplier_key(case(written)) == suppliers.supplier_key(plain) == plain


@given(st.lists(WORD, min_size=1, max_size=4), st.lists(WORD, min_size=1, max_size=4))
def test_different_names_keep_different_keys(first, second):
    if first != second:
        assert suppliers.supplier_key(" ".join(first)) != suppliers.supplier_key(" ".join(second))


@given(st.text(max_size=40))
def test_the_key_is_idempotent_and_plain(name):
    key = suppliers.supplier_key(name)
    assert suppliers.supplier_key(key) == key
    assert re.fullmatch(r"([a-z0-9]+( [a-z0-9]+)*)?", key)


# --- command line and house rules ---------------------------------------------------------------------

def _cli(*args, db):
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, args)], capture_output=True, text=True,
                          cwd=config.REPO_DIR, env={**os.environ, "ANCHOR_DB": str(db)})


def test_cli_load_list_and_unclassified(tiny_db, tmp_path):
    out = _cli("suppliers", "load", "--network", "tiny", "--by", "finance@trust.example", DATA / "register_two.csv",
               db=tiny_db)
    assert out.returncode == 0, out.stderr
    assert "Registered 2 supplier(s) from register_two.csv for network 'tiny': 2 new, 0 updated." in out.stdout
    out = _cli("suppliers", "list", "--network", "tiny", db=tiny_db)
    assert out.returncode == 0, out.stderr
    assert "ACME (Midlands) Catering Services" in out.stdout and "B66 4DD" in out.stdout
    out = _cli("suppliers", "unclassified", "--network", "tiny", "--from", "2025Q1", "--to", "2025Q1", db=tiny_db)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1].split()[:3] == ["acme", "catering", "Acme"]
    assert "3 supplier(s), £735.00 in 5 payment(s) with no known location." in out.stdout
    # The CSV, filled in, loads back.
    out = _cli("suppliers", "unclassified", "--network", "tiny", "--csv", db=tiny_db)
    todo = pd.read_csv(io.StringIO(out.stdout), dtype=str, keep_default_na=False)
    assert todo["supplier_name"].tolist() == ["Mystery Trading", "Acme Catering Limited", "Brum Community Cafe"]
    todo["supplier_postcode"] = "B1 1AA"
    todo.to_csv(tmp_path / "todo.csv", index=False)
    out = _cli("suppliers", "load", "--network", "tiny", tmp_path / "todo.csv", db=tiny_db)
    assert out.returncode == 0, out.stderr
    assert "Every payment of network 'tiny' has a known location." in _cli(
        "suppliers", "unclassified", "--network", "tiny", db=tiny_db).stdout


def test_cli_refused_list_names_rows_without_a_traceback(tiny_db):
    out = _cli("suppliers", "load", "--network", "tiny", DATA / "register_bad.csv", db=tiny_db)
    assert out.returncode == 2
    assert "register_bad.csv: 9 problem(s); nothing was saved." in out.stderr
    assert "Row 8, column is_sme: 'Maybe' is not Yes or No" in out.stderr and "Traceback" not in out.stderr
    out = _cli("suppliers", "list", "--network", "nowhere", db=tiny_db)
    assert out.returncode == 2 and "No network 'nowhere' (known: tiny)" in out.stderr


def test_suppliers_module_does_not_import_streamlit():
    code = "import sys, dashboard.suppliers; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=config.REPO_DIR, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_docs_list_every_supplier_list_column():
    text = (config.REPO_DIR / "docs" / "data-contract.md").read_text(encoding="utf-8")
    section = text.split("## Supplier register")[1].split("\n## ")[0]
    for col in suppliers.COLUMNS:
        assert f"| `{col.name}` | {'yes' if col.required else 'no'} |" in section, col.name
