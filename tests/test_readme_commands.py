"""Every command the README and docs/ list is run here, on a small database, so none can crash unseen."""

import argparse
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import access, cli, config, refdata_fetch, store
from tests.test_refdata_fetch import serve

REPO = config.REPO_DIR
BIN = Path(sys.executable).parent

# Every documented command and the tests that run it: a command added to README.md or docs/ without a
# row here fails test_every_documented_command_is_run. A name is a test in this file, or file::function.
RUNS = {
    "refdata load": ["test_refdata_load_builds_then_skips_the_same_files"],
    "refdata fetch": ["test_refdata_fetch_downloads_from_a_mirror_and_verifies"],
    "refdata status": ["test_refdata_load_builds_then_skips_the_same_files"],
    "network load": ["test_network_load_then_list"],
    "network list": ["test_network_load_then_list"],
    "ingest": ["test_ingest_then_report_and_submissions"],
    "report": ["test_ingest_then_report_and_submissions"],
    "pack": ["tests/test_pack.py::test_pack_command_writes_the_funders_pack_and_audits_it"],
    "deck": ["tests/test_deck.py::test_deck_command_writes_the_funders_deck_and_audits_it",
             "tests/test_deck.py::test_deck_command_writes_the_funders_pdf_and_audits_it"],
    "submissions": ["test_ingest_then_report_and_submissions"],
    "user add": ["test_user_commands_change_who_can_sign_in"],
    "user list": ["test_user_commands_change_who_can_sign_in"],
    "user password": ["test_user_commands_change_who_can_sign_in"],
    "user disable": ["test_user_commands_change_who_can_sign_in"],
    "user grant": ["test_user_commands_change_who_can_sign_in"],
    "participant delete": ["test_participant_delete_is_audited_without_the_reference"],
    "participant export": ["tests/test_subject_access.py::test_export_command_writes_the_csv_and_says_where"],
    "retention set": ["tests/test_retention.py::test_the_retention_commands"],
    "retention status": ["tests/test_retention.py::test_the_retention_commands"],
    "retention apply": ["tests/test_retention.py::test_the_retention_commands"],
    "audit": ["test_participant_delete_is_audited_without_the_reference", "test_user_commands_change_who_can_sign_in"],
    "demo build": ["test_demo_builds_from_reference_data_alone", "test_demo_run_again_changes_nothing"],
    "demo remove": ["tests/test_installation.py::test_demo_remove_leaves_a_real_network_untouched"],
    "network export": ["tests/test_installation.py::test_network_export_loads_back_unchanged"],
    "templates": ["test_make_templates_rewrites_the_committed_templates_byte_for_byte"],
    "cluster": ["tests/test_cluster.py::test_killed_at_any_moment_no_row_is_lost_or_doubled"],
    "doctor": ["tests/test_doctor.py::test_command_prints_the_version_and_database_first_and_exits_0_when_healthy",
               "tests/test_doctor.py::test_a_damaged_database_file_is_a_problem_in_a_sentence_not_a_traceback"],
    "backup": ["tests/test_backup.py::test_backup_and_restore_commands_give_the_same_figures_for_every_network",
               "tests/test_backup.py::test_restore_refuses_a_damaged_incomplete_or_newer_backup_and_writes_nothing"],
    "restore": ["tests/test_backup.py::test_backup_and_restore_commands_give_the_same_figures_for_every_network",
                "tests/test_backup.py::test_restore_refuses_a_damaged_incomplete_or_newer_backup_and_writes_nothing",
                "tests/test_backup.py::test_restore_replaces_an_existing_database_only_when_forced"],
    "suppliers list": ["test_suppliers_classified_from_the_csv_leave_the_list_to_classify"],
    "suppliers unclassified": ["test_suppliers_classified_from_the_csv_leave_the_list_to_classify"],
    "suppliers load": ["test_suppliers_classified_from_the_csv_leave_the_list_to_classify"],
    "setup": ["test_make_run_set_up_step_finds_everything_ready",
              "tests/test_installation.py::test_setup_without_the_demo_makes_the_first_administrator"],
    "registers load": ["tests/test_registers.py::test_registers_cli_load_status_and_matches"],
    "registers status": ["tests/test_registers.py::test_registers_cli_load_status_and_matches"],
    "registers fetch": ["tests/test_registers.py::test_registers_cli_fetch_from_a_mirror"],
    "suppliers matches": ["tests/test_registers.py::test_registers_cli_load_status_and_matches"],
    "suppliers confirm": ["tests/test_registers.py::test_registers_cli_load_status_and_matches"],
    "suppliers reject": ["tests/test_registers.py::test_registers_cli_load_status_and_matches"],
}
# The Makefile targets the README lists. `make test` is the whole suite, what CI runs: it cannot run inside
# itself. `make run` is `python -m dashboard setup`, run here, then `streamlit run dashboard/app.py`, which the
# browser tests start the same way. `make bench` adds 10 million payments; its module runs here with fewer, and its
# map timing is the browser test of the Maps page.
# `make attack` runs here on one network.
MAKE_RUNS = {
    "run": ["test_make_run_set_up_step_finds_everything_ready", "tests/browser_helpers.py::streamlit_server"],
    "test": [],
    "lint": ["test_make_lint_passes"],
    "bench": ["test_bench_times_the_figures_on_a_copy", "test_bench_ingest_times_a_large_file_in",
              "tests/test_browser_maps.py::test_maps_page_draws_offline"],
    "bench-registers": ["test_bench_registers_loads_and_matches_on_a_copy"],
    "attack": ["tests/test_disclosure_attack.py::test_make_attack_runs_the_full_size_attack"],
    "soak": ["tests/test_faults.py::test_make_soak_runs_the_harness_at_full_size"],
    "templates": ["test_make_templates_rewrites_the_committed_templates_byte_for_byte"],
    "load": ["tests/test_load.py::test_many_sessions_at_once_while_partners_upload",
             "test_make_load_runs_the_load_test"],
}

