"""Which column of a partner's own export holds which contract field: proposed, asked, remembered."""

import re
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from dashboard import contract, store
from dashboard.problems import Problem

# Not a contract column: names the column that says which currency each amount is in.
CURRENCY = "currency"

# Header spellings seen in public-sector exports (Local Government Transparency Code "spend over
# £500", purchase-card files, NHS and university finance systems), as keys (see header_key).
# A template name exactly as the template writes it ('amount_gbp') always wins; any other two
# candidates ('Net Amount', 'Gross Amount'; 'Invoice Date', 'Payment Date') are asked, never guessed.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "spend": {
        "supplier_name": (
            "supplier", "supplier_name", "suppliers_name", "vendor", "vendor_name", "payee", "payee_name",
            "beneficiary", "beneficiary_name", "merchant", "merchant_name", "creditor", "creditor_name",
            "supplier_trading_name", "name_of_supplier", "recipient", "recipient_name",
        ),
        "amount_gbp": (
            "amount", "amount_gbp", "amount_in_gbp", "gbp_amount", "net_amount", "net_amount_gbp", "net",
            "net_value", "value", "value_gbp", "total", "total_gbp", "total_amount", "gross", "gross_amount",
            "gross_value", "transaction_amount", "transaction_value", "amount_excl_vat",
            "amount_excluding_vat", "amount_ex_vat", "net_of_vat", "amount_paid", "payment_amount",
            "invoice_amount", "line_amount", "sterling_amount", "amount_sterling", "billing_amount",
            "original_amount", "original_currency_amount", "amount_in_original_currency", "spend",
        ),
        "payment_date": (
            "date", "payment_date", "posting_date", "posted_date", "transaction_date", "date_paid", "paid_date",
            "invoice_date", "date_of_payment", "pay_date", "payment_made_date", "clearing_date", "value_date",
            "transaction_posted_date", "date_of_transaction",
        ),
        "supplier_id": (
            "supplier_id", "supplier_reference", "supplier_ref", "supplier_number", "supplier_code",
            "vendor_id", "vendor_number", "vendor_code", "vendor_reference", "company_number",
            "companies_house_number", "company_registration_number", "company_reg_number", "charity_number",
            "charity_registration_number", "registered_charity_number", "supplier_company_number",
        ),
        "supplier_postcode": (
            "postcode", "post_code", "supplier_postcode", "supplier_post_code", "vendor_postcode",
            "merchant_postcode", "payee_postcode", "postal_code",
        ),
        "supplier_lsoa_code": ("lsoa", "lsoa_code", "lsoa21", "lsoa21_code", "lsoa_2021_code", "supplier_lsoa"),
        "category": (
            "category", "expenditure_category", "expense_category", "expense_type", "expenses_type",
            "expenditure_type", "service_area_category", "spend_category", "procurement_category", "purpose",
            "merchant_category", "merchant_category_description", "proclass", "proclass_description",
        ),
        "is_sme": ("sme", "is_sme", "sme_flag", "sme_supplier", "supplier_is_sme", "sme_y_n", "sme_yes_no"),
        "is_vcse": ("vcse", "is_vcse", "vcse_flag", "vcse_supplier", "supplier_is_vcse", "vcse_y_n", "vcse_yes_no"),
        "initiative": ("initiative", "initiative_name", "initiative_code", "initiative_id"),
        CURRENCY: ("currency", "currency_code", "transaction_currency", "original_currency", "billing_currency",
                   "ccy", "currency_type"),
    },
    "participants": {
        "participant_ref": (
            "ref", "reference", "participant_ref", "participant_reference", "participant_id", "participant_number",
            "client_ref", "client_reference", "client_id", "learner_ref", "learner_reference", "learner_id",
            "person_ref", "person_id", "candidate_ref", "candidate_id", "case_ref", "case_reference", "case_id",
        ),
        "initiative": (
            "initiative", "initiative_name", "initiative_code", "initiative_id", "programme", "programme_name",
            "program", "project", "project_name", "scheme",
        ),
        "home_postcode": (
            "postcode", "post_code", "home_postcode", "home_post_code", "participant_postcode", "client_postcode",
            "residential_postcode", "address_postcode",
        ),
        "lsoa_code": ("lsoa", "lsoa_code", "lsoa21", "lsoa21_code", "lsoa_2021_code", "home_lsoa"),
        "start_date": (
            "start_date", "start", "started", "date_started", "programme_start_date", "course_start_date",
            "enrolment_date", "enrollment_date", "date_of_enrolment", "date_joined", "joined_date",
        ),
        "completion_date": (
            "completion_date", "completed_date", "date_completed", "completed_on", "course_completion_date",
            "programme_completion_date", "completion",
        ),
        "job_start_date": (
            "job_start_date", "job_start", "job_started", "date_started_job", "date_started_work",
            "employment_start_date", "into_work_date", "date_into_work",
        ),
        "employer": ("employer", "employer_name", "employing_organisation", "employed_by"),
        "age_band": ("age_band", "age_group", "age_range"),
        "gender": ("gender", "sex", "gender_identity"),
        "ethnicity": ("ethnicity", "ethnic_group", "ethnic_origin", "ethnic_background"),
        "disability": ("disability", "disabled", "has_disability", "disability_status"),
    },
}

