"""The official registers: loaded from files in their published layouts, suppliers matched with care.

The register files are fixtures built in the registers' exact layouts (tests/registers_fixture.py) around the
real payee names of the spend corpus, each labelled with the entry it should match. Precision and recall of the
automatic matches are measured on them; the figures with register matches are checked against a recalculation
from the raw files.
"""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dashboard import access, figures, ingest, matching, networks, registers, reports, store, suppliers
from tests import registers_fixture, tiny
from tests.test_refdata_fetch import serve

OPERATOR = access.system()
PERIOD = dict(network_id="tiny", from_quarter="2025Q1", to_quarter="2025Q1")


@pytest.fixture(scope="session")
def fixture_registers(tmp_path_factory, spend_corpus, reference_dir) -> registers_fixture.Fixture:
    return registers_fixture.build(spend_corpus, reference_dir, tmp_path_factory.mktemp("registers"))


@pytest.fixture(scope="session")
def loaded_template(tmp_path_factory, ref_db_template, fixture_registers) -> Path:
    """The reference database with the tiny network and every fixture register loaded."""
    path = tmp_path_factory.mktemp("registers_db") / "anchor.duckdb"
    path.write_bytes(ref_db_template.read_bytes())
    networks.load(tiny.TINY / "network.yaml", path)
    registers.load(fixture_registers.files, path, progress=False)
    return path


@pytest.fixture
def db(tmp_path, loaded_template, monkeypatch) -> Path:
    path = tmp_path / "anchor.duckdb"
    path.write_bytes(loaded_template.read_bytes())
    monkeypatch.setenv("ANCHOR_DB", str(path))
    return path


def _query(db: Path, sql: str, **params) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or None).df()


def _rows(path: Path, member_suffix: str, delimiter: str) -> list[dict[str, str]]:
    """The rows of a register file read with Python's csv module, the header names stripped."""
    with zipfile.ZipFile(path) as archive:
        member = next(m for m in archive.namelist() if m.endswith(member_suffix))
        text = archive.read(member).decode("utf-8-sig")
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    header = [h.strip() for h in next(reader)]
    return [dict(zip(header, row, strict=False)) for row in reader if len(row) >= len(header) - 1]


def _companies(fixture) -> list[dict[str, str]]:
    return [r for path in fixture.files if path.name.startswith("BasicCompanyData")
            for r in _rows(path, ".csv", ",")]


def _spend_file(tmp_path: Path, names: list[str], ids: list[str] | None = None, amounts=None) -> Path:
    path = tmp_path / "spend.csv"
    pd.DataFrame({"supplier_name": names, "supplier_id": ids or [""] * len(names),
                  "amount_gbp": amounts or [f"{100 + i}.00" for i in range(len(names))],
                  "payment_date": "15/02/2025"}).to_csv(path, index=False)
    return path


def _used(db: Path) -> dict[str, str]:
    found = _query(db, "select supplier_key, register, entity_id from register_match "
                       "where network_id = 'tiny' and status in ('automatic', 'confirmed')")
    return {k: f"{r}:{e}" for k, r, e in found.itertuples(index=False)}


# --- loading ---------------------------------------------------------------------------------------------------------