PASSWORD = "correct horse battery staple"
PARTICIPANTS_CSV = """\
participant_ref,initiative,home_postcode,start_date,completion_date,job_start_date,employer
RC-0001,i-can,B10 0AB,07/07/2025,15/08/2025,01/09/2025,Birmingham City Council
RC-0002,i-can,B12 9QE,14/07/2025,,,
RC-0003,hospitality-to-health,B15 2TH,04/08/2025,22/09/2025,,
"""


def _run(*args, db: Path, stdin: str | None = None, module: str = "dashboard", **env) -> subprocess.CompletedProcess:
    """`python -m dashboard ARGS` on the database db, as a separate process."""
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True,
                          input=stdin, cwd=REPO, env={**os.environ, **env, "ANCHOR_DB": str(db)})


def _ok(*args, db: Path, **kwargs) -> str:
    """The standard output of a command that must succeed."""
    out = _run(*args, db=db, **kwargs)
    assert out.returncode == 0, f"python -m dashboard {' '.join(map(str, args))}:\n{out.stderr}"
    return out.stdout


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """A command group's commands by name (argparse keeps them in a private action)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> set[str]:
    """Every command of the parser, as its words ('user add')."""
    choices = _subcommands(parser)
    if not choices:
        return {" ".join(prefix)}
    return {path for name, sub in choices.items() for path in _commands(sub, (*prefix, name))}


def _command_of(words: list[str], parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> set[str]:
    """The commands a documented line names, its alternatives expanded ('user list|password ...')."""
    choices = _subcommands(parser)
    if not choices or not words or words[0].startswith("-"):
        return {" ".join(prefix)}
    return {path for name in words[0].split("|")
            for path in _command_of(words[1:], choices.get(name, argparse.ArgumentParser()), (*prefix, name))}


def _commands_in(text: str) -> set[str]:
    """The commands a text shows as `python -m dashboard ...`."""
    return {command for line in re.findall(r"python -m dashboard ([^`\n]+)", text)
            for command in _command_of(line.split(), cli.parser())}


def _command_line_block() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text.split("## Command line", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]


def documented_commands() -> set[str]:
    """The commands README.md and docs/*.md show."""
    paths = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return {command for path in paths for command in _commands_in(path.read_text(encoding="utf-8"))}


def _exists(name: str) -> bool:
    if "::" not in name:
        return callable(globals().get(name)) and name.startswith("test_")
    path, function = name.split("::")
    return f"def {function}(" in (REPO / path).read_text(encoding="utf-8")


def test_every_documented_command_is_run():
    block = _command_line_block()
    assert all(line.startswith(("python -m dashboard ", " ")) for line in block.splitlines()), block
    documented = documented_commands()
    assert _commands_in(block) <= documented and len(_commands_in(block)) >= 15
    assert documented - _commands(cli.parser()) == set(), "documented, but not a command"
    assert documented - RUNS.keys() == set(), "documented, but no test runs it: add it to RUNS"
    assert RUNS.keys() - _commands(cli.parser()) == set(), "in RUNS, but not a command"
    assert all(names and all(_exists(n) for n in names) for names in RUNS.values()), RUNS


def test_every_documented_make_target_is_run():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"(?:^|`)make ([a-z][a-z-]*)", readme, flags=re.MULTILINE))
    targets = set(re.findall(r"^([a-z][a-z-]*):", (REPO / "Makefile").read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert {"run", "test", "lint", "bench"} <= documented
    assert documented - MAKE_RUNS.keys() == set(), "documented, but no test runs it: add it to MAKE_RUNS"
    assert MAKE_RUNS.keys() - targets == set(), "in MAKE_RUNS, but not a Makefile target"
    assert all(_exists(n) for names in MAKE_RUNS.values() for n in names)


# --- demo, from the reference data alone ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_cli(tmp_path_factory, ref_db_template):
    """`demo` run on a copy of the reference-only database: its output, a copy of the result, and the re-run."""
    folder = tmp_path_factory.mktemp("demo-cli")
    db = folder / "anchor.duckdb"
    shutil.copyfile(ref_db_template, db)
    first = _run("demo", "build", db=db)
    assert first.returncode == 0, first.stderr
    built = folder / "built.duckdb"
    shutil.copyfile(db, built)
    # The re-run reads every file again, as long as the build: it runs while the other commands are tested.
    again = subprocess.Popen([sys.executable, "-m", "dashboard", "demo", "--quiet"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=REPO, env={**os.environ, "ANCHOR_DB": str(db)})
    yield {"first": first, "built": built, "again": again, "folder": folder}
    if again.poll() is None:
        again.kill()
    again.communicate()


@pytest.fixture
def db(tmp_path, demo_cli) -> Path:
    """A private copy of the demo database the command line built."""
    path = tmp_path / "anchor.duckdb"
    shutil.copyfile(demo_cli["built"], path)
    return path


def test_demo_builds_from_reference_data_alone(demo_cli, db):
    first = demo_cli["first"]
    summary = json.loads(first.stdout)
    assert summary["networks"] == ["birmingham", "london"] and summary["quarters"] == "2024Q4 to 2026Q3"
    assert summary["committed"] > 100 and summary["committed"] + summary["unchanged"] == summary["files"]
    assert "coordinator@birmingham.demo.example" in summary["accounts"]
    assert "Ingesting demo files" in first.stderr and "password for all of them, shown this once" in first.stderr
    # The generated partner files sit beside the database they went into, not in the repository's data/.
    assert len(list((demo_cli["folder"] / "demo_uploads" / "birmingham").glob("*.csv"))) > 50
    listed = _ok("network", "list", db=db)
    assert "birmingham\tBirmingham Anchor Network  (synthetic demo data)" in listed and "london\t" in listed


# --- reference data ----------------------------------------------------------------------------------------------


def test_refdata_load_builds_then_skips_the_same_files(tmp_path, reference_dir):
    db = tmp_path / "new.duckdb"
    summary = json.loads(_ok("refdata", "load", "--from", reference_dir, "--quiet", db=db))
    assert summary["skipped"] is False
    assert summary["rows"]["ref_imd"] == 66_599 and summary["rows"]["ref_source"] == 131
    status = json.loads(_ok("refdata", "status", db=db))
    assert status["loaded"] is True and status["row_counts"]["ref_postcode"] == summary["rows"]["ref_postcode"]
    assert {r["imd_release"] for r in status["releases"]} == {"IoD2025", "IoD2019"}
    again = json.loads(_ok("refdata", "load", "--from", reference_dir, "--quiet", db=db))
    assert again["skipped"] is True


def test_refdata_fetch_downloads_from_a_mirror_and_verifies(tmp_path, reference_dir, ref_db_template):
    db = tmp_path / "anchor.duckdb"
    shutil.copyfile(ref_db_template, db)
    server, url = serve(reference_dir)
    try:
        # --to defaults to ANCHOR_CACHE/reference: the documented command, writing only under tmp_path.
        out = _run("refdata", "fetch", "--base-url", url, "--quiet", db=db, ANCHOR_CACHE=str(tmp_path / "cache"))
    finally:
        server.shutdown()
        server.server_close()
    assert out.returncode == 0, out.stderr
    fetched = tmp_path / "cache" / "reference"
    rows = refdata_fetch.manifest()
    assert all((fetched / row["path"]).stat().st_size == row["size_bytes"] for row in rows)
    # The database already holds these very files (by sha256), so the load after the download is skipped.
    summary = json.loads(out.stdout)
    assert summary["skipped"] is True and summary["source_dir"] == str(fetched)


def test_network_load_then_list(ref_db):
    assert "No networks yet" in _ok("network", "list", db=ref_db)
    out = _ok("network", "load", "data/networks/birmingham.yaml", db=ref_db)
    assert out == "Loaded network 'birmingham' from data/networks/birmingham.yaml\n"
    assert _ok("network", "list", db=ref_db) == "birmingham\tBirmingham Anchor Network  (synthetic demo data)\n"


# --- a partner's file, the figures, and data-subject requests ----------------------------------------------------


def test_ingest_then_report_and_submissions(db, tmp_path):
    upload = tmp_path / "uhb-participants-2025Q3.csv"
    upload.write_text(PARTICIPANTS_CSV, encoding="utf-8")
    out = _ok("ingest", "--network", "birmingham", "--institution", "uhb", "--kind", "participants", "--quarter",
              "2025Q3", upload, db=db)
    assert "Accepted 3 rows from uhb-participants-2025Q3.csv" in out and "Superseded submission(s):" in out

    def report(*args):
        return json.loads(_ok("report", "--network", "birmingham", "--institution", "uhb", "--from", "2025Q3",
                              "--to", "2025Q3", *args, "--json", db=db))

    result = report()
    assert result["participants"] == 3
    assert {r["group"]: r["participants"] for r in result["by_decile"] if r["participants"]} == {"1": 2, "4": 1}
    assert result["imd_release"] == "IoD2025" and result["lsoa_vintage"] == 2021
    i_can = report("--initiative", "i-can", "--release", "IoD2019", "--sections", "funnel")
    assert (i_can["participants"], i_can["imd_release"], i_can["lsoa_vintage"]) == (2, "IoD2019", 2011)
    assert "funnel" in i_can and "top_suppliers" not in i_can
    funder = report("--as-role", "funder")
    # Disclosure control: a funder sees counts of people rounded (a multiple of 5, or '<5'), never the exact 3.
    assert funder["participants"] == "<5" or funder["participants"] % 5 == 0
    assert funder["disclosure"]["rule"]["method"] == "rounded running totals"

    board = _ok("submissions", "--network", "birmingham", db=db)
    line = next(line for line in board.splitlines() if "uhb-participants-2025Q3.csv" in line)
    assert "uhb" in line and "participants" in line and "2025Q3" in line


def test_participant_delete_is_audited_without_the_reference(db):
    with store.connect(db) as con:
        ref = con.cursor().execute("select min(participant_ref) from participant "
                                   "where network_id = 'birmingham' and institution_id = 'uhb'").fetchone()[0]

    def participants():
        return json.loads(_ok("report", "--network", "birmingham", "--institution", "uhb", "--json",
                              db=db))["participants"]

    before = participants()
    out = _ok("participant", "delete", "--network", "birmingham", "--institution", "uhb", "--ref", ref, db=db)
    assert out.startswith("Deleted 1 record(s) of that participant from institution 'uhb'")
    assert participants() == before - 1
    log = _ok("audit", "--network", "birmingham", db=db)
    assert "participant.delete" in log.splitlines()[1] and ref not in log


# --- accounts ------------------------------------------------------------------------------------------------------


def test_user_commands_change_who_can_sign_in(db):
    for args in (["--email", "coordinator@example.org", "--role", "coordinator", "--network", "birmingham"],
                 ["--email", "officer@uhb.example", "--role", "partner", "--network", "birmingham",
                  "--institution", "uhb"],
                 ["--email", "grants@funder.example", "--role", "funder", "--network", "birmingham",
                  "--initiative", "i-can"],
                 ["--email", "admin@example.org", "--role", "admin"]):
        assert _ok("user", "add", *args, "--password-stdin", db=db, stdin=PASSWORD + "\n").startswith("Added ")
    assert access.authenticate("officer@uhb.example", PASSWORD, db=db).institution_id == "uhb"

    out = _ok("user", "grant", "--email", "grants@funder.example", "--network", "london", db=db)
    assert out == "grants@funder.example now sees: birmingham/i-can, london (whole network)\n"
    listed = _ok("user", "list", "--network", "birmingham", db=db)
    assert all(email in listed for email in ("coordinator@example.org", "officer@uhb.example",
                                              "grants@funder.example"))

    new_password = "a new and longer passphrase"
    out = _ok("user", "password", "--email", "officer@uhb.example", "--password-stdin", db=db, stdin=new_password)
    assert out == "Changed the password of officer@uhb.example.\n"
    with pytest.raises(access.SignInRefused):
        access.authenticate("officer@uhb.example", PASSWORD, db=db)
    assert access.authenticate("officer@uhb.example", new_password, db=db).email == "officer@uhb.example"

    assert _ok("user", "disable", "--email", "officer@uhb.example", db=db).startswith("Disabled officer@uhb.example")
    with pytest.raises(access.SignInRefused):
        access.authenticate("officer@uhb.example", new_password, db=db)
    log = _ok("audit", "--network", "birmingham", db=db)
    assert "user.disable" in log and "user.create" in log and "officer@uhb.example" in log


# --- the supplier register ----------------------------------------------------------------------------------------


def test_suppliers_classified_from_the_csv_leave_the_list_to_classify(db, tmp_path):
    assert "No suppliers registered" in _ok("suppliers", "list", "--network", "birmingham", db=db)
    rows = list(csv.DictReader(io.StringIO(_ok("suppliers", "unclassified", "--network", "birmingham", "--csv",
                                               db=db))))
    largest = rows[0]["supplier_name"]
    filled = tmp_path / "suppliers.csv"
    with filled.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow({**rows[0], "supplier_postcode": "B12 9QE", "is_sme": "Yes"})
    out = _ok("suppliers", "load", "--network", "birmingham", filled, db=db)
    assert out == "Registered 1 supplier(s) from suppliers.csv for network 'birmingham': 1 new, 0 updated.\n"
    assert largest in _ok("suppliers", "list", "--network", "birmingham", db=db)
    still = _ok("suppliers", "unclassified", "--network", "birmingham", "--from", "2024Q4", "--to", "2026Q3", db=db)
    assert largest not in still and rows[1]["supplier_name"] in still


# --- Makefile targets --------------------------------------------------------------------------------------------


def _make(*args: str) -> subprocess.CompletedProcess:
    """`make ARGS` in the repository with this interpreter's environment, never re-installing it."""
    return subprocess.run(["make", "--no-print-directory", "-o", f"{BIN}/.installed", f"BIN={BIN}", *args],
                          capture_output=True, text=True, cwd=REPO)


def test_make_lint_passes():
    out = _make("lint")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "All checks passed!" in out.stdout


def test_make_templates_rewrites_the_committed_templates_byte_for_byte(tmp_path):
    out = _make("templates", f"TEMPLATES={tmp_path}")
    assert out.returncode == 0, out.stdout + out.stderr
    committed = sorted(p.name for p in (config.DATA_DIR / "templates").iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == committed == [
        "participants_template.csv", "participants_template.xlsx", "spend_template.csv", "spend_template.xlsx"]
    for name in committed:
        assert (tmp_path / name).read_bytes() == (config.DATA_DIR / "templates" / name).read_bytes(), (
            f"data/templates/{name} is not what `make templates` writes: run it and commit the result")


def test_bench_times_the_figures_on_a_copy(db):
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    out = _ok("--participants", "3000", "--payments", "30000", "--networks", "4", "--selections", "4", db=db,
              module="dashboard.bench")
    assert "4 bench networks beside the demo's, 40 institutions, 20 quarters" in out
    assert re.search(r"^Database: [\d,]+ MB; opened \(connect and migrate\) in \d+ ms$", out, flags=re.MULTILINE)
    for page in ("Overview", "Local spend", "Deprivation", "Maps (figures by LSOA)", "Overview, a funder's first view"):
        assert re.search(rf"^{re.escape(page)} +\d+ +\d+ +\d+ +\d+$", out, flags=re.MULTILINE), page
    # The peer is compared only where it computes the same figures, and says how many it checked.
    checked = re.search(r"the same 4 selections \((\d+) checked equal\)", out)
    assert checked and int(checked[1]) >= 1
    assert re.search(r"^peer / product: median \d+\.\dx", out, flags=re.MULTILINE)
    assert re.search(r"^Peak memory: serving [\d,]+ MB", out, flags=re.MULTILINE)
    assert re.search(r"^network area \([\d,]+ LSOAs\), spend_gbp +\d+\.\d{3}", out, flags=re.MULTILINE)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # the rows went into a copy


def test_bench_ingest_times_a_large_file_in(db):
    # `make bench` then times a partner's large file going in, as CSV and XLSX (checked whole, to the penny).
    out = _ok("--rows", "2000", "--repeat", "1", db=db, module="dashboard.bench_ingest")
    for fmt in ("csv", "xlsx"):
        for stage in ("read", "check", "ingest"):
            assert re.search(rf"^{fmt} +{stage} +\d+\.\d\d +[\d,]+$", out, flags=re.MULTILINE), (fmt, stage)


def test_make_load_runs_the_load_test():
    # `make load` is the load test that `make test` runs small (tests/test_load.py), at the size it is given.
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(["make", "--no-print-directory", "-n", "-o", f"{bin_dir}/.installed", f"BIN={bin_dir}",
                           "load", "LOAD_SESSIONS=7"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "ANCHOR_LOAD_SESSIONS=7 ANCHOR_LOAD_UPLOADS=5 ANCHOR_LOAD_SECONDS=180" in done.stdout
    assert "-m pytest -n 0 -s -p no:cacheprovider --timeout 0 tests/test_load.py" in done.stdout


def test_bench_registers_loads_and_matches_on_a_copy(db):
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    out = _ok("--rows", "20000", "--names", "400", db=db, module="dashboard.bench_registers")
    assert "Generated 20,000 companies in the published layout" in out
    assert re.search(r"^load the register .* +\d+\.\d s$", out, flags=re.MULTILINE)
    assert re.search(r"^match [\d,]+ distinct supplier names +\d+\.\d s$", out, flags=re.MULTILINE)
    automatic = re.search(r"matched automatically / with proposals +([\d,]+) / ([\d,]+)", out)
    assert automatic and int(automatic[1].replace(",", "")) >= 150  # the half of the names that are registered
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # loaded into a copy


def test_make_run_set_up_step_finds_everything_ready(db):
    out = _run("setup", db=db)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == f"Database ready: {db}"
    assert "Loading official reference data" not in out.stderr and "Creating the synthetic demo" not in out.stderr


# Last, so that the re-run started by demo_cli ran beside every test above.
def test_demo_run_again_changes_nothing(demo_cli):
    stdout, stderr = demo_cli["again"].communicate(timeout=600)
    assert demo_cli["again"].returncode == 0, stderr
    summary = json.loads(stdout)
    assert summary["committed"] == 0 and summary["unchanged"] == summary["files"] == json.loads(
        demo_cli["first"].stdout)["files"]
    assert "Ingesting demo files" not in stderr and "password" not in stderr  # --quiet; accounts made once