# What each field is, for messages.
LABELS = {
    "supplier_name": "the supplier's name", "supplier_id": "the supplier's company or charity number",
    "supplier_postcode": "the supplier's postcode", "supplier_lsoa_code": "the supplier's LSOA code",
    "amount_gbp": "the amount in pounds", "payment_date": "the payment date", "category": "the category",
    "is_sme": "the SME flag", "is_vcse": "the VCSE flag", "initiative": "the initiative",
    "participant_ref": "the participant reference", "home_postcode": "the home postcode",
    "lsoa_code": "the LSOA code", "start_date": "the start date", "completion_date": "the completion date",
    "job_start_date": "the job start date", "employer": "the employer", "age_band": "the age band",
    "gender": "gender", "ethnicity": "ethnicity", "disability": "disability", CURRENCY: "the currency",
}


_LETTER_SUFFIX = re.compile(r"\s*\(column [A-Z]+\)$")  # how the reader tells repeated headers apart


def header_key(header: object) -> str:
    """A header reduced for matching: lower case, '£' as 'gbp', '&' as 'and', punctuation as '_'."""
    text = _LETTER_SUFFIX.sub("", str(header).strip().lstrip("\ufeff"))
    text = text.lower().replace("£", " gbp ").replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def template_key(header: object) -> str:
    """A header as snake_case: lower case, anything but letters and digits as '_'."""
    return re.sub(r"[^a-z0-9]+", "_", str(header).strip().lstrip("\ufeff").lower()).strip("_")


def _exact(header: str) -> str:
    """The header as the template writes its names ('amount_gbp'); only that spelling wins outright."""
    return _LETTER_SUFFIX.sub("", str(header).strip().lstrip("\ufeff")).strip().lower()


def fields_of(kind: str) -> tuple[str, ...]:
    """Every field a column of this kind of file can be mapped to."""
    return tuple(c.name for c in contract.COLUMNS[kind]) + ((CURRENCY,) if kind == "spend" else ())


def header_score(kind: str, cells: Sequence[object]) -> int:
    """How many cells of a row are recognisable column names for this kind of file."""
    known = _known_keys(kind)
    return sum(1 for c in cells if c is not None and str(c).strip() and header_key(c) in known)


def _known_keys(kind: str) -> frozenset[str]:
    keys = {k for names in SYNONYMS[kind].values() for k in names} | set(fields_of(kind))
    return frozenset(keys | set(contract.FORBIDDEN_COLUMNS))


