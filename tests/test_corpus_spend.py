"""Real finance exports go in as they come: `python -m dashboard ingest` with no --map, on every shared file.

Each file is accepted with exactly the total worked out independently (headers.csv), or refused with
one question that names what to choose; answered, it is accepted, exact. The corpus is read in place.
"""

import csv
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests import tiny

REPO = Path(__file__).resolve().parent.parent
COMMON = ["ingest", "--network", "tiny", "--institution", "council", "--kind", "spend", "--quarter", "2025Q1"]


@pytest.fixture(scope="module")
def tiny_template(tmp_path_factory) -> Path:
    return tiny.build(tmp_path_factory.mktemp("corpus") / "tiny.duckdb")


@pytest.fixture
def db(tmp_path, tiny_template) -> Path:
    path = tmp_path / "anchor.duckdb"
    shutil.copyfile(tiny_template, path)
    return path


def _cli(*args, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANCHOR_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)


def _expected(spend_corpus: Path) -> list[dict]:
    return list(csv.DictReader((spend_corpus / "headers.csv").open(encoding="utf-8")))


def _total(stdout: str) -> Decimal:
    [line] = [x for x in stdout.splitlines() if x.startswith("Total spend: £")]
    return Decimal(line.removeprefix("Total spend: £").replace(",", ""))


def _accepted_rows(stdout: str) -> int:
    return int(re.search(r"^Accepted ([0-9]+) rows", stdout, re.MULTILINE).group(1))


def _question(stderr: str) -> str:
    """The one thing asked about the whole file (per-row lines that illustrate it are not questions)."""
    lines = [x.strip() for x in stderr.splitlines()[1:] if x.strip() and not x.strip().startswith(("Row ", "..."))]
    assert len(lines) == 1, stderr
    return lines[0]


def _answer(question: str, row: dict) -> list[str]:
    """Answer the question as a finance officer who knows the file would, from headers.csv's columns."""
    if "more than one column could be" in question or "could hold it" in question:
        field = re.search(r'--map "[^"]*=([a-z_]+)"', question).group(1)
        column = {"amount_gbp": row["amount_gbp_column"], "payment_date": row["payment_date_column"],
                  "supplier_name": row["supplier_name_column"]}[field].strip()
        assert f"'{column}'" in question, "the question must name the right column among the candidates"
        return ["--map", f"{column}={field}"]
    if "--date-to-quarter" in question:
        # headers.csv counts every row: undated payments are kept, dated to the submission's quarter.
        return ["--date-to-quarter"]
    if "--leave-out no-amount" in question:
        return ["--leave-out", "no-amount"]  # an empty amount adds nothing to the total
    raise AssertionError(f"an unexpected question: {question}")


def test_every_real_export_goes_in_exact_or_after_one_question(spend_corpus, db, tmp_path):
    results = {}
    for row in _expected(spend_corpus):
        path = spend_corpus / row["path"]
        copy = tmp_path / f"{len(results)}.duckdb"
        shutil.copyfile(db, copy)
        out = _cli(*COMMON, path, db=copy)
        outcome = "exact"
        if out.returncode != 0:
            assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
            assert "nothing was saved" in out.stderr
            answer = _answer(_question(out.stderr), row)
            out = _cli(*COMMON, *answer, path, db=copy)
            assert out.returncode == 0, f"{row['path']} with {answer}: {out.stderr}"
            outcome = f"asked: {' '.join(answer)}"
        assert _total(out.stdout) == Decimal(row["total_gbp"]), row["path"]
        left_out = re.search(r"^Rows left out, as chosen: (.*)$", out.stdout, re.MULTILINE)
        left = len(left_out.group(1).split(", ")) if left_out else 0
        assert _accepted_rows(out.stdout) + left == int(row["rows"]), row["path"]
        results[row["path"]] = outcome
    assert len(results) == 13
    # What the corpus showed when this was built: 10 files exact as they come, 3 after one question.
    assert sum(v == "exact" for v in results.values()) >= 10, results


