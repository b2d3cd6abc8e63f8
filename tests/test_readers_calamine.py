"""XLSX is read with calamine: a large export to the penny, and safe from a small workbook whose few
values lie far apart, which calamine would lay out as one enormous grid (A1 to XFD1048576 is 17 billion cells)."""

import gc
import io
import json
import re
import resource
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard import bench_ingest, readers, recognise
from tests.workbook import xlsx

REPO = Path(__file__).resolve().parent.parent


def spend_score(cells) -> int:
    return recognise.header_score("spend", cells)


@pytest.mark.slow
def test_a_large_spend_workbook_is_read_exactly():
    # How fast is measured by 'python -m dashboard.bench_ingest' (see BENCHMARKS.md), not here.
    payments = bench_ingest.payments(50_000)
    sheet = readers.read(bench_ingest.spend_xlsx(payments), "spend.xlsx", spend_score)
    assert (len(sheet.cells), sheet.header_row) == (50_000, 4)
    # Amounts to the penny from numeric cells, date cells as dates, transaction numbers keeping their zeros.
    assert sum(Decimal(a) for a in sheet.cells["Net Amount"]) == Decimal(sum(p[4] for p in payments)).scaleb(-2)
    assert list(sheet.cells["Date Paid"]) == [p[2].isoformat() for p in payments]
    assert list(sheet.cells["Transaction Number"][:2]) == ["00000000", "00000001"]
    assert gc.isenabled()  # paused while reading only


def _with_cells(cells: bytes) -> bytes:
    """A workbook whose one sheet holds column names in A1:B1 and then these cells, as written in its XML."""
    data = xlsx({"Payments": [["Supplier", "Amount"]]})
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb"(<row r=\"1\".*?</row>)", lambda m: m.group(1) + cells, body, flags=re.DOTALL)
            target.writestr(item, body)
    return out.getvalue()


# One value at XFD1048576 (or far off) beside the column names, written each way calamine would still read it.
FAR_APART = {
    "as_excel_writes_it": b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    "in_lower_case": b'<row r="2"><c r="xfd1048576"><v>1</v></c></row>',
    "a_second_reference": b'<row r="2"><c r="A2" r="XFD1048576"><v>1</v></c></row>',
    "spaced_round_equals": b'<row r="2"><c r = "XFD1048576"><v>1</v></c></row>',
    "in_single_quotes": b"<row r='2'><c r='XFD1048576'><v>1</v></c></row>",
    "after_a_line_break": b'<row r="2"><c\nr="XFD1048576"><v>1</v></c></row>',
    "with_a_prefix": b'<row r="2"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                     b'r="XFD1048576"><x:v>1</x:v></x:c></row>',
    "placed_by_its_row": b'<row r="1048576"><c><v>1</v></c><c r="XFD1"><v>1</v></c></row>',
    "with_leading_zeros": b'<row r="2"><c r="XFD0001048576"><v>1</v></c></row>',
    "in_a_second_sheet_data": b'<row r="2"><c r="A2"><v>1</v></c></row></sheetData><sheetData>'
                              b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
}

_READ_EACH = """
import json, sys
from pathlib import Path
from dashboard import readers
outcomes = {}
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    try:
        readers.read(path.read_bytes(), path.name, lambda cells: 2)
        outcomes[path.stem] = "read"
    except readers.Refused as exc:
        outcomes[path.stem] = str(exc)
print(json.dumps(outcomes))
"""


@pytest.fixture(scope="module")
def far_apart_outcomes(tmp_path_factory) -> dict[str, str]:
    """Each far-apart workbook read in a child process with its memory capped: a grid laid out would end it."""
    folder = tmp_path_factory.mktemp("far_apart")
    for name, cells in FAR_APART.items():
        (folder / f"{name}.xlsx").write_bytes(_with_cells(cells))

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, resource.getrlimit(resource.RLIMIT_AS)[1]))

    out = subprocess.run([sys.executable, "-c", _READ_EACH, str(folder)], cwd=REPO, capture_output=True, text=True,
                         preexec_fn=cap_memory, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.mark.parametrize("name", sorted(FAR_APART))
def test_values_far_apart_are_refused_before_they_are_laid_out(far_apart_outcomes, name):
    message = far_apart_outcomes[name]
    assert message.startswith("sheet 'Payments' has cells as far apart as row "), message
    assert "Ctrl+End in Excel goes to the last cell" in message


def test_the_refusal_names_how_far_the_cells_reach():
    with pytest.raises(readers.Refused) as refused:
        readers.read(_with_cells(FAR_APART["as_excel_writes_it"]), "far.xlsx", spend_score)
    assert str(refused.value) == (
        "sheet 'Payments' has cells as far apart as row 1,048,576 and column XFD, too far to read (a table that size "
        "would hold 17,179,869,184 cells). Delete what lies beyond the table (Ctrl+End in Excel goes to the last "
        "cell), or export the data as CSV.")


def test_a_stated_size_of_the_whole_sheet_is_not_taken_for_its_cells():
    data = _with_cells(b'<row r="2"><c r="A2" t="inlineStr"><is><t>Acme</t></is></c><c r="B2"><v>5</v></c></row>')
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', body))
    sheet = readers.read(out.getvalue(), "stated.xlsx", spend_score)
    assert sheet.cells.values.tolist() == [["Acme", "5"]]


def test_a_long_table_of_a_few_columns_is_not_far_apart():
    # 60,000 rows by 26 columns is 1.6 million cells: read, though a bound rounded to 99,999 rows is checked first.
    cells = b'<row r="60000"><c r="A60000" t="inlineStr"><is><t>Acme</t></is></c><c r="Z60000"><v>5</v></c></row>'
    sheet = readers.read(_with_cells(cells), "long.xlsx", spend_score)
    assert list(sheet.cells.index) == [60000]
    assert sheet.cells.loc[60000, "Supplier"] == "Acme" and sheet.cells.loc[60000, "Column Z"] == "5"
