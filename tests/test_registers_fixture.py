"""The fixture registers: the published layouts, a labelled set big enough to measure a matcher, one result per seed.

The checks read the written files back with plain csv/zipfile code and their own name normalisation, so they do
not take the builder's word for anything.
"""

import csv
import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests.registers_fixture import build

STAMP = "2025-06-01"
PLAIN_LEGAL_FORMS = re.compile(r"( (LIMITED|LTD|PLC|LLP|CIC|CIO|COMMUNITY INTEREST COMPANY))+$")


@pytest.fixture(scope="module")
def built(tmp_path_factory, spend_corpus, reference_dir):
    out_dir = tmp_path_factory.mktemp("registers")
    return build(spend_corpus, reference_dir, out_dir), out_dir


@pytest.fixture(scope="module")
def registers(built):
    """What the files hold, read back: entries by identifier and every name each carries."""
    _, out_dir = built
    entries, names = {}, []
    for part in (1, 2):
        for row in csv.DictReader(io.StringIO(_member_text(out_dir / f"BasicCompanyData-{STAMP}-part{part}_2.zip"))):
            row = {key.strip(): value for key, value in row.items()}
            entries[f"companies_house:{row['CompanyNumber']}"] = row
            live = row["CompanyStatus"] != "Dissolved"
            names += [(row["CompanyName"], live)] + [(row[f"PreviousName_{i}.CompanyName"], live) for i in range(1, 11)]
    for row in _tab_rows(_member_text(out_dir / "publicextract.charity.zip")):
        if row["linked_charity_number"] == "0":
            entries[f"charity_commission:{row['registered_charity_number']}"] = row
        names.append((row["charity_name"], row["charity_registration_status"] == "Registered"))
    names += [(row["charity_name"], True) for row in _tab_rows(_member_text(out_dir /
                                                                           "publicextract.charity_other_names.zip"))]
    for row in csv.DictReader(io.StringIO(_member_text(out_dir / "CharityExport-01-Jun-2025.zip"))):
        entries[f"oscr:{row['Charity Number']}"] = row
        names += [(row["Charity Name"], True), (row["Known As"], True)]
    for row in csv.DictReader(io.StringIO((out_dir / "SocietyList.csv").read_text(encoding="utf-8-sig"))):
        entries[f"fca_mutuals:{row['Full Registation Number']}"] = row
        names.append((row["Society Name"], True))
    return entries, [(name, live) for name, live in names if name]


def _member_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        [member] = archive.namelist()
        assert member == path.name.replace(".zip", ".txt" if path.name.startswith("publicextract") else ".csv")
        return archive.read(member).decode("utf-8")


def _tab_rows(text: str) -> list[dict[str, str]]:
    # Values ending in CRLF (a flaw of the published extract) are joined back as its users do.
    lines = text.replace("\r\n\t", "\t").split("\r\n")
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line]


def _plain(name: str) -> str:
    text = re.sub(r"['.]", "", name.upper().replace("&", " AND "))
    text = re.sub(r"^(THE )+", "", re.sub(r"[^A-Z0-9]+", " ", text).strip())
    return PLAIN_LEGAL_FORMS.sub("", text)


def test_companies_house_parts_keep_the_published_header_and_quoting(built):
    fixture, out_dir = built
    parts = [out_dir / f"BasicCompanyData-{STAMP}-part{part}_2.zip" for part in (1, 2)]
    assert parts == fixture.files[:2]
    for part in parts:
        text = _member_text(part)
        lines = text.split("\r\n")
        header = lines[0].split(",")
        assert len(header) == 55
        assert header[:2] == ["CompanyName", " CompanyNumber"]
        assert header[5] == " RegAddress.AddressLine2"
        assert header[33:37] == ["PreviousName_1.CONDATE", " PreviousName_1.CompanyName", " PreviousName_2.CONDATE",
                                 " PreviousName_2.CompanyName"]
        assert header[37:39] == ["PreviousName_3.CONDATE", " PreviousName_3.CompanyName"]
        assert header[-2:] == ["ConfStmtNextDueDate", " ConfStmtLastMadeUpDate"]
        assert '"' not in lines[0] and "\n" not in text.replace("\r\n", "")
        rows = lines[1:-1]
        assert lines[-1] == "" and len(rows) > 1000
        quoted = re.compile(r'^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$')
        assert all(quoted.match(row) for row in rows)
        assert all(len(row) == 55 for row in csv.reader(rows))
    numbers = [row[1] for part in parts for row in csv.reader(_member_text(part).splitlines()[1:])]
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"[0-9]{8}|(SC|NI|OC|CE)[0-9]{6}|IP[0-9]{5}R", number) for number in numbers)
    assert {number[:2] for number in numbers} >= {"SC", "NI", "OC", "IP"}


