"""House rules the code must keep: a Streamlit-free core, and every query documented and used."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Every module of the core: all of dashboard/ but the app and its pages (dashboard/app.py, views, ui).
CORE_MODULES = sorted(path.stem for path in (REPO / "dashboard").glob("*.py")
                      if path.stem not in ("app", "__init__", "__main__"))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_streamlit(module):
    code = f"import sys, dashboard.{module}; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _query_files():
    return sorted((REPO / "queries").glob("*.sql"))


@pytest.mark.parametrize("path", _query_files(), ids=lambda p: p.name)
def test_query_file_starts_with_grain_and_params(path):
    first = path.read_text(encoding="utf-8").lstrip().splitlines()[0]
    assert first.startswith("-- ") and "params:" in path.read_text(encoding="utf-8").split("\n\n")[0], (
        f"{path.name} must start with a comment stating its grain and 'params:'"
    )


def test_every_query_file_is_used():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "dashboard").rglob("*.py"))
    unused = [p.stem for p in _query_files() if f'"{p.stem}"' not in source]
    assert not unused, f"query files used nowhere: {unused}"


def test_no_sql_in_pages():
    for path in (REPO / "dashboard" / "views").glob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        assert "import duckdb" not in text and not re.search(r"\bselect\b.+\bfrom\b", text), path.name
