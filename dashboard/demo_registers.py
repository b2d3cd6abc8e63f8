"""The demo's registers: synthetic Companies House and Charity Commission files for the demo suppliers.

The demo networks' suppliers are placed the way a real network's are: most payments carry only the supplier's
name (and often its company number), and the official registers, loaded by the same loader as the real files,
place them. These files are in the registers' published layouts, every entry made up, and are loaded marked
synthetic. Some payee names are abbreviated in the spend files, so the demo also has matches to confirm.
"""

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

# The Free Company Data Product's header line as published (some names carry a leading space).
COMPANIES_HOUSE_HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, RegAddress.AddressLine2,"
    "RegAddress.PostTown,RegAddress.County,RegAddress.Country,RegAddress.PostCode,CompanyCategory,CompanyStatus,"
    "CountryOfOrigin,DissolutionDate,IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,"
    "Accounts.NextDueDate,Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,"
    "Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,Mortgages.NumMortPartSatisfied,"
    "Mortgages.NumMortSatisfied,SICCode.SicText_1,SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,"
    "LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,URI,"
    "PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE, PreviousName_2.CompanyName,"
    "PreviousName_3.CONDATE, PreviousName_3.CompanyName,PreviousName_4.CONDATE, PreviousName_4.CompanyName,"
    "PreviousName_5.CONDATE, PreviousName_5.CompanyName,PreviousName_6.CONDATE, PreviousName_6.CompanyName,"
    "PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE, PreviousName_8.CompanyName,"
    "PreviousName_9.CONDATE, PreviousName_9.CompanyName,PreviousName_10.CONDATE, PreviousName_10.CompanyName,"
    "ConfStmtNextDueDate, ConfStmtLastMadeUpDate"
)
CHARITY_COLUMNS = [
    "date_of_extract", "organisation_number", "registered_charity_number", "linked_charity_number", "charity_name",
    "charity_type", "charity_registration_status", "date_of_registration", "date_of_removal",
    "charity_reporting_status", "latest_acc_fin_period_start_date", "latest_acc_fin_period_end_date",
    "latest_income", "latest_expenditure", "charity_contact_address1", "charity_contact_address2",
    "charity_contact_address3", "charity_contact_address4", "charity_contact_address5", "charity_contact_postcode",
    "charity_contact_phone", "charity_contact_email", "charity_contact_web", "charity_company_registration_number",
    "charity_insolvent", "charity_in_administration", "charity_previously_excepted", "charity_is_cdf_or_cif",
    "charity_is_cio", "cio_is_dissolved", "date_cio_dissolution_notice", "charity_activities", "charity_gift_aid",
    "charity_has_land",
]
RELEASE = "2026-11-01"  # the date the demo's registers claim
REGISTERED = 0.8        # of the suppliers with a place, the share in the registers
ABBREVIATED = 0.12      # of those, the share whose payee name the spend files abbreviate (and give no number)
REDACTED_NAME = "REDACTED - personal data"
_ABBREVIATIONS = {"Services": "Svcs", "Maintenance": "Maint", "Supplies": "Supp", "Building": "Bldg",
                  "Facilities": "Facs", "Cleaning": "Clng", "Electrical": "Elec", "Logistics": "Logs"}
_FORMS = {"Ltd": ("LIMITED", "Private Limited Company"), "Limited": ("LIMITED", "Private Limited Company"),
          "CIC": ("CIC", "Community Interest Company"), "Co-operative": ("CO-OPERATIVE LIMITED", "Registered Society"),
          "LLP": ("LLP", "Limited Liability Partnership")}
_SMALL_ACCOUNTS = ("MICRO ENTITY", "SMALL", "TOTAL EXEMPTION FULL", "UNAUDITED ABRIDGED")


def _abbreviated(name: str) -> str | None:
    for word, short in _ABBREVIATIONS.items():
        if word in name:
            return name.replace(word, short)
    return None