def test_charity_extracts_are_tab_separated_with_the_published_columns(built):
    _, out_dir = built
    text = _member_text(out_dir / "publicextract.charity.zip")
    header = text.split("\r\n", 1)[0].split("\t")
    assert len(header) == 34
    assert header[:5] == ["date_of_extract", "organisation_number", "registered_charity_number",
                          "linked_charity_number", "charity_name"]
    assert header[19] == "charity_contact_postcode" and header[23] == "charity_company_registration_number"
    assert header[-1] == "charity_has_land"
    assert "\r\n\t" in text, "the extract's CRLF-in-a-value flaw is reproduced"
    rows = _tab_rows(text)
    assert {row["linked_charity_number"] for row in rows} >= {"0", "1", "2"}
    assert {row["charity_registration_status"] for row in rows} == {"Registered", "Removed"}
    other_header = _member_text(out_dir / "publicextract.charity_other_names.zip").split("\r\n", 1)[0]
    assert other_header.split("\t") == ["date_of_extract", "organisation_number", "registered_charity_number",
                                        "linked_charity_number", "charity_name_id", "charity_name_type",
                                        "charity_name"]


def test_scottish_and_mutuals_registers_keep_their_published_headers(built):
    _, out_dir = built
    oscr = _member_text(out_dir / "CharityExport-01-Jun-2025.zip")
    header = next(csv.reader(io.StringIO(oscr)))
    assert header[:8] == ["Charity Number", "Charity Name", "Registered Date", "Known As", "Charity Status", "Notes",
                          "Postcode", "Constitutional Form"]
    assert len(header) == 36 and header[-1] == "Regulatory Type"
    assert 200 <= len(oscr.splitlines()) - 1 < 1000
    societies = (out_dir / "SocietyList.csv").read_bytes()
    assert societies.startswith(b"\xef\xbb\xbfSociety Number,Society Suffix,Full Registation Number,Society Name,")


def test_the_labelled_set_is_large_and_covers_every_case(built, spend_corpus):
    fixture, _ = built
    labels = fixture.labels
    cases = Counter(label.case for label in labels)
    assert len(labels) >= 600
    assert set(cases) >= {"exact", "styled", "previous_name", "working_name", "abbreviated", "truncated",
                          "trading_as", "charitable_company", "registered_society", "dissolved_namesake",
                          "ambiguous", "near_miss", "no_entry", "redacted", "individual", "public_body"}
    assert sum(label.expected is not None for label in labels) >= 400
    assert sum(label.expected is None for label in labels) >= 200
    assert len({label.supplier_name for label in labels}) == len(labels)
    assert all(label.supplier_name == label.supplier_name.strip() != "" for label in labels)
    corpus_files = {row["path"] for row in csv.DictReader((spend_corpus / "headers.csv").open(encoding="utf-8"))}
    assert {label.source_file for label in labels} <= corpus_files
    for label in labels:
        assert label.unique == (label.expected is not None and label.case != "ambiguous"), label
        assert (label.expected is None) == (label.case in {"near_miss", "no_entry", "redacted", "individual",
                                                             "public_body", "card_merchant"}), label


def test_every_expected_entry_is_in_the_files(built, registers):
    fixture, _ = built
    entries, _ = registers
    for label in fixture.labels:
        for entry in filter(None, (label.expected, *label.alternatives)):
            assert entry in entries, label
    for label in fixture.labels:
        if label.case == "charitable_company":
            company = entries[label.expected]["CompanyNumber"]
            [charity] = label.alternatives
            assert entries[charity]["charity_company_registration_number"] == company.lstrip("0")


def test_names_labelled_with_no_entry_are_in_no_register(built, registers):
    fixture, _ = built
    _, names = registers
    registered = {_plain(name) for name, _ in names}
    assert not [label for label in fixture.labels if label.expected is None and _plain(label.supplier_name)
                in registered]


def test_namesakes_are_dissolved_and_ambiguous_names_are_shared_by_live_entries(built, registers):
    fixture, _ = built
    entries, names = registers
    live_names = Counter(_plain(name) for name, live in names if live)
    dead_names = Counter(_plain(name) for name, live in names if not live)
    for label in fixture.labels:
        entry = entries.get(label.expected) or {}
        name = _plain(entry.get("CompanyName") or entry.get("charity_name") or "")
        if label.case == "dissolved_namesake":
            assert dead_names[name] >= 1, label
        if label.case == "ambiguous":
            assert live_names[name] >= 2, label


def test_one_seed_gives_one_fixture(built, spend_corpus, reference_dir, tmp_path):
    fixture, out_dir = built
    again = build(spend_corpus, reference_dir, tmp_path / "again")
    assert again.labels == fixture.labels
    assert [path.read_bytes() for path in again.files] == [path.read_bytes() for path in fixture.files]
    other = build(spend_corpus, reference_dir, tmp_path / "other", seed=12, background=300)
    assert other.labels != fixture.labels