def test_the_published_files_load_with_their_quirks(db, fixture_registers):
    companies = _companies(fixture_registers)
    entities = _query(db, "select register, entity_id, name, postcode, nation, active, is_vcse, is_sme "
                          "from register_entity")
    ch = entities[entities["register"] == "companies_house"].set_index("entity_id")
    # Every company of the file, its number exactly as published (leading zeros, SC/NI/OC prefixes).
    assert set(ch.index) == {r["CompanyNumber"].strip() for r in companies}
    assert any(n.startswith("SC") for n in ch.index) and any(n.startswith("0") for n in ch.index)
    one = next(r for r in companies if r["RegAddress.PostCode"].strip() and r["CompanyStatus"] == "Active")
    row = ch.loc[one["CompanyNumber"].strip()]
    assert row["name"] == one["CompanyName"] and bool(row["active"])
    assert row["postcode"].replace(" ", "") == one["RegAddress.PostCode"].replace(" ", "").upper()
    # Dissolved companies are kept (a payment may predate the dissolution) but are not active.
    dissolved = {r["CompanyNumber"].strip() for r in companies if r["CompanyStatus"] == "Dissolved"}
    assert dissolved and not ch.loc[sorted(dissolved), "active"].any()
    # Located through the reference postcodes: most English registered offices have a decile's LSOA.
    assert ch["nation"].notna().mean() > 0.8
    # VCSE by legal form and SME evidence by accounts category, as the methodology states.
    for r in companies:
        number = r["CompanyNumber"].strip()
        if r["CompanyCategory"] == "Community Interest Company":
            assert ch.loc[number, "is_vcse"]
        if r["Accounts.AccountCategory"] in ("MICRO ENTITY", "SMALL", "TOTAL EXEMPTION FULL"):
            assert ch.loc[number, "is_sme"] is True or ch.loc[number, "is_sme"] == True  # noqa: E712
        if r["Accounts.AccountCategory"] in ("FULL", "GROUP", "DORMANT", ""):
            assert pd.isna(ch.loc[number, "is_sme"])  # no evidence either way, never "not an SME"
    charities = entities[entities["register"] == "charity_commission"]
    assert len(charities) and charities["is_vcse"].all()
    # A company the Charity Commission lists as a charity's is a VCSE (a charitable company).
    linked = _query(db, "select c.company_number, e.is_vcse from register_entity as c inner join register_entity "
                        "as e on e.entity_id = c.company_number and e.register = 'companies_house' "
                        "where c.register = 'charity_commission' and c.active")
    assert len(linked) and linked["is_vcse"].all()
    # Previous names and the charities' other names are names to match by.
    kinds = set(_query(db, "select distinct register || ':' || kind as k from register_name")["k"])
    assert {"companies_house:previous", "charity_commission:current"} <= kinds
    with store.connect(db) as con:
        loaded = {r["register"] for r in registers.status(con.cursor())}
    assert loaded == {"companies_house", "charity_commission", "oscr", "fca_mutuals"}


def test_a_file_loaded_once_is_not_read_again_and_an_older_release_is_refused(db, fixture_registers, tmp_path):
    again = registers.load(fixture_registers.files, db, progress=False)
    assert again and all(item.skipped for item in again)
    older = tmp_path / "BasicCompanyData-2020-01-01-part1_1.zip"
    with zipfile.ZipFile(fixture_registers.files[0]) as src, zipfile.ZipFile(older, "w") as dst:
        dst.writestr("BasicCompanyData-2020-01-01-part1_1.csv", src.read(src.namelist()[0]))
    before = _query(db, "select count(*) as n from register_entity")["n"].iloc[0]
    with pytest.raises(registers.RegisterError, match="newer than this file's 1 January 2020. Nothing was changed"):
        registers.load([older], db, progress=False)
    assert _query(db, "select count(*) as n from register_entity")["n"].iloc[0] == before


def test_a_file_that_is_not_a_register_names_itself_and_changes_nothing(db, tmp_path, spend_corpus):
    not_register = tmp_path / "payments.csv"
    not_register.write_text("Supplier Name,Amount\nAcme,10\n")
    with pytest.raises(registers.RegisterError, match=r"payments.csv: not a register file .* 'Supplier Name,Amount'"):
        registers.load([not_register], db, progress=False)
    damaged = tmp_path / "publicextract.charity.zip"
    damaged.write_bytes(b"PK\x03\x04 cut off")
    with pytest.raises(registers.RegisterError):
        registers.load([damaged], db, progress=False)


# --- matching, measured on the labelled set --------------------------------------------------------------------------