def test_rows_left_out_are_recorded_with_the_submission_and_the_audit_log(spend_corpus, db):
    [row] = [r for r in _expected(spend_corpus) if "royal-free" in r["path"]]
    out = _cli(*COMMON, "--leave-out", "no-amount", spend_corpus / row["path"], db=db)
    assert out.returncode == 0, out.stderr
    assert "Rows left out, as chosen: 190" in out.stdout
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        [(choices,)] = con.execute("select row_choices from submission where status = 'active'").fetchall()
        [(detail,)] = con.execute("select detail from audit_log where action = 'upload'").fetchall()
    assert '"row": 190' in choices and '"reason": "no amount"' in choices
    assert '"row": 190' in str(detail)


def _card_file(path: Path) -> Path:
    """A purchase-card export: the merchant's currency beside the amount billed in pounds."""
    lines = ["TRANS DATE,MERCHANT NAME,ORIGINAL GROSS AMT,ORIGINAL CUR,BILLING GROSS AMT,BILLING CUR CODE",
             "02/01/2025,GRAND HOTEL BUDAPEST,\"45,000.00\",HUF,98.10,GBP",
             "03/01/2025,TRAINLINE,120.50,GBP,120.50,GBP",
             "06/01/2025,SPRINGER NATURE,250.00,EUR,215.40,GBP",
             "09/01/2025,AMAZON UK,19.99,GBP,19.99,GBP"]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_the_amount_in_pounds_is_chosen_when_another_amount_is_in_foreign_currency(db, tmp_path):
    out = _cli(*COMMON, _card_file(tmp_path / "card.csv"), db=db)
    assert out.returncode == 0, out.stderr
    assert "'BILLING GROSS AMT' as amount_gbp" in out.stdout and "'BILLING CUR CODE' as currency" in out.stdout
    assert _total(out.stdout) == Decimal("453.99")  # 98.10 + 120.50 + 215.40 + 19.99


def test_an_amount_in_foreign_currency_chosen_by_hand_is_refused_naming_rows_currencies_and_the_pounds_column(
        db, tmp_path):
    out = _cli(*COMMON, "--map", "ORIGINAL GROSS AMT=amount_gbp", _card_file(tmp_path / "card.csv"), db=db)
    assert out.returncode == 2 and "nothing was saved" in out.stderr
    assert "not in pounds on 2 row(s) (HUF 1, EUR 1)" in out.stderr
    assert "'BILLING GROSS AMT' is in pounds on every row" in out.stderr
    assert "Row 2, column ORIGINAL CUR: HUF" in out.stderr and "Row 4, column ORIGINAL CUR: EUR" in out.stderr
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from spend").fetchone() == (0,)


def test_a_file_whose_only_amount_is_in_foreign_currency_is_refused_and_says_why(db, tmp_path):
    path = tmp_path / "card.csv"
    path.write_text("Date,Merchant,Amount,Currency\n02/01/2025,Hotel,100.00,EUR\n03/01/2025,Rail,20.00,GBP\n")
    out = _cli(*COMMON, path, db=db)
    assert out.returncode == 2
    assert "says the amount in 'Amount' is not in pounds on 1 row(s) (EUR 1)" in out.stderr
    assert "Row 2, column Currency: EUR: the amount in 'Amount' is not in pounds" in out.stderr


def test_a_column_in_pounds_by_its_name_is_taken_over_one_whose_currency_column_says_euros(db, tmp_path):
    path = tmp_path / "card.csv"
    path.write_text("Merchant Name,Transaction Amount,Original Currency,Amount (£),Transaction Date\n"
                    "Hotel Lyon,120.00,EUR,102.35,03/02/2025\nTrainline,30.00,GBP,30.00,04/02/2025\n")
    out = _cli(*COMMON, path, db=db)
    assert out.returncode == 0, out.stderr
    assert "'Amount (£)' as amount_gbp" in out.stdout and _total(out.stdout) == Decimal("132.35")
