"""The official registers of organisations, loaded from their files as published.

Companies House's Free Company Data Product, the Charity Commission for England and Wales's register extract
(with its other names) and the Scottish Charity Regulator's register: each file is told by its header, read by
DuckDB straight from the CSV (a zip is unpacked to a temporary file first), located through the reference
postcodes and kept until a newer release of the same register replaces it. A file already loaded (by sha256)
is not read again. Matching suppliers against them is dashboard.matching.
"""

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import duckdb
import pandas as pd
from tqdm import tqdm

from dashboard import matching, store, summaries

_CHUNK = 1 << 20


class RegisterError(store.StoreError):
    """A register file that cannot be loaded; the message names the file and says why."""


@dataclass(frozen=True)
class Register:
    """One register: who publishes it, where, and the header columns that tell its files apart."""

    key: str
    title: str
    publisher: str
    page_url: str
    attribution: str
    required: tuple[str, ...]   # trimmed header names a file of it must have
    query: str                  # queries/<query>.sql stages one file of it as register_stage
    delimiter: str = ","


COMPANIES_HOUSE = Register(
    "companies_house", "Free Company Data Product (basic company data)", "Companies House",
    "https://download.companieshouse.gov.uk/en_output.html",
    "Contains public sector information licensed under the Open Government Licence v3.0 (Companies House).",
    ("CompanyName", "CompanyNumber", "CompanyCategory", "CompanyStatus", "RegAddress.AddressLine1",
     "RegAddress.PostTown", "RegAddress.PostCode", "Accounts.AccountCategory",
     *(f"PreviousName_{n}.CompanyName" for n in range(1, 11))),
    "register_stage_companies_house")
CHARITY_COMMISSION = Register(
    "charity_commission", "Register of charities, full register download", "Charity Commission for England and Wales",
    "https://register-of-charities.charitycommission.gov.uk/en/register/full-register-download",
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(Charity Commission for England and Wales).",
    ("registered_charity_number", "linked_charity_number", "charity_name", "charity_type",
     "charity_registration_status", "charity_contact_address1", "charity_contact_address2", "charity_contact_postcode",
     "charity_company_registration_number"),
    "register_stage_charity_commission", "\t")
CHARITY_OTHER_NAMES = Register(
    "charity_commission", "Register of charities: other names", "Charity Commission for England and Wales",
    CHARITY_COMMISSION.page_url, CHARITY_COMMISSION.attribution,
    ("registered_charity_number", "linked_charity_number", "charity_name_type", "charity_name"),
    "register_stage_charity_other_names", "\t")
OSCR = Register(
    "oscr", "Scottish Charity Register", "Scottish Charity Regulator (OSCR)",
    "https://www.oscr.org.uk/about-charities/search-the-register/charity-register-download/",
    "Contains information from the Scottish Charity Register supplied by the Scottish Charity Regulator and "
    "licensed under the Open Government Licence v3.0.",
    ("Charity Number", "Charity Name", "Known As", "Charity Status", "Postcode", "Constitutional Form"),
    "register_stage_oscr")
FCA_MUTUALS = Register(
    "fca_mutuals", "Mutuals Public Register (registered societies)", "Financial Conduct Authority",
    "https://mutuals.fca.org.uk/",
    "Contains public sector information licensed under the Open Government Licence v3.0 (Financial Conduct "
    "Authority, Mutuals Public Register).",
    ("Society Number", "Society Suffix", "Society Name", "Registered As", "Society Address", "Society Status"),
    "register_stage_fca_mutuals")
# Most specific first: the other-names file also has charity_name and the charity numbers.
KINDS = (CHARITY_OTHER_NAMES, CHARITY_COMMISSION, COMPANIES_HOUSE, OSCR, FCA_MUTUALS)
TITLES = {COMPANIES_HOUSE.key: "Companies House", CHARITY_COMMISSION.key: "Charity Commission",
          OSCR.key: "Scottish Charity Regulator", FCA_MUTUALS.key: "FCA Mutuals Public Register"}
# Loaded in this order within one command: the other names after the charities they name.
_ORDER = {COMPANIES_HOUSE.query: 0, CHARITY_COMMISSION.query: 1, CHARITY_OTHER_NAMES.query: 2, OSCR.query: 3,
          FCA_MUTUALS.query: 4}

_ISO_DATE = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")
_DMY_DATE = re.compile(r"(\d\d?)-([A-Za-z]{3})-(20\d\d)")