@pytest.fixture
def labelled(db, fixture_registers, tmp_path):
    """Every labelled payee name in one spend file of the tiny network, ingested (which matches its suppliers)."""
    names = list(dict.fromkeys(label.supplier_name for label in fixture_registers.labels))
    ingest.ingest("tiny", "trust", "spend", "2025Q1", _spend_file(tmp_path, names))
    return fixture_registers.labels


def test_automatic_matches_are_precise_and_find_most_unique_names(db, labelled):
    used = _used(db)
    right = {label.supplier_name: {label.expected, *label.alternatives} for label in labelled}
    matched = [(label, used.get(suppliers.supplier_key(label.supplier_name))) for label in labelled]
    automatic = [(label, got) for label, got in matched if got is not None]
    correct = [label for label, got in automatic if got in right[label.supplier_name]]
    unique = [label for label in labelled if label.unique and label.expected]
    precision = len(correct) / len(automatic)
    recall = len([label for label in correct if label.unique]) / len(unique)
    wrong = [(label.supplier_name, label.case, got) for label, got in automatic
             if got not in right[label.supplier_name]]
    print(f"\nlabels {len(labelled)}, with a unique entry {len(unique)}, matched automatically {len(automatic)}, "
          f"correct {len(correct)}: precision {precision:.1%}, recall {recall:.1%}; wrong: {wrong}")
    assert len(labelled) >= 500
    assert precision >= 0.99, wrong
    assert recall >= 0.80
    # Redacted payees are never matched; ambiguous names never automatically.
    assert not [label for label, got in automatic if label.case in ("redacted", "ambiguous")]


def test_near_names_are_proposed_with_their_entry_never_used(db, labelled):
    with store.connect(db) as con:
        proposals = matching.proposals(con.cursor(), "tiny", scope=OPERATOR)
    used = _used(db)
    assert len(proposals) > 0
    assert not set(proposals["supplier_key"]) & set(used)  # a proposal places nothing
    hard = [label for label in labelled if label.case == "abbreviated" and label.expected]
    proposed = {(k, f"{r}:{e}") for k, r, e in proposals[["supplier_key", "register", "entity_id"]].itertuples(
        index=False)}
    found = [label for label in hard if (suppliers.supplier_key(label.supplier_name), label.expected) in proposed]
    assert hard and len(found) / len(hard) >= 0.5
    assert proposals["score"].between(matching.NEAR_MIN_SCORE, 100).all()
    assert {"entity_name", "address", "postcode", "spend_gbp", "release_date"} <= set(proposals.columns)


# --- decisions and precedence ----------------------------------------------------------------------------------------

def _one_company(fixture, **where) -> dict[str, str]:
    return next(r for r in _companies(fixture) if all(r[k] == v for k, v in where.items())
                and r["RegAddress.PostCode"].strip() and r["CompanyName"].isupper())


def _report() -> dict:
    with store.connect() as con:
        return reports.full(con.cursor(), figures.Selection(**PERIOD), ("spend_by_source",))


def _sources(report) -> dict[str, float]:
    return {row["source"]: row["spend_gbp"] for row in report["spend_by_source"]}


def test_confirming_a_proposal_places_its_spend_and_rejecting_takes_it_away(db, fixture_registers, tmp_path):
    company = _one_company(fixture_registers, CompanyStatus="Active", CompanyCategory="Private Limited Company")
    words = company["CompanyName"].title().replace("Limited", "Ltd").split(" ")
    near = " ".join([*words[:-2], words[-2][:-2], words[-1]])  # a typo in the last word: only proposed
    ingest.ingest("tiny", "trust", "spend", "2025Q1", _spend_file(tmp_path, [near, "REDACTED personal data"],
                                                                  amounts=["1000.00", "50.00"]))
    before = _report()
    assert _sources(before) == {"unknown": 1000.0, "redacted": 50.0}
    with store.connect() as con:
        proposals = matching.proposals(con.cursor(), "tiny", scope=OPERATOR)
    key = suppliers.supplier_key(near)
    mine = proposals[(proposals["supplier_key"] == key) & (proposals["entity_id"] == company["CompanyNumber"].strip())]
    assert len(mine) == 1, proposals
    matching.decide("tiny", key, "companies_house", mine["entity_id"].iloc[0], "confirmed", scope=OPERATOR)
    after = _report()
    assert _sources(after) == {"companies_house": 1000.0, "redacted": 50.0}
    assert after["spend_unknown_location_gbp"] == 50.0
    audit = _query(db, "select action from audit_log where action like 'suppliers.match%'")
    assert list(audit["action"]) == ["suppliers.match_confirm"]
    # Matching again (new registers) keeps the decision.
    with store.connect() as con:
        cur = con.cursor()
        matching.refresh(cur, "tiny", everything=True)
    assert _sources(_report()) == {"companies_house": 1000.0, "redacted": 50.0}
    matching.decide("tiny", key, "companies_house", mine["entity_id"].iloc[0], "rejected", scope=OPERATOR)
    assert _sources(_report()) == {"unknown": 1000.0, "redacted": 50.0}


