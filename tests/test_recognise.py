"""Recognising columns: public-sector headers recognised, ambiguity asked (never guessed), choices remembered."""

import csv

import pandas as pd
import pytest

from dashboard import contract, store
from dashboard import recognise as colmap
from tests import tiny

LGTC = ["Body Name", "Service Area", "Expenses Type", "Date", "Transaction Number", "Amount", "Supplier Name"]


def test_local_government_transparency_code_headers_map_without_asking():
    found = colmap.recognise("spend", LGTC)
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
    found = colmap.recognise("spend", ["Supplier", "Amount" if name == "currency" else "Amount GBP", "Payment Date",
                                       header]
                           if name not in ("supplier_name", "amount_gbp", "payment_date") else [header])
    assert found.fields[name] == header


@pytest.mark.parametrize("header, name", [
    ("Ref", "participant_ref"), ("Participant ID", "participant_ref"), ("Client Ref", "participant_ref"),
    ("Home Postcode", "home_postcode"), ("Postcode", "home_postcode"), ("Start Date", "start_date"),
    ("Date Completed", "completion_date"), ("Job Start", "job_start_date"), ("Programme", "initiative"),
    ("Ethnic Group", "ethnicity"), ("Sex", "gender"),
])
def test_participant_headers_are_recognised(header, name):
    assert colmap.recognise("participants", [header]).fields[name] == header


@pytest.mark.parametrize("headers, name", [
    (["Supplier", "Net Amount", "Gross Amount", "Date"], "amount_gbp"),
    (["Supplier", "Amount", "Posting Date", "Payment Date"], "payment_date"),
    (["Merchant Name", "Transaction Amount", "Amount (£)", "Currency", "Date"], "amount_gbp"),
    (["Supplier", "Amount", "Amount", "Date"], "amount_gbp"),
])
def test_two_candidates_are_asked_about_naming_both_and_how_to_choose(headers, name):
    found = colmap.recognise("spend", headers)
    assert name not in found.fields and len(found.ambiguous[name]) == 2
    [message] = [str(p) for p in found.problems(headers)]
    first, second = found.ambiguous[name]
    assert f"'{first}' and '{second}'" in message and f'--map "{first}={name}"' in message


def test_duplicate_headers_are_told_apart_by_column_letter_in_the_reader():
    # The reader names repeated headers 'Amount (column B)', 'Amount (column C)': both are candidates.
    found = colmap.recognise("spend", ["Supplier", "Amount (column B)", "Amount (column C)", "Date"])
    assert "amount_gbp" in found.ambiguous


def test_a_user_choice_resolves_ambiguity_and_a_template_name_always_wins():
    headers = ["Supplier", "Net Amount", "Gross Amount", "Date"]
    found = colmap.recognise("spend", headers, user={"Gross Amount": "amount_gbp"})
    assert found.fields["amount_gbp"] == "Gross Amount" and not found.ambiguous
    assert "Net Amount" in found.unmapped
    exact = colmap.recognise("spend", ["Supplier", "amount_gbp", "Gross Amount", "Net Amount", "Date"])
    assert exact.fields["amount_gbp"] == "amount_gbp" and not exact.ambiguous


def test_bad_user_choices_are_reported_not_ignored():
    headers = ["Supplier", "Amount", "Date"]
    found = colmap.recognise("spend", headers, user={"Amount": "money", "Nope": "supplier_id"})
    messages = [str(p) for p in found.problems(headers)]
    assert any(m.startswith("Column Amount: 'money' is not a field of a spend file") for m in messages)
    assert any(m.startswith("Column Nope: there is no column with this name") for m in messages)
    twice = colmap.recognise("spend", headers, user={"Amount": "amount_gbp", "Supplier": "amount_gbp"})
    assert [str(p) for p in twice.invalid] == [
        "Column Supplier: both 'Amount' and 'Supplier' were chosen as amount_gbp; choose one"]


def test_missing_required_column_lists_the_files_columns():
    headers = ["Creditor Ref", "Amount", "Date"]
    [problem] = colmap.recognise("spend", headers).problems(headers)
    assert problem.column == "supplier_name"
    assert "this required column is missing" in problem.message and "'Creditor Ref'" in problem.message
    assert '--map "COLUMN NAME=supplier_name"' in problem.message