@dataclass(frozen=True)
class Table:
    """One table found in a file as given: its register, the file, and how to get at its text."""

    kind: Register
    source: Path
    member: str | None          # the CSV/TXT inside a zip, or None for a plain file
    header: list[str]           # trimmed header names, in order
    encoding: str

    @property
    def name(self) -> str:
        return self.member.rsplit("/", 1)[-1] if self.member else self.source.name


@dataclass(frozen=True)
class Loaded:
    """What loading one table did."""

    register: str
    file_name: str
    release_date: dt.date
    entries: int
    skipped: bool


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _first_line(raw: bytes) -> tuple[str, str]:
    """The header line of a file's first bytes, and the encoding that reads it."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise UnicodeDecodeError("utf-8", raw, 0, 1, "undecodable")
    return text.splitlines()[0] if text else "", encoding


def _kind_of(line: str, where: str) -> tuple[Register, list[str]]:
    """The register a header line belongs to, and its trimmed column names."""
    for kind in KINDS:
        header = [name.strip() for name in next(csv.reader(io.StringIO(line), delimiter=kind.delimiter), [])]
        if set(kind.required) <= set(header):
            return kind, header
    shown = line[:120] + ("…" if len(line) > 120 else "")
    raise RegisterError(
        f"{where}: not a register file this product reads. Its first line is '{shown}'. Expected the Companies "
        "House Free Company Data Product (BasicCompanyData…csv, or its zip), the Charity Commission's register "
        "extract (publicextract.charity.txt and publicextract.charity_other_names.txt, or their zips), the "
        "Scottish Charity Regulator's register download (CSV) or the FCA Mutuals Public Register's society list."
    )


def tables(path: Path) -> list[Table]:
    """Every register table in the file as given: a zip's CSV/TXT members, or the file itself."""
    path = Path(path)
    if not path.is_file():
        raise RegisterError(f"{path}: no such file")
    if zipfile.is_zipfile(path):
        found = []
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith((".csv", ".txt"))]
            if not members:
                raise RegisterError(f"{path.name}: the zip holds no CSV or TXT file")
            for member in members:
                with archive.open(member) as f:
                    line, encoding = _first_line(f.read(1 << 16))
                kind, header = _kind_of(line, f"{path.name} ({member})")
                found.append(Table(kind, path, member, header, encoding))
        return found
    with open(path, "rb") as f:
        line, encoding = _first_line(f.read(1 << 16))
    kind, header = _kind_of(line, path.name)
    return [Table(kind, path, None, header, encoding)]


@contextmanager
def _plain_file(table: Table) -> Iterator[Path]:
    """The table as a plain UTF-8 file DuckDB can read: the file itself when it is one, else a temporary copy
    (a zip member unpacked, another encoding re-encoded, a tab-separated extract repaired)."""
    tabbed = table.kind.delimiter == "\t"
    if table.member is None and table.encoding == "utf-8-sig" and not tabbed:
        yield table.source
        return
    with tempfile.TemporaryDirectory(prefix="register-") as tmp, contextlib.ExitStack() as files:
        out = Path(tmp) / "table.csv"
        if table.member is None:
            src = files.enter_context(open(table.source, "rb"))
        else:
            src = files.enter_context(files.enter_context(zipfile.ZipFile(table.source)).open(table.member))
        with open(out, "wb") as dst:
            if table.encoding == "utf-8-sig" and not tabbed:
                shutil.copyfileobj(src, dst, _CHUNK)
            else:
                _copy(src, dst, table.encoding, repair=tabbed)
        files.close()
        yield out


def _copy(src: IO[bytes], dst: IO[bytes], encoding: str, *, repair: bool) -> None:
    """Copy as UTF-8. repair: the Charity Commission's extract has values ending in a line break (CRLF then the
    next field's tab); the break is dropped so each record is one line again."""
    reader = io.TextIOWrapper(src, encoding=encoding, newline="")
    carry = ""
    for chunk in iter(lambda: reader.read(_CHUNK), ""):
        text = carry + chunk
        if repair:
            text = text.replace("\r\n\t", "\t")
            # Keep a possible start of "\r\n\t" for the next chunk.
            cut = len(text) - (2 if text.endswith("\r\n") else 1 if text.endswith("\r") else 0)
            text, carry = text[:cut], text[cut:]
        dst.write(text.encode("utf-8"))
    dst.write(carry.encode("utf-8"))