def test_the_partner_file_wins_then_the_coordinator_then_the_register(db, fixture_registers, tmp_path):
    company = _one_company(fixture_registers, CompanyStatus="Active", CompanyCategory="Private Limited Company")
    name = company["CompanyName"]
    path = tmp_path / "spend.csv"
    pd.DataFrame({"supplier_name": [name, name], "supplier_postcode": ["B12 9QE", ""],
                  "amount_gbp": ["10.00", "20.00"], "payment_date": "15/02/2025"}).to_csv(path, index=False)
    ingest.ingest("tiny", "trust", "spend", "2025Q1", path)
    assert _sources(_report()) == {"partner file": 10.0, "companies_house": 20.0}
    suppliers.upsert("tiny", pd.DataFrame({"supplier_name": [name], "supplier_postcode": ["B1 1BB"]}), "c@x",
                     scope=OPERATOR)
    assert _sources(_report()) == {"partner file": 10.0, "coordinator": 20.0}


def test_a_number_is_used_when_its_names_agree_and_only_proposed_when_not(db, fixture_registers, tmp_path):
    company = _one_company(fixture_registers, CompanyStatus="Active", CompanyCategory="Private Limited Company")
    other = next(r for r in _companies(fixture_registers) if r["CompanyName"][:3] != company["CompanyName"][:3])
    number = company["CompanyNumber"].strip()
    written = number.lstrip("0") if number.isdigit() else number  # as finance systems drop leading zeros
    ingest.ingest("tiny", "trust", "spend", "2025Q1", _spend_file(
        tmp_path, [company["CompanyName"].title() + " (Trading)", "Unrelated Name Of Someone"],
        ids=[written, other["CompanyNumber"].strip()]))
    used = _used(db)
    assert used[suppliers.supplier_key(company["CompanyName"] + " (Trading)")] == f"companies_house:{number}"
    assert suppliers.supplier_key("Unrelated Name Of Someone") not in used


# --- the figures, recalculated from the raw files --------------------------------------------------------------------

