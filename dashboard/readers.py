"""Read a partner's file as exported: CSV in the usual encodings and separators, XLSX and XLS.

Everything comes back as text cells with the file's own row numbers, the column names found
wherever they are in the first rows, and nothing else judged: the contract checks come later.
"""

import codecs
import csv
import datetime as dt
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from dashboard.problems import Problem

MAX_FILE_BYTES = 50 * 2**20
MAX_DATA_ROWS = 1_000_000
MAX_SHEETS = 50
MAX_UNZIPPED_BYTES = 200 * 2**20
MAX_XML_RATIO = 100          # uncompressed : compressed, for any part over RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 2**20    # small parts compress extremely well and are harmless
HEADER_SEARCH_ROWS = 30
_BLANK_ROWS_ALLOWED = 1_000  # read at most this many rows past the limit before refusing
_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_TABLES = (  # magic numbers of files that get renamed to .csv or .xlsx by mistake
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
# Characters a real text file in Windows-1252 or Mac Roman is likely to hold beyond ASCII:
# used to tell the two apart, as both decode any byte.
_LIKELY = set("£€’‘“”–—…•°·ÀÁÂÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÖØÙÚÛÜàáâäåçèéêëìíîïñòóôöøùúûüÿ\u00a0")


class Refused(Exception):
    """A file that cannot be read at all, with the reasons."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _refuse(message: str) -> Refused:
    return Refused([Problem(None, None, message)])


@dataclass
class Sheet:
    """The cells of the table in a file, as text ('' when empty), indexed by the file's row numbers."""

    headers: list[str]
    cells: pd.DataFrame
    header_row: int
    format: str                    # e.g. "CSV (Windows-1252, separated by semicolons)"
    sheet_name: str | None = None
    notes: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    uncached: list[tuple[int, str]] = field(default_factory=list)  # formula cells with no saved value
    letters: dict[str, str] = field(default_factory=dict)           # header -> spreadsheet column letter
    header_recognised: bool = True  # False: no row looked like column names; the first was taken


def read(data: bytes, file_name: str, score: Callable[[Sequence[object]], int]) -> Sheet:
    """Read a CSV, XLSX or XLS file; score(row) says how much a row looks like the column names."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(f"the file is {len(data) / 2**20:.1f} MB, larger than the {MAX_FILE_BYTES // 2**20} MB "
                      "limit. Split it (e.g. by month) and upload each part as its own submission.")
    if not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE + codecs.BOM_UTF16_BE):
        raise _refuse("the file is empty")
    for magic, what in _NOT_TABLES:
        if data.startswith(magic):
            raise _refuse(_not_a_table(what))
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _read_xlsx(data, score)
    if data.startswith(_OLE):
        return _read_xls(data, score)
    return _read_text(data, score)


def _not_a_table(what: str) -> str:
    return (f"this is {what}, not a CSV or Excel file (whatever its name says). Export the data from your "
            "finance system as CSV or Excel (.xlsx) and upload that.")


# Text files


def _decode(data: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was read in, never garbling a '£'."""
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8):]
        try:
            return body.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            data = body  # a BOM over Windows-1252 text: rare, but then read it as such
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16 (Excel 'Unicode text')"
        except UnicodeDecodeError as exc:
            raise _refuse("the file says it is UTF-16 text but is damaged; save it again as CSV") from exc
    else:
        sample = data[:4096]
        if b"\x00" in sample:
            # UTF-16 without a byte order mark: every other byte of plain text is zero.
            for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
                if zeros.count(0) >= 0.9 * len(zeros):
                    try:
                        return data.decode(encoding), "UTF-16 (Excel 'Unicode text')"
                    except UnicodeDecodeError:
                        break
            raise _refuse("this is not a text CSV file (it holds binary data); export the data as CSV or "
                          "Excel (.xlsx)")
        try:
            return data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
    # Not UTF-8: a single-byte code page. Windows-1252 unless the text reads far better as Mac Roman
    # (old Excel for Mac); '£' is the same byte in both.
    candidates = []
    for encoding, label in (("cp1252", "Windows-1252"), ("mac_roman", "Mac Roman")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        unusual = re.findall(r"[^\x00-\x7f]", text[:2**20])
        candidates.append((sum(c in _LIKELY for c in unusual) - sum(c not in _LIKELY for c in unusual),
                           -len(candidates), text, label))
    _, _, text, label = max(candidates)
    return text, label


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = len(re.findall(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", sample))
    return controls > 3 and controls > 0.01 * len(sample)


def _read_text(data: bytes, score: Callable[[Sequence[object]], int]) -> Sheet:
    text, encoding = _decode(data)
    if _looks_binary(text):
        raise _refuse("this is not a text CSV file (it holds binary data); export the data as CSV or Excel (.xlsx)")
    if not re.search(r"\w", text):
        raise _refuse("the file is empty (it holds no values, only separators or blank lines)")
    start = text.lstrip()[:200].lower()
    if start.startswith(("<html", "<!doctype html", "<table", "<head", "<body")):
        raise _refuse(_not_a_table("a web page (HTML), as some systems save under an Excel name") +
                      " Or open it in Excel and save it as .xlsx.")
    if start.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in text[:4000]:
        raise _refuse("this is an Excel 2003 XML spreadsheet; open it in Excel and save it as .xlsx")
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[:sample.rindex("\n")]
    delimiter, sample_rows = _sniff_delimiter(sample, score)
    width = max((len(r) for r in sample_rows), default=1)
    cap = HEADER_SEARCH_ROWS + MAX_DATA_ROWS + _BLANK_ROWS_ALLOWED
    try:
        grid = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, names=range(width), dtype=str,
                           keep_default_na=False, skip_blank_lines=False, engine="c", nrows=cap + 1)
    except (pd.errors.ParserError, ValueError):
        # A row with more cells than any in the first rows: read exactly, row by row, to say which.
        grid = _grid(list(_limited(csv.reader(io.StringIO(text), delimiter=delimiter), cap + 1)))
    grid.index = range(1, len(grid) + 1)
    if len(grid) > cap:
        raise _too_many_rows()
    label = f"CSV ({encoding}, separated by {_DELIMITERS[delimiter]})"
    return _table(grid, score, label, ragged_is_error=True)


def _grid(rows: list[list[str]]) -> pd.DataFrame:
    """Rows of cells as a frame indexed by row number (1 = the first row), short rows padded."""
    width = max((len(r) for r in rows), default=1) or 1
    grid = pd.DataFrame([list(r) + [""] * (width - len(r)) for r in rows], columns=range(width), dtype=str)
    grid.index = range(1, len(grid) + 1)
    return grid


def _limited(rows: Iterable[list[str]], limit: int) -> Iterable[list[str]]:
    for index, row in enumerate(rows):
        if index >= limit:
            return
        yield row


def _sniff_delimiter(sample: str, score: Callable[[Sequence[object]], int]) -> tuple[str, list[list[str]]]:
    """The separator under which the known column names appear; else the one splitting rows most evenly."""
    best = None
    for delimiter in _DELIMITERS:
        try:
            rows = list(_limited(csv.reader(io.StringIO(sample), delimiter=delimiter), HEADER_SEARCH_ROWS + 20))
        except csv.Error:
            continue
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        common = max(set(widths), key=widths.count) if widths else 1
        rank = (max((score(r) for r in rows[:HEADER_SEARCH_ROWS]), default=0), common > 1,
                widths.count(common) if common > 1 else 0)
        if best is None or rank > best[0]:
            best = (rank, delimiter, rows)
    if best is None:
        return ",", []
    return best[1], best[2]


def _too_many_rows() -> Refused:
    return _refuse(f"the file has more than {MAX_DATA_ROWS:,} rows, the most one upload can hold. Split it "
                   "(e.g. by month) and upload each part as its own submission.")


# Excel workbooks


def _read_xlsx(data: bytes, score: Callable[[Sequence[object]], int]) -> Sheet:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _refuse("cannot be read as an Excel workbook: the file is damaged or incomplete (not a whole "
                      "zip archive). Save it again from Excel, or export it as CSV.") from exc
    names = {i.filename for i in infos}
    if any(i.flag_bits & 0x1 for i in infos):
        raise _refuse(_ENCRYPTED)
    unzipped = sum(i.file_size for i in infos)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise _refuse(f"cannot be read safely: the workbook would unpack to {unzipped / 2**20:,.0f} MB, over the "
                      f"{MAX_UNZIPPED_BYTES // 2**20} MB limit (a normal export is far smaller). Export the data "
                      "as CSV instead.")
    for i in infos:
        if i.file_size > RATIO_FLOOR_BYTES and i.file_size > MAX_XML_RATIO * max(i.compress_size, 1):
            raise _refuse(f"cannot be read safely: part {i.filename} of the workbook is compressed "
                          f"{i.file_size / max(i.compress_size, 1):,.0f} to 1, which real spreadsheets never are "
                          "(this is how 'zip bombs' look). Export the data as CSV instead.")
    if "xl/workbook.xml" not in names:
        raise _refuse(_what_zip(archive, names))
    sheets = _sheet_parts(archive)
    if len(sheets) > MAX_SHEETS:
        raise _refuse(f"the workbook has {len(sheets)} sheets; at most {MAX_SHEETS} are read. Copy the sheet with "
                      "the data into a new workbook, or export it as CSV.")
    import openpyxl  # imported here: CSV users never pay for it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook; all mean the same here
        raise _refuse(f"cannot be read as an Excel workbook ({exc}). Save it again from Excel, or export it "
                      "as CSV.") from exc
    try:
        worksheets = list(book.worksheets)
        if not worksheets:
            raise _refuse("the workbook has no sheets with cells")
        scores = []
        for ws in worksheets:
            ws.reset_dimensions()  # trust the cells, not the stated size (often A1:XFD1048576)
            sample = ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True)
            scores.append(max((score([_cell_text(v) for v in row]) for row in sample), default=0))
        chosen = _choose_sheet(scores)
        ws = worksheets[chosen]
        cap = HEADER_SEARCH_ROWS + MAX_DATA_ROWS + _BLANK_ROWS_ALLOWED
        rows = [[_cell_text(v) for v in row] for row in
                _limited(ws.iter_rows(min_row=1, values_only=True), cap + 1)]
    finally:
        book.close()
    if len(rows) > cap:
        raise _too_many_rows()
    grid = _grid(rows)
    name = ws.title
    label = f"Excel workbook, sheet '{name}'"
    sheet = _table(grid, score, label, ragged_is_error=False, sheet_name=name)
    if len(worksheets) > 1:
        sheet.notes.insert(0, _sheet_note(name, chosen, scores))
    part = sheets.get(name)
    if part and part in names:
        sheet.uncached = _uncached_formulas(archive.read(part), sheet)
    return sheet


_ENCRYPTED = ("the workbook is protected with a password (encrypted), so it cannot be read. Save a copy without "
              "the password (File > Info > Protect Workbook > Encrypt with Password: clear it) and upload that.")


def _what_zip(archive: zipfile.ZipFile, names: set[str]) -> str:
    if "word/document.xml" in names:
        return _not_a_table("a Word document")
    if "ppt/presentation.xml" in names:
        return _not_a_table("a PowerPoint presentation")
    if "xl/workbook.bin" in names:
        return "this is an Excel binary workbook (.xlsb); open it in Excel and save it as .xlsx, or export CSV"
    if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype")[:100]:
        return "this is an OpenDocument spreadsheet (.ods); save it as .xlsx or export CSV"
    return _not_a_table("a zip archive")


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip part holding its cells, from the workbook's own index."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (ET.ParseError, KeyError) as exc:
        raise _refuse("cannot be read as an Excel workbook: its index is damaged. Save it again from Excel, or "
                      "export it as CSV.") from exc
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = {}
    for sheet in book.iter(f"{main}sheet"):
        target = targets.get(sheet.get(rel), "")
        parts[sheet.get("name", "")] = (target.lstrip("/") if target.startswith("/")
                                        else posixpath.normpath(posixpath.join("xl", target)))
    return parts


def _sheet_note(name: str, chosen: int, scores: list[int]) -> Problem:
    why = ("the first with recognisable column names" if scores[chosen] >= 2
           else "no sheet had clearly recognisable column names; this one came closest")
    return Problem(None, None, f"read sheet '{name}' (sheet {chosen + 1} of {len(scores)}): {why}")


def _choose_sheet(scores: list[int]) -> int:
    """The first sheet whose header looks like ours; else the best-looking; else the first."""
    for index, value in enumerate(scores):
        if value >= 2:
            return index
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')


def _uncached_formulas(xml: bytes, sheet: Sheet) -> list[tuple[int, str]]:
    """(row, header) of each formula cell saved without its value, which data_only reads as empty."""
    if not re.search(rb"<(?:\w+:)?f[ >/]", xml):
        return []
    by_letter = {letter: header for header, letter in sheet.letters.items()}
    found = []
    for match in _CELL.finditer(xml):
        body = match.group(2) or b""
        if not re.search(rb"<(?:\w+:)?f[ >/]", body):
            continue
        if re.search(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>", body):
            continue
        ref = _REF.search(match.group(1))
        if ref:
            row, letter = int(ref.group(2)), ref.group(1).decode()
            if letter in by_letter and row in sheet.cells.index:
                found.append((row, by_letter[letter]))
    return found


def _column_letter(index: int) -> str:
    """'A' for the first column, 'AA' for the 27th."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV export would hold: dates as yyyy-mm-dd, numbers as Excel shows them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time(0) else value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel keeps 15 significant digits: 0.1 + 0.2 is 0.3 to it, and must be to us.
        text = format(value, ".15g")
        return format(Decimal(text), "f") if "e" in text else text
    return str(value)


def _read_xls(data: bytes, score: Callable[[Sequence[object]], int]) -> Sheet:
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        raise _refuse(_ENCRYPTED)
    import xlrd  # legacy .xls only

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # xlrd raises many types for a damaged or foreign file
        if "encrypt" in str(exc).lower():
            raise _refuse(_ENCRYPTED) from exc
        raise _refuse("cannot be read as an Excel workbook (.xls): it is damaged or is another kind of Office "
                      "file. Save it again from Excel as .xlsx, or export it as CSV.") from exc
    try:
        if book.nsheets > MAX_SHEETS:
            raise _refuse(f"the workbook has {book.nsheets} sheets; at most {MAX_SHEETS} are read. Copy the sheet "
                          "with the data into a new workbook, or export it as CSV.")
        if book.nsheets == 0:
            raise _refuse("the workbook has no sheets with cells")

        def rows_of(sheet, limit: int) -> list[list[str]]:
            return [[_xls_text(book, sheet.cell(r, c)) for c in range(sheet.row_len(r))]
                    for r in range(min(sheet.nrows, limit))]

        sheets = [book.sheet_by_index(i) for i in range(book.nsheets)]
        scores = [max((score(r) for r in rows_of(s, HEADER_SEARCH_ROWS)), default=0) for s in sheets]
        chosen = _choose_sheet(scores)
        ws = sheets[chosen]
        rows = rows_of(ws, ws.nrows)
    finally:
        book.release_resources()
    grid = _grid(rows)
    sheet = _table(grid, score, f"Excel 97-2003 workbook (.xls), sheet '{ws.name}'", ragged_is_error=False,
                   sheet_name=ws.name)
    if len(sheets) > 1:
        sheet.notes.insert(0, _sheet_note(ws.name, chosen, scores))
    return sheet


def _xls_text(book, cell) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return _cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return _cell_text(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#N/A")
    return _cell_text(cell.value)


# From a grid of cells to a table


def _table(grid: pd.DataFrame, score: Callable[[Sequence[object]], int], label: str, *, ragged_is_error: bool,
           sheet_name: str | None = None) -> Sheet:
    """Find the column names, drop blank and repeated-header rows, and name every column."""
    grid = grid.fillna("").astype("str")
    for col in grid.columns:
        grid[col] = grid[col].str.strip()
    notes: list[Problem] = []
    problems: list[Problem] = []
    top = grid.iloc[:HEADER_SEARCH_ROWS]
    scores = [score(row) for row in top.itertuples(index=False)]
    filled = [i for i, row in enumerate(top.itertuples(index=False)) if any(row)]
    if not filled:
        raise _refuse("the file has no column names in its first rows (it is blank at the top)")
    at = scores.index(max(scores)) if max(scores) > 0 else filled[0]
    header_row = int(grid.index[at])
    raw_headers = list(grid.iloc[at])
    body = grid.iloc[at + 1:]
    body = body[(body != "").any(axis=1)]
    width = max((i + 1 for i, h in enumerate(raw_headers) if h), default=0)
    extra = [c for c in grid.columns[width:] if (body[c] != "").any()]
    if extra and ragged_is_error:
        spill = (body[extra] != "").any(axis=1)
        if not spill.all():
            for row in body.index[spill][:50]:
                problems.append(Problem(int(row), None, f"has more values than there are column names ({width}): "
                                        "is there a comma inside a value that is not in quotes?"))
            extra = []
    # A column with no name is kept (as 'Column H') only if it holds something.
    keep = [c for c in list(grid.columns[:width]) + extra if raw_headers[c] or (body[c] != "").any()]
    letters = [_column_letter(int(c)) for c in keep]
    names = [raw_headers[c] or f"Column {letters[i]}" for i, c in enumerate(keep)]
    counts = {n: names.count(n) for n in names}
    headers = [f"{n} (column {letters[i]})" if counts[n] > 1 else n for i, n in enumerate(names)]
    cells = body[keep].copy()
    cells.columns = headers
    repeated = (cells == pd.Series([raw_headers[c] for c in keep], index=headers)).all(axis=1)
    if header_row > 1:
        notes.append(Problem(None, None, f"column names found on row {header_row}; the "
                             f"{'row' if header_row == 2 else f'{header_row - 1} rows'} above were skipped"))
    if repeated.any():
        rows = [int(r) for r in cells.index[repeated]]
        verb = "repeat" if len(rows) > 1 else "repeats"
        notes.append(Problem(None, None, f"{_rows_text(rows)} {verb} the column names; skipped (not counted as "
                             "data)"))
        cells = cells[~repeated]
    if len(cells) > MAX_DATA_ROWS:
        raise _too_many_rows()
    return Sheet(headers, cells, header_row, label, sheet_name, notes, problems,
                 letters=dict(zip(headers, letters, strict=True)), header_recognised=max(scores) > 0)


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:20])
    more = f" and {len(rows) - 20} more" if len(rows) > 20 else ""
    return f"{'rows' if len(rows) > 1 else 'row'} {shown}{more}"
