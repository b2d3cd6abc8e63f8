"""Downloading the reference files: through a loopback mirror, checksums verified, then loaded."""

import functools
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from dashboard import refdata, refdata_fetch, store

SMALL = ["imd2025", "lookups/ons_lsoa11_ward19_lad19_ew/135.csv", "postcodes/codepoint_open_trimmed/Data/CSV/ze.csv.gz"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@functools.cache
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def serve(directory: Path):
    """An HTTP server on a free loopback port serving directory, in a thread; returns (server, base URL)."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def mirror(reference_dir):
    server, url = serve(reference_dir)
    yield url
    server.shutdown()
    server.server_close()


def by_path() -> dict[str, dict]:
    return {row["path"]: row for row in refdata_fetch.manifest()}


def test_manifest_lists_exactly_what_load_reads(reference_dir):
    rows = refdata_fetch.manifest()
    located = refdata.locate(reference_dir)
    assert {reference_dir / row["path"] for row in rows} == {p for paths in located.values() for p in paths}
    for dataset, paths in located.items():
        assert {row["dataset"] for row in rows if reference_dir / row["path"] in paths} == {dataset}
    assert len(rows) == 131 and sum(row["dataset"] == "codepoint" for row in rows) == 120
    for row in rows:
        assert len(row["sha256"]) == 64 and row["size_bytes"] > 0 and row["page_url"].startswith("https://")
        assert row["download_url"] == "" or row["download_url"].startswith("https://assets.publishing.service.gov.uk/")


def test_fetch_a_subset_from_a_mirror_verifies_each_file(mirror, tmp_path):
    got = refdata_fetch.fetch(tmp_path, base_url=mirror, progress=False, only=SMALL)
    rows = by_path()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in got) == sorted(
        ["imd2025/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx", *SMALL[1:]])
    for path in got:
        row = rows[path.relative_to(tmp_path).as_posix()]
        assert _sha256(path) == row["sha256"] and path.stat().st_size == row["size_bytes"]
    assert not list(tmp_path.rglob("*.part"))


def test_files_already_present_are_not_downloaded_again(mirror, tmp_path, monkeypatch):
    refdata_fetch.fetch(tmp_path, base_url=mirror, progress=False, only=SMALL[1:])

    def no_download(*args, **kwargs):
        raise AssertionError("downloaded a file that was already there")

    monkeypatch.setattr(refdata_fetch, "_download", no_download)
    assert len(refdata_fetch.fetch(tmp_path, base_url=mirror, progress=False, only=SMALL[1:])) == 2


def test_a_corrupt_download_is_refused_and_leaves_nothing_behind(tmp_path):
    rel = "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
    served = tmp_path / "served"
    (served / "imd2019").mkdir(parents=True)
    (served / rel).write_bytes(b"not the workbook MHCLG published")
    server, url = serve(served)
    dest = tmp_path / "dest"
    try:
        with pytest.raises(refdata_fetch.FetchError) as info:
            refdata_fetch.fetch(dest, base_url=url, progress=False, only=[rel])
    finally:
        server.shutdown()
        server.server_close()
    message = str(info.value)
    assert rel in message
    assert by_path()[rel]["sha256"] in message
    assert hashlib.sha256(b"not the workbook MHCLG published").hexdigest() in message
    assert [p for p in dest.rglob("*") if p.is_file()] == []


def test_a_missing_file_on_the_mirror_is_named(mirror, tmp_path, monkeypatch):
    rows = [dict(row, path="imd2025/no_such_file.xlsx") if row["dataset"] == "imd2025" else row
            for row in refdata_fetch.manifest()]
    monkeypatch.setattr(refdata_fetch, "manifest", lambda: rows)
    with pytest.raises(refdata_fetch.FetchError, match=r"Could not download imd2025/no_such_file.xlsx .*404"):
        refdata_fetch.fetch(tmp_path, base_url=mirror, progress=False, only=["imd2025"])


def test_publisher_downloads_are_verified_where_a_checksum_is_known(mirror, tmp_path, monkeypatch, caplog):
    # Point the publishers' URLs at the loopback mirror: no internet in tests.
    rows = [dict(row, download_url=f"{mirror}/{row['path']}") if row["download_url"] else row
            for row in refdata_fetch.manifest()]
    monkeypatch.setattr(refdata_fetch, "manifest", lambda: rows)
    got = refdata_fetch.fetch(tmp_path, progress=False, only=["imd2019", "population2019"])
    assert len(got) == 2
    # IoD2019 File 1 is the publisher's own copy; the File 6 in the manifest was re-saved, so only a warning.
    assert "File_6_-_IoD2019_Population_Denominators.xlsx: no published checksum" in caplog.text
    assert "File_1_-_IMD2019" not in caplog.text


def test_files_without_a_direct_download_say_where_to_get_them(tmp_path):
    with pytest.raises(refdata_fetch.FetchError) as info:
        refdata_fetch.fetch(tmp_path, progress=False, only=["lsoa21_lookup", "codepoint"])
    message = str(info.value)
    assert "https://geoportal.statistics.gov.uk/" in message
    assert str(tmp_path / "lookups/lsoa21_ward24_lad24/derived/lookup_lsoa21_ward24_ltla24.csv") in message
    assert "https://osdatahub.os.uk/downloads/open/CodePointOpen" in message and "codepo_gb.zip" in message
    assert sum(line.startswith("- OS Code-Point Open") for line in message.splitlines()) == 1  # not 120 lines
    assert "--base-url" in message


def test_os_own_zip_counts_as_code_point(tmp_path):
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "codepo_gb.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    assert refdata_fetch.fetch(tmp_path, progress=False, only=["codepoint"]) == []


def test_unknown_names_in_only_are_refused(tmp_path):
    with pytest.raises(refdata_fetch.FetchError, match="imd2031"):
        refdata_fetch.fetch(tmp_path, progress=False, only=["imd2031"])


def test_attributions_one_per_dataset():
    attributions = refdata_fetch.attributions()
    assert [a["dataset"] for a in attributions] == [
        "imd2025", "imd2019", "population2019", "lsoa21_lookup", "lsoa11_lsoa21_lookup", "lsoa11_lookup",
        "lsoa21_boundaries", "lsoa11_boundaries", "lad24_boundaries", "wimd2019", "simd2020v2", "codepoint"]
    assert all(a["licence"] == "Open Government Licence v3.0" and a["attribution"] for a in attributions)
    codepoint = attributions[-1]
    assert codepoint["publisher"] == "Ordnance Survey" and "Royal Mail" in codepoint["attribution"]


@pytest.mark.slow
def test_fetch_everything_then_load(mirror, tmp_path):
    dest = tmp_path / "reference"
    got = refdata_fetch.fetch(dest, base_url=mirror, progress=False)
    assert len(got) == 131
    db = tmp_path / "fetched.duckdb"
    summary = refdata.load(dest, db=db, progress=False)
    assert summary["skipped"] is False
    assert summary["rows"] == {"ref_imd": 66_599, "ref_lsoa21": 35_672, "ref_lsoa11": 34_753,
                               "ref_lsoa11_lsoa21": 35_795, "ref_population": 32_844, "ref_lad": 361,
                               "ref_postcode": 1_739_034, "ref_nation_imd": 8_885,
                               "ref_source": 131}
    with store.connect(db) as con:
        loaded = dict(con.cursor().execute("select file_path, sha256 from ref_source").fetchall())
    assert loaded == {row["path"]: row["sha256"] for row in refdata_fetch.manifest()}