def test_figures_with_register_matches_agree_with_a_recalculation_from_the_files(db, labelled, fixture_registers,
                                                                                reference_dir):
    report = _report()
    spend = _query(db, "select s.supplier_name, s.amount_gbp from spend as s inner join submission using "
                       "(submission_id) where status = 'active'")
    used = _used(db)
    postcode_of = {f"companies_house:{r['CompanyNumber'].strip()}": r["RegAddress.PostCode"]
                   for r in _companies(fixture_registers)}
    for path in fixture_registers.files:
        if path.name == "publicextract.charity.zip":
            for r in _rows(path, ".txt", "\t"):
                number = r["registered_charity_number"] + ("" if r["linked_charity_number"] in ("0", "") else
                                                           f"-{r['linked_charity_number']}")
                postcode_of[f"charity_commission:{number}"] = r["charity_contact_postcode"]
        if path.name.startswith("CharityExport"):
            for r in _rows(path, ".csv", ","):
                postcode_of[f"oscr:{r['Charity Number'].strip()}"] = r["Postcode"]
    lookup = _query(db, "select p.postcode, p.nation, i.imd_decile from ref_postcode as p left join ref_imd as i "
                        "on i.lsoa_code = p.lsoa21_code and i.lsoa_vintage = 2021 and i.imd_release = 'IoD2025'")
    place = {pc: (nation, decile) for pc, nation, decile in lookup.itertuples(index=False)}
    expected: dict[str, Decimal] = {}
    by_source: dict[str, Decimal] = {}
    for name, amount in spend.itertuples(index=False):
        entry = used.get(suppliers.supplier_key(name))
        raw = (postcode_of.get(entry) or "").upper().replace(" ", "")
        postcode = f"{raw[:-3]} {raw[-3:]}" if len(raw) >= 5 else None
        nation, decile = place.get(postcode, (None, None))
        if matching.is_redacted(name):
            group, source = "unknown", "redacted"
        elif nation is None:
            group, source = "unknown", "unknown"
        else:
            source = entry.split(":")[0]
            group = str(int(decile)) if nation == "England" and not pd.isna(decile) else {
                "Wales": "wales", "Scotland": "scotland", "Northern Ireland": "northern_ireland"}.get(nation, nation)
        expected[group] = expected.get(group, Decimal(0)) + Decimal(str(amount))
        by_source[source] = by_source.get(source, Decimal(0)) + Decimal(str(amount))
    got = {row["group"]: Decimal(str(row["spend_gbp"])) for row in report["by_decile"] if row["spend_gbp"]}
    assert got == {k: v for k, v in expected.items() if v}
    assert _sources(report) == {k: float(v) for k, v in by_source.items()}
    assert report["spend_by_source"][0]["source_label"].startswith("Companies House, register of")


# --- fetching over loopback ------------------------------------------------------------------------------------------

def test_fetch_downloads_checks_and_loads_the_registers(tmp_path, fixture_registers, ref_db):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    month = fixture_registers.register_date
    published = {"companies": f"BasicCompanyDataAsOneFile-{month:%Y-%m}-01.zip"}
    # One Companies House file as published monthly, and the charity files under their own names.
    with zipfile.ZipFile(mirror / published["companies"], "w") as out:
        lines = []
        for path in sorted(p for p in fixture_registers.files if p.name.startswith("BasicCompanyData")):
            with zipfile.ZipFile(path) as part:
                text = part.read(part.namelist()[0]).decode("utf-8")
            lines += text.splitlines(keepends=True)[0 if not lines else 1:]
        out.writestr(published["companies"].replace(".zip", ".csv"), "".join(lines))
    for path in fixture_registers.files:
        if path.name.startswith("publicextract"):
            (mirror / path.name).write_bytes(path.read_bytes())
        if path.name.startswith("CharityExport"):
            (mirror / "CharityExport.zip").write_bytes(path.read_bytes())
    server, url = serve(mirror)
    try:
        loaded = registers.fetch(tmp_path / "downloads", ref_db, base_url=url, month=month, progress=False)
        assert {item.register for item in loaded} == {"companies_house", "charity_commission", "oscr"}
        (mirror / "publicextract.charity.zip").write_bytes(b"<html>Service unavailable</html>")
        with pytest.raises(registers.RegisterError, match="publicextract.charity.zip: the download is not a zip"):
            registers.fetch(tmp_path / "again", ref_db, base_url=url, month=month, progress=False)
    finally:
        server.shutdown()
        server.server_close()


# --- one rule, in Python and in SQL ----------------------------------------------------------------------------------

PAYEES = st.one_of(st.none(), st.text(max_size=30), st.sampled_from([
    "REDACTED", "Redacted personal data", "Personal Data", "private individual", "Name withheld", "Redactedness",
    "Withheld Ltd", "personal expenses", "Data Protection", ""]))


