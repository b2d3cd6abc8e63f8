"""The data contract: what partners upload, column by column. Ingest, templates and docs use it."""

from dataclasses import dataclass

KINDS = ("participants", "spend")

INSTITUTION_TYPES = {
    "nhs_trust": "NHS trust",
    "local_authority": "Local authority",
    "university": "University",
    "college": "College",
    "housing_association": "Housing association",
    "vcse": "VCSE (voluntary, community and social enterprise)",
    "other": "Other",
}

AGE_BANDS = ("16-24", "25-34", "35-49", "50-64", "65+", "Prefer not to say")
GENDERS = ("Female", "Male", "Non-binary", "Other", "Prefer not to say")
ETHNIC_GROUPS = (
    "Asian or Asian British",
    "Black, Black British, Caribbean or African",
    "Mixed or multiple ethnic groups",
    "White",
    "Other ethnic group",
    "Prefer not to say",
)
DISABILITY = ("Yes", "No", "Prefer not to say")
YES_NO = ("Yes", "No")

# Columns that would put personal identifiers into the store. A file carrying one is refused.
FORBIDDEN_COLUMNS = {
    "name": "a name",
    "first_name": "a name",
    "forename": "a name",
    "surname": "a name",
    "last_name": "a name",
    "full_name": "a name",
    "participant_name": "a name",
    "date_of_birth": "a date of birth",
    "dob": "a date of birth",
    "email": "an email address",
    "email_address": "an email address",
    "phone": "a phone number",
    "telephone": "a phone number",
    "mobile": "a phone number",
    "address": "a home address",
    "home_address": "a home address",
    "nhs_number": "an NHS number",
    "ni_number": "a National Insurance number",
    "national_insurance_number": "a National Insurance number",
}


@dataclass(frozen=True)
class Column:
    """One column of an upload: its name, whether it is required, and what it holds."""

    name: str
    kind: str  # 'text' | 'date' | 'amount' | 'postcode' | 'lsoa' | 'choice' | 'flag'
    required: bool
    description: str
    example: str
    allowed: tuple[str, ...] = ()


PARTICIPANT_COLUMNS = (
    Column("participant_ref", "text", True,
           "Your own reference for the person (pseudonymous). Never a name.", "HTH-2025-0042"),
    Column("initiative", "text", True,
           "The initiative's code or name as defined for the network.", "hospitality-to-health"),
    Column("home_postcode", "postcode", False,
           "Home postcode. Used to find the small area (LSOA); only the area and the postcode "
           "district are stored. Give this or lsoa_code.", "B10 0AB"),
    Column("lsoa_code", "lsoa", False,
           "LSOA 2021 code of the home address, if you have it instead of the postcode.", ""),
    Column("start_date", "date", True, "Date the person started on the initiative (dd/mm/yyyy).",
           "14/01/2025"),
    Column("completion_date", "date", False, "Date they completed the course, if they did.",
           "28/02/2025"),
    Column("job_start_date", "date", False, "Date they started a job through the initiative.",
           "07/04/2025"),
    Column("employer", "text", False, "Employing institution or organisation, if known.",
           "University Hospitals Birmingham NHS Foundation Trust"),
    Column("in_post_6_months", "flag", False,
           "Still in the job six months after the job start, where you follow up; leave blank if not "
           "followed up.", "Yes", YES_NO),
    Column("age_band", "choice", False, "Equality monitoring (optional).", "25-34", AGE_BANDS),
    Column("gender", "choice", False, "Equality monitoring (optional).", "Female", GENDERS),
    Column("ethnicity", "choice", False, "Equality monitoring (optional), ONS high-level groups.",
           "White", ETHNIC_GROUPS),
    Column("disability", "choice", False, "Equality monitoring (optional).", "No", DISABILITY),
)

SPEND_COLUMNS = (
    Column("supplier_name", "text", True, "Supplier's name as on the invoice.",
           "Balsall Heath Catering CIC"),
    Column("supplier_id", "text", False,
           "Companies House number or charity number, if known.", "09876543"),
    Column("supplier_postcode", "postcode", False,
           "Supplier's postcode. Spend with no known location is shown as 'location unknown', "
           "never dropped.", "B12 9QE"),
    Column("supplier_lsoa_code", "lsoa", False, "LSOA 2021 code of the supplier, instead of the postcode.", ""),
    Column("amount_gbp", "amount", True,
           "Amount in pounds. Credits and refunds as negative numbers or in brackets.", "1250.00"),
    Column("payment_date", "date", True, "Date paid (dd/mm/yyyy).", "03/03/2025"),
    Column("category", "text", False, "Expenditure category.", "Catering"),
    Column("is_sme", "flag", False, "Small or medium-sized enterprise: Yes or No.", "Yes", YES_NO),
    Column("is_vcse", "flag", False, "Voluntary, community or social enterprise: Yes or No.", "Yes",
           YES_NO),
    Column("initiative", "text", False, "Initiative the spend belongs to, if any.", ""),
)

COLUMNS = {"participants": PARTICIPANT_COLUMNS, "spend": SPEND_COLUMNS}