def _release_date(table: Table, cur: duckdb.DuckDBPyConnection, path: Path) -> dt.date:
    """The register's date: in the file name as published, else the extract's own date column."""
    for name in (table.name, table.source.name):
        if match := _ISO_DATE.search(name):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY_DATE.search(name):
            return dt.datetime.strptime(f"{match[1]}-{match[2].title()}-{match[3]}", "%d-%b-%Y").date()
    if "date_of_extract" in table.header:
        found = store.run(cur, "register_extract_date", path=str(path), columns=_columns(table))
        if not found.empty and found["release_date"].notna().all():
            return pd.Timestamp(found["release_date"].iloc[0]).date()
    if table.member is not None:
        with zipfile.ZipFile(table.source) as archive:
            return dt.date(*archive.getinfo(table.member).date_time[:3])
    return dt.date.fromtimestamp(table.source.stat().st_mtime)


def _columns(table: Table) -> dict[str, str]:
    """The header as DuckDB read_csv columns, every one text; a repeated name gets a numbered suffix."""
    columns: dict[str, str] = {}
    for name in table.header:
        unique, n = name or "column", 1
        while unique in columns:
            n += 1
            unique = f"{name}_{n}"
        columns[unique] = "VARCHAR"
    return columns


def load(paths: list[Path], db: Path | None = None, *, progress: bool = True, synthetic: bool = False,
         force: bool = False) -> list[Loaded]:
    """Load register files (zips as published, or the CSV/TXT inside), all in one transaction.

    A release of a register replaces an older one of the same register; parts of one release (Companies House's
    part1_7 … part7_7) add up. Then every network's suppliers are matched again.
    """
    found = sorted((t for path in paths for t in tables(Path(path))), key=lambda t: _ORDER[t.kind.query])
    checksums = {}
    for t in found:
        if t.source not in checksums:
            checksums[t.source] = _sha256(t.source)
    bar = tqdm(total=len(found) + 1, desc="Registers", unit="file", file=sys.stderr, disable=not progress)

    def commit(cur: duckdb.DuckDBPyConnection) -> list[Loaded]:
        store.run(cur, "register_load_limits")
        done = []
        for t in found:
            bar.set_postfix_str(t.name)
            sha = hashlib.sha256(f"{checksums[t.source]}:{t.member or ''}".encode()).hexdigest()
            with _plain_file(t) as plain:
                release = _release_date(t, cur, plain)
                loaded = store.run(cur, "register_files", register=t.kind.key)
                if not force and sha in set(loaded["sha256"]):
                    done.append(Loaded(t.kind.key, t.name, release, 0, True))
                    bar.update()
                    continue
                newer = loaded[loaded["release_date"].dt.date > release] if not loaded.empty else loaded
                if not newer.empty:
                    raise RegisterError(
                        f"{t.name}: the {TITLES[t.kind.key]} register of {newer['release_date'].max():%-d %B %Y} is "
                        f"loaded already, newer than this file's {release:%-d %B %Y}. Nothing was changed.")
                if not loaded.empty and (loaded["release_date"].dt.date < release).any():
                    for query in ("register_clear", "register_clear_names", "register_clear_files"):
                        store.run(cur, query, register=t.kind.key)
                for query in ("register_file_forget", "register_file_forget_names", "register_file_forget_file"):
                    store.run(cur, query, register=t.kind.key, sha256=sha)
                started = time.monotonic()
                store.run(cur, t.kind.query, path=str(plain), columns=_columns(t))
                entries = int(store.run(cur, "register_stage_count")["entries"].iloc[0])
                if entries == 0:
                    raise RegisterError(f"{t.name}: no rows were read from it. Nothing was changed.")
                if t.kind is not CHARITY_OTHER_NAMES:
                    store.run(cur, "register_entity_insert", register=t.kind.key, sha256=sha)
                store.run(cur, "register_name_insert", register=t.kind.key, sha256=sha)
                store.run(cur, "register_file_insert", register=t.kind.key, release_date=release, file_name=t.name,
                          sha256=sha, entries=entries, synthetic=synthetic)
                bar.set_postfix_str(f"{t.name}: {entries:,} in {time.monotonic() - started:.0f} s")
            done.append(Loaded(t.kind.key, t.name, release, entries, False))
            bar.update()
        if any(not d.skipped for d in done):
            store.run(cur, "register_link_charitable_companies")
            bar.set_postfix_str("matching suppliers")
            for network_id in store.run(cur, "networks")["network_id"]:
                matching.refresh(cur, network_id, everything=True)
            summaries.rebuild(cur)
        bar.update()
        return done

    try:
        return store.write(commit, db)
    finally:
        bar.close()


