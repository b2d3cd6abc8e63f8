"""Column mapping: public-sector headers recognised, ambiguity asked (never guessed), choices remembered."""

import pandas as pd
import pytest

from dashboard import contract, store
from dashboard import mapping as colmap
from tests import tiny

LGTC = ["Body Name", "Service Area", "Expenses Type", "Date", "Transaction Number", "Amount", "Supplier Name"]


def test_local_government_transparency_code_headers_map_without_asking():
    found = colmap.propose("spend", LGTC)
    assert found.fields == {"supplier_name": "Supplier Name", "amount_gbp": "Amount", "payment_date": "Date",
                            "category": "Expenses Type"}
    assert found.ambiguous == {} and found.missing_required == [] and found.problems(LGTC) == []
    assert found.unmapped == ["Body Name", "Service Area", "Transaction Number"]


@pytest.mark.parametrize("header, name", [
    ("SUPPLIER NAME", "supplier_name"), ("Vendor Name", "supplier_name"), ("payee", "supplier_name"),
    ("Beneficiary", "supplier_name"), ("Merchant Name", "supplier_name"), ("Amount (£)", "amount_gbp"),
    ("Net Amount", "amount_gbp"), ("amount excl. VAT", "amount_gbp"), ("Transaction Amount", "amount_gbp"),
    ("Total", "amount_gbp"), ("Value", "amount_gbp"), ("Posting Date", "payment_date"),
    ("date-paid", "payment_date"), ("Invoice Date", "payment_date"), ("Companies House Number", "supplier_id"),
    ("Charity Number", "supplier_id"), ("Supplier Reference", "supplier_id"), ("Post Code", "supplier_postcode"),
    ("Supplier Postcode", "supplier_postcode"), ("Expenditure Category", "category"),
    ("Merchant Category", "category"), ("Purpose", "category"), ("SME", "is_sme"), ("VCSE?", "is_vcse"),
    ("Currency Code", "currency"),
])
def test_each_common_spend_header_is_recognised_in_any_case_and_punctuation(header, name):
    found = colmap.propose("spend", ["Supplier", "Amount GBP", "Payment Date", header]
                           if name not in ("supplier_name", "amount_gbp", "payment_date") else [header])
    assert found.fields[name] == header


@pytest.mark.parametrize("header, name", [
    ("Ref", "participant_ref"), ("Participant ID", "participant_ref"), ("Client Ref", "participant_ref"),
    ("Home Postcode", "home_postcode"), ("Postcode", "home_postcode"), ("Start Date", "start_date"),
    ("Date Completed", "completion_date"), ("Job Start", "job_start_date"), ("Programme", "initiative"),
    ("Ethnic Group", "ethnicity"), ("Sex", "gender"),
])
def test_participant_headers_are_recognised(header, name):
    assert colmap.propose("participants", [header]).fields[name] == header


@pytest.mark.parametrize("headers, name", [
    (["Supplier", "Net Amount", "Gross Amount", "Date"], "amount_gbp"),
    (["Supplier", "Amount", "Invoice Date", "Payment Date"], "payment_date"),
    (["Merchant Name", "Transaction Amount", "Amount (£)", "Currency", "Date"], "amount_gbp"),
    (["Supplier", "Amount", "Amount", "Date"], "amount_gbp"),
])
def test_two_candidates_are_asked_about_naming_both_and_how_to_choose(headers, name):
    found = colmap.propose("spend", headers)
    assert name not in found.fields and len(found.ambiguous[name]) == 2
    [message] = [str(p) for p in found.problems(headers)]
    first, second = found.ambiguous[name]
    assert f"'{first}' and '{second}'" in message and f'--map "{first}={name}"' in message


def test_duplicate_headers_are_told_apart_by_column_letter_in_the_reader():
    # The reader names repeated headers 'Amount (column B)', 'Amount (column C)': both are candidates.
    found = colmap.propose("spend", ["Supplier", "Amount (column B)", "Amount (column C)", "Date"])
    assert "amount_gbp" in found.ambiguous


