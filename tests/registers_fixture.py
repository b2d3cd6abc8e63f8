"""Fixture register files in the layouts the UK registers publish, and real payee names labelled with the right entry.

Tests measure a supplier-name matcher with these (precision and recall on the payee names of the real spend
corpus). Every answer is known by construction; nothing here shares code with the matcher.

Files written to out_dir:
  BasicCompanyData-YYYY-MM-01-part1_2.zip, ...-part2_2.zip
      Companies House Free Company Data Product, one CSV in each zip named like the zip. The published 55-column
      header line, unquoted and with its leading spaces (" CompanyNumber", " RegAddress.AddressLine2",
      " PreviousName_1.CompanyName", ...); every value quoted, empty ones as ""; dates dd/mm/yyyy; UTF-8; CRLF.
      Rows sorted by CompanyName and cut into the two parts, as the parts are published.
  publicextract.charity.zip, publicextract.charity_other_names.zip
      Charity Commission for England and Wales register extract: tab-separated, unquoted, UTF-8, CRLF,
      date_of_extract first; a main charity has linked_charity_number 0, its linked subsidiaries 1, 2, ...;
      charity_company_registration_number holds the company number as an integer (leading zeros dropped).
      Two background rows carry the extract's known flaw, a charity_activities value ending in CRLF.
  CharityExport-DD-Mon-YYYY.zip
      Scottish Charity Regulator register download: one CSV named like the zip, comma-separated.
  SocietyList.csv
      FCA Mutuals Public Register society list (a plain CSV with a BOM, as downloaded), keeping the register's
      own header typo "Full Registation Number". Registered societies are also in Companies House (IP...R).

Labels:
  expected      "companies_house:<CompanyNumber>", "charity_commission:<registered_charity_number>" or
                "oscr:<Charity Number>"; None when no entry in the registers is the payee.
  alternatives  entries of the same organisation in another register (the charity entry of a charitable company,
                the mutuals entry of a registered society, the other entry of a cross-border charity): matching
                one of them is right too.
  unique        True when no other live organisation carries the name of the entry the payee stands for, once
                case, accents, punctuation, "&"/"and", a leading "The" and trailing legal forms are ignored.
                An organisation counts once however many registers hold it; dissolved companies and removed
                charities do not count (preferring the live entity is part of the matcher's job), so
                "dissolved_namesake" labels are unique. False for "ambiguous" labels and for every None label.
  case          how the label was made:
                exact               the register holds the payee's name as it is (upper-cased where the
                                    register writes names in capitals)
                styled              the official rendering differs: LIMITED for Ltd, AND for &, punctuation, a
                                    leading THE added or dropped, (UK) added, LIMITED added to a bare name
                previous_name       the payee's name is the entry's previous name (PreviousName_1, or an other
                                    name of type "Previous name"); the current name is new
                working_name        the payee's name is a charity's working name ("Known As" in Scotland)
                abbreviated         the payee abbreviates the registered name (Bros, Assoc, Serv, Maint, ...)
                truncated           the spend system cut the name (files that cut at 35 or 40 characters)
                trading_as          "X Ltd T/A Y": the register holds X
                charitable_company  a company that is also a registered charity (both entries written)
                registered_society  a co-operative or community benefit society (Companies House and mutuals)
                dissolved_namesake  a dissolved company or removed charity shares the name of the right entry
                ambiguous           two live organisations share the name; expected is one of them, unique False
                near_miss           only near namesakes are registered (X HOLDINGS, X GROUP, X (SCOTLAND), ...)
                no_entry, redacted, individual, public_body, card_merchant    nothing is registered under it
  Register entries next to some positive answers are near-miss decoys, and `background` random companies (plus
  a sixth as many charities and some Scottish charities and societies) fill the registers around the answers.
"""

import argparse
import calendar
import csv
import datetime as dt
import gzip
import io
import random
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REGISTER_DATE = dt.date(2025, 6, 1)

