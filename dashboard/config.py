"""Where the product keeps its files; every path can be overridden by environment."""

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_DIR / "queries"
DATA_DIR = REPO_DIR / "data"


def db_path() -> Path:
    """The DuckDB database file: ANCHOR_DB, else data/anchor.duckdb."""
    return Path(os.environ.get("ANCHOR_DB") or DATA_DIR / "anchor.duckdb")


def cache_dir() -> Path:
    """Derived files (postcode join, simplified boundaries): ANCHOR_CACHE, else data/cache."""
    return Path(os.environ.get("ANCHOR_CACHE") or DATA_DIR / "cache")


def refdata_dir() -> Path | None:
    """The directory of official reference files named by ANCHOR_REFDATA, if any."""
    value = os.environ.get("ANCHOR_REFDATA")
    return Path(value) if value else None


def lock_wait_s() -> float:
    """How long to wait for another process to release the database: ANCHOR_DB_WAIT_S, else 20 s."""
    return float(os.environ.get("ANCHOR_DB_WAIT_S") or 20)


def db_memory_limit() -> str:
    """How much memory DuckDB may hold in each process: ANCHOR_DB_MEMORY (e.g. '2GB'), else 1GB. Work larger than
    this (the nightly cluster, a very large upload) is spilled to a temporary folder beside the database."""
    return (os.environ.get("ANCHOR_DB_MEMORY") or "1GB").strip()


def demo_wanted() -> bool:
    """Whether first-run set-up builds the synthetic demo: ANCHOR_DEMO=0 (or no/false/off) installs without it."""
    return (os.environ.get("ANCHOR_DEMO") or "1").strip().lower() not in ("0", "no", "false", "off")
