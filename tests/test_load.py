"""Load: many browser sessions at once against one server, changing filters, pages and tabs while partners upload.

Every session's figures are checked against the core (reports.view, as that reader may see them), every upload is
checked whole in the database afterwards, and the page times are written to tests/artifacts/load.json.

Sizes come from the environment; the defaults are the small run `make test` makes. The full run:
    ANCHOR_LOAD_SESSIONS=20 ANCHOR_LOAD_UPLOADS=5 ANCHOR_LOAD_SECONDS=180 \
        .venv/bin/python -m pytest -n 0 -s -p no:cacheprovider --timeout 0 tests/test_load.py

The sessions are coroutines of one asyncio Playwright driver and one Chromium (a context each), so they really act
at once; the sync API would serialise them in one thread.
"""

import asyncio
import contextlib
import datetime as dt
import hashlib
import itertools
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import duckdb
import pandas as pd
import pytest

from dashboard import access, figures, ingest, networks, parsing, reports, store, submissions
from dashboard.ui import formatting as fmt
from tests.browser_helpers import (
    ARTIFACTS,
    CHROMIUM,
    LAUNCH_ARGS,
    PASSWORD,
    REPO_DIR,
    free_port,
    real_errors,
    wait_healthy,
)

pytestmark = pytest.mark.browser

SESSIONS = int(os.environ.get("ANCHOR_LOAD_SESSIONS", "4"))
UPLOADS = int(os.environ.get("ANCHOR_LOAD_UPLOADS", "1"))
SECONDS = float(os.environ.get("ANCHOR_LOAD_SECONDS", "45"))
SEED = int(os.environ.get("ANCHOR_LOAD_SEED", "20261206"))
NETWORK = "birmingham"
QUARTER = submissions.last_complete_quarter()
# One uploading partner per institution (each sends both datasets where the demo has them).
UPLOADERS = ("uhb", "bcc", "smbc", "bmet", "uob")
# The readers, in the order they are added: coordinators and funders (one of them of a single initiative) see
# the whole network; a partner sees its own institution exact and the network disclosure-controlled.
READERS = (("coordinator", None), ("funder", None), ("partner", "uob"), ("coordinator", None), ("funder", "i-can"),
           ("partner", "bcu"), ("coordinator", None), ("funder", None), ("partner", "uhb"))
TIMEOUT_MS = 180_000
# A person's pause between two clicks, in seconds (ANCHOR_LOAD_THINK=low-high).
THINK_S = tuple(float(x) for x in os.environ.get("ANCHOR_LOAD_THINK", "1-3").split("-"))
QUIET_MS = 300  # no message from the server for this long after a run's end: the page has caught up
FIGURE_PAGES = ("Overview", "Initiative", "Local spend")
# Where a reader goes next, and how often.
PAGE_WEIGHTS = {"Overview": 4, "Initiative": 3, "Local spend": 3, "Maps": 1, "Compare": 1}
IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'

# Counts the script runs the server says it finished (ForwardMsg field 6, script_finished, 0: successfully), as their
# messages arrive, so an action waits for the run it caused, not an idle state from before it. A loaded browser can
# draw a whole run in one go, without ever showing the app as running: the page's own state cannot tell.
COUNT_RUNS_JS = """
window.__anchorRuns = 0;
window.__anchorHeard = 0;
window.__anchorFinishedAt = 0;
const finished = data => {
  const b = new Uint8Array(data);
  let i = 0;
  const varint = () => {
    let x = 0, s = 1, c;
    do { c = b[i++]; x += (c & 127) * s; s *= 128; } while (c & 128);
    return x;
  };
  while (i < b.length) {
    const key = varint(), type = key % 8;
    if (type === 0) { const v = varint(); if (key >> 3 === 6) return v === 0; }
    else if (type === 2) { const n = varint(); i += n; }
    else if (type === 1) i += 8;
    else if (type === 5) i += 4;
    else return false;
  }
  return false;
};
window.WebSocket = class extends window.WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', e => {
      window.__anchorHeard = performance.now();
      if (e.data instanceof ArrayBuffer && finished(e.data)) {
        window.__anchorRuns += 1;
        window.__anchorFinishedAt = window.__anchorHeard;
      }
    });
  }
};
"""
# Whether the action's run has finished, the page has drawn all of it (the app idle, the server quiet for a while,
# no element still a placeholder while its code loads) and it shows what it should: URL parameters, the page, a text.
DONE_JS = """([base, want, quiet]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
      || app.getAttribute('data-test-script-state') !== 'notRunning' || window.__anchorRuns <= base
      || performance.now() - window.__anchorHeard < quiet || document.querySelector('[data-testid="stSkeleton"]')) {
    return false;
  }
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(want.params || {})) if (q.get(k) !== v) return false;
  for (const [k, v] of Object.entries(want.changed || {})) if (q.get(k) === v) return false;
  if (want.path !== undefined && location.pathname !== want.path) return false;
  if (want.texts && !want.texts.some(t => document.body.textContent.includes(t))) return false;
  return true;
}"""
PAINTED_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
SNAPSHOT_JS = """() => {
  const metrics = {};
  for (const m of document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')) {
    const label = m.querySelector('[data-testid="stMetricLabel"]');
    const value = m.querySelector('[data-testid="stMetricValue"]');
    if (label && value) metrics[label.innerText.trim()] = value.innerText.trim();
  }
  const text = document.body.textContent;
  const texts = selector => [...document.querySelectorAll(selector)].map(e => e.innerText.slice(0, 400));
  return {url: location.href, metrics, notice: text.includes('Disclosure-controlled figures.'),
          exceptions: texts('[data-testid="stException"]'), errors: texts('[data-testid="stAlertContentError"]'),
          busy: text.includes('The database is busy.')};
}"""


