"""Read a partner's file as exported: CSV in the usual encodings and separators, XLSX and XLS.

Everything comes back as text cells with the file's own row numbers, the column names found
wherever they are in the first rows, and nothing else judged: the contract checks come later.
A workbook with one sheet per month, each with the same columns, is read whole (see Sheet).
XLSX is read with calamine; each sheet's XML is first read for what calamine leaves out (error values, formulas
saved without a value) and for how far its cells reach, as calamine lays a sheet out whole. XLS is read with xlrd.
"""

import codecs
import contextlib
import csv
import dataclasses
import datetime as dt
import gc
import html
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard.problems import Problem

MAX_FILE_BYTES = 50 * 2**20
MAX_DATA_ROWS = 1_000_000
MAX_SHEETS = 50
MAX_UNZIPPED_BYTES = 200 * 2**20
MAX_XML_RATIO = 100          # uncompressed : compressed, for any part over RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 2**20    # small parts compress extremely well and are harmless
HEADER_SEARCH_ROWS = 30
# Cells of one worksheet from A1 to its last row and column: calamine lays a sheet out whole, so two values far
# apart (A1 and XFD1048576) would ask for hundreds of gigabytes. A million rows of 20 columns fit.
MAX_SHEET_CELLS = 20_000_000
# Rows from several sheets: row r of the workbook's n-th sheet is n * SHEET_ROW_OFFSET + r in Sheet.cells
# (far above any one sheet's rows, so the index stays unique and in sheet order).
SHEET_ROW_OFFSET = 10_000_000
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
# A byte that is not blank: not a space, a line break, a NUL or a byte of a byte order mark. (Found at the first
# such byte, where stripping them all would copy the whole file first.)
_FILLED = re.compile(b"[^" + re.escape(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE + codecs.BOM_UTF16_BE)
                     + b"]")
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
    """The cells of the table in a file, as text ('' when empty), indexed by the file's row numbers.

    A workbook with several sheets of data under the same column names (one per month, say) is read
    whole: cells holds every such sheet's rows in sheet order, indexed n * SHEET_ROW_OFFSET + row for
    the workbook's n-th sheet (from 1), and origins maps that index to (sheet name, row on the sheet);
    locate() puts a problem back on its sheet and row. For a CSV or a single sheet, cells is indexed
    by the file's own row numbers and origins is empty.
    """

    headers: list[str]
    cells: pd.DataFrame
    header_row: int                # with several sheets, the first sheet's
    format: str                    # e.g. "CSV (Windows-1252, separated by semicolons)"
    sheet_name: str | None = None  # the sheet read; None for a CSV and when several sheets were read
    notes: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    uncached: list[tuple[int, str]] = field(default_factory=list)  # (cells index, header): formula with no saved value
    letters: dict[str, str] = field(default_factory=dict)           # header -> column letter (on the first sheet)
    header_recognised: bool = True  # False: no row looked like column names; the first was taken
    sheet_names: list[str] = field(default_factory=list)           # the workbook sheets read, in order
    origins: dict[int, tuple[str, int]] = field(default_factory=dict)  # cells index -> (sheet, its row)


def locate(sheet: Sheet, problem: Problem) -> Problem:
    """The problem with its row given as the sheet's own row and the sheet named; as is for a one-sheet file."""
    if problem.row is None or problem.row not in sheet.origins:
        return problem
    name, row = sheet.origins[problem.row]
    return dataclasses.replace(problem, row=row, sheet=name)


def row_label(sheet: Sheet, row: int) -> str:
    """A row as the person finds it: '12', or "12 of sheet 'May'" in a workbook read sheet by sheet."""
    if row not in sheet.origins:
        return str(row)
    name, own = sheet.origins[row]
    return f"{own} of sheet '{name}'"