@dataclass
class Mapping:
    """Which source header feeds each field, and what could not be decided."""

    kind: str
    fields: dict[str, str]                       # field -> source header
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    user: dict[str, str] = field(default_factory=dict)   # the choices given (source header -> field)
    invalid: list[Problem] = field(default_factory=list)  # choices that cannot be honoured

    def problems(self, headers: Sequence[str]) -> list[Problem]:
        """What stops the file being read, worded for the person uploading it."""
        found = ", ".join(f"'{h}'" for h in headers) or "none"
        out = list(self.invalid)
        for name, candidates in self.ambiguous.items():
            listed = " and ".join(f"'{c}'" for c in candidates)
            out.append(Problem(None, None, (
                f"more than one column could be {LABELS.get(name, name)}: {listed}. Nothing is guessed: "
                f"say which to use, e.g. --map \"{candidates[0]}={name}\" (on the upload page, choose it "
                "in the column list)")))
        for name in self.missing_required:
            out.append(Problem(None, name, (
                f"this required column is missing ({LABELS.get(name, name)}). The file's columns are: {found}. "
                f"If one of them holds it, say which, e.g. --map \"COLUMN NAME={name}\"")))
        return out

    def as_saved(self) -> dict[str, str]:
        """The mapping as stored for next time: source header -> field."""
        return {source: name for name, source in self.fields.items()}


def propose(kind: str, headers: Sequence[str], user: MappingType[str, str] | None = None,
            saved: MappingType[str, str] | None = None) -> Mapping:
    """Map a file's headers to fields: the user's choices, then saved ones, then template names, then synonyms."""
    allowed = fields_of(kind)
    present = list(headers)
    chosen: dict[str, str] = {}
    invalid: list[Problem] = []
    user = dict(user or {})
    for source, name in user.items():
        name = name.strip()
        if name not in allowed:
            invalid.append(Problem(None, source, f"'{name}' is not a field of a {kind} file; use one of: "
                                   f"{', '.join(allowed)}"))
        elif source not in present:
            invalid.append(Problem(None, source, "there is no column with this name in the file; its columns "
                                   f"are: {', '.join(repr(h) for h in present)}"))
        elif name in chosen:
            invalid.append(Problem(None, source, f"both '{chosen[name]}' and '{source}' were chosen as {name}; "
                                   "choose one"))
        else:
            chosen[name] = source
    # A saved mapping is last quarter's answer: used where it still fits, silently skipped where not.
    for source, name in (saved or {}).items():
        if name in allowed and source in present and name not in chosen and source not in chosen.values():
            chosen[name] = source
    ambiguous: dict[str, list[str]] = {}
    free = [h for h in present if h not in chosen.values()]
    exact: dict[str, list[str]] = {}
    for h in free:
        if _exact(h) in allowed:
            exact.setdefault(_exact(h), []).append(h)
    for name in allowed:
        if name in chosen:
            continue
        candidates = exact.get(name) or [h for h in free if header_key(h) in SYNONYMS[kind].get(name, ())
                                         and _exact(h) not in allowed]
        if len(candidates) == 1:
            chosen[name] = candidates[0]
        elif candidates:
            ambiguous[name] = candidates
    used = set(chosen.values())
    missing = [c.name for c in contract.COLUMNS[kind] if c.required and c.name not in chosen
               and c.name not in ambiguous]
    return Mapping(kind, {name: chosen[name] for name in allowed if name in chosen}, ambiguous,
                   [h for h in present if h not in used], missing, user, invalid)


def apply(table: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """The table's mapped columns renamed to their fields (the row index, the file's row numbers, kept)."""
    return pd.DataFrame({name: table[source] for name, source in mapping.fields.items()}, index=table.index)


def saved_mapping(con: duckdb.DuckDBPyConnection, network_id: str, institution_id: str, kind: str) -> dict[str, str]:
    """The mapping (source header -> field) last confirmed for this institution's files of this kind."""
    rows = store.run(con, "column_mapping_saved", network_id=network_id, institution_id=institution_id, kind=kind)
    return dict(zip(rows["source_header"], rows["field"], strict=True))


def save_mapping(con: duckdb.DuckDBPyConnection, submission_id: int, network_id: str, institution_id: str,
                 kind: str, mapping: Mapping) -> None:
    """Remember the mapping a committed submission used, so next quarter's file maps itself."""
    for source, name in mapping.as_saved().items():
        store.run(con, "column_mapping_insert", submission_id=submission_id, network_id=network_id,
                  institution_id=institution_id, kind=kind, source_header=source, field=name)