# The plan: who signs in, and the files the uploading partners send


@dataclass(frozen=True)
class Person:
    email: str
    role: str
    institution_id: str | None = None
    initiatives: tuple[str, ...] = ()
    uploads: bool = False


def people(n: int, uploaders: int) -> list[Person]:
    """n accounts: `uploaders` uploading partners first, then readers in the READERS mix."""
    if not 1 <= uploaders <= min(n, len(UPLOADERS)):
        raise ValueError(f"ANCHOR_LOAD_UPLOADS must be 1 to {min(n, len(UPLOADERS))}")
    found = [Person(f"upload-{i}@load.example", "partner", i, uploads=True) for i in UPLOADERS[:uploaders]]
    for k, (role, what) in zip(range(n - uploaders), itertools.cycle(READERS), strict=False):
        email = f"{role}-{k}@load.example"
        if role == "partner":
            found.append(Person(email, role, what))
        else:
            found.append(Person(email, role, initiatives=(what,) if what else ()))
    return found


def add_people(db: Path, everyone: list[Person]) -> None:
    for p in everyone:
        access.create_user(access.system(), p.email, p.role, PASSWORD, network_id=NETWORK,
                           institution_id=p.institution_id, initiatives=p.initiatives, db=db)


@dataclass(frozen=True)
class File:
    path: Path
    institution_id: str
    kind: str
    rows: int
    total_gbp: Decimal | None
    sha256: str


def _shift_dates(df: pd.DataFrame, columns: list[str], days: int, latest: dt.date) -> None:
    """Move a file's dates by whole days (a file of another quarter made into this one); none after `latest`."""
    for column in columns:
        dates = pd.to_datetime(df[column], format="%d/%m/%Y", errors="coerce") + pd.Timedelta(days=days)
        df[column] = [d.strftime("%d/%m/%Y") if not pd.isna(d) and d.date() <= latest else "" for d in dates]