# The header line of the published file, character for character (unquoted; some names carry a leading space).
CH_HEADER = (
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
CH_COLUMNS = [name.strip() for name in CH_HEADER.split(",")]

CCEW_CHARITY_COLUMNS = [
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
CCEW_OTHER_NAMES_COLUMNS = [
    "date_of_extract", "organisation_number", "registered_charity_number", "linked_charity_number",
    "charity_name_id", "charity_name_type", "charity_name",
]
OSCR_COLUMNS = [
    "Charity Number", "Charity Name", "Registered Date", "Known As", "Charity Status", "Notes", "Postcode",
    "Constitutional Form", "Previous Constitutional Form 1", "Geographical Spread", "Main Operating Location",
    "Purposes", "Beneficiaries", "Activities", "Objectives", "Principal Office/Trustees Address", "Website",
    "Most recent year income", "Most recent year expenditure", "Mailing cycle", "Year End",
    "Date annual return received", "Next year end date", "Donations and legacies income",
    "Charitable activities income", "Other trading activities income", "Investments income", "Other income",
    "Raising funds spending", "Charitable activities spending", "Other spending", "Parent charity name",
    "Parent charity number", "Parent charity country of registration", "Designated religious body",
    "Regulatory Type",
]
MUTUALS_COLUMNS = [
    "Society Number", "Society Suffix", "Full Registation Number", "Society Name", "Registered As",
    "Society Address", "Registration Date", "Deregistration Date", "Registration Act",
    "Standard Industrial Classification Code (SIC)", "Reporting Classification", "Society Status",
]

CH_PRIVATE = "Private Limited Company"
CH_GUARANTEE = "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)"
CH_GUARANTEE_EXEMPT = "PRI/LBG/NSC (Private, Limited by guarantee, no share capital, use of 'Limited' exemption)"
CH_SOCIETY = "Registered Society"
ACCOUNT_CATEGORIES = [
    ("TOTAL EXEMPTION FULL", 30), ("MICRO ENTITY", 25), ("UNAUDITED ABRIDGED", 12), ("DORMANT", 8),
    ("SMALL", 6), ("FULL", 5), ("GROUP", 3), ("NO ACCOUNTS FILED", 5), ("AUDIT EXEMPTION SUBSIDIARY", 2),
    ("TOTAL EXEMPTION SMALL", 2), ("MEDIUM", 1), ("ACCOUNTS TYPE NOT AVAILABLE", 1),
]
BACKGROUND_STATUSES = [
    ("Active", 88), ("Active - Proposal to Strike off", 4), ("Liquidation", 3), ("Dissolved", 3),
    ("In Administration", 1), ("Voluntary Arrangement", 1),
]
SIC_TEXTS = [
    "62020 - Information technology consultancy activities",
    "70229 - Management consultancy activities other than financial management",
    "68209 - Other letting and operating of own or leased real estate",
    "41100 - Development of building projects",
    "41202 - Construction of domestic buildings",
    "43210 - Electrical installation",
    "43220 - Plumbing, heat and air-conditioning installation",
    "43999 - Other specialised construction activities n.e.c.",
    "81210 - General cleaning of buildings",
    "81300 - Landscape service activities",
    "56210 - Event catering activities",
    "56101 - Licensed restaurants",
    "49410 - Freight transport by road",
    "78100 - Activities of employment placement agencies",
    "78300 - Human resources provision and management of human resources functions",
    "82990 - Other business support service activities n.e.c.",
    "85590 - Other education n.e.c.",
    "86900 - Other human health activities",
    "87300 - Residential care activities for the elderly and disabled",
    "88100 - Social work activities without accommodation for the elderly and disabled",
    "88990 - Other social work activities without accommodation n.e.c.",
    "94990 - Activities of other membership organisations n.e.c.",
    "71129 - Other engineering activities",
    "46900 - Non-specialised wholesale trade",
    "47190 - Other retail sale in non-specialised stores",
    "80100 - Private security activities",
    "69102 - Solicitors",
    "69201 - Accounting and auditing activities",
    "58290 - Other software publishing",
    "62012 - Business and domestic software development",
    "68320 - Management of real estate on a fee or contract basis",
    "96090 - Other service activities n.e.c.",
]

BRANDS = (
    "ABBEY ACORN ALPHA APEX ARDEN ASHFORD ATLAS AVON BEACON BIRCH BLUEBELL BRIDGE BROOK CASTLE CEDAR CENTRAL "
    "CLEARVIEW COASTAL CORNERSTONE CREST CROWN DALE DERWENT EAGLE EDEN ELMWOOD EMPIRE EVEREST FALCON FERNDALE "
    "FOXGLOVE GOLDCREST GRANGE GREENACRE HARBOUR HAWTHORN HAZEL HERITAGE HIGHLAND HILLSIDE HORIZON IVYBRIDGE "
    "JUBILEE KESTREL KINGFISHER LAKESIDE LANTERN LAUREL LIBERTY MAPLE MEADOW MERCURY MERIDIAN MIDLAND "
    "MILLENNIUM NORTHGATE OAKFIELD OMEGA ORCHARD PARKSIDE PEAK PENNINE PHOENIX PINNACLE PREMIER PRIMROSE QUAYSIDE "
    "RAVENSWOOD REGENT RIVERSIDE ROWAN SAPPHIRE SEVERN SILVERDALE SOLAR SOUTHGATE SPIRE SUMMIT SWIFT THAMES TRENT "
    "UNITY VALLEY VANGUARD VERTEX VICTORIA VISTA WESSEX WILLOW WINDSOR YORKSHIRE ZENITH"
).split()
SURNAMES = (
    "SMITH JONES TAYLOR BROWN WILLIAMS WILSON JOHNSON DAVIES ROBINSON WRIGHT THOMPSON EVANS WALKER WHITE ROBERTS "
    "GREEN HALL WOOD JACKSON CLARKE PATEL KHAN AHMED SINGH HUGHES EDWARDS MORRIS LEWIS HARRIS MARTIN COOPER WARD "
    "TURNER HILL MOORE KING BAKER PRICE BENNETT GRIFFITHS MASON KELLY HUSSAIN BEGUM MITCHELL CARTER PHILLIPS "
    "PARKER OWEN CHAPMAN MARSHALL ATKINSON SHAW LLOYD DIXON FLETCHER HOLMES KNIGHT RILEY WEBB BARNES"
).split()
SECTORS = [
    "BUILDING SERVICES", "CONSTRUCTION", "CLEANING SERVICES", "FACILITIES MANAGEMENT", "CATERING", "CARE SERVICES",
    "HOME CARE", "ELECTRICAL", "PLUMBING AND HEATING", "ROOFING", "SCAFFOLDING", "LANDSCAPES", "GROUNDWORKS",
    "TRANSPORT", "LOGISTICS", "TRAVEL", "IT SOLUTIONS", "SOFTWARE", "CONSULTING", "RECRUITMENT", "TRAINING",
    "SECURITY", "PROPERTY MANAGEMENT", "PROPERTIES", "ESTATES", "ENGINEERING", "SUPPLIES", "FOODS", "PRINT",
    "DESIGN", "MEDIA", "MARKETING", "LEGAL SERVICES", "ACCOUNTANCY", "HEALTHCARE", "PHARMACY", "INTERIORS",
    "JOINERY", "MECHANICAL SERVICES", "ENVIRONMENTAL SERVICES", "WASTE MANAGEMENT", "TECHNOLOGIES", "SYSTEMS",
    "TELECOM", "ENERGY", "MOTORS", "PLANT HIRE", "EVENTS", "HOSPITALITY", "EDUCATION", "NURSERIES", "FITNESS",
]
PLACES = [
    "BIRMINGHAM", "HANDSWORTH", "SELLY OAK", "MOSELEY", "ASTON", "SMALL HEATH", "KINGS NORTON", "ERDINGTON",
    "SUTTON COLDFIELD", "SOLIHULL", "WALSALL", "DUDLEY", "COVENTRY", "LEEDS", "HEADINGLEY", "CHAPELTOWN", "ARMLEY",
    "MANCHESTER", "DIDSBURY", "MOSS SIDE", "SALFORD", "OXFORD", "COWLEY", "BLACKBIRD LEYS", "LAMBETH", "BRIXTON",
    "STOCKWELL", "TAMESIDE", "HYDE", "SKIPTON", "SETTLE", "CARDIFF", "SWANSEA",
]
CHARITY_NOUNS = [
    "COMMUNITY ASSOCIATION", "VILLAGE HALL", "YOUTH CLUB", "FOOD BANK", "CARERS CENTRE", "WOMEN'S AID",
    "SCOUT GROUP", "ALMSHOUSE CHARITY", "RELIEF IN NEED CHARITY", "EDUCATIONAL FOUNDATION", "COMMUNITY TRUST",
    "COMMUNITY CENTRE", "PLAYGROUP", "PRE-SCHOOL", "ARTS CENTRE", "HOSPICE", "MIGRANT SUPPORT", "BEREAVEMENT SERVICE",
    "DISABILITY FORUM", "CRICKET CLUB", "AMATEUR OPERATIC SOCIETY", "HERITAGE TRUST", "CITY FARM",
]
STREETS = [
    "HIGH STREET", "STATION ROAD", "CHURCH STREET", "MILL LANE", "VICTORIA ROAD", "PARK ROAD", "NEW STREET",
    "KING STREET", "QUEENS ROAD", "CHAPEL STREET", "GEORGE STREET", "MARKET STREET", "LONDON ROAD", "GREEN LANE",
    "BRIDGE STREET", "ALBERT ROAD", "NORTH STREET", "MANOR ROAD", "WATERLOO ROAD", "CHURCH ROAD",
]
ESTATES = ["BUSINESS PARK", "TRADING ESTATE", "ENTERPRISE CENTRE", "INDUSTRIAL ESTATE", "BUSINESS CENTRE"]
FIRST_NAMES = set(
    "adam adrian alan alex alexander alison amanda amy andrew angela ann anna anne anthony barbara barry ben benjamin "
    "beverley brian carl carol caroline catherine charles charlotte chris christine christopher claire colin craig "
    "daniel darren david dawn dean deborah debbie denise dennis derek diane donna dorothy edward elaine eleanor "
    "elizabeth ellen emily emma eric fiona frances frank gail gareth gary gavin geoffrey george gerald gillian "
    "graham hannah harry heather helen ian jack jacqueline james jane janet jason jean jennifer jessica joan joanne "
    "john jonathan joseph judith julia julie karen kate katherine kathleen keith kelly kenneth kevin laura lee "
    "leslie linda lisa louise lucy lynn margaret maria marie mark martin mary matthew michael michelle mohammed "
    "muhammad nicholas nicola nigel norman patricia paul pauline peter philip rachel raymond rebecca richard robert "
    "roger ronald rose ruth sally samantha sandra sarah sharon sheila simon sophie stephen steven stuart susan "
    "teresa terence thomas timothy tony tracey trevor valerie victoria wendy william zoe aneela manish finola "
    "geraldine wing nadia imran tariq asif farah priya sanjay rajesh amit sunita yasmin".split()
)
ABBREVIATIONS = {
    "MGMT": "MANAGEMENT", "MGT": "MANAGEMENT", "SVCS": "SERVICES", "SERV": "SERVICES", "SERVS": "SERVICES",
    "ASSOC": "ASSOCIATION", "ASSN": "ASSOCIATION", "BROS": "BROTHERS", "HOSP": "HOSPITAL", "COMM": "COMMUNITY",
    "COMMS": "COMMUNICATIONS", "MAINT": "MAINTENANCE", "ENG": "ENGINEERING", "INTL": "INTERNATIONAL",
    "CTR": "CENTRE", "INST": "INSTITUTE", "MKT": "MARKET", "DIST": "DISTRIBUTION", "DEPT": "DEPARTMENT",
    "GRP": "GROUP", "GOVT": "GOVERNMENT",
}
# Words a cut-off last word most often stood for, tried before the corpus's own vocabulary.
COMPLETIONS = [
    "LIMITED", "SERVICES", "SOCIETY", "SOLUTIONS", "SYSTEMS", "ORGANISATION", "PROJECT", "UNIT", "INCLUSION",
    "INTERNATIONAL", "ASSOCIATION", "MANAGEMENT", "MAINTENANCE", "CONSULTANCY", "CONSULTANTS", "CONSTRUCTION",
    "COMMUNITY", "CENTRE", "TECHNOLOGY", "ENGINEERING", "ENVIRONMENTAL", "DEVELOPMENT", "PRODUCTS", "PROPERTIES",
    "TRAINING", "TRANSPORT", "EDUCATION", "ENTERPRISES", "EQUIPMENT", "HOLDINGS", "HOUSING", "INDUSTRIES",
    "INSTITUTE", "INSURANCE", "LEISURE", "NETWORK", "PARTNERSHIP", "PUBLISHING", "RECRUITMENT", "RESIDENTIAL",
    "SECURITY", "SUPPLIES",
]
OSCR_FORMS = [
    "SCIO (Scottish Charitable Incorporated Organisation)",
    "Trust (founding document is a deed of trust) (other than educational endowment)",
    "Company (the charity is registered with Companies House)",
    "CIO (Charitable Incorporated Organisation, E&W)",
    "Other",
]
OSCR_LOCATIONS = ["Glasgow City", "City of Edinburgh", "Aberdeen City", "Dundee City", "Fife", "Highland", "Scotland"]
OSCR_PURPOSES = [
    "The advancement of education", "The advancement of health", "The relief of those in need by reason of age, "
    "ill-health, disability, financial hardship or other disadvantage", "The advancement of citizenship or "
    "community development", "The advancement of the arts, heritage, culture or science",
]

# Area files of Code-Point Open read for register postcodes: country, post town, county.
POSTCODE_AREAS = {
    "b": ("ENGLAND", "BIRMINGHAM", "WEST MIDLANDS"), "m": ("ENGLAND", "MANCHESTER", ""),
    "ls": ("ENGLAND", "LEEDS", "WEST YORKSHIRE"), "ox": ("ENGLAND", "OXFORD", "OXFORDSHIRE"),
    "se": ("ENGLAND", "LONDON", ""), "cf": ("WALES", "CARDIFF", "SOUTH GLAMORGAN"),
    "eh": ("SCOTLAND", "EDINBURGH", "MIDLOTHIAN"), "g": ("SCOTLAND", "GLASGOW", ""),
}
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
# Companies House numbers of England and Wales rise with time: (lowest, highest, first year, last year).
_NUMBER_BANDS = [
    (150_000, 1_000_000, 1925, 1969), (1_000_000, 2_000_000, 1970, 1985), (2_000_000, 3_500_000, 1986, 1997),
    (3_500_000, 6_000_000, 1998, 2006), (6_000_000, 9_000_000, 2007, 2013), (9_000_000, 12_000_000, 2014, 2018),
    (12_000_000, 15_900_000, 2019, 2025),
]
# Words that make a two- or three-word name a business rather than a person.
_BUSINESS_WORDS = set(
    "group services service care home homes house hotel consulting consultancy associates design solutions training "
    "motors travel catering cleaning construction electrical plumbing productions media studio studios events "
    "bakery kitchen cafe flowers nursery surgery pharmacy dental garage transport taxis cars coaches foods windows "
    "roofing building builders joinery trust fund society club centre project partnership and of the for uk "
    "international direct supplies systems products company co lodge court farm hall manor college school academy "
    "church university institute library museum theatre gallery chambers practice clinic restaurant bar inn arms"
    .split()
)

_LEGAL_FORMS = (
    "LIMITED", "LTD", "PLC", "LLP", "LP", "CIC", "CIO", "SCIO", "UNLIMITED", "PUBLIC LIMITED COMPANY",
    "COMMUNITY INTEREST COMPANY", "LIMITED LIABILITY PARTNERSHIP", "CHARITABLE INCORPORATED ORGANISATION",
)
_TRAILING_LEGAL = re.compile(r"( (" + "|".join(sorted(_LEGAL_FORMS, key=len, reverse=True)) + "))+$")
_HAS_LEGAL = re.compile(r"\b(ltd|limited|plc|llp|cic|c\.i\.c)\b", re.I)
_REDACTED = re.compile(r"\bredacted\b|\bpersonal (data|information)\b|\bwithheld\b|\bprivate individual\b", re.I)
_PUBLIC_BODY = re.compile(
    r"\b(nhs|hmrc|hm revenue|hmcs|hm courts|police|constabulary|fire (and|&) rescue|"
    r"(city|county|borough|district|town|parish|metropolitan) council|council of|metropolitan (borough|district)|"
    r"royal borough|london borough|department (for|of)|ministry of|environment agency|transport for|dvla|"
    r"crown prosecution|magistrates)\b", re.I)
_SOCIETY = re.compile(r"housing (association|assoc|society|co-?operative)|co-?operative|credit union|\bco-op\b", re.I)
_CHARITY = re.compile(
    r"\b(trust|charity|charitable|association|assoc|hospice|foundation|society|church|chapel|mosque|temple|"
    r"gurdwara|diocese|parochial|scouts?|guides|mind|age uk|age concern|citizens advice|advice bureau|mencap|"
    r"barnardos?|salvation army|ymca|ywca|friends of|carers|women'?s aid|refuge|samaritans|almshouses?|"
    r"community (centre|project|group)|youth club|food ?bank|playgroup|pre-?school)\b", re.I)
_MESSY = re.compile(r" - |/|\bformerly\b|\btrading as\b|c/o|\ba/c\b|\baccount\b|@|\d{4,}|\(.*\(|www|\.com|\.co\.uk",
                    re.I)
_TRADING_AS = re.compile(r"^(?P<entity>.+?\b(ltd|limited|plc|llp)\b\.?)\s*\(?\s*(t/as?|trading as)\b", re.I)
_TITLE = re.compile(r"^(mr|mrs|ms|miss|dr)\.? ", re.I)
_CARD_JUNK = re.compile(r"www\.|\.co\.uk|\.com\b|\d{5,}", re.I)


@dataclass(frozen=True)
class Label:
    """One payee name from the spend corpus and the register entry it should match."""

    supplier_name: str
    expected: str | None
    unique: bool
    case: str
    source_file: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fixture:
    """The register files written and the labelled payee names."""

    files: list[Path]
    labels: list[Label]
    register_date: dt.date


@dataclass
class _Pending:
    """A label whose `unique` is settled once the registers are complete."""

    supplier_name: str
    source_file: str
    case: str
    org: int | None = None
    expected: str | None = None
    alternatives: tuple[str, ...] = ()
    target: str = ""


def build(corpus_dir: Path, reference_dir: Path, out_dir: Path, *, seed: int = 11, background: int = 3000) -> Fixture:
    """Write fixture register files into out_dir and label real payee names of the spend corpus against them."""
    rng = random.Random(seed)
    payees = _payee_names(Path(corpus_dir))
    registers = _Registers(rng, _read_postcodes(Path(reference_dir)))
    pending = _Labeller(registers, rng).label(payees)
    registers.add_background(background)
    labels = [registers.settle(p) for p in pending]
    files = registers.write(Path(out_dir))
    return Fixture(files=files, labels=labels, register_date=REGISTER_DATE)


def _key(name: str) -> str:
    """The name with case, accents, punctuation, '&'/'and', a leading 'The' and trailing legal forms ignored."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"['`.]", "", text.upper().replace("&", " AND "))
    text = re.sub(r"[^A-Z0-9]+", " ", text).strip()
    text = re.sub(r"^(THE )+", "", text)
    return _TRAILING_LEGAL.sub("", text)


# ---------------------------------------------------------------- inputs


def _payee_names(corpus_dir: Path) -> list[tuple[str, str, str]]:
    """Distinct payee names as (name, corpus-relative path of the first file naming it, kind of that file)."""
    first_file: dict[str, tuple[str, str]] = {}
    with (corpus_dir / "headers.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for name in _file_payees(corpus_dir, row):
                first_file.setdefault(name, (row["path"], row["kind"]))
    return [(name, path, kind) for name, (path, kind) in first_file.items()]


def _file_payees(corpus_dir: Path, row: dict) -> list[str]:
    path = corpus_dir / row["path"]
    header = int(row["header_row_number"]) - 1
    # "csv (saved with .xls extension)" is text; "xls (BIFF8)" and "xlsx" are workbooks.
    if row["file_format"].startswith("xls"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas warns that its xlrd engine is deprecated
            frame = pd.read_excel(path, dtype=str, header=header)
    else:
        encoding = row["encoding"].split()[0]  # e.g. "cp1252", "utf-8-sig (BOM ...)", "ascii (utf-8 compatible)"
        encoding = "utf-8" if encoding == "ascii" else encoding
        frame = pd.read_csv(path, dtype=str, encoding=encoding, header=header, keep_default_na=False)
    column = next(c for c in frame.columns if str(c).strip() == row["supplier_name_column"].strip())
    names = frame[column].dropna().astype(str).str.strip()
    return sorted(set(names[names != ""]))


def _read_postcodes(reference_dir: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Real postcodes of a few Code-Point Open areas as (postcode, post town, county), by country."""
    by_country: dict[str, list[tuple[str, str, str]]] = {}
    for area, lines in _area_files(reference_dir / "postcodes"):
        country, town, county = POSTCODE_AREAS[area]
        for line in lines[::4]:
            compact = line.split(",", 1)[0].strip().strip('"').replace(" ", "").upper()
            if _POSTCODE.match(compact):  # header lines and blanks are skipped
                by_country.setdefault(country, []).append((f"{compact[:-3]} {compact[-3:]}", town, county))
    if "ENGLAND" not in by_country:
        raise FileNotFoundError(f"no Code-Point Open area files for {sorted(POSTCODE_AREAS)} under {reference_dir}")
    return by_country


def _area_files(folder: Path):
    """(area, lines) of each wanted area file: <area>.csv, <area>.csv.gz, or inside a zip."""
    seen = set()
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.name.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                for member in sorted(archive.namelist()):
                    area = Path(member).name.lower().removesuffix(".csv")
                    if member.lower().endswith(".csv") and area in POSTCODE_AREAS and area not in seen:
                        seen.add(area)
                        yield area, archive.read(member).decode("utf-8", "replace").splitlines()
            continue
        area = path.name.lower().removesuffix(".gz").removesuffix(".csv")
        if area in POSTCODE_AREAS and area not in seen and ".csv" in path.name.lower():
            seen.add(area)
            data = path.read_bytes()
            data = gzip.decompress(data) if path.name.lower().endswith(".gz") else data
            yield area, data.decode("utf-8", "replace").splitlines()


# ---------------------------------------------------------------- names


def _collapse(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace('"', "")).strip()


def _without_legal_form(upper_name: str) -> str:
    """An upper-case name without its trailing legal form and stray punctuation."""
    core = re.sub(r"[\s.,]+$", "", upper_name)
    core = re.sub(r"\s*\b(LIMITED|LTD|PLC|LLP|CIC|C\.I\.C)\b\.?\s*$", "", core)
    return re.sub(r"[\s.,&-]+$", "", core).strip()


def _is_ascii(name: str) -> bool:
    return all(" " <= ch <= "~" for ch in name)


def _toggle_the(name: str) -> str:
    return name[4:] if name.startswith("THE ") else "THE " + name


def _official(name: str) -> str:
    """Upper case, LIMITED for Ltd, and LIMITED added to a name without a legal form."""
    name = re.sub(r"\bLTD\b\.*", "LIMITED", _collapse(name).upper())
    return name if _HAS_LEGAL.search(name) else name + " LIMITED"


def _company_rendering(payee: str, rng: random.Random, *, styled: bool) -> str:
    """The name as Companies House would hold it: upper case, and when styled, an official spelling."""
    name = _collapse(payee).upper()
    if not styled:
        return name if _HAS_LEGAL.search(name) else name + " LIMITED"
    original = name
    name = re.sub(r"\bLTD\b\.*", "LIMITED", name) if rng.random() < 0.9 else name
    if not _HAS_LEGAL.search(name):
        name += " LIMITED"
    if "&" in name and rng.random() < 0.6:
        name = name.replace("&", " AND ")
    if rng.random() < 0.3:
        name = re.sub(r"(?<=\w)\.(?=\w)", ". ", name).replace("'", "").replace("-", " ")
    if rng.random() < 0.1:
        name = _toggle_the(name)
    if rng.random() < 0.06 and "UK" not in name.replace("(", " ").replace(")", " ").split():
        name = re.sub(r" (LIMITED|PLC|LLP)$", r" (UK) \1", name)
    name = _collapse(name)
    if name == original:
        changed = re.sub(r"\bLTD\b\.*", "LIMITED", name)
        name = changed if changed != name else _toggle_the(name)
    return name


def _charity_rendering(payee: str, rng: random.Random, *, styled: bool) -> str:
    """The name as the Charity Commission would hold it: upper case, and when styled, an official spelling."""
    name = _collapse(payee).upper()
    if not styled:
        return name
    original = name
    if "&" in name and rng.random() < 0.6:
        name = name.replace("&", " AND ")
    if rng.random() < 0.3:
        name = name.replace("'", "").replace(".", "")
    if rng.random() < 0.3 or _collapse(name) == original:
        name = _toggle_the(name)
    return _collapse(name)


def _expand_abbreviations(upper_name: str) -> str:
    text = upper_name
    for short, full in ABBREVIATIONS.items():
        text = re.sub(rf"\b{short}\b\.?", f"{full} ", text)
    text = re.sub(r"\bLT\.?$|\.L$", " LIMITED", text.strip())
    return _collapse(text)


def _kind(name: str) -> str:
    """Which register would hold a name: company, charity, charitable_company or society."""
    if _SOCIETY.search(name):
        return "society"
    if _CHARITY.search(name):
        return "charitable_company" if _HAS_LEGAL.search(name) else "charity"
    return "company"


# ---------------------------------------------------------------- registers


class _Registers:
    """The entries of the four registers, with the names each organisation carries."""

    def __init__(self, rng: random.Random, postcodes: dict[str, list[tuple[str, str, str]]]):
        self.rng = rng
        self.postcodes = postcodes
        self.companies: list[dict[str, str]] = []
        self.charities: list[dict[str, str]] = []
        self.other_names: list[dict[str, str]] = []
        self.scottish: list[dict[str, str]] = []
        self.societies: list[dict[str, str]] = []
        self.holders: dict[str, dict[int, bool]] = {}  # name key -> {organisation: live}
        self.reserved: dict[str, frozenset[int]] = {}  # name key -> the only organisations that may carry it
        self.numbers: set[str] = set()
        self.next_org = 0
        self.next_other_name_id = 1

    def org(self) -> int:
        self.next_org += 1
        return self.next_org

    def free(self, names, org: int) -> bool:
        """Whether an organisation may carry these names."""
        for name in names:
            key = _key(name)
            allowed = self.reserved.get(key)
            others = {o for o in self.holders.get(key, {}) if o != org}
            if not key or (allowed is not None and org not in allowed):
                return False
            if others and (allowed is None or not others <= allowed):
                return False
        return True

    def reserve(self, names, orgs) -> None:
        for name in names:
            self.reserved[_key(name)] = frozenset(orgs)

    def _claim(self, name: str, org: int, live: bool) -> None:
        held = self.holders.setdefault(_key(name), {})
        held[org] = held.get(org, False) or live

    def settle(self, pending: _Pending) -> Label:
        if pending.expected is None:
            if self.holders.get(_key(pending.supplier_name)):
                raise AssertionError(f"{pending.supplier_name!r} is labelled with no entry but one carries it")
            return Label(pending.supplier_name, None, False, pending.case, pending.source_file)
        live = {org for org, is_live in self.holders.get(pending.target, {}).items() if is_live}
        return Label(pending.supplier_name, pending.expected, live == {pending.org}, pending.case,
                     pending.source_file, pending.alternatives)

    # -- places and dates

    def place(self, country: str = "ENGLAND") -> tuple[str, str, str, str]:
        postcode, town, county = self.rng.choice(self.postcodes.get(country) or self.postcodes["ENGLAND"])
        return postcode, town, county, country

    def published_postcode(self, postcode: str) -> str:
        draw = self.rng.random()
        if draw < 0.02:
            return postcode.lower()
        if draw < 0.04:
            return postcode.replace(" ", "")
        if draw < 0.05:
            return ""
        return postcode

    def date_between(self, first: dt.date, last: dt.date) -> dt.date:
        if last < first:
            return last
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def street(self) -> str:
        if self.rng.random() < 0.3:
            return f"UNIT {self.rng.randint(1, 40)} {self.rng.choice(BRANDS)} {self.rng.choice(ESTATES)}"
        return f"{self.rng.randint(1, 250)} {self.rng.choice(STREETS)}"

    # -- Companies House

    def company_number(self, kind: str, year: int | None = None) -> str:
        low, high = 150_000, 15_900_000
        if year is not None:
            low, high = next((lo, hi) for lo, hi, _, last in _NUMBER_BANDS if year <= last)
        while True:
            if kind == "sc":
                number = f"SC{self.rng.randint(100000, 860000):06d}"
            elif kind == "ni":
                number = f"NI{self.rng.randint(600000, 699999):06d}"
            elif kind == "llp":
                number = f"OC{self.rng.randint(300000, 450000):06d}"
            elif kind == "cio":
                number = f"CE{self.rng.randint(1, 40000):06d}"
            elif kind == "society":
                number = f"IP{self.rng.randint(10000, 32000):05d}R"
            else:
                number = f"{self.rng.randint(low, high - 1):08d}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def incorporation_date(self, number: str) -> dt.date:
        if number.isdigit():
            first, last = next((a, b) for _, high, a, b in _NUMBER_BANDS if int(number) < high)
            return self.date_between(dt.date(first, 1, 1), min(dt.date(last, 12, 31), REGISTER_DATE))
        return self.date_between(dt.date(1990, 1, 1), dt.date(2024, 12, 31))

    def add_company(self, org: int, name: str, *, status: str = "Active", category: str | None = None,
                    number: str | None = None, previous=(), country: str = "", incorporated: dt.date | None = None,
                    dissolved: dt.date | None = None) -> str:
        """A row of BasicCompanyData; returns the company number."""
        if category is None:
            category = ("Limited Liability Partnership" if name.endswith(" LLP") else
                        "Public Limited Company" if name.endswith(" PLC") else
                        "Community Interest Company" if name.endswith((" CIC", " COMMUNITY INTEREST COMPANY")) else
                        CH_PRIVATE)
        if number is None:
            kind = {"Limited Liability Partnership": "llp", CH_SOCIETY: "society",
                    "Charitable Incorporated Organisation": "cio"}.get(category)
            if kind is None:
                draw = self.rng.random()
                kind = "sc" if draw < 0.07 or country == "SCOTLAND" else "ni" if draw < 0.09 else "ew"
            number = self.company_number(kind, incorporated.year if incorporated else None)
        if not country:
            country = "SCOTLAND" if number.startswith(("SC", "SO")) else (
                "NORTHERN IRELAND" if number.startswith("NI") else "WALES" if self.rng.random() < 0.05 else "ENGLAND")
        incorporated = incorporated or self.incorporation_date(number)
        if status == "Dissolved" and dissolved is None:
            dissolved = self.date_between(incorporated + dt.timedelta(days=400), REGISTER_DATE - dt.timedelta(days=30))
        live = status != "Dissolved"
        for held in [name, *(n for _, n in previous)]:
            self._claim(held, org, live)
        self.companies.append(self._company_row(name, number, category, status, country, incorporated, dissolved,
                                                previous))
        return number

    def _company_row(self, name, number, category, status, country, incorporated, dissolved, previous):
        rng = self.rng
        if country == "NORTHERN IRELAND":
            postcode, town, county = "", "BELFAST", ""  # Code-Point Open covers Great Britain only
        else:
            postcode, town, county, _ = self.place(country)
        row = dict.fromkeys(CH_COLUMNS, "")
        row.update({
            "CompanyName": name, "CompanyNumber": number,
            "RegAddress.AddressLine1": self.street(),
            "RegAddress.AddressLine2": rng.choice(["", "", rng.choice(PLACES)]),
            "RegAddress.PostTown": town, "RegAddress.County": county if rng.random() < 0.5 else "",
            "RegAddress.Country": rng.choice([country, "UNITED KINGDOM", ""]),
            "RegAddress.PostCode": self.published_postcode(postcode),
            "CompanyCategory": category, "CompanyStatus": status, "CountryOfOrigin": "United Kingdom",
            "DissolutionDate": _dmy(dissolved), "IncorporationDate": _dmy(incorporated),
            "LimitedPartnerships.NumGenPartners": "0", "LimitedPartnerships.NumLimPartners": "0",
            "URI": f"http://business.data.gov.uk/id/company/{number}",
        })
        if rng.random() < 0.01:
            row["RegAddress.CareOf"] = f"{rng.choice(SURNAMES)} & CO ACCOUNTANTS"
        ref_day, ref_month = rng.choice([(31, 3), (31, 3), (31, 12), (30, 6), (30, 9), (31, 1), (30, 4), (31, 5)])
        made_up = _last_before(dt.date(2000, ref_month, ref_day), REGISTER_DATE - dt.timedelta(days=270))
        category_of_accounts = _weighted(rng, ACCOUNT_CATEGORIES)
        if made_up <= incorporated:
            made_up, category_of_accounts = None, "NO ACCOUNTS FILED"
        row.update({
            "Accounts.AccountRefDay": str(ref_day), "Accounts.AccountRefMonth": str(ref_month),
            "Accounts.LastMadeUpDate": _dmy(made_up), "Accounts.AccountCategory": category_of_accounts,
            "Accounts.NextDueDate": _dmy(_add_months(made_up or incorporated, 21)),
        })
        anniversary = _last_before(incorporated, REGISTER_DATE - dt.timedelta(days=1))
        if anniversary > incorporated:
            row["ConfStmtLastMadeUpDate"] = _dmy(anniversary)
        row["ConfStmtNextDueDate"] = _dmy(_add_months(max(anniversary, incorporated), 12) + dt.timedelta(days=14))
        if incorporated < dt.date(2016, 6, 30):  # annual returns ended in June 2016
            returned = _last_before(incorporated, dt.date(2016, 6, 29))
            row["Returns.LastMadeUpDate"] = _dmy(returned) if returned > incorporated else ""
            row["Returns.NextDueDate"] = _dmy(_add_months(max(returned, incorporated), 12) + dt.timedelta(days=28))
        charges = rng.randint(1, 4) if rng.random() < 0.15 else 0
        outstanding = rng.randint(0, charges)
        row.update({"Mortgages.NumMortCharges": str(charges), "Mortgages.NumMortOutstanding": str(outstanding),
                    "Mortgages.NumMortPartSatisfied": "0", "Mortgages.NumMortSatisfied": str(charges - outstanding)})
        if category_of_accounts == "DORMANT":
            sic = ["99999 - Dormant Company"]
        elif rng.random() < 0.03:
            sic = ["None Supplied"]
        else:
            sic = rng.sample(SIC_TEXTS, rng.choice([1, 1, 1, 1, 2, 3]))
        for index, text in enumerate(sic, start=1):
            row[f"SICCode.SicText_{index}"] = text
        for index, (changed, old_name) in enumerate(previous, start=1):
            row[f"PreviousName_{index}.CONDATE"] = _dmy(changed)
            row[f"PreviousName_{index}.CompanyName"] = old_name
        return row

    # -- Charity Commission

    def charity_number(self, *, recent: bool) -> str:
        while True:
            number = str(self.rng.randint(1_100_000, 1_212_000) if recent else self.rng.randint(200_000, 799_999))
            if "ccew:" + number not in self.numbers:
                self.numbers.add("ccew:" + number)
                return number

    def add_charity(self, org: int, name: str, *, status: str = "Registered", charity_type: str = "Trust",
                    company_number: str = "", other_names=(), number: str | None = None, linked: int = 0,
                    activities_flaw: bool = False) -> str:
        """A row of the charity extract (and its other names); returns the registered charity number."""
        rng = self.rng
        recent = charity_type == "CIO" or rng.random() < 0.55
        number = number or self.charity_number(recent=recent)
        registered = (self.date_between(dt.date(2013, 1, 1), dt.date(2024, 12, 31)) if charity_type == "CIO" else
                      self.date_between(dt.date(2004, 1, 1), dt.date(2024, 12, 31)) if number.startswith("1") and
                      len(number) == 7 else self.date_between(dt.date(1962, 1, 1), dt.date(2003, 12, 31)))
        removed = self.date_between(registered + dt.timedelta(days=365), REGISTER_DATE - dt.timedelta(days=60)) \
            if status == "Removed" else None
        live = status == "Registered"
        self._claim(name, org, live)
        postcode, town, county, _ = self.place("WALES" if rng.random() < 0.06 else "ENGLAND")
        organisation_number = str(5_000_000 + len(self.charities) * 7 + rng.randint(0, 6))
        income = rng.choice([0, rng.randint(1_000, 25_000), rng.randint(25_000, 500_000),
                             rng.randint(500_000, 20_000_000)])
        year_end = _last_before(dt.date(2000, 3, 31), REGISTER_DATE - dt.timedelta(days=300))
        slug = re.sub(r"[^a-z0-9]+", "", name.lower())[:24]
        row = {
            "date_of_extract": _ymd_time(REGISTER_DATE), "organisation_number": organisation_number,
            "registered_charity_number": number, "linked_charity_number": str(linked), "charity_name": name,
            "charity_type": "" if linked else charity_type, "charity_registration_status": status,
            "date_of_registration": _ymd_time(registered), "date_of_removal": _ymd_time(removed),
            "charity_reporting_status": "Removed" if removed else "" if linked else rng.choice(
                ["Submission Received", "Submission Received", "Submission Received", "Submission Overdue",
                 "Submission Received Late", "Submission Double Default"]),
            "latest_acc_fin_period_start_date": "" if linked else _ymd_time(year_end - dt.timedelta(days=364)),
            "latest_acc_fin_period_end_date": "" if linked else _ymd_time(year_end),
            "latest_income": "" if linked else f"{income:.2f}",
            "latest_expenditure": "" if linked else f"{int(income * rng.uniform(0.7, 1.1)):.2f}",
            "charity_contact_address1": self.street().title(), "charity_contact_address2": town.title(),
            "charity_contact_address3": county.title(), "charity_contact_address4": "",
            "charity_contact_address5": "", "charity_contact_postcode": self.published_postcode(postcode),
            "charity_contact_phone": f"0{rng.randint(1130, 1999)} {rng.randint(100000, 999999)}",
            "charity_contact_email": f"info@{slug}.org.uk" if rng.random() < 0.6 else "",
            "charity_contact_web": f"www.{slug}.org.uk" if rng.random() < 0.5 else "",
            "charity_company_registration_number": company_number.lstrip("0") if company_number.isdigit()
            else company_number,
            "charity_insolvent": "False", "charity_in_administration": "False",
            "charity_previously_excepted": "False", "charity_is_cdf_or_cif": "",
            "charity_is_cio": "True" if charity_type == "CIO" else "False", "cio_is_dissolved": "False",
            "date_cio_dissolution_notice": "",
            "charity_activities": rng.choice([
                "Providing advice, support and activities for local people.",
                "The charity makes grants to individuals in need living in the area of benefit.",
                "Running a community centre and services for older people, families and young people.",
                "Maintaining the building for the benefit of the inhabitants of the parish.",
            ]) + ("\r\n" if activities_flaw else ""),
            "charity_gift_aid": rng.choice(["True", "False", ""]), "charity_has_land": rng.choice(["True", "False"]),
        }
        self.charities.append(row)
        for name_type, other in other_names:
            self._claim(other, org, live)
            self.other_names.append({
                "date_of_extract": _ymd_time(REGISTER_DATE), "organisation_number": organisation_number,
                "registered_charity_number": number, "linked_charity_number": str(linked),
                "charity_name_id": str(self.next_other_name_id), "charity_name_type": name_type,
                "charity_name": other,
            })
            self.next_other_name_id += 1
        return number

    # -- Scottish Charity Regulator

    def add_scottish_charity(self, org: int, name: str, *, known_as: str = "", cross_border: bool = False,
                             postcode_placeholder: bool = False) -> str:
        rng = self.rng
        while True:
            number = f"SC{rng.randint(1, 53000):06d}"
            if number not in self.numbers:
                self.numbers.add(number)
                break
        for held in [name, known_as]:
            if held:
                self._claim(held, org, True)
        postcode, town, _, _ = self.place("SCOTLAND")
        income = rng.randint(0, 900_000)
        year_end = _last_before(dt.date(2000, 3, 31), REGISTER_DATE - dt.timedelta(days=200))
        row = dict.fromkeys(OSCR_COLUMNS, "")
        row.update({
            "Charity Number": number, "Charity Name": name,
            "Registered Date": _dmy(self.date_between(dt.date(1960, 1, 1), dt.date(2024, 6, 30))),
            "Known As": known_as, "Charity Status": "Active",
            "Postcode": "XX0 0XX" if postcode_placeholder else self.published_postcode(postcode),
            "Constitutional Form": rng.choice(OSCR_FORMS[:3]) if not cross_border else OSCR_FORMS[3],
            "Geographical Spread": rng.choice(["Local", "Operates in one local authority area", "Scotland-wide"]),
            "Main Operating Location": rng.choice(OSCR_LOCATIONS),
            "Purposes": ",".join(f"'{p}'" for p in rng.sample(OSCR_PURPOSES, rng.randint(1, 2))),
            "Beneficiaries": "'Children or young people','Older people'",
            "Activities": "'It provides services','It provides buildings, facilities or open space'",
            "Objectives": "To advance education and relieve need in the community.",
            "Principal Office/Trustees Address": f"{self.street().title()}, {town.title()}",
            "Most recent year income": str(income), "Most recent year expenditure": str(int(income * 0.9)),
            "Mailing cycle": str(rng.randint(1, 12)), "Year End": _dmy(year_end),
            "Date annual return received": _dmy(year_end + dt.timedelta(days=rng.randint(60, 280))),
            "Next year end date": _dmy(_add_months(year_end, 12)),
            "Donations and legacies income": "0", "Charitable activities income": "0",
            "Other trading activities income": "0", "Investments income": "0", "Other income": "0",
            "Raising funds spending": "0", "Charitable activities spending": "0", "Other spending": "0",
            "Designated religious body": "No", "Regulatory Type": "Cross Border" if cross_border else "Standard",
        })
        self.scottish.append(row)
        return number

    # -- FCA Mutuals Public Register

    def add_society(self, org: int, name: str, company_number: str) -> str:
        """A registered society in the mutuals list (its Companies House entry is added separately)."""
        society_number = company_number[2:-1].lstrip("0")
        postcode, town, _, _ = self.place("ENGLAND")
        registered_as = ("Credit Union" if "CREDIT UNION" in name else
                         "Co-operative Society" if "CO-OP" in name or "COOP" in name else "Community Benefit Society")
        self._claim(name, org, True)
        self.societies.append({
            "Society Number": society_number, "Society Suffix": "R",
            "Full Registation Number": f"{society_number}R", "Society Name": _title(name),
            "Registered As": registered_as,
            "Society Address": f"{self.street().title()}, {town.title()}, {postcode}",
            "Registration Date": _dmy(self.date_between(dt.date(1950, 1, 1), dt.date(2020, 12, 31))),
            "Deregistration Date": "",
            "Registration Act": ("Credit Unions Act 1979" if registered_as == "Credit Union"
                                 else "Co-operative and Community Benefit Societies Act 2014"),
            "Standard Industrial Classification Code (SIC)": "68201" if "HOUSING" in name else "94990",
            "Reporting Classification": "Housing" if "HOUSING" in name else "Other",
            "Society Status": "Registered",
        })
        return f"{society_number}R"

    # -- names nobody is labelled with

    def new_company_name(self, org: int) -> str:
        rng = self.rng
        while True:
            pattern = rng.random()
            legal = _weighted(rng, [("LIMITED", 84), ("LTD", 6), ("PLC", 2), ("LLP", 3), ("CIC", 3),
                                    ("(UK) LIMITED", 2)])
            if pattern < 0.4:
                name = f"{rng.choice(BRANDS)} {rng.choice(SECTORS)} {legal}"
            elif pattern < 0.7:
                name = f"{rng.choice(SURNAMES)} {rng.choice(SECTORS)} {legal}"
            elif pattern < 0.8:
                name = f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)} {legal}"
            elif pattern < 0.88:
                name = f"{rng.choice(SURNAMES)} {rng.choice(['BROTHERS', '& SONS', 'AND DAUGHTERS'])} {legal}"
            else:
                name = f"{rng.choice(BRANDS)} {rng.choice(SURNAMES)} {legal}"
            if self.free([name], org):
                return name

    def new_charity_name(self, org: int) -> str:
        rng = self.rng
        while True:
            pattern = rng.random()
            if pattern < 0.55:
                name = f"{rng.choice(PLACES)} {rng.choice(CHARITY_NOUNS)}"
            elif pattern < 0.75:
                name = f"THE {rng.choice(SURNAMES)} {rng.choice(['CHARITABLE TRUST', 'FOUNDATION', 'MEMORIAL FUND'])}"
            elif pattern < 0.9:
                name = f"FRIENDS OF {rng.choice(PLACES)} {rng.choice(['PARK', 'LIBRARY', 'HOSPICE', 'SCHOOL'])}"
            else:
                saint = rng.choice(["ST MARY", "ST JOHN", "ST PETER", "ALL SAINTS", "ST MICHAEL", "HOLY TRINITY"])
                name = (f"THE PAROCHIAL CHURCH COUNCIL OF THE ECCLESIASTICAL PARISH OF {saint}, "
                        f"{rng.choice(PLACES)}")
            if rng.random() < 0.1:
                name = _title(name)
            if self.free([name], org):
                return name

    def decoy(self, register_name: str) -> None:
        """A live near namesake of a right answer, so that a loose matcher goes wrong."""
        org = self.org()
        for name in _near_names(_without_legal_form(register_name.upper()), self.rng):
            if self.free([name], org):
                self.reserve([name], [org])
                self.add_company(org, name)
                return

    def add_background(self, count: int) -> None:
        rng = self.rng
        for _ in range(count):
            org = self.org()
            name = self.new_company_name(org)
            status = _weighted(rng, BACKGROUND_STATUSES)
            previous = []
            if rng.random() < 0.08:
                previous = [(self.date_between(dt.date(2005, 1, 1), dt.date(2024, 12, 31)),
                             self.new_company_name(org))]
            self.add_company(org, name, status=status, previous=previous)
        for index in range(count // 6):
            org = self.org()
            name = self.new_charity_name(org)
            draw = rng.random()
            if draw < 0.25 and index >= 2:
                number = self.add_company(org, name.upper() + " LIMITED", category=CH_GUARANTEE)
                self.add_charity(org, name, charity_type="Charitable company", company_number=number)
            elif draw < 0.3:
                self.add_charity(org, name, status="Removed", activities_flaw=index < 2)
            else:
                others = [("Working name", self.new_charity_name(org))] if rng.random() < 0.05 else []
                charity_type = "CIO" if draw < 0.5 else rng.choice(["Trust", "Other", "Trust", "Previously excepted"])
                number = self.add_charity(org, name, charity_type=charity_type, other_names=others,
                                          activities_flaw=index < 2)
                if rng.random() < 0.04:
                    for linked in (1, 2):
                        fund = f"{name} {['ENDOWMENT FUND', 'RESTRICTED FUND'][linked - 1]}"
                        if self.free([fund], org):
                            self.add_charity(org, fund, number=number, linked=linked)
        for index in range(max(200, count // 12)):
            org = self.org()
            name = _title(self.new_charity_name(org))
            self.add_scottish_charity(org, name, postcode_placeholder=index < 2)
        for _ in range(count // 50):
            org = self.org()
            name = f"{rng.choice(PLACES)} {rng.choice(['HOUSING CO-OPERATIVE', 'CREDIT UNION', 'COMMUNITY ENERGY'])}"
            name += " LIMITED"
            if self.free([name], org):
                number = self.add_company(org, name, category=CH_SOCIETY)
                self.add_society(org, name, number)
        for _ in range(count // 100):
            org = self.org()
            name = self.new_charity_name(org).upper()
            self.add_company(org, name, category="Charitable Incorporated Organisation")
            self.add_charity(org, name, charity_type="CIO")

    # -- files

    def write(self, out_dir: Path) -> list[Path]:
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = REGISTER_DATE.isoformat()
        companies = sorted(self.companies, key=lambda row: (row["CompanyName"], row["CompanyNumber"]))
        half = (len(companies) + 1) // 2
        files = []
        for part, rows in enumerate([companies[:half], companies[half:]], start=1):
            stem = f"BasicCompanyData-{stamp}-part{part}_2"
            lines = [CH_HEADER] + [",".join(_quoted(row[c]) for c in CH_COLUMNS) for row in rows]
            files.append(_write_zip(out_dir / f"{stem}.zip", f"{stem}.csv", "\r\n".join(lines) + "\r\n"))
        for stem, columns, rows in [("publicextract.charity", CCEW_CHARITY_COLUMNS, self.charities),
                                    ("publicextract.charity_other_names", CCEW_OTHER_NAMES_COLUMNS,
                                     self.other_names)]:
            lines = ["\t".join(columns)] + ["\t".join(row[c] for c in columns) for row in rows]
            files.append(_write_zip(out_dir / f"{stem}.zip", f"{stem}.txt", "\r\n".join(lines) + "\r\n"))
        stem = f"CharityExport-{REGISTER_DATE:%d-%b-%Y}"
        files.append(_write_zip(out_dir / f"{stem}.zip", f"{stem}.csv", _csv_text(OSCR_COLUMNS, self.scottish)))
        societies = out_dir / "SocietyList.csv"
        societies.write_bytes(_csv_text(MUTUALS_COLUMNS, self.societies).encode("utf-8-sig"))
        files.append(societies)
        return files


# ---------------------------------------------------------------- labelling


class _Labeller:
    """Chooses payee names and writes the register entries that make each label true."""

    def __init__(self, registers: _Registers, rng: random.Random):
        self.registers = registers
        self.rng = rng
        self.vocabulary: Counter = Counter()

    def label(self, payees: list[tuple[str, str, str]]) -> list[_Pending]:
        take = self._pools(payees)
        pending: list[_Pending] = []

        def draw(pool: str, count: int):
            chosen, take[pool] = take[pool][:count], take[pool][count:]
            return chosen

        # Names with no entry are settled first: nothing written later may carry them.
        unmatched = [("redacted", draw("redacted", 50)), ("public_body", draw("public_body", 50)),
                     ("individual", draw("individual", 40)), ("card_merchant", draw("card_merchant", 20)),
                     ("no_entry", draw("company", 45) + draw("plain", 55) + draw("charity", 10))]
        unmatched.append(("near_miss", draw("company", 35) + draw("plain", 25)))
        for case, chosen in unmatched:
            for name, source in chosen:
                self.registers.reserve([name], [])
                pending.append(_Pending(name, source, case))
        for entry in pending:
            if entry.case == "near_miss":
                self._near_miss(entry)

        plan = [
            ("company", "exact", 95), ("company", "styled", 75), ("plain", "styled", 60),
            ("company", "previous_name", 30), ("company", "dissolved_namesake", 20), ("company", "ambiguous", 20),
            ("trading_as", "trading_as", 15), ("abbreviated", "abbreviated", 40), ("truncated", "truncated", 35),
            ("society", "registered_society", 15), ("charitable_company", "charitable_company", 30),
            ("charity", "exact", 25), ("charity", "styled", 25), ("charity", "previous_name", 8),
            ("charity", "working_name", 8), ("charity", "dissolved_namesake", 10), ("charity", "ambiguous", 10),
            ("charity", "scottish", 14), ("charity", "cross_border", 4),
        ]
        for pool, case, count in plan:
            made = 0
            while made < count and take[pool]:
                name, source = take[pool].pop(0)
                entry = self._positive(pool, case, name, source)
                if entry is not None:
                    pending.append(entry)
                    made += 1
        return pending

    def _pools(self, payees: list[tuple[str, str, str]]) -> dict[str, list[tuple[str, str]]]:
        """Payee names (one per name key) sorted into the kinds of label they can make."""
        vocabulary = Counter(word for name, _, _ in payees for word in re.findall(r"[A-Z]+", name.upper()))
        self.vocabulary = vocabulary
        cut_lengths = _cut_lengths(payees)
        pools: dict[str, list[tuple[str, str]]] = {p: [] for p in [
            "redacted", "public_body", "individual", "card_merchant", "trading_as", "abbreviated", "truncated",
            "society", "charitable_company", "charity", "company", "plain"]}
        seen_keys = set()
        for name, source, kind in sorted(payees):
            key = _key(name)
            if not key or key in seen_keys:
                continue
            seen_keys.add(key)
            pool = _pool_of(name, kind, cut_lengths.get(source), vocabulary)
            if pool:
                pools[pool].append((name, source))
        for pool in pools.values():
            self.rng.shuffle(pool)
        return pools

    def _positive(self, pool: str, case: str, payee: str, source: str) -> _Pending | None:
        rng = self.rng
        if pool in ("company", "plain"):
            return self._company_case(case, payee, source)
        if pool == "charity":
            return self._charity_case(case, payee, source)
        if pool == "trading_as":
            entity = _TRADING_AS.match(payee).group("entity")
            return self._simple_company(payee, source, "trading_as", _official(entity))
        if pool in ("abbreviated", "truncated"):
            full = _complete(payee, self.vocabulary) if pool == "truncated" else _collapse(payee).upper()
            full = _expand_abbreviations(full) if full else None
            if not full or _key(full) == _key(payee):
                return None
            kind = _kind(full)
            if kind == "charity":
                return self._charity_entry(payee, source, pool, _charity_rendering(full, rng, styled=False))
            if kind == "company":
                return self._simple_company(payee, source, pool, _official(full))
            return self._dual(payee, source, pool, kind, full)
        if pool in ("society", "charitable_company"):
            return self._dual(payee, source, "registered_society" if pool == "society" else pool, pool, payee)
        raise ValueError(pool)

    def _company_case(self, case: str, payee: str, source: str) -> _Pending | None:
        registers, rng = self.registers, self.rng
        if case in ("exact", "styled"):
            name = _company_rendering(payee, rng, styled=case == "styled")
            return self._simple_company(payee, source, "exact" if name == _collapse(payee).upper() else "styled",
                                        name)
        name = _company_rendering(payee, rng, styled=rng.random() < 0.6)
        if case == "previous_name":
            org = registers.org()
            current = registers.new_company_name(org)
            if not registers.free([payee, name, current], org):
                return None
            registers.reserve([payee, name, current], [org])
            changed = registers.date_between(dt.date(2012, 1, 1), REGISTER_DATE - dt.timedelta(days=90))
            previous = [(changed, name)]
            if rng.random() < 0.3:
                previous.append((changed - dt.timedelta(days=rng.randint(400, 3000)), registers.new_company_name(org)))
            number = registers.add_company(org, current, previous=previous,
                                           incorporated=changed - dt.timedelta(days=rng.randint(400, 6000)))
            return _Pending(payee, source, case, org, f"companies_house:{number}", (), _key(name))
        if case == "dissolved_namesake":
            org, old = registers.org(), registers.org()
            if not registers.free([payee, name], org):
                return None
            registers.reserve([payee, name], [org, old])
            registers.add_company(old, name, status="Dissolved")
            number = registers.add_company(org, name, incorporated=registers.date_between(
                dt.date(2015, 1, 1), dt.date(2024, 12, 31)))
            return _Pending(payee, source, case, org, f"companies_house:{number}", (), _key(name))
        if case == "ambiguous":
            org, other = registers.org(), registers.org()
            core = _without_legal_form(name)
            if not core or not registers.free([payee, name], org):
                return None
            registers.reserve([payee, name], [org, other])
            number = registers.add_company(org, name)
            if rng.random() < 0.6:
                registers.add_charity(other, core, charity_type=rng.choice(["Trust", "CIO", "Other"]))
            else:
                registers.add_company(other, f"{core} LLP", category="Limited Liability Partnership")
            return _Pending(payee, source, case, org, f"companies_house:{number}", (), _key(name))
        raise ValueError(case)

    def _simple_company(self, payee: str, source: str, case: str, name: str) -> _Pending | None:
        registers = self.registers
        org = registers.org()
        if not registers.free([payee, name], org):
            return None
        registers.reserve([payee, name], [org])
        number = registers.add_company(org, name)
        if self.rng.random() < 0.3:
            registers.decoy(name)
        return _Pending(payee, source, case, org, f"companies_house:{number}", (), _key(name))

    def _charity_entry(self, payee: str, source: str, case: str, name: str) -> _Pending | None:
        registers = self.registers
        org = registers.org()
        if not registers.free([payee, name], org):
            return None
        registers.reserve([payee, name], [org])
        number = registers.add_charity(org, name, charity_type=self.rng.choice(["Trust", "CIO", "Other", "Trust"]))
        return _Pending(payee, source, case, org, f"charity_commission:{number}", (), _key(name))

    def _charity_case(self, case: str, payee: str, source: str) -> _Pending | None:
        registers, rng = self.registers, self.rng
        if case in ("exact", "styled"):
            name = _charity_rendering(payee, rng, styled=case == "styled")
            entry = self._charity_entry(payee, source, "exact" if name == _collapse(payee).upper() else "styled",
                                        name)
            if entry is not None and rng.random() < 0.15:
                number = entry.expected.split(":")[1]
                for linked in (1, 2):
                    fund = f"{name} {['ENDOWMENT FUND', 'RESTRICTED FUND'][linked - 1]}"
                    if registers.free([fund], entry.org):
                        registers.reserve([fund], [entry.org])
                        registers.add_charity(entry.org, fund, number=number, linked=linked)
            return entry
        name = _charity_rendering(payee, rng, styled=rng.random() < 0.5)
        org = registers.org()
        if case in ("previous_name", "working_name"):
            current = registers.new_charity_name(org)
            if not registers.free([payee, name, current], org):
                return None
            registers.reserve([payee, name, current], [org])
            name_type = "Previous name" if case == "previous_name" else "Working name"
            number = registers.add_charity(org, current, other_names=[(name_type, name)],
                                           charity_type=rng.choice(["Trust", "CIO", "Other"]))
            return _Pending(payee, source, case, org, f"charity_commission:{number}", (), _key(name))
        if case == "dissolved_namesake":
            old = registers.org()
            if not registers.free([payee, name], org):
                return None
            registers.reserve([payee, name], [org, old])
            registers.add_charity(old, name, status="Removed", charity_type="Trust")
            number = registers.add_charity(org, name, charity_type="CIO")
            return _Pending(payee, source, case, org, f"charity_commission:{number}", (), _key(name))
        if case == "ambiguous":
            other = registers.org()
            if not registers.free([payee, name], org):
                return None
            registers.reserve([payee, name], [org, other])
            number = registers.add_charity(org, name)
            registers.add_charity(other, name, charity_type=rng.choice(["Trust", "Other"]))
            return _Pending(payee, source, case, org, f"charity_commission:{number}", (), _key(name))
        scottish_name = _collapse(payee)
        if case == "scottish":
            if rng.random() < 0.2:  # the payee is the charity's "Known As" name
                formal = _title(registers.new_charity_name(org))
                if not registers.free([payee, formal], org):
                    return None
                registers.reserve([payee, formal], [org])
                number = registers.add_scottish_charity(org, formal, known_as=scottish_name)
                return _Pending(payee, source, "working_name", org, f"oscr:{number}", (), _key(scottish_name))
            if not registers.free([payee], org):
                return None
            registers.reserve([payee], [org])
            number = registers.add_scottish_charity(org, scottish_name)
            return _Pending(payee, source, "exact", org, f"oscr:{number}", (), _key(scottish_name))
        if case == "cross_border":
            if not registers.free([payee, name], org):
                return None
            registers.reserve([payee, name], [org])
            number = registers.add_charity(org, name, charity_type="CIO")
            scottish = registers.add_scottish_charity(org, scottish_name, cross_border=True)
            return _Pending(payee, source, "exact" if name == scottish_name.upper() else "styled", org,
                            f"charity_commission:{number}", (f"oscr:{scottish}",), _key(name))
        raise ValueError(case)

    def _dual(self, payee: str, source: str, case: str, kind: str, full_name: str) -> _Pending | None:
        """A charitable company or a registered society: a Companies House entry and its second register's."""
        registers, rng = self.registers, self.rng
        org = registers.org()
        name = _official(full_name) if case in ("abbreviated", "truncated") else _company_rendering(
            full_name, rng, styled=True)
        category = CH_GUARANTEE
        if kind == "charitable_company" and not _HAS_LEGAL.search(full_name) and rng.random() < 0.7:
            name, category = _collapse(full_name).upper(), CH_GUARANTEE_EXEMPT
        if kind == "society":
            category = CH_SOCIETY
        if not registers.free([payee, name], org):
            return None
        registers.reserve([payee, name], [org])
        number = registers.add_company(org, name, category=category)
        if kind == "society":
            other = f"fca_mutuals:{registers.add_society(org, name, number)}"
        else:
            charity_name = name if rng.random() < 0.7 else _without_legal_form(name)
            charity_number = registers.add_charity(org, charity_name, company_number=number,
                                                   charity_type="Charitable company")
            other = f"charity_commission:{charity_number}"
        if case not in ("abbreviated", "truncated"):
            case = "registered_society" if kind == "society" else "charitable_company"
        return _Pending(payee, source, case, org, f"companies_house:{number}", (other,), _key(name))

    def _near_miss(self, entry: _Pending) -> None:
        """Only near namesakes of the payee are registered."""
        registers = self.registers
        core = _without_legal_form(_collapse(entry.supplier_name).upper())
        written = 0
        for name in _near_names(core, self.rng):
            org = registers.org()
            if written < 2 and core and registers.free([name], org):
                registers.reserve([name], [org])
                registers.add_company(org, name)
                written += 1


def _near_names(core: str, rng: random.Random) -> list[str]:
    """Names a loose matcher would confuse with `core`, none of them the same name."""
    words = core.split()
    names = [f"{core} HOLDINGS LIMITED", f"{core} GROUP LIMITED", f"{core} (SCOTLAND) LIMITED",
             f"{core} (NORTH WEST) LIMITED", f"{core} (MIDLANDS) LIMITED"]
    if words and words[-1] != "SERVICES":
        names.append(f"{core} SERVICES LIMITED")
    if words and words[-1] in ("SONS", "SERVICES", "SOLUTIONS", "SYSTEMS", "PRODUCTS", "BROTHERS"):
        names.append(" ".join(words[:-1] + [words[-1].removesuffix("S")]) + " LIMITED")
    if len(words) >= 3:
        names.append(" ".join(words[:-1]) + " LIMITED")
    rng.shuffle(names)
    return names


def _cut_lengths(payees: list[tuple[str, str, str]]) -> dict[str, int]:
    """Files whose system cut names at a fixed length (many names exactly at the longest length)."""
    lengths: dict[str, Counter] = {}
    for name, source, _ in payees:
        lengths.setdefault(source, Counter())[len(name)] += 1
    cut = {}
    for source, counter in lengths.items():
        longest = max(counter)
        if counter[longest] >= 5:
            cut[source] = longest
    return cut


def _pool_of(name: str, kind: str, cut_length: int | None, vocabulary: Counter) -> str | None:
    """The pool a payee name goes to, by rules of this module (not the matcher's)."""
    if _REDACTED.search(name):
        return "redacted"
    if _PUBLIC_BODY.search(name):
        return "public_body"
    if kind == "purchase_card" or (name == name.lower() and re.search("[a-z]", name)) or _CARD_JUNK.search(name):
        return "card_merchant"
    if not _is_ascii(name) or len(name) < 3:
        return None
    words = re.findall(r"[A-Za-z'-]+", name)
    has_legal = bool(_HAS_LEGAL.search(name))
    if not has_legal and (_TITLE.match(name) or (
            2 <= len(words) <= 3 and len(words) == len(name.split()) and words[0].lower() in FIRST_NAMES
            and not _BUSINESS_WORDS & {w.lower() for w in words} and not _CHARITY.search(name))):
        return "individual"
    trading_as = _TRADING_AS.match(name)
    if trading_as:
        entity = trading_as.group("entity")
        return "trading_as" if entity.count("(") == entity.count(")") and not _MESSY.search(entity) else None
    if cut_length and len(name) == cut_length and _looks_cut(name, vocabulary):
        return "truncated"
    if _MESSY.search(name):
        return None
    if any(re.search(rf"\b{short}\b", name.upper()) for short in ABBREVIATIONS):
        return "abbreviated"
    kind_of_name = _kind(name)
    if kind_of_name != "company":
        return kind_of_name
    return "company" if has_legal else "plain"


def _looks_cut(name: str, vocabulary: Counter) -> bool:
    last = re.findall(r"[A-Za-z]+", name)[-1:] or [""]
    word = last[0].upper()
    if name.rstrip().endswith(")") or word in ("LTD", "LIMITED", "PLC", "LLP", "UK", "CIC"):
        return False
    return vocabulary[word] <= 1 or len(word) <= 2


def _complete(payee: str, vocabulary: Counter) -> str | None:
    """The full name of a payee the spend system cut short: its last word completed."""
    upper = _collapse(payee).upper()
    match = re.search(r"([A-Z]+)\W*$", upper)
    if not match:
        return None
    stub = match.group(1)
    candidates = [w for w in COMPLETIONS if w.startswith(stub) and w != stub]
    if not candidates:
        candidates = sorted((w for w in vocabulary if w.startswith(stub) and len(w) > len(stub) + 1),
                            key=lambda w: (-vocabulary[w], w))
    if not candidates:
        return None
    full = upper[:match.start(1)] + candidates[0]
    return _collapse(full + ")" * (full.count("(") - full.count(")")))


# ---------------------------------------------------------------- formats


def _title(name: str) -> str:
    return re.sub(r"'S\b", "'s", name.title())


def _dmy(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _ymd_time(day: dt.date | None) -> str:
    return f"{day.isoformat()} 00:00:00" if day else ""


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _last_before(anniversary: dt.date, limit: dt.date) -> dt.date:
    """The latest date on or before `limit` with the month and day of `anniversary`."""
    day = min(anniversary.day, 28) if anniversary.month == 2 else anniversary.day
    candidate = dt.date(limit.year, anniversary.month, day)
    return candidate if candidate <= limit else dt.date(limit.year - 1, anniversary.month, day)


def _weighted(rng: random.Random, choices) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _csv_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _write_zip(path: Path, member: str, text: str) -> Path:
    # A fixed timestamp keeps the bytes the same for the same seed.
    info = zipfile.ZipInfo(member, date_time=(REGISTER_DATE.year, REGISTER_DATE.month, REGISTER_DATE.day, 6, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, text.encode("utf-8"))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus_dir", type=Path, help="the spend corpus (with headers.csv)")
    parser.add_argument("reference_dir", type=Path, help="the reference data (with postcodes/)")
    parser.add_argument("out_dir", type=Path, help="where to write the register files")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--background", type=int, default=3000)
    args = parser.parse_args()
    fixture = build(args.corpus_dir, args.reference_dir, args.out_dir, seed=args.seed, background=args.background)
    for path in fixture.files:
        print(f"{path}  {path.stat().st_size:,} bytes")
    counts = Counter((label.case, label.expected is not None, label.unique) for label in fixture.labels)
    print(f"{len(fixture.labels)} labels")
    for (case, matched, unique), count in sorted(counts.items()):
        print(f"  {case:20} {'entry' if matched else 'none ':6} unique={unique!s:5} {count}")


if __name__ == "__main__":
    main()
