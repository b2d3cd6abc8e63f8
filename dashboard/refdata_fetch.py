"""Download the official reference files listed in data/reference_manifest.csv, verifying every checksum."""

import csv
import hashlib
import logging
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from dashboard import config, refdata

MANIFEST_PATH = config.DATA_DIR / "reference_manifest.csv"
_CHUNK = 1 << 20
_USER_AGENT = "anchor-impact refdata fetch (urllib)"

log = logging.getLogger(__name__)


class FetchError(refdata.RefdataError):
    """A download failed, did not match its checksum, or has to be made by hand; the message says which."""


def manifest() -> list[dict]:
    """Every file refdata.load needs: path, dataset, publisher, licence, URLs, sha256 and size."""
    with open(MANIFEST_PATH, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["size_bytes"] = int(row["size_bytes"])
    return rows


def attributions() -> list[dict]:
    """One entry per dataset (title, publisher, licence, attribution statement, page) for the data-sources page."""
    by_dataset: dict[str, dict] = {}
    for row in manifest():
        by_dataset.setdefault(row["dataset"], {
            key: row[key] for key in ("dataset", "title", "publisher", "licence", "attribution", "page_url")
        })
    return list(by_dataset.values())


def fetch(dest_dir: Path, *, base_url: str | None = None, progress: bool = True,
          only: Iterable[str] | None = None) -> list[Path]:
    """Download the manifest's files (or only those paths/datasets) into dest_dir, each verified by sha256.

    From base_url, a mirror laid out like the reference directory, when given; else from each publisher's direct
    download URL. Files already present with the right checksum are kept. Raises FetchError naming the file on a
    failed or mismatching download, and listing what to download by hand where the publisher offers no direct URL.
    """
    dest_dir = Path(dest_dir)
    rows = _selected(manifest(), only)
    present, to_download, by_hand = [], [], []
    for row in rows:
        target = dest_dir / row["path"]
        url = _url(row, base_url)
        if target.is_file() and _sha256(target) in _known_checksums(row):
            present.append(target)
        elif url:
            to_download.append((row, url))
        else:
            by_hand.append(row)

    bar = tqdm(total=sum(row["size_bytes"] for row, _ in to_download), unit="B", unit_scale=True,
               unit_divisor=1024, desc="Downloading reference files", file=sys.stderr, disable=not progress)
    problems = []
    try:
        for row, url in to_download:
            expected = row["sha256"] if base_url else row["download_sha256"]
            bar.set_postfix_str(row["path"].rsplit("/", 1)[-1])
            try:
                present.append(_download(url, dest_dir / row["path"], row["path"], expected or None, bar))
            except FetchError as exc:
                problems.append(str(exc))  # carry on: report every file that needs attention at once
    finally:
        bar.close()

    missing = _still_missing(dest_dir, by_hand)
    present += [dest_dir / row["path"] for row in by_hand if (dest_dir / row["path"]).is_file()]
    # Wales's and Scotland's indices are optional for the load: missing, they are a warning unless asked for.
    asked = set(only or ())
    optional = [row for row in missing if row["dataset"] in refdata.OPTIONAL_DATASETS
                and row["dataset"] not in asked and row["path"] not in asked]
    if optional:
        log.warning("%s", _by_hand_message(dest_dir, optional))
    missing = [row for row in missing if row not in optional]
    if missing:
        problems.append(_by_hand_message(dest_dir, missing))
    if problems:
        raise FetchError("\n".join(problems))
    return present


def _selected(rows: list[dict], only: Iterable[str] | None) -> list[dict]:
    """The manifest rows named by path or dataset in only (all of them when only is None)."""
    if only is None:
        return rows
    wanted = set(only)
    unknown = wanted - {row["path"] for row in rows} - {row["dataset"] for row in rows}
    if unknown:
        raise FetchError(f"Not in the reference manifest: {', '.join(sorted(unknown))}.")
    return [row for row in rows if row["path"] in wanted or row["dataset"] in wanted]


def _url(row: dict, base_url: str | None) -> str | None:
    if base_url:
        return f"{base_url.rstrip('/')}/{urllib.parse.quote(row['path'])}"
    return row["download_url"] or None


def _known_checksums(row: dict) -> set[str]:
    return {row["sha256"], row["download_sha256"]} - {""}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download(url: str, target: Path, rel: str, expected: str | None, bar: tqdm) -> Path:
    """Stream url to a temporary name beside target, check its sha256, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
        with urllib.request.urlopen(request, timeout=60) as response, open(part, "wb") as out:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
        actual = digest.hexdigest()
        if expected and actual != expected:
            raise FetchError(
                f"{rel} downloaded from {url} does not match the manifest: expected sha256 {expected}, "
                f"got {actual}. It was not kept. The download may be damaged (try again) or the publisher "
                "may have replaced the file (check data/reference_manifest.csv)."
            )
        if not expected:
            # The manifest's copy of this file was re-saved by a third party, so the publisher's bytes differ.
            log.warning("%s: no published checksum for the publisher's copy; kept it with sha256 %s", rel, actual)
        os.replace(part, target)
        return target
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise FetchError(f"Could not download {rel} from {url}: {exc}") from exc
    finally:
        part.unlink(missing_ok=True)


def _still_missing(dest_dir: Path, by_hand: list[dict]) -> list[dict]:
    """The by-hand rows whose file is absent and whose dataset load cannot find under another name either."""
    found = refdata.locate(dest_dir, required=False)
    listed = {dest_dir / row["path"] for row in manifest()}
    # A dataset present under the publisher's own file names (e.g. OS's codepo_gb.zip) needs nothing more.
    found_elsewhere = {dataset for dataset, paths in found.items() if not set(paths) <= listed}
    return [row for row in by_hand
            if not (dest_dir / row["path"]).is_file() and row["dataset"] not in found_elsewhere]


def _by_hand_message(dest_dir: Path, missing: list[dict]) -> str:
    lines = ["These reference files have no direct download from their publisher; fetch them by hand:"]
    for dataset in dict.fromkeys(row["dataset"] for row in missing):
        rows = [row for row in missing if row["dataset"] == dataset]
        first = rows[0]
        if dataset == "codepoint":
            where = (f"download Code-Point Open (CSV) as codepo_gb.zip and put it anywhere under {dest_dir} "
                     f"(or the {len(rows)} area files under {dest_dir / Path(first['path']).parent})")
        else:
            where = (f"save it as {dest_dir / first['path']} (the publisher's own file name anywhere under "
                     f"{dest_dir} works too)")
        page = first["page_url"]
        if page.rstrip("/") == "https://geoportal.statistics.gov.uk":
            page += " (search for that title)"
        lines.append(f"- {first['title']} ({first['publisher']}): from {page} {where}.")
    lines.append("Or run `python -m dashboard refdata fetch --base-url URL` with a mirror laid out like "
                 "data/reference_manifest.csv, or `python -m dashboard refdata load --from DIR` with the files in DIR.")
    return "\n".join(lines)