def test_a_user_choice_resolves_ambiguity_and_a_template_name_always_wins():
    headers = ["Supplier", "Net Amount", "Gross Amount", "Date"]
    found = colmap.propose("spend", headers, user={"Gross Amount": "amount_gbp"})
    assert found.fields["amount_gbp"] == "Gross Amount" and not found.ambiguous
    assert "Net Amount" in found.unmapped
    exact = colmap.propose("spend", ["Supplier", "amount_gbp", "Gross Amount", "Net Amount", "Date"])
    assert exact.fields["amount_gbp"] == "amount_gbp" and not exact.ambiguous


def test_bad_user_choices_are_reported_not_ignored():
    headers = ["Supplier", "Amount", "Date"]
    found = colmap.propose("spend", headers, user={"Amount": "money", "Nope": "supplier_id"})
    messages = [str(p) for p in found.problems(headers)]
    assert any(m.startswith("Column Amount: 'money' is not a field of a spend file") for m in messages)
    assert any(m.startswith("Column Nope: there is no column with this name") for m in messages)
    twice = colmap.propose("spend", headers, user={"Amount": "amount_gbp", "Supplier": "amount_gbp"})
    assert [str(p) for p in twice.invalid] == [
        "Column Supplier: both 'Amount' and 'Supplier' were chosen as amount_gbp; choose one"]


def test_missing_required_column_lists_the_files_columns():
    headers = ["Creditor Ref", "Amount", "Date"]
    [problem] = colmap.propose("spend", headers).problems(headers)
    assert problem.column == "supplier_name"
    assert "this required column is missing" in problem.message and "'Creditor Ref'" in problem.message
    assert '--map "COLUMN NAME=supplier_name"' in problem.message


def test_synonyms_point_to_one_field_each_and_to_real_fields():
    for kind, table in colmap.SYNONYMS.items():
        allowed = set(colmap.fields_of(kind))
        assert set(table) <= allowed
        seen = {}
        for name, keys in table.items():
            for key in keys:
                assert key == colmap.header_key(key), key
                assert seen.setdefault(key, name) == name, f"{key} is a synonym of {seen[key]} and {name}"
                # A synonym that is another field's template name would be claimed by that field first.
                assert key not in allowed or key == name, key


def test_apply_renames_the_mapped_columns_and_keeps_row_numbers():
    table = pd.DataFrame({"Supplier Name": ["A"], "Amount": ["1"], "Body Name": ["x"]}, index=[7])
    found = colmap.propose("spend", list(table.columns))
    out = colmap.apply(table, found)
    assert list(out.columns) == ["supplier_name", "amount_gbp"] and list(out.index) == [7]


def test_saved_mapping_is_per_institution_and_kind_and_the_latest_wins(tmp_path):
    db = tiny.build(tmp_path / "tiny.duckdb")
    first = colmap.propose("spend", ["Supplier", "Net Amount", "Gross Amount", "Date"],
                           user={"Net Amount": "amount_gbp"})
    second = colmap.propose("spend", ["Supplier", "Net Amount", "Gross Amount", "Date"],
                            user={"Gross Amount": "amount_gbp"})

    def save(cur):
        colmap.save_mapping(cur, 1, "tiny", "council", "spend", first)
        colmap.save_mapping(cur, 2, "tiny", "council", "spend", second)

    store.write(save, db)
    with store.connect(db) as con:
        cur = con.cursor()
        saved = colmap.saved_mapping(cur, "tiny", "council", "spend")
        assert saved == {"Supplier": "supplier_name", "Gross Amount": "amount_gbp", "Date": "payment_date"}
        assert colmap.saved_mapping(cur, "tiny", "trust", "spend") == {}
        assert colmap.saved_mapping(cur, "tiny", "council", "participants") == {}
    # Next quarter the saved answer settles the question; a header that has gone is skipped quietly.
    again = colmap.propose("spend", ["Supplier", "Net Amount", "Gross Amount", "Paid On"], saved=saved)
    assert again.fields["amount_gbp"] == "Gross Amount" and not again.ambiguous


def test_header_score_finds_header_rows_not_titles():
    assert colmap.header_score("spend", ["Payments to suppliers over £500", "", ""]) == 0
    assert colmap.header_score("spend", LGTC) == 4
    # Every column of the contract counts once (13 since in_post_6_months joined).
    assert colmap.header_score("participants", [c.name for c in contract.PARTICIPANT_COLUMNS]) == 13