def sheet_parts(sheet: Sheet) -> list[pd.Index]:
    """The rows of each sheet read, in order (one part for a CSV or a single sheet)."""
    if not sheet.origins:
        return [sheet.cells.index]
    return [rows for _, rows in sheet.cells.groupby(sheet.cells.index // SHEET_ROW_OFFSET, sort=True).groups.items()]


def read(data: bytes, file_name: str, score: Callable[[Sequence[object]], int]) -> Sheet:
    """Read a CSV, XLSX or XLS file; score(row) says how much a row looks like the column names."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(f"the file is {len(data) / 2**20:.1f} MB, larger than the {MAX_FILE_BYTES // 2**20} MB "
                      "limit. Split it (e.g. by month) and upload each part as its own submission.")
    if not _FILLED.search(data):
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
    # (old Excel for Mac); '£' is the same byte in both. Judged on the first 2**20 characters, which in a
    # single-byte code page are the first 2**20 bytes: only the code page chosen decodes the whole file.
    candidates = []
    for position, (encoding, label) in enumerate((("cp1252", "Windows-1252"), ("mac_roman", "Mac Roman"))):
        try:
            head = data[:2**20].decode(encoding)
        except UnicodeDecodeError:
            continue
        unusual = re.findall(r"[^\x00-\x7f]", head)
        candidates.append((sum(c in _LIKELY for c in unusual) - sum(c not in _LIKELY for c in unusual),
                           -position, encoding, label))
    # A code page that cannot decode the rest of the file is no candidate; Mac Roman decodes any byte.
    for _, _, encoding, label in sorted(candidates, reverse=True):
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise AssertionError("Mac Roman decodes any byte")  # pragma: no cover


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = len(re.findall(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", sample))
    return controls > 3 and controls > 0.01 * len(sample)


def _read_text(data: bytes, score: Callable[[Sequence[object]], int]) -> Sheet:
    text, encoding = _decode(data)
    if "\r" in text and "\n" not in text:
        # Old Mac line endings: '\r' alone ends every line, and any line break inside quotes.
        text = text.replace("\r", "\n")
    if _looks_binary(text):
        raise _refuse("this is not a text CSV file (it holds binary data); export the data as CSV or Excel (.xlsx)")
    if not re.search(r"\w", text):
        raise _refuse("the file is empty (it holds no values, only separators or blank lines)")
    # The first 200 characters after any leading blanks (lstrip of the whole text would copy all of it).
    head = text[:65536].lstrip()
    start = (head if len(head) >= 200 or len(text) <= 65536 else text.lstrip())[:200].lower()
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
    grid = _plain_grid(text, delimiter, width, cap + 1)
    if grid is None:
        try:
            grid = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, names=range(width), dtype=str,
                               keep_default_na=False, skip_blank_lines=False, engine="c", nrows=cap + 1)
        except (pd.errors.ParserError, ValueError):
            # A row with more cells than any in the first rows: read exactly, row by row, to say which.
            grid = _grid(list(_limited(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), cap + 1)))
    grid.index = range(1, len(grid) + 1)
    if len(grid) > cap:
        raise _too_many_rows()
    label = f"CSV ({encoding}, separated by {_DELIMITERS[delimiter]})"
    return _table(grid, score, label, ragged_is_error=True)


_SHORT_ROWS_TAKEN = 10_000  # rows with fewer cells than the widest (title lines, blank lines) read one by one


def _plain_grid(text: str, delimiter: str, width: int, nrows: int) -> pd.DataFrame | None:
    """The first nrows records of text as pandas' C parser reads them into `width` columns (header=None, every cell
    str, none taken as missing, blank lines kept), read by Arrow's CSV reader, several times as fast; None unless
    the text has the plain shape on which the two provably read alike, and then pandas reads it.

    Plain (see _plain_quotes): no NUL, no byte order mark, and every quoted cell whole on one line, quoted from
    its first character to its last, a quote inside it written twice. Both then split records at '\n', '\r\n'
    and a lone '\r', and cells at the separator outside quotes, drop the quotes around a cell and read '""'
    inside one as '"'; a blank line is a record of empty cells. A record with fewer cells (pandas pads them as
    missing) is read alone and padded with ''; the cells pandas leaves missing are '' here, as _find_table reads
    them anyway. A record with more cells makes pandas refuse, so it is refused here too and pandas' way decides.
    """
    if width < 1 or text.startswith("\ufeff") or "\x00" in text:
        return None
    raw = text.encode("utf-8")
    if not _plain_quotes(raw, delimiter):
        return None
    import pyarrow.csv as pa_csv  # imported here: workbooks never need it

    short: list[tuple[int | None, str]] = []

    def one_by_one(row) -> str:
        if row.actual_columns > row.expected_columns or row.number is None or len(short) >= _SHORT_ROWS_TAKEN:
            return "error"
        short.append((row.number, row.text))
        return "skip"

    names = [str(c) for c in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(raw),
            # One thread: Arrow then numbers the records it hands back, as the short ones need.
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                              escape_char=False, newlines_in_values=False, ignore_empty_lines=False,
                                              invalid_row_handler=one_by_one),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string()),
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowException:
        return None
    # The records in order: runs of those Arrow read, and between them the short ones, read alone and padded.
    pieces: list[tuple[int, int] | list[list[str]]] = []
    done = 0  # records Arrow read that are placed
    for position, (number, line) in enumerate(short):
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if len(cells) > width or not done <= number - 1 - position <= table.num_rows:
            return None  # pragma: no cover - Arrow counted them fewer, and numbers records in order from 1
        if number - 1 - position > done:
            pieces.append((done, number - 1 - position))
            done = number - 1 - position
        if not pieces or isinstance(pieces[-1], tuple):
            pieces.append([])
        pieces[-1].append([*cells, *[""] * (width - len(cells))])
    if done < table.num_rows or not pieces:
        pieces.append((done, table.num_rows))
    columns = {}
    for c, name in enumerate(names):
        read = table.column(name)
        parts = [read.slice(piece[0], piece[1] - piece[0]) if isinstance(piece, tuple)
                 else pa.chunked_array([pa.array([cells[c] for cells in piece], type=pa.large_string())])
                 for piece in pieces]
        whole = pa.chunked_array([chunk for part in parts for chunk in part.chunks], type=pa.large_string())
        columns[c] = pd.Series(whole.slice(0, nrows).combine_chunks(), dtype=str)
    return pd.DataFrame(columns, columns=range(width))


def _plain_quotes(raw: bytes, delimiter: str) -> bool:
    """Whether every quote in the text (as UTF-8) opens a cell, closes it, or is half of a '""' inside it,
    with the cell's opening quote first in the file or after a separator or line break, its closing quote last
    or before one, and no line break inside it.

    Separators, quotes and line breaks are ASCII: a byte of a longer UTF-8 character is never one of them.
    Quotes come in runs of adjacent ones. Outside a cell, a run must begin at a cell's start: its first quote
    opens the cell. Inside, each two quotes are one quote of the value, and a quote left over closes the cell.
    So a run of odd length leaves the opposite state from the one it found, and one of even length the same.
    """
    buffer = np.frombuffer(raw, dtype=np.uint8)
    # One mask the size of the text, reused: a fresh one costs as much again as filling it.
    mask = np.equal(buffer, ord('"'))
    quotes = np.flatnonzero(mask)
    if not len(quotes):
        return True
    starts = np.flatnonzero(np.diff(quotes, prepend=-2) != 1)
    first, length = quotes[starts], np.diff(starts, append=len(quotes))
    odd = (length & 1).astype(bool)
    inside_after = np.logical_xor.accumulate(odd)  # in a quoted cell after the run
    if inside_after[-1]:
        return False  # a quote never closed
    opens, closes = first[~(inside_after ^ odd)], (first + length - 1)[~inside_after]
    breaks = np.equal(buffer, ord("\n"), out=mask)
    if b"\r" in raw:
        breaks |= buffer == ord("\r")
    before, after = np.maximum(opens - 1, 0), np.minimum(closes + 1, len(buffer) - 1)
    if not ((opens == 0) | breaks[before] | (buffer[before] == ord(delimiter))).all():
        return False
    if not ((closes == len(buffer) - 1) | breaks[after] | (buffer[after] == ord(delimiter))).all():
        return False
    # Each cell runs from a run opening it to the run closing it (the same run, for '""'): no line break between.
    spans = np.empty(2 * len(opens), dtype=np.int64)
    spans[0::2], spans[1::2] = opens, closes
    return not np.logical_or.reduceat(breaks, spans)[0::2].any()


def _grid(rows: list[list[object]]) -> pd.DataFrame:
    """Rows of cells as a frame of text (see _cell_text) indexed by row number (1 = the first row), short rows
    padded."""
    width = max(map(len, rows), default=0) or 1
    full = [row if len(row) == width else [*row, *[""] * (width - len(row))] for row in rows]
    columns = list(zip(*full, strict=True)) or [()] * width
    # Each column made an Arrow array first: pandas' str columns are Arrow's large_string, got there twice as fast.
    grid = pd.DataFrame({c: pd.Series(pa.array(_texts(cells), type=pa.large_string()), dtype=str)
                         for c, cells in enumerate(columns)}, columns=range(width))
    grid.index = range(1, len(grid) + 1)
    return grid


def _texts(cells: Sequence[object]) -> Sequence[str]:
    """A column of cells as text (see _cell_text): its text as it is, and where the rest are of one type (numbers,
    dates), that type's way for each."""
    kinds = set(map(type, cells)) - {str}
    if not kinds:
        return cells
    text = _TEXT_OF.get(kinds.pop(), str) if len(kinds) == 1 else _cell_text
    return [cell if cell.__class__ is str else text(cell) for cell in cells]


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
            # newline="": a lone '\r' ends a line here as it does for pandas, and quoted line breaks stay put.
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            rows = list(_limited(reader, HEADER_SEARCH_ROWS + 20))
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
    parts = _sheet_parts(archive)
    if len(parts) > MAX_SHEETS:
        raise _refuse(f"the workbook has {len(parts)} sheets; at most {MAX_SHEETS} are read. Copy the sheet with "
                      "the data into a new workbook, or export it as CSV.")
    import python_calamine  # imported here: CSV users never pay for it

    try:
        with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as book, _collector_paused():
            titles = [s.name for s in book.sheets_metadata if s.typ == python_calamine.SheetTypeEnum.WorkSheet]
            if not titles:
                raise _refuse("the workbook has no sheets with cells")
            loaded = []
            for title in titles:
                if parts.get(title) not in names:
                    raise _refuse(_DAMAGED_INDEX)
                marks = _marks(archive.read(parts[title]))
                if marks.rows * marks.columns > MAX_SHEET_CELLS:
                    raise _refuse(_too_far_apart(title, marks))
                loaded.append((book.get_sheet_by_name(title), marks))
            scores = [max((score([_cell_text(v) for v in row]) for row in _values(*pair, nrows=HEADER_SEARCH_ROWS)),
                          default=0) for pair in loaded]
            chosen = _choose_sheets(scores)
            heights = [loaded[i][0].end[0] + 1 if loaded[i][0].end else 0 for i in chosen]
            if sum(heights) > HEADER_SEARCH_ROWS + MAX_DATA_ROWS + _BLANK_ROWS_ALLOWED:
                raise _too_many_rows()
            grids = [_grid(_values(*loaded[i])) for i in chosen]
    except (python_calamine.CalamineError, zipfile.BadZipFile, zlib.error, EOFError) as exc:  # a damaged part
        raise _refuse(f"cannot be read as an Excel workbook ({exc}). Save it again from Excel, or export it "
                      "as CSV.") from exc
    tables = []
    for index, grid in zip(chosen, grids, strict=True):
        title = titles[index]
        sheet, raw_headers = _find_table(grid, score, f"Excel workbook, sheet '{title}'", ragged_is_error=False,
                                         sheet_name=title)
        by_letter = {letter: header for header, letter in sheet.letters.items()}
        sheet.uncached = [(row, by_letter[_column_letter(column - 1)]) for row, column in loaded[index][1].uncached
                          if _column_letter(column - 1) in by_letter and row in sheet.cells.index]
        tables.append((index, sheet, raw_headers))
    return _one_table(tables, titles, scores, "Excel workbook")


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a sheet becomes millions of small lists and strings (none in a
    cycle): each collection it would start visits every one, a third as long again as reading 200,000 rows."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _values(sheet, marks: "_Marks", nrows: int | None = None) -> list[list[object]]:
    """A sheet's cells from A1 as calamine reads them, with the error values it reads as empty put back."""
    rows = sheet.to_python(skip_empty_area=False, nrows=nrows)
    for (row, column), text in marks.errors.items():
        if nrows is None or row <= nrows:
            rows.extend([] for _ in range(row - len(rows)))
            cells = rows[row - 1]
            cells.extend([""] * (column - len(cells)))
            cells[column - 1] = text
    return rows


def _too_far_apart(title: str, marks: "_Marks") -> str:
    return (f"sheet '{title}' has cells as far apart as row {marks.rows:,} and column "
            f"{_column_letter(marks.columns - 1)}, too far to read (a table that size would hold "
            f"{marks.rows * marks.columns:,} cells). Delete what lies beyond the table (Ctrl+End in Excel goes to "
            "the last cell), or export the data as CSV.")


_ENCRYPTED = ("the workbook is protected with a password (encrypted), so it cannot be read. Save a copy without "
              "the password (File > Info > Protect Workbook > Encrypt with Password: clear it) and upload that.")
_DAMAGED_INDEX = ("cannot be read as an Excel workbook: its index is damaged. Save it again from Excel, or export it "
                  "as CSV.")


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
    except (ET.ParseError, KeyError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _refuse(_DAMAGED_INDEX) from exc
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


_RECOGNISED = 2  # a row scoring this much looks like our column names


def _choose_sheets(scores: list[int]) -> list[int]:
    """Every sheet whose header looks like ours; else the best-looking; else the first."""
    recognised = [index for index, value in enumerate(scores) if value >= _RECOGNISED]
    return recognised or [max(range(len(scores)), key=lambda i: (scores[i], -i))]


def _one_table(tables: list[tuple[int, Sheet, list[str]]], names: list[str], scores: list[int], kind: str) -> Sheet:
    """The sheet read, or the data sheets of a workbook combined; tables holds (position, sheet, raw headers)."""
    if len(tables) == 1:
        chosen, sheet, _ = tables[0]
        if len(names) > 1:
            sheet.notes.insert(0, _sheet_note(names[chosen], chosen, scores))
        sheet.sheet_names = [names[chosen]]
        return sheet
    skipped = [name for i, name in enumerate(names) if i not in {t[0] for t in tables}]
    return _combined(tables, skipped, kind)


def _column_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _combined(tables: list[tuple[int, Sheet, list[str]]], skipped: list[str], kind: str) -> Sheet:
    """Sheets of data with the same named columns in the same order, as one table, rows in sheet order.

    Names are compared ignoring case and runs of spaces; the first sheet's spelling is kept. The same
    order is required, not just the same set: repeated names (Craven's two 'Account Code' columns) can
    only be matched by place. An unnamed column holding something ('Column K') may be on some sheets
    only, and is blank on the others.
    """
    _, first, first_raw = tables[0]
    named = [h for h, raw in zip(first.headers, first_raw, strict=True) if raw]
    keys = [_column_key(raw) for raw in first_raw if raw]
    differ = [_columns_differ(first, first_raw, sheet, raw_headers) for _, sheet, raw_headers in tables[1:]
              if [_column_key(raw) for raw in raw_headers if raw] != keys]
    if differ:
        raise Refused(differ)
    headers, letters = list(first.headers), dict(first.letters)
    frames, origins, uncached, notes, problems, counts = [], {}, [], [], [], []
    for position, sheet, raw_headers in tables:
        name = sheet.sheet_name or ""
        own = [h for h, raw in zip(sheet.headers, raw_headers, strict=True) if raw]
        rename = dict(zip(own, named, strict=True))
        cells = sheet.cells.rename(columns=rename)
        for header in cells.columns:
            if header not in letters:
                headers.append(header)
                letters[header] = sheet.letters[header]
        offset = (position + 1) * SHEET_ROW_OFFSET
        rows = [int(r) for r in cells.index]
        origins.update((row + offset, (name, row)) for row in rows)
        cells.index = pd.Index([row + offset for row in rows], dtype="int64")
        frames.append(cells)
        uncached += [(row + offset, rename.get(header, header)) for row, header in sheet.uncached]
        notes += [dataclasses.replace(n, sheet=name) for n in sheet.notes]
        problems += [dataclasses.replace(p, sheet=name) for p in sheet.problems]
        counts.append(f"'{name}' ({len(cells):,} {'row' if len(cells) == 1 else 'rows'})")
    sheet_names = [sheet.sheet_name or "" for _, sheet, _ in tables]
    copied = _copied_sheet([frame[named] for frame in frames], sheet_names)
    if copied:
        raise Refused([copied])
    cells = pd.concat(frames).reindex(columns=headers).fillna("")
    if len(cells) > MAX_DATA_ROWS:
        raise _too_many_rows()
    if skipped:
        notes.insert(0, Problem(None, None, f"skipped {'sheets' if len(skipped) > 1 else 'sheet'} {_names(skipped)}: "
                                f"no row among the first {HEADER_SEARCH_ROWS} looks like column names"))
    notes.insert(0, Problem(None, None, f"read {len(tables)} sheets with the same columns: {', '.join(counts)}"))
    return Sheet(headers, cells, first.header_row, f"{kind}, sheets {_names(sheet_names, most=len(sheet_names))}",
                 sheet_name=None, notes=notes, problems=problems, uncached=uncached, letters=letters,
                 sheet_names=sheet_names, origins=origins)


def _columns_differ(first: Sheet, first_raw: list[str], other: Sheet, other_raw: list[str]) -> Problem:
    """Why two data sheets cannot be read as one table, naming the columns that differ."""
    a, b = [h for h in first_raw if h], [h for h in other_raw if h]
    a_keys, b_keys = {_column_key(h) for h in a}, {_column_key(h) for h in b}
    only_a = [h for h in a if _column_key(h) not in b_keys]
    only_b = [h for h in b if _column_key(h) not in a_keys]
    if only_a or only_b:
        how = "; ".join(f"{_names(hs)} only on '{n}'" for hs, n in ((only_b, other.sheet_name),
                                                                  (only_a, first.sheet_name)) if hs)
    elif len(a) == len(b):
        how = "the same columns in another order"
    else:
        how = "a column name repeated a different number of times"
    return Problem(None, None, f"sheet '{first.sheet_name}' has columns {_names(a)} but sheet '{other.sheet_name}' "
                   f"has {_names(b)} ({how}): upload one sheet's data at a time (copy it into a workbook of its own, "
                   "or save it as CSV), or give every sheet the same columns in the same order")


def _names(names: list[str], most: int = 12) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _copied_sheet(frames: list[pd.DataFrame], names: list[str]) -> Problem | None:
    """A sheet whose every row is also on other sheets (a copy, or the months again as a quarter) counts twice."""
    hashed = [set(pd.util.hash_pandas_object(frame, index=False)) for frame in frames]
    repeated = []
    for i, rows in enumerate(hashed):
        shared = [j for j in range(len(frames)) if j != i and rows & hashed[j]]
        if rows and rows <= set().union(*(hashed[j] for j in shared)):
            repeated.append((-len(frames[i]), i, shared))
    if not repeated:
        return None
    _, i, shared = min(repeated)  # the biggest: a quarter's sheet, not each month inside it
    return Problem(None, None, f"every row of sheet '{names[i]}' is also on {'sheets' if len(shared) > 1 else 'sheet'} "
                   f"{_names([names[j] for j in shared])}, so reading every sheet would count those payments twice: "
                   "delete the sheet that repeats the others, or upload one sheet's data at a time")


# What a sheet's XML says that calamine does not


@dataclass
class _Marks:
    """Found in a worksheet's XML before calamine reads it: how far its cells reach, which cells show an error
    (calamine reads those as empty) and which hold a formula saved without its value."""

    rows: int = 0     # the grid calamine lays out, from A1: at least to the last row and column holding a cell
    columns: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), from 1 -> '#REF!'
    uncached: list[tuple[int, int]] = field(default_factory=list)     # (row, column), in the sheet's order


_PREFIX = rb"""(?:[^\s<>/:="']+:)?"""  # calamine reads elements by their local name, whatever their prefix
_SHEET_DATA = re.compile(rb"<(" + _PREFIX + rb")sheetData(?=[\s/>])[^>]*>")
_DIMENSION = re.compile(rb"<" + _PREFIX + rb'dimension\s+ref="(?:[A-Z]+[0-9]+:)?([A-Z]+)[0-9]+"')
_ATTRIBUTES = rb"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*"""
_TAG = re.compile(rb"<" + _PREFIX + rb"(row|c)(?=[\s/>])" + _ATTRIBUTES + rb"/?>")
_CELL = re.compile(rb"<" + _PREFIX + rb"c(?=[\s/>])" + _ATTRIBUTES + rb"(?:/>|>(.*?)</" + _PREFIX + rb"c\s*>)",
                   re.DOTALL)
_R = re.compile(rb"""\sr\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REFERENCE = re.compile(rb"([A-Za-z]+)([0-9]+)")
_USUAL_REFERENCE = re.compile(rb'<c r="([A-Z]+)([0-9]+)"')
_USUAL_COLUMN = re.compile(rb'<c r="([A-Z]+)')
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f[\s/>]")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v(?:\s[^>]*)?>([^<]+)</" + _PREFIX + rb"v\s*>")
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
# Quick scans for the cells to look at: formula tags, with or without a prefix, and the error type.
_FORMULA_HINTS = (re.compile(rb"<f[\s/>]"), re.compile(rb":f[\s/>]"))
_ERROR_HINT = re.compile(rb"""t\s*=\s*["']e["']""")
# Cells written otherwise than Excel and most libraries write them (`<c r="B7" ...>`, r first): a cell without
# a reference, a prefixed cell, an attribute spaced round its '='.
_UNUSUAL = (re.compile(rb'<c(?=[\s/>])(?! r=")'), re.compile(rb":c"), re.compile(rb"r(?:\s+=|=\s)"))


def _marks(xml: bytes) -> _Marks:
    """The extent, error cells and formulas without a value of a worksheet part."""
    # From the first sheetData to the end of the last, whatever its prefix: calamine reads the cells of each.
    opening = _SHEET_DATA.search(xml)
    start = opening.end() if opening else 0
    last = xml.rfind(b"sheetData", start)
    end = xml.rfind(b"<", start, last)
    end = end if last >= 0 and end >= 0 and re.fullmatch(b"</" + _PREFIX, xml[end:last]) else len(xml)
    # A formula's tag comes first in its cell, so the tag before it is the cell's.
    cells = {xml.rfind(b"<", start, xml.rfind(b"<", start, m.start() + 1))
             for hint in _FORMULA_HINTS for m in hint.finditer(xml, start, end)}
    cells |= {xml.rfind(b"<", start, m.start()) for m in _ERROR_HINT.finditer(xml, start, end)}
    extent = _usual_extent(xml, start, end) if opening and not opening.group(1) else None
    positions = {}
    if extent is None or extent[0] * extent[1] > MAX_SHEET_CELLS:  # before refusing, count every cell
        extent, positions = _walk(xml, start, end, cells)
    marks = _Marks(*extent)
    for at in sorted(cells):
        cell = _CELL.match(xml, at)
        place = cell and (_reference(_R.findall(cell.group(1))) or positions.get(at))
        if not place:
            continue
        body = cell.group(2) or b""
        value = _VALUE.search(body)
        if value is None and _FORMULA.search(body):
            marks.uncached.append(place)
        elif value is not None and _ERROR_TYPE.search(cell.group(1)):
            marks.errors[place] = html.unescape(value.group(1).decode("utf-8", "replace"))
    return marks


def _column_number(letters: bytes) -> int:
    """1 for 'A', 27 for 'AA'."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _reference(found: list[tuple[bytes, bytes]]) -> tuple[int, int] | None:
    """(row, column) from 1 of a cell's r attributes as _R finds them; calamine takes the last, and refuses
    the sheet if it is not a reference."""
    if not found:
        return None
    match = _REFERENCE.fullmatch(found[-1][0] or found[-1][1])
    return (int(match.group(2)), _column_number(match.group(1))) if match else None


def _usual_extent(xml: bytes, start: int, end: int) -> tuple[int, int] | None:
    """How far the cells of a sheet written the usual way reach, checked against every cell's reference: the
    column of its stated size (else of the cells), and the last cell's row or, where that fits MAX_SHEET_CELLS,
    the largest row number with as many digits (quicker to check). None for a sheet written any other way."""
    if any(pattern.search(xml, start, end) for pattern in _UNUSUAL):
        return None
    at = xml.rfind(b'<c r="', start, end)
    if at < 0:
        return 0, 0  # no cells, for each would begin so
    last = _USUAL_REFERENCE.match(xml, at)
    if last is None:
        return None
    row, column = int(last.group(2)), _column_number(last.group(1))
    dimension = _DIMENSION.search(xml, 0, start)  # its row may count formatting far below the cells
    if dimension and _column_number(dimension.group(1)) * row <= MAX_SHEET_CELLS:
        column = max(column, _column_number(dimension.group(1)))
    else:  # no size stated, or the whole sheet's (A1:XFD1048576, as some programs write)
        column = max(map(_column_number, set(_USUAL_COLUMN.findall(xml, start, end))))
    if (10 ** len(str(row)) - 1) * column <= MAX_SHEET_CELLS:
        row = 10 ** len(str(row)) - 1
    # Any r (a cell's second one too) beyond them: calamine reads letters in either case.
    beyond = re.compile(rb"""r=["'](?:""" + _greater(_column_letter(column - 1).encode(), letters=True) + rb"[0-9]|"
                        + _chars(b"A", b"Z", letters=True) + b"++" + _greater(str(row).encode(), letters=False)
                        + rb"""["'])""")
    return None if beyond.search(xml, start, end) else (row, column)


def _chars(low: bytes, high: bytes, *, letters: bool) -> bytes:
    """A character class from low to high, for letters in either case."""
    return b"[%s-%s%s-%s]" % (low, high, low.lower(), high.lower()) if letters else b"[%s-%s]" % (low, high)


def _greater(value: bytes, *, letters: bool) -> bytes:
    """A pattern for the column letters or row numbers after value: longer ones ('AA' after 'Z', '10' after '9'),
    and those as long that sort after it."""
    low, high = (b"A", b"Z") if letters else (b"0", b"9")
    any_char = _chars(low, high, letters=letters)
    options = [any_char + b"{%d,}" % (len(value) + 1)]
    for i, char in enumerate(value):
        if char < high[0]:
            same = b"".join(_chars(value[j:j + 1], value[j:j + 1], letters=letters) for j in range(i))
            options.append(same + _chars(bytes([char + 1]), high, letters=letters) + any_char
                           + b"{%d}" % (len(value) - i - 1))
    return b"(?:" + b"|".join(options) + b")"


def _walk(xml: bytes, start: int, end: int, wanted: set[int]) -> tuple[tuple[int, int], dict[int, tuple[int, int]]]:
    """Every row and cell tag in order, placed as calamine places it: by its reference, else next to the one
    before. The extent, and the (row, column) of the wanted cells by where their tag begins."""
    row = column = rows = columns = 0
    positions = {}
    for tag in _TAG.finditer(xml, start, end):
        found = _R.findall(tag.group(2))
        if tag.group(1) == b"row":
            value = found[-1][0] or found[-1][1] if found else b""
            row, column = (int(value) if value.isdigit() else row + 1), 0
            continue
        place = _reference(found) or (row, column + 1)
        column, rows, columns = place[1], max(rows, place[0]), max(columns, place[1])
        if tag.start() in wanted:
            positions[tag.start()] = place
    return (rows, columns), positions


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
    return _TEXT_OF.get(type(value), str)(value)


def _number_text(value: float) -> str:
    # Excel keeps 15 significant digits: 0.1 + 0.2 is 0.3 to it, and must be to us; -0.0 shows as 0.
    text = format(value + 0.0, ".15g")
    return format(Decimal(text), "f") if "e" in text else text


_TEXT_OF = {  # by the type calamine or xlrd gives; anything else (a duration) as str() writes it
    str: str,
    bool: lambda value: "TRUE" if value else "FALSE",
    float: _number_text,
    dt.datetime: lambda value: value.strftime("%Y-%m-%d" if value.time() == dt.time(0) else "%Y-%m-%d %H:%M:%S"),
    dt.date: dt.date.isoformat,
    dt.time: lambda value: value.strftime("%H:%M:%S"),  # a time-formatted cell under one day: no date
}


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
        chosen = _choose_sheets(scores)
        grids = [_grid(rows_of(sheets[i], sheets[i].nrows)) for i in chosen]
    finally:
        book.release_resources()
    tables = []
    for index, grid in zip(chosen, grids, strict=True):
        name = sheets[index].name
        sheet, raw_headers = _find_table(grid, score, f"Excel 97-2003 workbook (.xls), sheet '{name}'",
                                         ragged_is_error=False, sheet_name=name)
        tables.append((index, sheet, raw_headers))
    return _one_table(tables, [s.name for s in sheets], scores, "Excel 97-2003 workbook (.xls)")


def _xls_text(book, cell) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            when = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
            # Under one day is a time of day with no date, as an XLSX reads (not 31/12/1899).
            return _cell_text(when.time() if 0 <= cell.value < 1 else when)
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
    return _find_table(grid, score, label, ragged_is_error=ragged_is_error, sheet_name=sheet_name)[0]


def _find_table(grid: pd.DataFrame, score: Callable[[Sequence[object]], int], label: str, *, ragged_is_error: bool,
                sheet_name: str | None = None) -> tuple[Sheet, list[str]]:
    """_table, and each header's name as written ('' for an unnamed column named after its letter)."""
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
    # Two recognisable names make a header row; one ('Creditor payments') may be a title.
    at = scores.index(max(scores)) if max(scores) >= 2 else filled[0]
    header_row = int(grid.index[at])
    raw_headers = list(grid.iloc[at])
    body = grid.iloc[at + 1:]
    # Column by column (a frame compared whole is aligned first, which costs more than comparing).
    given = {c: (body[c] != "").to_numpy(dtype=bool) for c in body.columns}
    filled_rows = np.logical_or.reduce([*given.values(), np.zeros(len(body), dtype=bool)])
    body = body if filled_rows.all() else body[filled_rows]
    # A column holds something on a row kept exactly when it does on any row: the rows dropped are blank.
    holds = {c: bool(mask.any()) for c, mask in given.items()}
    width = max((i + 1 for i, h in enumerate(raw_headers) if h), default=0)
    extra = [c for c in grid.columns[width:] if holds[c]]
    if extra and ragged_is_error:
        spill = (body[extra] != "").any(axis=1)
        if not spill.all():
            for row in body.index[spill][:50]:
                problems.append(Problem(int(row), None, f"has more values than there are column names ({width}): "
                                        "is there a comma inside a value that is not in quotes?"))
            extra = []
    # A column with no name is kept (as 'Column H') only if it holds something.
    keep = [c for c in list(grid.columns[:width]) + extra if raw_headers[c] or holds[c]]
    letters = [_column_letter(int(c)) for c in keep]
    names = [raw_headers[c] or f"Column {letters[i]}" for i, c in enumerate(keep)]
    counts = {n: names.count(n) for n in names}
    headers = [f"{n} (column {letters[i]})" if counts[n] > 1 else n for i, n in enumerate(names)]
    cells = body[keep].copy()
    cells.columns = headers
    repeated = np.ones(len(cells), dtype=bool)
    for header, c in zip(headers, keep, strict=True):
        if not repeated.any():
            break
        repeated &= (cells[header] == raw_headers[c]).to_numpy(dtype=bool)
    if header_row > 1:
        notes.append(Problem(None, None, f"column names found on row {header_row}; the "
                             f"{'row above was' if header_row == 2 else f'{header_row - 1} rows above were'} skipped"))
    if repeated.any():
        rows = [int(r) for r in cells.index[repeated]]
        verb = "repeat" if len(rows) > 1 else "repeats"
        notes.append(Problem(None, None, f"{_rows_text(rows)} {verb} the column names; skipped (not counted as "
                             "data)"))
        cells = cells[~repeated]
    if len(cells) > MAX_DATA_ROWS:
        raise _too_many_rows()
    return Sheet(headers, cells, header_row, label, sheet_name, notes, problems,
                 letters=dict(zip(headers, letters, strict=True)),
                 header_recognised=max(scores) >= 2), [raw_headers[c] for c in keep]


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:20])
    more = f" and {len(rows) - 20} more" if len(rows) > 20 else ""
    return f"{'rows' if len(rows) > 1 else 'row'} {shown}{more}"