@given(st.lists(st.tuples(PAYEES, st.one_of(st.none(), st.sampled_from(["", " ", "1"]))), min_size=1, max_size=20))
@example([("\r", None), ("\t\n", ""), (" \x0b\x0c", None), ("\r", "1"), ("\xa0", None)])
def test_python_and_sql_agree_on_what_is_redacted(pairs):
    con = duckdb.connect()
    store.migrate(con)
    cur = con.cursor()
    cur.register("names", pd.DataFrame({"i": range(len(pairs)), "name": [p[0] for p in pairs],
                                        "id": [p[1] for p in pairs]}, dtype=object))
    sql = [bool(v) for (v,) in cur.execute("select is_redacted(name, id) from names order by i").fetchall()]
    assert sql == [matching.is_redacted(name, given_id) for name, given_id in pairs]


def test_registers_cli_load_status_and_matches(tmp_path, fixture_registers, ref_db, capsys):
    from dashboard import cli

    networks.load(tiny.TINY / "network.yaml", ref_db)
    assert cli.main(["registers", "status"]) == 0
    assert "No registers loaded" in capsys.readouterr().out
    assert cli.main(["registers", "load", "--quiet", *map(str, fixture_registers.files)]) == 0
    out = capsys.readouterr().out
    assert f"Companies House of {fixture_registers.register_date:%-d %B %Y}" in out
    assert cli.main(["registers", "status"]) == 0
    assert "Companies House: register of" in capsys.readouterr().out
    names = [label.supplier_name for label in fixture_registers.labels if label.case == "abbreviated"][:20]
    ingest.ingest("tiny", "trust", "spend", "2025Q1", _spend_file(tmp_path, names))
    assert cli.main(["suppliers", "matches", "--network", "tiny"]) == 0
    listed = capsys.readouterr().out
    assert "supplier(s) with proposed matches" in listed
    with store.connect() as con:
        first = matching.proposals(con.cursor(), "tiny", scope=OPERATOR).iloc[0]
    for action in ("confirm", "reject"):
        assert cli.main(["suppliers", action, "--network", "tiny", "--supplier", first["supplier_key"],
                         "--register", first["register"], "--entity", first["entity_id"]]) == 0
    assert "Rejected" in capsys.readouterr().out
    assert cli.main(["suppliers", "confirm", "--network", "tiny", "--supplier", "no such supplier",
                     "--register", "companies_house", "--entity", "00000000"]) != 0
    assert "has no candidate" in capsys.readouterr().err


def test_registers_cli_fetch_from_a_mirror(tmp_path, fixture_registers, ref_db, capsys):
    from dashboard import cli

    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for path in fixture_registers.files:
        if path.name.startswith("publicextract"):
            (mirror / path.name).write_bytes(path.read_bytes())
    server, url = serve(mirror)
    try:  # Companies House's file is missing from this mirror: nothing is loaded, and the message says so
        assert cli.main(["registers", "fetch", "--quiet", "--to", str(tmp_path / "d"), "--base-url", url,
                         "--month", f"{fixture_registers.register_date:%Y-%m}"]) != 0
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert "Could not download BasicCompanyDataAsOneFile" in err and "Nothing was loaded" in err
    with store.connect() as con:
        assert registers.status(con.cursor()) == []


def test_loading_the_full_size_layout_reads_every_part(tmp_path, fixture_registers, ref_db):
    """The parts of one release add up; a part read twice is skipped."""
    parts = sorted(p for p in fixture_registers.files if p.name.startswith("BasicCompanyData"))
    first = registers.load(parts[:1], ref_db, progress=False)
    second = registers.load(parts, ref_db, progress=False)
    assert [item.skipped for item in second] == [True, False]
    total = _query(ref_db, "select count(*) as n from register_entity where register = 'companies_house'")["n"][0]
    assert total == first[0].entries + second[1].entries == len(_companies(fixture_registers))
    assert dt.date.fromisoformat(str(_query(ref_db, "select max(release_date) as d from register_file")["d"][0])[:10]) \
        == fixture_registers.register_date