def revised_file(source_dir: Path, institution_id: str, kind: str, revision: int, out_dir: Path) -> File:
    """A partner's corrected file for QUARTER: the demo's latest file of that kind with some rows taken out and, for
    spend, every amount revised; saved under a new name each time, as a person does."""
    sources = sorted(source_dir.glob(f"{institution_id}_{kind}_*.csv"))
    assert sources, f"no demo {kind} files of {institution_id} in {source_dir}"
    source = next((s for s in sources if s.stem.endswith(QUARTER)), sources[-1])
    df = pd.read_csv(source, dtype=str, keep_default_na=False)
    rng = random.Random(f"{institution_id}/{kind}/{revision}")
    drop = rng.sample(range(len(df)), 1 + revision % max(1, len(df) // 3))
    df = df.drop(index=drop).reset_index(drop=True)
    shift = (parsing.quarter_bounds(QUARTER)[0] - parsing.quarter_bounds(source.stem.rsplit("_", 1)[1])[0]).days
    total = None
    if kind == "spend":
        _shift_dates(df, ["payment_date"], shift, parsing.quarter_bounds(QUARTER)[1])
        amounts = [(Decimal(a) * Decimal(str(1 + rng.uniform(-0.05, 0.05)))).quantize(Decimal("0.01"), ROUND_HALF_UP)
                   for a in df["amount_gbp"]]
        df["amount_gbp"] = [f"{a:.2f}" for a in amounts]
        total = sum(amounts, Decimal("0.00"))
    elif shift:
        _shift_dates(df, ["start_date"], shift, parsing.quarter_bounds(QUARTER)[1])
        _shift_dates(df, ["completion_date", "job_start_date"], shift, dt.date.today())
    path = out_dir / f"{institution_id}_{kind}_{QUARTER}_v{revision + 1}.csv"
    df.to_csv(path, index=False)
    return File(path, institution_id, kind, len(df), total, hashlib.sha256(path.read_bytes()).hexdigest())


# What the run records


@dataclass
class Commit:
    session: int
    email: str
    file: File
    clicked_at: float
    shown_at: float
    submission_id: int
    rows_shown: int


@dataclass
class Check:
    session: int
    email: str
    page: str
    url: str
    metrics: dict[str, str]
    notice: bool
    started_at: float
    read_at: float


@dataclass(frozen=True)
class Action:
    session: int
    kind: str  # sign_in, page, filter, tab, upload_form, upload_check, commit
    seconds: float  # from the click until the app is idle and painted
    run_s: float  # from the click until the end of the run it caused reached the browser
    ended_at: float  # time.time(), to line up with the server's log
    url: str  # where it ended


@dataclass
class Run:
    sessions: int
    signed_in: int = 0
    deadline: float = math.inf
    started: asyncio.Event = field(default_factory=asyncio.Event)  # every session has signed in (or failed to)
    actions: list[Action] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Setting:
    """What every session needs to know about the app and the files."""

    url: str
    first_quarter: str  # the network's, where the Quarters slider starts
    source_dir: Path  # the demo's own files, which the partners revise
    out_dir: Path  # where the files sent are saved
    kinds: dict[str, list[str]]  # the datasets each uploading institution sends
    names: dict[str, str]  # institution names
    year_start: str
    seconds: float  # of activity, once every session has signed in


@dataclass
class Session:
    index: int
    person: Person
    rng: random.Random
    page: Any = None
    where: str = "Overview"
    console: list[str] = field(default_factory=list)
    revision: int = 0

    @property
    def name(self) -> str:
        return f"session {self.index} ({self.person.email})"


# Driving one session


async def _snapshot(s: Session, run: Run, doing: str) -> dict[str, Any]:
    """What the page shows once it stays the same for a moment; a Streamlit exception, an error box or a busy database
    is a problem."""
    snap = await s.page.evaluate(SNAPSHOT_JS)
    for _ in range(10):
        await asyncio.sleep(0.25)
        again = await s.page.evaluate(SNAPSHOT_JS)
        if again == snap:
            break
        snap = again
    for what in snap["exceptions"] + snap["errors"] + (["the database is busy"] if snap["busy"] else []):
        run.problems.append(f"{s.name} after {doing} at {snap['url']}: {what}")
    return snap


async def _act(s: Session, run: Run, kind: str, action, want: dict[str, Any], since: float | None = None) -> float:
    """Do an action and wait until the run it caused has finished, shows `want` and is painted; record its time
    (from `since`, if given, else from the action) and return when it started."""
    base, clicked = await s.page.evaluate("() => [window.__anchorRuns, performance.now()]")
    started = since or time.monotonic()
    await action()
    await s.page.wait_for_function(DONE_JS, arg=[base, want, QUIET_MS], polling=100, timeout=TIMEOUT_MS)
    finished = await s.page.evaluate("() => window.__anchorFinishedAt")
    await s.page.evaluate(PAINTED_JS)
    # The time stops when the page was drawn, before the quiet that confirmed it.
    run.actions.append(Action(s.index, kind, time.monotonic() - started - QUIET_MS / 1000, (finished - clicked) / 1000,
                              time.time(), s.page.url))
    return started


def _params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


async def _check(s: Session, run: Run, started: float, doing: str) -> None:
    snap = await _snapshot(s, run, doing)
    if s.where in FIGURE_PAGES:
        run.checks.append(Check(s.index, s.person.email, s.where, snap["url"], snap["metrics"], snap["notice"],
                                started, time.monotonic()))


async def sign_in(s: Session, run: Run, url: str) -> None:
    """Open the app and sign in; the time runs from opening the address until the Overview is drawn."""
    page = s.page
    opened = time.monotonic()
    await page.goto(url)
    await page.wait_for_selector(IDLE)
    await page.get_by_role("textbox", name="Email").fill(s.person.email)
    await page.get_by_role("textbox", name="Password").fill(PASSWORD)
    # The Overview's figures: the demo has some for the default year.
    await _act(s, run, "sign_in", page.get_by_role("button", name="Sign in").last.click,
               {"texts": ["Participants from the 20% most deprived areas"]}, since=opened)
    s.where = "Overview"
    await _check(s, run, opened, "sign-in")


async def go(s: Session, run: Run, title: str) -> None:
    """Follow a sidebar link."""
    link = s.page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True)
    path = urlparse(await link.get_attribute("href")).path
    started = await _act(s, run, "page", link.click, {"path": path})
    s.where = title
    await _check(s, run, started, f"opening {title}")


async def _open_options(s: Session, box, tries: int = 3) -> tuple[list[str], str]:
    """Open a selectbox's list: its options and the one chosen now. A click the loaded page missed is made again,
    as a person does."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    field = box.get_by_role("combobox")
    current = (await field.input_value()).strip()
    options = s.page.get_by_role("option")
    for attempt in range(tries):
        await field.click()
        try:
            await options.first.wait_for(timeout=TIMEOUT_MS // 6)
            break
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
            await s.page.keyboard.press("Escape")
    return [t.strip() for t in await options.all_inner_texts()], current


async def choose(s: Session, run: Run, label: str, param: str | None, kind: str = "filter",
                 option: str | None = None, texts: list[str] | None = None) -> bool:
    """Choose another option (or `option`) in a selectbox labelled `label`; its run changes the URL's `param`
    (or shows one of `texts`). False when there is no other option."""
    box = s.page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    options, current = await _open_options(s, box)
    others = [o for o in options if o != current] if option is None else [option]
    if not others or option == current:
        await s.page.keyboard.press("Escape")
        return False
    pick = s.rng.choice(others)
    want = {"changed": {param: _params(s.page.url).get(param)}} if param else {"texts": texts}
    for attempt in range(3):
        try:
            started = await _act(s, run, kind, _clicker(s.page.get_by_role("option", name=pick, exact=True)), want)
            break
        except Missed:  # the list closed under the pointer: opened again, as a person does
            if attempt == 2:
                raise
            await s.page.keyboard.press("Escape")
            await _open_options(s, box)
    await _check(s, run, started, f"choosing {pick!r} as {label}")
    return True


class Missed(Exception):
    """A click that found nothing to click (an option list that closed as the loaded page redrew)."""


def _clicker(target):
    async def click() -> None:
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        try:
            await target.click(timeout=TIMEOUT_MS // 6)
        except PlaywrightTimeout as exc:
            raise Missed(str(exc)) from exc

    return click


async def move_quarters(s: Session, run: Run, first_quarter: str) -> bool:
    """Move one handle of the Quarters slider a quarter, keeping at least two quarters. Its positions count quarters
    from the network's first (an upload of a new quarter adds one at the end)."""
    thumbs = s.page.locator('[data-testid="stSidebar"]').get_by_role("slider")
    if await thumbs.count() != 2:
        return False
    start, end = [int(await thumbs.nth(i).input_value()) for i in range(2)]
    last = int(await thumbs.nth(1).get_attribute("max"))
    moves = [(0, "ArrowLeft", -1)] * (start > 0) + [(0, "ArrowRight", 1)] * (end - start > 1) \
        + [(1, "ArrowLeft", -1)] * (end - start > 1) + [(1, "ArrowRight", 1)] * (end < last)
    if not moves:
        return False
    handle, key, step = s.rng.choice(moves)
    span = [start, end]
    span[handle] += step
    want = {"params": {"from": parsing.shift_quarter(first_quarter, span[0]),
                       "to": parsing.shift_quarter(first_quarter, span[1])}}
    thumb = thumbs.nth(handle)
    started = await _act(s, run, "filter", lambda: thumb.press(key), want)
    await _check(s, run, started, f"moving the quarters to {want['params']}")
    return True


async def toggle_grouping(s: Session, run: Run) -> bool:
    quintiles = _params(s.page.url).get("group") == "quintile"
    button = s.page.locator('[data-testid="stSidebar"]').get_by_role(
        "radio", name="Deciles" if quintiles else "Quintiles (Core20)")
    started = await _act(s, run, "filter", button.click, {"params": {"group": None if quintiles else "quintile"}})
    await _check(s, run, started, "changing the grouping")
    return True


async def open_tab(s: Session, run: Run) -> bool:
    tabs = s.page.locator('[data-testid="stMain"]').get_by_role("tab")
    names = [t.strip() for t in await tabs.all_inner_texts()]
    chosen = [t.strip() for t in await s.page.locator(
        '[data-testid="stMain"] [role="tab"][aria-selected="true"]').all_inner_texts()]
    others = [n for n in names if n not in chosen]
    if not others:
        return False
    pick = s.rng.choice(others)
    old = _params(s.page.url).get("tab")
    tab = s.page.locator('[data-testid="stMain"]').get_by_role("tab", name=pick, exact=True)
    started = await _act(s, run, "tab", tab.click, {"changed": {"tab": old}})
    await _check(s, run, started, f"opening the tab {pick!r}")
    return True


async def reader_step(s: Session, run: Run, first_quarter: str) -> None:
    """One thing a reader does: another page, another filter, or another tab."""
    if s.where not in FIGURE_PAGES or s.rng.random() < 0.3:
        pages = [p for p in PAGE_WEIGHTS if p != s.where]
        await go(s, run, s.rng.choices(pages, [PAGE_WEIGHTS[p] for p in pages])[0])
        return
    steps = [lambda: choose(s, run, "Initiative", "initiative"), lambda: choose(s, run, "Institution", "institution"),
             lambda: choose(s, run, "Deprivation index", "release"), lambda: move_quarters(s, run, first_quarter),
             lambda: move_quarters(s, run, first_quarter), lambda: toggle_grouping(s, run), lambda: open_tab(s, run),
             lambda: open_tab(s, run)]
    for step in s.rng.sample(steps, len(steps)):
        if await step():
            return


async def upload(s: Session, run: Run, setting: Setting) -> None:
    """Send the next revised file through the Upload page, as the partner does, and commit it."""
    kinds = setting.kinds[s.person.institution_id]
    kind = kinds[s.revision % len(kinds)]
    file = revised_file(setting.source_dir, s.person.institution_id, kind, s.revision, setting.out_dir)
    s.revision += 1
    if s.where != "Upload data":
        await go(s, run, "Upload data")
    label = (f"{submissions.KIND_LABELS[kind]} file of {setting.names[s.person.institution_id]} for "
             f"{parsing.quarter_label(QUARTER, setting.year_start)}")
    page = s.page
    if not await page.get_by_text(label).count():
        await choose(s, run, "Dataset", None, kind="upload_form", option=submissions.KIND_LABELS[kind],
                     texts=[label])
    dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    await _act(s, run, "upload_check", lambda: dropzone.set_input_files(str(file.path)),
               {"texts": ["No problems found.", "to fix."]})
    snap = await _snapshot(s, run, f"checking {file.path.name}")
    if snap["metrics"].get("Rows") != fmt.count(file.rows) or snap["errors"]:
        run.problems.append(f"{s.name}: {file.path.name} of {file.rows} rows was read as {snap['metrics']} "
                            f"with {snap['errors']}")
        return
    clicked = time.monotonic()
    await _act(s, run, "commit", page.get_by_role("button", name="Commit").click,
               {"texts": ["Committed as submission", "Not committed."]})
    shown = time.monotonic()
    snap = await _snapshot(s, run, f"committing {file.path.name}")
    receipt = await page.locator('[data-testid="stAlertContentSuccess"]').filter(
        has_text="Committed as submission").all_inner_texts()
    found = re.search(r"Committed as submission (\d+)\. ([\d,]+) rows? accepted", " ".join(receipt))
    if not found:
        run.problems.append(f"{s.name}: {file.path.name} was not committed: {snap['errors'] or receipt}")
        return
    run.commits.append(Commit(s.index, s.person.email, file, clicked, shown, int(found[1]),
                              int(found[2].replace(",", ""))))


async def drive(s: Session, run: Run, browser, setting: Setting) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)  # a page under load can take a while to answer
    await context.add_init_script(COUNT_RUNS_JS)
    s.page = await context.new_page()
    s.page.on("console", lambda msg: s.console.append(msg.text) if msg.type == "error" else None)
    s.page.on("pageerror", lambda exc: s.console.append(str(exc)))
    try:
        try:
            await sign_in(s, run, setting.url)
        finally:
            run.signed_in += 1
            if run.signed_in == run.sessions:
                run.deadline = time.monotonic() + setting.seconds
                run.started.set()
        await run.started.wait()
        for step in itertools.count():
            if time.monotonic() >= run.deadline:
                break
            await asyncio.sleep(s.rng.uniform(*THINK_S))
            # An uploading partner reads too: between two files, it looks at the figures twice.
            if s.person.uploads and step % 3 == 1:
                await upload(s, run, setting)
            else:
                await reader_step(s, run, setting.first_quarter)
    except Exception as exc:  # a session that stops is a failure of the run, reported with the others
        run.problems.append(f"{s.name} stopped on {s.where} ({s.page.url}): {exc!r}\n"
                            + "".join(traceback.format_exception(exc)[-3:]))
        with contextlib.suppress(Exception):
            ARTIFACTS.mkdir(exist_ok=True)
            await s.page.screenshot(path=str(ARTIFACTS / f"load_stopped_{s.index}.png"))
    finally:
        for message in real_errors(s.console):
            run.problems.append(f"{s.name}: console error: {message}")
        await context.close()


