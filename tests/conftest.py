"""Shared fixtures: the official reference data is loaded once per test session."""

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check what the code does, not how fast: a loaded CI machine must not fail them on time.
settings.register_profile("anchor", deadline=None)
settings.load_profile("anchor")

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = Path(
    os.environ.get("ANCHOR_REFDATA") or REPO_DIR.parent / "shared" / "reference"
).resolve()


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not (SHARED_REFERENCE / "imd2025").is_dir():
        pytest.fail(f"Reference data not found at {SHARED_REFERENCE}; set ANCHOR_REFDATA")
    return SHARED_REFERENCE


SHARED_SPEND_CORPUS = Path(
    os.environ.get("ANCHOR_SPEND_CORPUS") or REPO_DIR.parent / "shared" / "corpus" / "spend"
).resolve()


@pytest.fixture(scope="session")
def spend_corpus() -> Path:
    """Real finance exports as partners send them (read in place, never copied here), with headers.csv."""
    if not (SHARED_SPEND_CORPUS / "headers.csv").is_file():
        pytest.fail(f"The real spend files were not found at {SHARED_SPEND_CORPUS}; set ANCHOR_SPEND_CORPUS")
    return SHARED_SPEND_CORPUS


@pytest.fixture(scope="session")
def ref_db_template(tmp_path_factory, reference_dir) -> Path:
    """A database holding the whole reference layer (England, Wales, Scotland), built once."""
    from dashboard import refdata

    path = tmp_path_factory.mktemp("ref") / "reference.duckdb"
    refdata.load(reference_dir, db=path, progress=False)
    return path


@pytest.fixture
def ref_db(tmp_path, ref_db_template, monkeypatch) -> Path:
    """A private copy of the reference database, named by ANCHOR_DB for the test."""
    path = tmp_path / "anchor.duckdb"
    shutil.copyfile(ref_db_template, path)
    monkeypatch.setenv("ANCHOR_DB", str(path))
    return path


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory, ref_db_template) -> Path:
    """A database with the reference layer and the whole synthetic demo, built once."""
    from dashboard import demo

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.duckdb"
    shutil.copyfile(ref_db_template, path)
    demo.build(progress=False, db=path, out_dir=folder / "uploads")
    return path


@pytest.fixture
def demo_db(tmp_path, demo_db_template, monkeypatch) -> Path:
    """A private copy of the demo database, named by ANCHOR_DB for the test."""
    path = tmp_path / "anchor.duckdb"
    shutil.copyfile(demo_db_template, path)
    monkeypatch.setenv("ANCHOR_DB", str(path))
    return path


@pytest.fixture(scope="module")
def browser_db(tmp_path_factory, demo_db_template) -> Path:
    """A copy of the demo database for one browser test module's server."""
    from tests.browser_helpers import add_accounts

    path = tmp_path_factory.mktemp("browser") / "anchor.duckdb"
    shutil.copyfile(demo_db_template, path)
    add_accounts(path)
    return path


@pytest.fixture(scope="module")
def app_url(browser_db):
    """The address of a Streamlit server running the app on browser_db."""
    from tests.browser_helpers import streamlit_server

    with streamlit_server(browser_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from the system packages."""
    from tests.browser_helpers import chromium

    with chromium() as chromium_browser:
        yield chromium_browser