def status(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """One entry per register loaded: its title, release date, files, entries, whether synthetic."""
    files = store.run(con, "register_status")
    out = []
    for register, group in files.groupby("register", sort=False):
        out.append({
            "register": register, "title": TITLES.get(register, register),
            "release_date": str(group["release_date"].max().date()),
            "entries": int(store.run(con, "register_entity_count", register=register)["entries"].iloc[0]),
            "files": group["file_name"].tolist(),
            "synthetic": bool(group["synthetic"].any()),
            "loaded_at": str(group["loaded_at"].max()),
        })
    return out


def attributions() -> list[dict]:
    """One entry per register for the data-sources page: title, publisher, licence statement, page."""
    return [{"title": k.title, "publisher": k.publisher, "attribution": k.attribution, "page_url": k.page_url}
            for k in (COMPANIES_HOUSE, CHARITY_COMMISSION, OSCR, FCA_MUTUALS)]


# --- downloading the registers ---------------------------------------------------------------------------------------

_USER_AGENT = "anchor-impact registers fetch (urllib)"


def downloads(month: dt.date) -> list[tuple[str, list[str]]]:
    """(file name to save as, URLs to try in turn) for each register file, Companies House's of the given month
    first and of the month before next (it is published a few days into the month)."""
    previous = (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    companies = [f"BasicCompanyDataAsOneFile-{d:%Y-%m}-01.zip" for d in (month, previous)]
    charity = "https://ccewuksprdoneregsadata1.blob.core.windows.net/data/txt"
    return [
        (companies[0], [f"https://download.companieshouse.gov.uk/{name}" for name in companies]),
        ("publicextract.charity.zip", [f"{charity}/publicextract.charity.zip"]),
        ("publicextract.charity_other_names.zip", [f"{charity}/publicextract.charity_other_names.zip"]),
        ("CharityExport.zip", ["https://www.oscr.org.uk/umbraco/Surface/FormsSurface/CharityRegDownload"]),
    ]


def fetch(dest_dir: Path, db: Path | None = None, *, base_url: str | None = None, month: dt.date | None = None,
          progress: bool = True) -> list[Loaded]:
    """Download every register file into dest_dir, check each is a whole zip of a register, then load them all.

    From base_url (a mirror holding the files under their published names) when given, else from each
    publisher. The registers publish no checksums: a download is kept only when its zip reads through without
    error and its header is a register's. Raises RegisterError naming every file that failed; nothing is loaded
    then.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    month = month or dt.date.today()
    fetched, problems = [], []
    for name, urls in downloads(month):
        if base_url:
            candidates = [url.rsplit("/", 1)[-1] for url in urls] if name.startswith("Basic") else [name]
            urls = [f"{base_url.rstrip('/')}/{candidate}" for candidate in candidates]
        try:
            fetched.append(_download(urls, dest_dir, name, progress))
        except RegisterError as exc:
            problems.append(str(exc))
    if problems:
        raise RegisterError("\n".join(problems) + "\nNothing was loaded. Try again, or download the files by hand "
                            "and load them with: python -m dashboard registers load FILE [FILE ...]")
    return load(fetched, db, progress=progress)


def _download(urls: list[str], dest_dir: Path, name: str, progress: bool) -> Path:
    """Stream the first URL that answers to a temporary file, check it, and move it into place."""
    failures = []
    for url in urls:
        saved_as = url.rsplit("/", 1)[-1] if url.rsplit("/", 1)[-1].endswith(".zip") else name
        target = dest_dir / saved_as
        part = dest_dir / f".{saved_as}.{os.getpid()}.part"
        try:
            request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
            with urllib.request.urlopen(request, timeout=60) as response, open(part, "wb") as out:
                size = int(response.headers.get("Content-Length") or 0) or None
                with tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024, desc=saved_as, file=sys.stderr,
                          disable=not progress) as bar:
                    for chunk in iter(lambda: response.read(_CHUNK), b""):
                        out.write(chunk)
                        bar.update(len(chunk))
            _verify(part, saved_as)
            os.replace(part, target)
            return target
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            failures.append(f"{url}: {exc}")
        finally:
            part.unlink(missing_ok=True)
    raise RegisterError(f"Could not download {name}: " + "; ".join(failures))


def _verify(path: Path, name: str) -> None:
    """A whole zip whose every member reads back (CRC checked) and is a register's table."""
    if not zipfile.is_zipfile(path):
        raise RegisterError(f"{name}: the download is not a zip file (an error page or a cut-off download?)")
    with zipfile.ZipFile(path) as archive:
        bad = archive.testzip()
        if bad is not None:
            raise RegisterError(f"{name}: {bad} inside it is damaged (its checksum does not match)")
    tables(path)