def cpu_sample(seen: dict[int, tuple[int, float]]) -> None:
    """Note the CPU seconds used so far by each process under this one, with the child of this one it runs under
    (the server, or the Playwright driver and its browser); a later sample of a process replaces an earlier one."""
    tick, parents, used = os.sysconf("SC_CLK_TCK"), {}, {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:  # it has just ended
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            parents[int(entry.name)] = int(fields[1])
            used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    me = os.getpid()
    for pid, seconds in used.items():
        branch = pid
        while parents.get(branch, 0) not in (me, 0, 1):
            branch = parents[branch]
        if parents.get(branch) == me:
            seen[pid] = (branch, seconds)


async def load(setting: Setting, everyone: list[Person], cpu: dict[int, tuple[int, float]]) -> Run:
    from playwright.async_api import async_playwright

    async def sample_cpu() -> None:
        while True:
            cpu_sample(cpu)
            await asyncio.sleep(2)

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        sampler = asyncio.create_task(sample_cpu())
        try:
            sessions = [Session(i, p, random.Random(SEED * 100 + i)) for i, p in enumerate(everyone)]
            run = Run(len(sessions))
            await asyncio.gather(*(drive(s, run, browser, setting) for s in sessions))
        finally:
            sampler.cancel()
            cpu_sample(cpu)
            await browser.close()
    return run


@contextlib.contextmanager
def server(db: Path, log: Path):
    """`streamlit run dashboard/app.py` on db, logging to a file (a pipe nobody reads would fill up under load)."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none"],
            cwd=REPO_DIR, env={**os.environ, "ANCHOR_DB": str(db)}, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_healthy(f"http://127.0.0.1:{port}", proc)
            yield f"http://127.0.0.1:{port}", proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# Afterwards: every upload whole, every figure the core's


def check_uploads(db: Path, run: Run, everyone: list[Person]) -> tuple[list[str], int]:
    """Each committed file is one submission holding exactly its rows (and, for spend, its total), the last one of
    each slot is the one counted, and nothing is left over from an upload that did not finish; returns what is wrong
    and how many committed files were found whole."""
    wrong, whole = [], 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = {r[0]: r for r in con.execute(
            "select submission_id, institution_id, kind, quarter, file_name, sha256, submitted_by, row_count, status, "
            "superseded_by from submission where network_id = ?", [NETWORK]).fetchall()}
        counts = dict(con.execute("select submission_id, count(*) from participant group by all").fetchall())
        counts.update(con.execute("select submission_id, count(*) from spend group by all").fetchall())
        totals = dict(con.execute("select submission_id, sum(amount_gbp) from spend group by all").fetchall())
        months = {r[0]: r[1:] for r in con.execute(
            "select submission_id, sum(amount_gbp), sum(payments) from spend_month group by all").fetchall()}
        payments = dict(con.execute("select submission_id, count(*) from spend group by all").fetchall())
        for c in run.commits:
            f, row, before = c.file, stored.get(c.submission_id), len(wrong)
            if row is None:
                wrong.append(f"submission {c.submission_id} ({f.path.name}) was shown as committed but is not stored")
                continue
            if row[1:8] != (f.institution_id, f.kind, QUARTER, f.path.name, f.sha256, c.email, f.rows):
                wrong.append(f"submission {c.submission_id} is stored as {row[1:8]}, not {f.path.name} ({f.rows} rows)")
            if counts.get(c.submission_id, 0) != f.rows or c.rows_shown != f.rows:
                wrong.append(f"submission {c.submission_id} ({f.path.name}, {f.rows} rows) holds "
                             f"{counts.get(c.submission_id, 0)} rows; the receipt said {c.rows_shown}")
            if f.kind == "spend" and (totals.get(c.submission_id) != f.total_gbp or months.get(c.submission_id)
                                      != (f.total_gbp, payments.get(c.submission_id))):
                wrong.append(f"submission {c.submission_id} ({f.path.name}) totals £{totals.get(c.submission_id)} "
                             f"(monthly sums {months.get(c.submission_id)}), the file £{f.total_gbp}")
            whole += len(wrong) == before
        # Each slot's commits supersede one another in order; the last one counts.
        mine = sorted(run.commits, key=lambda c: c.submission_id)
        for (institution_id, kind), group in itertools.groupby(
                sorted(mine, key=lambda c: (c.file.institution_id, c.file.kind)),
                key=lambda c: (c.file.institution_id, c.file.kind)):
            ids = [c.submission_id for c in group]
            for earlier, later in itertools.pairwise(ids):
                if stored[earlier][8:] != ("superseded", later):
                    wrong.append(f"submission {earlier} is {stored[earlier][8:]}, not superseded by {later}")
            if stored[ids[-1]][8] != "active":
                wrong.append(f"the last {kind} file of {institution_id}, submission {ids[-1]}, is {stored[ids[-1]][8]}")
        loaders = {p.email for p in everyone}
        extra = {i for i, r in stored.items() if r[6] in loaders} - {c.submission_id for c in run.commits}
        if extra:
            wrong.append(f"submissions {sorted(extra)} are stored but were never shown as committed")
        for sql, what in (
                ("select count(*) from (select 1 from submission where status = 'active' "
                 "group by network_id, institution_id, kind, quarter having count(*) > 1)", "slots with two files"),
                ("select count(*) from participant where submission_id not in (select submission_id from submission)",
                 "participant rows of no submission"),
                ("select count(*) from spend where submission_id not in (select submission_id from submission)",
                 "payments of no submission"),
                ("select count(*) from spend_month where submission_id not in (select submission_id from submission)",
                 "monthly sums of no submission"),
                ("select count(*) from submission s where row_count <> coalesce((select count(*) from participant p "
                 "where p.submission_id = s.submission_id), 0) + coalesce((select count(*) from spend p "
                 "where p.submission_id = s.submission_id), 0)", "submissions not holding their row count")):
            if (n := con.execute(sql).fetchone()[0]):
                wrong.append(f"{n} {what}")
    finally:
        con.close()
    return wrong, whole


# The headline metrics checked on each page, by their labels there.
FIGURE_LABELS = {
    "Overview": ("Participants", "Completions", "Jobs filled", "Conversion rate", "Total spend", "Local spend",
                 "Local share of spend", "Spend with a known location"),
    "Initiative": ("Started", "Completed", "Started a job"),
    "Local spend": ("Total spend", "Local spend", "Local share of spend", "In the 20% most deprived areas",
                    "Spend with a known location", "Location unknown"),
}


def shown_figures(cur, scope: access.Scope, page: str, sel: figures.Selection) -> dict[str, str]:
    """The headline metrics a page draws for this reader and selection, as the page formats them ({} for none:
    the page says there is nothing to show instead)."""
    if page == "Overview":
        now = reports.view(cur, scope, sel, ())
        values = [fmt.count(now["participants"]), fmt.count(now["completions"]), fmt.count(now["jobs_filled"]),
                  fmt.pct(now["conversion_rate_pct"]), fmt.money_short(now["spend_total_gbp"]),
                  fmt.money_short(now["spend_local_gbp"]), fmt.pct(now["spend_local_pct"]),
                  fmt.pct(now["spend_known_location_pct"])] if fmt.has_figures(now) else []
    elif page == "Initiative":
        total = reports.view(cur, scope, sel, ("funnel",))["funnel"]["total"]
        values = [fmt.count(total["starters"]), fmt.count(total["starters_completed"]),
                  fmt.count(total["starters_with_job"])] if total["starters"] else []
    else:
        now = reports.view(cur, scope, sel, ("spend_by_institution",))
        values = [fmt.money_short(now["spend_total_gbp"]), fmt.money_short(now["spend_local_gbp"]),
                  fmt.pct(now["spend_local_pct"]), fmt.pct(now["spend_most_deprived_20_pct"]),
                  fmt.pct(now["spend_known_location_pct"]),
                  fmt.money_short(now["spend_unknown_location_gbp"])] if now["spend_by_institution"] else []
    return dict(zip(FIGURE_LABELS[page], values, strict=True)) if values else {}


def selection_of(url: str) -> figures.Selection:
    q = _params(url)
    return figures.Selection(q["network"], q["from"], q["to"], initiative_id=q.get("initiative"),
                             institution_id=q.get("institution"), imd_release=q["release"])


class States:
    """The database as it stood with a given set of the run's commits applied: the copy made before the run, with
    those files committed again through the core (each uploader's in order; different uploaders fill different
    slots, so their order does not matter)."""

    def __init__(self, base: Path, folder: Path, commits: list[Commit]):
        self.folder, self.commits = folder, sorted(commits, key=lambda c: c.submission_id)
        self.built: dict[frozenset[int], Path] = {frozenset(): base}
        self.cons: dict[frozenset[int], duckdb.DuckDBPyConnection] = {}
        self.memo: dict[tuple, tuple[dict[str, str], bool]] = {}

    def cursor(self, applied: frozenset[int]):
        if applied not in self.cons:
            if applied not in self.built:
                start = max((k for k in self.built if k <= applied), key=len)
                path = self.folder / f"state_{len(self.built)}.duckdb"
                shutil.copyfile(self.built[start], path)
                for i in sorted(applied - start):
                    c = self.commits[i]
                    ingest.ingest(NETWORK, c.file.institution_id, c.file.kind, QUARTER, data=c.file.path.read_bytes(),
                                  file_name=c.file.path.name, submitted_by=c.email, db=path)
                self.built[applied] = path
            self.cons[applied] = duckdb.connect(str(self.built[applied]))
        return self.cons[applied].cursor()

    def figures(self, applied: frozenset[int], scope: access.Scope, page: str, sel: figures.Selection):
        key = (applied, replace(scope, actor=""), page, sel)
        if key not in self.memo:
            cur = self.cursor(applied)
            self.memo[key] = (shown_figures(cur, scope, page, sel), reports.is_exact(scope, sel))
        return self.memo[key]

    def possible(self, started: float, read: float) -> tuple[frozenset[int], list[frozenset[int]]]:
        """The commits surely counted by `started` (shown before it: the cache was cleared then), and every set of
        commits the figures read until `read` may have counted."""
        sure = frozenset(i for i, c in enumerate(self.commits) if c.shown_at < started)
        maybe = [i for i, c in enumerate(self.commits) if i not in sure and c.clicked_at < read]
        sets = []
        for n in range(len(maybe) + 1):
            for extra in itertools.combinations(maybe, n):
                applied = sure | set(extra)
                # A partner's files land in the order sent.
                if all(j in applied for i in applied for j, c in enumerate(self.commits)
                       if c.session == self.commits[i].session and c.submission_id < self.commits[i].submission_id):
                    sets.append(frozenset(applied))
        return sure, sets

    def close(self) -> None:
        """Close the copies and remove them (a long run makes dozens)."""
        for con in self.cons.values():
            con.close()
        for path in self.built.values():
            if path.parent == self.folder and path.name.startswith("state_"):
                path.unlink()


def check_figures(run: Run, base: Path, folder: Path, scopes: dict[str, access.Scope]) -> tuple[list[str], int]:
    """Each figure a session was shown is what the core gives its reader for the selection in its URL, with the
    uploads committed by then; returns the mismatches and how many checks needed more than one candidate state."""
    states = States(base, folder, run.commits)
    wrong, ambiguous = [], 0
    try:
        for check in run.checks:
            sel, scope = selection_of(check.url), scopes[check.email]
            sure, candidates = states.possible(check.started_at, check.read_at)
            ambiguous += len(candidates) > 1
            results = [states.figures(applied, scope, check.page, sel) for applied in candidates]
            if any(_agrees(check, expected, exact) for expected, exact in results):
                continue
            expected, exact = states.figures(sure, scope, check.page, sel)
            earlier = [len(a) for a in itertools.chain.from_iterable(
                itertools.combinations(sorted(sure), n) for n in range(len(sure)))
                if _agrees(check, *states.figures(frozenset(a), scope, check.page, sel))]
            what = f"stale: as before {len(sure) - max(earlier)} upload(s) committed" if earlier else "wrong"
            wrong.append(f"{what}: session {check.session} ({check.email}) on {check.page} at {check.url} showed "
                         f"{check.metrics} (disclosure notice {check.notice}); the core gives {expected} "
                         f"(exact {exact}) with {len(sure)} upload(s) committed")
    finally:
        states.close()
    return wrong, ambiguous


def _agrees(check: Check, expected: dict[str, str], exact: bool) -> bool:
    """Whether a page showed these figures (or none of them), with the disclosure notice exactly when they are not
    exact."""
    if check.notice == exact:
        return False
    if not expected:
        return not any(label in check.metrics for label in FIGURE_LABELS[check.page])
    return all(check.metrics.get(label) == value for label, value in expected.items())


LOG_ENTRY = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ")


def server_errors(log: Path, run: Run) -> list[str]:
    """The server log's entries with a traceback or an error, each with the actions that ended around it."""
    entries: list[tuple[float | None, list[str]]] = []
    for line in log.read_text().splitlines():
        if (found := LOG_ENTRY.match(line)) or not entries:
            at = dt.datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S.%f").timestamp() if found else None
            entries.append((at, [line]))
        else:
            entries[-1][1].append(line)
    errors = []
    for at, lines in entries:
        if not any("Traceback" in line or "Error" in line for line in lines):
            continue
        raised = [line for line in lines[1:] if line[:1].isalpha() and not line.startswith(("Traceback", "Stopping"))]
        during = sorted({f"session {a.session} {a.kind} -> {a.url}" for a in run.actions
                         if at is not None and a.ended_at - a.seconds - 0.5 <= at <= a.ended_at + 0.5})
        errors.append("\n".join(lines[:1] + raised[:1] + [f"  during: {during}"]))
    return errors


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(run: Run, everyone: list[Person], seconds: float, wall_s: float) -> dict[str, Any]:
    kinds = sorted({a.kind for a in run.actions})

    def stats(times: list[float]) -> dict[str, Any] | None:
        if not times:
            return None
        return {"n": len(times), "p50_s": round(percentile(times, 50), 2), "p95_s": round(percentile(times, 95), 2),
                "max_s": round(max(times), 2)}

    roles: dict[str, int] = {}
    for p in everyone:
        role = "uploading partner" if p.uploads else p.role
        roles[role] = roles.get(role, 0) + 1
    return {
        "sessions": len(everyone), "roles": roles, "activity_s": seconds, "wall_s": round(wall_s, 1),
        "actions": len(run.actions),
        # From the click (sign-in: from opening the address) until the page is idle and drawn.
        "page_time_s": {"all": stats([a.seconds for a in run.actions if a.kind != "sign_in"]),
                        **{k: stats([a.seconds for a in run.actions if a.kind == k]) for k in kinds}},
        # From the click until the end of the run it caused reached the browser (the server's part, with the wait
        # for the browser to read its messages), before drawing.
        "run_time_s": {"all": stats([a.run_s for a in run.actions if a.kind != "sign_in"]),
                       **{k: stats([a.run_s for a in run.actions if a.kind == k]) for k in kinds}},
        "figure_checks": len(run.checks), "uploads_committed": len(run.commits),
    }


def test_many_sessions_at_once_while_partners_upload(browser_db, demo_db_template, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    everyone = people(SESSIONS, UPLOADS)
    add_people(browser_db, everyone)
    base = tmp_path / "before.duckdb"
    shutil.copyfile(browser_db, base)
    with store.connect(base) as con:
        cur = con.cursor()
        scopes = {p.email: access.scope_of(access.get_user(cur, p.email)) for p in everyone}
        names = dict(cur.execute("select institution_id, name from institution where network_id = ?",
                                 [NETWORK]).fetchall())
        year_start = networks.year_start(cur, NETWORK)
        first_quarter, _ = figures.data_quarters(cur, NETWORK)
    source_dir = demo_db_template.parent / "uploads" / NETWORK
    out_dir = tmp_path / "sent"
    out_dir.mkdir()

    def kinds(institution_id: str) -> list[str]:
        return [k for k in ("spend", "participants") if any(source_dir.glob(f"{institution_id}_{k}_*.csv"))]

    started, load_before, test_cpu = time.monotonic(), os.getloadavg()[0], time.process_time()
    log = tmp_path / "streamlit.log"
    cpu: dict[int, tuple[int, float]] = {}
    with server(browser_db, log) as (url, server_pid):
        setting = Setting(url, first_quarter, source_dir, out_dir,
                          {p.institution_id: kinds(p.institution_id) for p in everyone if p.uploads}, names,
                          year_start, SECONDS)
        run = asyncio.run(load(setting, everyone, cpu))
    wall_s, test_cpu = time.monotonic() - started, time.process_time() - test_cpu

    errors_logged = server_errors(log, run)
    (ARTIFACTS / "load_actions.json").write_text(json.dumps(
        [{"session": a.session, "kind": a.kind, "s": round(a.seconds, 2), "run_s": round(a.run_s, 2), "url": a.url}
         for a in run.actions],
        indent=0))

    upload_problems, whole = check_uploads(browser_db, run, everyone)
    figure_problems, ambiguous = check_figures(run, base, tmp_path, scopes)
    result = summary(run, everyone, SECONDS, wall_s)
    # Where the machine's time went (2 cores: at most twice the wall time), and how busy it was besides.
    result["cpu_s"] = {"server": round(sum(t for b, t in cpu.values() if b == server_pid), 1),
                       "browser": round(sum(t for b, t in cpu.values() if b != server_pid), 1),
                       "test": round(test_cpu, 1), "cores": os.cpu_count(),
                       "load_average_before": round(load_before, 1)}
    result["think_s"] = list(THINK_S)
    result.update({"figure_checks_with_an_upload_landing_during_them": ambiguous,
                   "uploads_found_whole": whole,
                   "problems": run.problems, "server_errors": errors_logged,
                   "upload_problems": upload_problems, "figure_problems": figure_problems})
    (ARTIFACTS / "load.json").write_text(json.dumps(result, indent=2))
    print("\n" + json.dumps({k: v for k, v in result.items() if "problems" not in k and k != "server_errors"},
                            indent=2))
    assert run.problems == [], "\n".join(run.problems)
    assert errors_logged == [], "\n".join(errors_logged)
    assert upload_problems == [], "\n".join(upload_problems)
    assert figure_problems == [], "\n".join(figure_problems)
    assert run.commits, "no upload was committed"
    assert {c.email for c in run.commits} == {p.email for p in everyone if p.uploads}
    assert len(run.checks) >= len(everyone)