def test_synonyms_point_to_one_field_each_and_to_real_fields():
    for kind, table in {"participants": colmap.PARTICIPANT_SYNONYMS}.items():
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
    found = colmap.recognise("spend", list(table.columns))
    out = colmap.apply(table, found)
    assert list(out.columns) == ["supplier_name", "amount_gbp"] and list(out.index) == [7]


def test_saved_mapping_is_per_institution_and_kind_and_the_latest_wins(tmp_path):
    db = tiny.build(tmp_path / "tiny.duckdb")
    first = colmap.recognise("spend", ["Supplier", "Net Amount", "Gross Amount", "Date"],
                           user={"Net Amount": "amount_gbp"})
    second = colmap.recognise("spend", ["Supplier", "Net Amount", "Gross Amount", "Date"],
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
    again = colmap.recognise("spend", ["Supplier", "Net Amount", "Gross Amount", "Paid On"], saved=saved)
    assert again.fields["amount_gbp"] == "Gross Amount" and not again.ambiguous


def test_header_score_finds_header_rows_not_titles():
    assert colmap.header_score("spend", ["Payments to suppliers over £500", "", ""]) == 0
    assert colmap.header_score("spend", LGTC) == 4
    # Every column of the contract counts once (13 since in_post_6_months joined).
    assert colmap.header_score("participants", [c.name for c in contract.PARTICIPANT_COLUMNS]) == 13


# Recognised by words and by what the cells hold, as in partners' real exports


@pytest.mark.parametrize("header, name", [
    ("Invoice Payment Date", "payment_date"), ("DATE (POSTING DATE)", "payment_date"), ("TRANS DATE", "payment_date"),
    ("Sum of Inv Amount", "amount_gbp"), ("Invoice Nett Amount", "amount_gbp"), ("Amount in Sterling £", "amount_gbp"),
    ("BILLING GROSS AMT", "amount_gbp"), ("BeneficiaryName", "supplier_name"), ("* SUPPLIER FINAL", "supplier_name"),
    ("Supplier(Beneficiary) Name", "supplier_name"), ("Invoice Line Value (net of VAT)", "amount_gbp"),
    ("Total (excludes VAT)", "amount_gbp"), ("AMOUNT (£)", "amount_gbp"), ("Clearing Date", "payment_date"),
])
def test_finance_system_headers_are_recognised_by_their_words(header, name):
    others = {"supplier_name": "Supplier", "amount_gbp": "Amount", "payment_date": "Payment Date"}
    others.pop(name)
    found = colmap.recognise("spend", [header, *others.values()])
    assert found.fields[name] == header and not found.ambiguous


def test_a_bare_name_column_beside_an_amount_is_the_supplier():
    found = colmap.recognise("spend", ["Name", "Net Amount(£)", "Date"])
    assert found.fields == {"supplier_name": "Name", "amount_gbp": "Net Amount(£)", "payment_date": "Date"}


@pytest.mark.parametrize("headers", [
    ["Supplier", "Amount", "Invoice Date", "Payment Date"],
    ["Supplier", "Amount", "Effective Date", "Payment Date"],
    ["Supplier", "Amount", "Invoice Creation Date", "Date Paid"],
])
def test_a_payment_date_beats_an_invoice_or_effective_date(headers):
    assert colmap.recognise("spend", headers).fields["payment_date"] == headers[-1]


@pytest.mark.parametrize("headers", [
    ["Supplier", "Amount", "VAT", "Date"], ["Supplier", "Net Amount", "Irrecoverable VAT", "Date"],
    ["Supplier", "Amount", "Purpose of Spend", "Transaction Number", "Date"],
])
def test_vat_purposes_and_numbers_are_not_amounts(headers):
    assert colmap.recognise("spend", headers).fields["amount_gbp"] == headers[1]


def test_cells_decide_between_columns_named_alike():
    # A column headed 'Transaction Date' that holds transaction numbers (a real NHS export) is not a date.
    cells = pd.DataFrame({"Date": ["03/06/2020", "10/06/2020"], "Transaction Date": ["5012331", "5012332"],
                          "Supplier": ["Acme Ltd", "Brum CIC"], "Amount": ["25,000.00", "30,100.50"]})
    found = colmap.recognise("spend", list(cells.columns), cells)
    assert found.fields["payment_date"] == "Date" and not found.ambiguous


def test_a_date_column_of_times_only_asks_for_another_or_the_quarter():
    cells = pd.DataFrame({"Supplier Name": ["Acme Ltd", "Brum CIC"], "Amount": ["600", "700"],
                          "Paid Date": ["00:00:00", "00:00:00"]})
    found = colmap.recognise("spend", list(cells.columns), cells)
    assert "payment_date" not in found.fields
    [problem] = found.problems(list(cells.columns))
    assert problem.column == "Paid Date" and "only times of day" in problem.message
    assert "--date-to-quarter" in problem.message and '--map "COLUMN NAME=payment_date"' in problem.message
    assert found.problems(list(cells.columns), date_to_quarter=True) == []


def test_a_field_no_header_names_is_asked_about_naming_the_columns_whose_cells_fit():
    cells = pd.DataFrame({"Nstrg(T)": ["Adults", "Children"], "Period": ["01/04/2024", "02/04/2024"],
                          "Amount": ["600.00", "700.00"], "Payee Ref(T)": ["Acme Ltd", "Brum CIC"]})
    found = colmap.recognise("spend", list(cells.columns), cells)
    messages = [p.message for p in found.problems(list(cells.columns))]
    assert any("'Period' could hold it" in m and '--map "Period=payment_date"' in m for m in messages)
    assert not any("missing" in m for m in messages)


def test_an_amount_in_another_currency_is_never_chosen_and_its_pair_in_pounds_is():
    # A purchase-card export: the original amount in the merchant's currency, the billed amount in pounds.
    cells = pd.DataFrame({
        "TRANS DATE": ["02/01/2024", "03/01/2024", "04/01/2024"], "MERCHANT NAME": ["Hotel", "Books", "Rail"],
        "ORIGINAL GROSS AMT": ["100.00", "250.00", "30.00"], "ORIGINAL CUR": ["GBP", "EUR", "GBP"],
        "BILLING GROSS AMT": ["100.00", "215.40", "30.00"], "BILLING CUR CODE": ["GBP", "GBP", "GBP"]})
    found = colmap.recognise("spend", list(cells.columns), cells)
    assert found.fields["amount_gbp"] == "BILLING GROSS AMT" and found.fields["currency"] == "BILLING CUR CODE"
    assert found.currency_of == {"ORIGINAL GROSS AMT": "ORIGINAL CUR", "BILLING GROSS AMT": "BILLING CUR CODE"}
    assert found.foreign == {"ORIGINAL GROSS AMT": ["EUR"]}
    by_hand = colmap.recognise("spend", list(cells.columns), cells, user={"ORIGINAL GROSS AMT": "amount_gbp"})
    assert by_hand.fields["currency"] == "ORIGINAL CUR"


def test_every_header_row_of_further_publishers_gives_each_required_field_or_one_question(spend_corpus):
    # Header rows of 28 further real exports (no cells): recognised from their words alone.
    rows = list(csv.DictReader((spend_corpus / "more_headers.csv").open(encoding="utf-8")))
    assert len(rows) >= 28
    needed = ("supplier_name", "amount_gbp", "payment_date")
    outcomes = {}
    for row in rows:
        headers = [h.strip() or f"Column {i}" for i, h in enumerate(row["header"].replace("<blank>", "").split(" | "))]
        found = colmap.recognise("spend", headers)
        for name in needed:
            outcome = ("read" if name in found.fields else "asked" if name in found.ambiguous else "missing")
            outcomes[(row["publisher"], row["header"], name)] = outcome
            if outcome == "asked":
                assert len(found.ambiguous[name]) >= 2
    missing = [k for k, v in outcomes.items() if v == "missing"]
    # Gateshead's export names no date and calls the supplier 'Supplier ID(T)': only its cells could tell.
    assert {publisher for publisher, _, _ in missing} <= {"Gateshead Council"}
    assert sum(v == "read" for v in outcomes.values()) >= 0.9 * len(outcomes)


def test_a_column_of_currency_codes_is_a_currency_column_whatever_its_header():
    cells = pd.DataFrame({"Date": ["02/01/2025", "03/01/2025"], "Merchant": ["Hotel", "Rail"],
                          "Amount": ["100.00", "20.00"], "Cd": ["EUR", "GBP"]})
    found = colmap.recognise("spend", list(cells.columns), cells)
    assert found.currency_of == {"Amount": "Cd"} and found.foreign == {"Amount": ["EUR"]}
    # The only amount is taken, with its currency, so each row not in pounds is refused by name.
    assert found.fields["amount_gbp"] == "Amount" and found.fields["currency"] == "Cd"