def split(suppliers: pd.DataFrame, taken: set[str], rng: np.random.Generator
          ) -> tuple[pd.DataFrame, list[dict[str, str]], list[dict[str, str]]]:
    """The suppliers as the spend files give them, and the register entries (companies, charities) for them.

    suppliers: the demo's suppliers with their true place and flags. A registered supplier's payments carry its
    name (abbreviated for some) and its company number when the demo gives one, never its postcode or flags.
    taken: registered names so far (another network's), never registered twice.
    """
    files = suppliers.copy()
    companies, charities = [], []
    for i, s in suppliers.iterrows():
        draw, abbreviate, number = rng.random(), rng.random(), int(rng.integers(1_000_000, 13_999_999))
        if not s["supplier_postcode"] or draw >= REGISTERED or s["supplier_name"] in taken:
            continue
        taken.add(s["supplier_name"])
        base, form = s["supplier_name"].rsplit(" ", 1)
        accounts = ({"Yes": _SMALL_ACCOUNTS[number % len(_SMALL_ACCOUNTS)], "No": "FULL"}
                    .get(s["is_sme"], "NO ACCOUNTS FILED"))
        if form == "Trust":
            charities.append({"registered_charity_number": str(1_100_000 + number % 99_999), "linked_charity_number":
                              "0", "charity_name": s["supplier_name"].upper(), "charity_type": "Trust",
                              "charity_registration_status": "Registered", "charity_contact_address1": "1 HIGH STREET",
                              "charity_contact_postcode": s["supplier_postcode"], "date_of_extract": RELEASE})
        else:
            registered, category = _FORMS[form]
            company_number = s["supplier_id"] or f"{number:08d}"
            companies.append({"CompanyName": f"{base.upper()} {registered}", "CompanyNumber": company_number,
                              "RegAddress.AddressLine1": "1 HIGH STREET", "RegAddress.PostCode": s["supplier_postcode"],
                              "CompanyCategory": category, "CompanyStatus": "Active", "CountryOfOrigin":
                              "United Kingdom", "Accounts.AccountCategory": accounts,
                              "URI": f"http://business.data.gov.uk/id/company/{company_number}"})
            if number % 5 == 0:  # a dissolved namesake: the live company is the one to match
                companies.append({"CompanyName": f"{base.upper()} HOLDINGS LIMITED", "CompanyNumber":
                                  f"{(number + 7) % 14_000_000:08d}", "RegAddress.PostCode": s["supplier_postcode"],
                                  "CompanyCategory": "Private Limited Company", "CompanyStatus": "Dissolved",
                                  "Accounts.AccountCategory": "NO ACCOUNTS FILED"})
        files.loc[i, ["supplier_postcode", "is_sme", "is_vcse"]] = ""
        short = _abbreviated(s["supplier_name"])
        if abbreviate < ABBREVIATED and short:
            files.loc[i, ["supplier_name", "supplier_id"]] = [short, ""]
    return files, companies, charities


def write(folder: Path, companies: list[dict[str, str]], charities: list[dict[str, str]]) -> list[Path]:
    """The register files, as their publishers lay them out; the same entries always give the same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    header = COMPANIES_HOUSE_HEADER.split(",")
    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    text.write(COMPANIES_HOUSE_HEADER + "\r\n")
    for company in sorted(companies, key=lambda c: c["CompanyName"]):
        writer.writerow([company.get(name.strip(), "") for name in header])
    paths = [_zip(folder / f"BasicCompanyData-{RELEASE}-part1_1.zip", text.getvalue())]
    lines = ["\t".join(CHARITY_COLUMNS)] + ["\t".join(c.get(name, "") for name in CHARITY_COLUMNS)
                                              for c in sorted(charities, key=lambda c: c["charity_name"])]
    paths.append(_zip(folder / "publicextract.charity.zip", "\r\n".join(lines) + "\r\n"))
    return paths


def _zip(path: Path, text: str) -> Path:
    member = path.name.replace(".zip", ".txt" if path.name.startswith("publicextract") else ".csv")
    info = zipfile.ZipInfo(member, date_time=(2026, 11, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, text.encode("utf-8"))
    return path


def redact(files: list[tuple[str, str, pd.DataFrame]], rng: np.random.Generator
           ) -> list[tuple[str, str, pd.DataFrame]]:
    """Spend files with about one payment in 60 to a private individual, redacted as councils publish them."""
    out = []
    for institution_id, quarter, rows in files:
        rows = rows.copy()
        hit = rng.random(len(rows)) < 1 / 60
        rows.loc[hit, ["supplier_name", "supplier_id", "supplier_postcode", "is_sme", "is_vcse"]] = [
            REDACTED_NAME, "", "", "", ""]
        out.append((institution_id, quarter, rows))
    return out
