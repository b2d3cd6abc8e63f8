"""The command line: python -m dashboard <command>. Errors are printed as sentences, not tracebacks."""

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from dashboard import access, cluster, config, parsing, store


def _refdata_load(args: argparse.Namespace) -> int:
    from dashboard import refdata

    summary = refdata.load(Path(args.source), force=args.force, progress=not args.quiet)
    print(json.dumps(summary, indent=2, default=str))
    return 0


def _refdata_fetch(args: argparse.Namespace) -> int:
    from dashboard import refdata, refdata_fetch

    dest = Path(args.to)
    refdata_fetch.fetch(dest, base_url=args.base_url, progress=not args.quiet)
    summary = refdata.load(dest, progress=not args.quiet)
    print(json.dumps(summary, indent=2, default=str))
    return 0


def _refdata_status(args: argparse.Namespace) -> int:
    from dashboard import refdata

    with store.connect() as con:
        print(json.dumps(refdata.status(con.cursor()), indent=2, default=str))
    return 0


def _network_load(args: argparse.Namespace) -> int:
    from dashboard import networks

    for path in args.files:
        network_id = networks.load(Path(path), scope=_operator())
        print(f"Loaded network '{network_id}' from {path}")
    return 0


def _network_list(args: argparse.Namespace) -> int:
    df = store.read("networks")
    if df.empty:
        print("No networks yet. Load one with: python -m dashboard network load FILE")
    for row in df.itertuples():
        print(f"{row.network_id}\t{row.name}{'  (synthetic demo data)' if row.is_demo else ''}")
    return 0


def _column_map(pairs: list[str]) -> dict[str, str] | None:
    """--map "SOURCE HEADER=field" options as {source header: field}."""
    if not pairs:
        return None
    chosen = {}
    for pair in pairs:
        source, sep, name = pair.rpartition("=")
        if not sep or not source.strip() or not name.strip():
            raise store.StoreError(f'--map "{pair}" should be like --map "Net Amount=amount_gbp" '
                                   "(the column's name in your file, '=', the field it holds)")
        chosen[source.strip()] = name.strip()
    return chosen


def _ingest(args: argparse.Namespace) -> int:
    from dashboard import ingest

    choices = ingest.RowChoices(leave_out=frozenset(args.leave_out), date_to_quarter=args.date_to_quarter)
    receipt = ingest.ingest(args.network, args.institution, args.kind, args.quarter, Path(args.file),
                            submitted_by=args.by, mapping=_column_map(args.map), scope=_operator(), choices=choices)
    print(f"Read {receipt.file_name} as {receipt.format}.")
    renamed = [f"'{source}' as {name}" for name, source in receipt.mapping.items() if source != name]
    if renamed:
        print(f"Columns read: {', '.join(renamed)}" + (" (remembered for next time)" if receipt.mapping_saved else ""))
    for note in receipt.notes:
        print(f"Note: {note}")
    if receipt.unchanged:
        print(f"{receipt.file_name} is already the active {receipt.kind} submission for {receipt.quarter} "
              f"(submission {receipt.submission_id}); nothing changed.")
        return 0
    print(f"Accepted {receipt.rows} rows from {receipt.file_name} as submission {receipt.submission_id} "
          f"({receipt.kind}, {receipt.quarter}); sha256 {receipt.sha256}.")
    if receipt.total_gbp is not None:
        print(f"Total spend: £{receipt.total_gbp:,.2f}")
    if receipt.duplicate_rows:
        print(f"Rows repeating an earlier row exactly: {receipt.duplicate_rows} (kept)")
    if receipt.left_out:
        print(f"Rows left out, as chosen: {', '.join(str(x['row']) for x in receipt.left_out)}")
    if receipt.dated_to_quarter:
        print(f"Rows dated to {receipt.quarter}, as chosen: {receipt.dated_to_quarter}")
    if receipt.superseded:
        print(f"Superseded submission(s): {', '.join(map(str, receipt.superseded))}")
    return 0


def _submissions(args: argparse.Namespace) -> int:
    df = store.read("submissions_of_network", network_id=args.network)
    if df.empty:
        print(f"No submissions for network '{args.network}' yet.")
        return 0
    df["submitted_at"] = df["submitted_at"].dt.strftime("%Y-%m-%d %H:%M")
    print(df.drop(columns=["sha256"]).to_string(index=False))
    return 0


def _cluster(args: argparse.Namespace) -> int:
    done = cluster.cluster(_operator())
    print(f"Wrote {done.rows:,} rows of {done.networks} networks back together in {done.seconds:.1f} s; "
          "every figure is unchanged.")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from dashboard import backup

    made = backup.create(Path(args.out), scope=_operator())
    m = made.manifest
    print(f"Backed up {config.db_path()} to {made.path}: schema version {m['schema_version']}, "
          f"{sum(m['row_counts'].values()):,} rows in {len(m['row_counts'])} tables, taken {m['taken_at']}, "
          f"sha256 {m['sha256']}. Checked back in full; recorded in the audit log.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from dashboard import backup

    m = backup.restore(Path(args.file), Path(args.to), scope=_operator(), force=args.force)
    print(f"Restored {args.to} from {args.file} (taken {m['taken_at']}, schema version {m['schema_version']}, "
          f"{sum(m['row_counts'].values()):,} rows): its checksum and row counts match the backup's manifest.")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from dashboard import doctor

    print(doctor.heading(config.db_path()) + "\n")
    findings = doctor.examine(config.db_path())
    print(doctor.render(findings))
    return doctor.exit_code(findings)


def _report_scope(args: argparse.Namespace) -> access.Scope:
    """The operator's scope, or with --as-role the scope such a reader of this network would have."""
    if args.as_role is None:
        return _operator()
    if args.as_role == "partner" and not args.institution:
        raise SystemExit("--as-role partner needs --institution (the partner's own)")
    if args.as_role == "funder":
        return access.Scope("cli:as-funder", "funder",
                            grants=frozenset({(args.network, args.initiative)}))
    return access.Scope(f"cli:as-{args.as_role}", args.as_role, args.network,
                        args.institution if args.as_role == "partner" else None)


def _selection(cur, args: argparse.Namespace):
    """The selection of a report's arguments: by default every quarter with data."""
    from dashboard import figures

    span = figures.data_quarters(cur, args.network)
    default_from, default_to = span or ("2024Q1", "2024Q4")
    return figures.Selection(
        network_id=args.network, initiative_id=args.initiative, institution_id=args.institution,
        from_quarter=args.from_quarter or default_from, to_quarter=args.to_quarter or default_to,
        imd_release=args.release)


def _export(args: argparse.Namespace) -> int:
    """Write the funder pack or the deck of a selection, as the reader (--as-role) sees it; audited. The file's
    suffix chooses among the command's kinds (the deck: .pptx or .pdf)."""
    from dashboard import audit, deck, exports, networks

    out = Path(args.out)
    kinds = {exports.EXPORTS[kind].suffix: exports.EXPORTS[kind] for kind in args.build}
    export = kinds.get(out.suffix.lower())
    if export is None:
        raise SystemExit(f"--out must name a {' or '.join(kinds)} file, not '{out.name}'")
    scope = _report_scope(args)
    with store.connect() as con:
        selection = _selection(con.cursor(), args)
        try:
            data = export.build(con.cursor(), scope, selection)
        except deck.FontNotFound as exc:
            raise SystemExit(str(exc)) from None
        period = parsing.quarter_span(selection.from_quarter, selection.to_quarter,
                                      networks.year_start(con.cursor(), selection.network_id))
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(data)
    partial.replace(out)  # a reader never opens half a file
    audit.note(scope, "export", selection.network_id, selection.institution_id,
               {"what": export.what, "from": selection.from_quarter, "to": selection.to_quarter,
                "initiative": selection.initiative_id})
    print(f"Wrote {out} ({len(data):,} bytes): {selection.network_id}, {period}"
          + (f", as a {args.as_role}" if args.as_role else ""))
    return 0


def _quarter(raw: str) -> str:
    """A quarter argument as its calendar key: '2025Q2', or the same quarter named in a financial year, '2025/26Q1'."""
    try:
        return parsing.parse_quarter(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _selection_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments that choose a selection and its reader (report, pack, deck)."""
    p.add_argument("--network", required=True)
    p.add_argument("--initiative")
    p.add_argument("--institution")
    p.add_argument("--from", dest="from_quarter", type=_quarter,
                   help="first quarter, e.g. 2025Q2 or, in financial years, 2025/26Q1 (default: first with data)")
    p.add_argument("--to", dest="to_quarter", type=_quarter, help="last quarter (default: last with data)")
    p.add_argument("--release", default="IoD2025", choices=["IoD2025", "IoD2019"])
    p.add_argument("--as-role", choices=["coordinator", "partner", "funder", "public"],
                   help="as that reader of the network sees it (funder, public: disclosure-controlled)")


def _report(args: argparse.Namespace) -> int:
    from dashboard import reports

    sections = [s for s in (args.sections or ",".join(reports.ALL_SECTIONS)).split(",") if s]
    with store.connect() as con:
        cur = con.cursor()
        result = reports.view(cur, _report_scope(args), _selection(cur, args), sections if args.json else ())
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['network_name']}: {result['period_label']}, "
          f"{result['imd_release_title']} (LSOA {result['lsoa_vintage']})")
    for key in ("participants", "completions", "jobs_filled", "conversion_rate_pct", "spend_total_gbp",
                "spend_local_gbp", "spend_local_pct", "spend_unknown_location_gbp"):
        print(f"  {key:<28} {result[key]}")
    print(f"  {'group':<18}{'participants':>13}{'jobs_filled':>13}{'spend_gbp':>16}")
    for row in result["by_decile"]:
        print(f"  {row['group']:<18}{row['participants']:>13}{row['jobs_filled']:>13}{row['spend_gbp']:>16,.2f}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from dashboard import demo

    summary = demo.build(progress=not args.quiet)
    print(json.dumps(summary, indent=2, default=str))
    return 0


def _demo_remove(args: argparse.Namespace) -> int:
    from dashboard import demo

    removed = demo.remove(scope=_operator())
    if not removed["networks"] and not removed["accounts"]:
        print("There is no demo here: nothing was removed.")
        return 0
    print(f"Removed the demo networks {', '.join(removed['networks']) or '(none)'}, with their data; "
          f"{len(removed['accounts'])} demo account(s); {len(removed['register_files'])} synthetic register file(s). "
          "Real networks were not touched. 'make run' will not build the demo again here.")
    return 0


def _network_export(args: argparse.Namespace) -> int:
    from dashboard import networks

    with store.connect() as con:
        text = networks.export(con.cursor(), args.network)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Wrote network '{args.network}' to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _setup(args: argparse.Namespace) -> int:
    from dashboard import setup

    setup.ensure_ready(progress=True, with_demo=False if args.no_demo else None)
    return 0


def _templates(args: argparse.Namespace) -> int:
    from dashboard import templates

    for path in templates.write_all(Path(args.out)):
        print(f"Wrote {path}")
    return 0


def _suppliers_list(args: argparse.Namespace) -> int:
    from dashboard import suppliers

    with store.connect() as con:
        df = suppliers.register(con.cursor(), args.network, scope=_operator())
    if df.empty:
        print(f"No suppliers registered for network '{args.network}' yet. "
              "Add some with: python -m dashboard suppliers load --network N FILE")
        return 0
    df["updated_at"] = df["updated_at"].dt.strftime("%Y-%m-%d %H:%M")
    print(df.drop(columns=["lsoa11_code"]).to_string(index=False))
    return 0


def _suppliers_unclassified(args: argparse.Namespace) -> int:
    from dashboard import parsing, suppliers

    try:
        date_from = parsing.quarter_bounds(parsing.parse_quarter(args.from_quarter))[0] if args.from_quarter else None
        date_to = parsing.quarter_bounds(parsing.parse_quarter(args.to_quarter))[1] if args.to_quarter else None
    except parsing.ValueProblem as exc:
        raise store.StoreError(str(exc)) from exc
    with store.connect() as con:
        df = suppliers.unclassified(con.cursor(), args.network, date_from, date_to, scope=_operator())
    if args.csv:
        # Ready to fill in and load back with 'suppliers load' (extra columns are ignored).
        out = df.drop(columns=["supplier_key"]).assign(supplier_postcode="", supplier_lsoa_code="", is_sme="",
                                                        is_vcse="")
        out.to_csv(sys.stdout, index=False)
        return 0
    if df.empty:
        print(f"Every payment of network '{args.network}' has a known location.")
        return 0
    print(df.to_string(index=False))
    print(f"{len(df)} supplier(s), £{df['spend_gbp'].sum():,.2f} in {df['payments'].sum()} payment(s) "
          "with no known location.")
    return 0


def _suppliers_load(args: argparse.Namespace) -> int:
    import getpass

    from dashboard import suppliers

    path = Path(args.file)
    summary = suppliers.load_file(args.network, path.read_bytes(), path.name, args.by or getpass.getuser(),
                                  scope=_operator())
    print(f"Registered {summary.rows} supplier(s) from {path.name} for network '{args.network}': "
          f"{summary.added} new, {summary.updated} updated.")
    return 0


def _registers_print(loaded) -> None:
    from dashboard import registers

    for item in loaded:
        what = "already loaded" if item.skipped else f"{item.entries:,} rows"
        print(f"{registers.TITLES[item.register]} of {item.release_date:%-d %B %Y}: {item.file_name}: {what}")


def _registers_load(args: argparse.Namespace) -> int:
    from dashboard import registers

    _registers_print(registers.load([Path(f) for f in args.files], progress=not args.quiet,
                                    synthetic=args.synthetic, force=args.force))
    return 0


def _registers_fetch(args: argparse.Namespace) -> int:
    import datetime as dt

    from dashboard import registers

    month = dt.date.fromisoformat(args.month + "-01") if args.month else None
    _registers_print(registers.fetch(Path(args.to), base_url=args.base_url, month=month, progress=not args.quiet))
    return 0


def _registers_status(args: argparse.Namespace) -> int:
    from dashboard import registers

    with store.connect() as con:
        loaded = registers.status(con.cursor())
    if not loaded:
        print("No registers loaded. Load the official files with: python -m dashboard registers load FILE [FILE ...]"
              ", or download them with: python -m dashboard registers fetch")
    for item in loaded:
        print(f"{item['title']}: register of {item['release_date']}, {item['entries']:,} organisations from "
              f"{', '.join(item['files'])}{'  (synthetic demo data)' if item['synthetic'] else ''}")
    return 0


def _suppliers_matches(args: argparse.Namespace) -> int:
    from dashboard import matching

    with store.connect() as con:
        df = matching.proposals(con.cursor(), args.network, scope=_operator())
    if df.empty:
        print(f"No proposed matches waiting for network '{args.network}'.")
        return 0
    shown = df[["supplier_key", "supplier_name", "spend_gbp", "register", "entity_id", "entity_name", "score",
                "method", "postcode"]]
    print(shown.to_string(index=False))
    print(f"{df['supplier_key'].nunique()} supplier(s) with proposed matches. Confirm one with: python -m dashboard "
          "suppliers confirm --network N --supplier KEY --register R --entity ID (or reject it with 'reject').")
    return 0


def _suppliers_decide(args: argparse.Namespace) -> int:
    from dashboard import matching

    decision = {"confirm": "confirmed", "reject": "rejected"}[args.action]
    matching.decide(args.network, args.supplier, args.register, args.entity, decision, scope=_operator())
    print(f"{decision.capitalize()}: '{args.supplier}' is {'' if decision == 'confirmed' else 'not '}"
          f"{args.register} {args.entity} in network '{args.network}'.")
    return 0


def _register_keys() -> tuple[str, ...]:
    from dashboard import registers

    return tuple(registers.TITLES)


def _operator():
    """The command line acts as the machine's operator: full rights, audited as cli:<os user>."""

    return access.system()


def _new_password(args: argparse.Namespace) -> str:
    """A password from the first line of stdin, or asked twice without echo."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise store.StoreError("The two passwords differ; nothing was changed.")
    return first


def _user_add(args: argparse.Namespace) -> int:

    password = None if args.sso_only else _new_password(args)
    user = access.create_user(_operator(), args.email, args.role, password, network_id=args.network,
                              institution_id=args.institution, initiatives=args.initiative)
    where = ", ".join(f"{k} {v}" for k, v in (("network", user.network_id), ("institution", user.institution_id))
                      if v)
    grants = ", ".join(f"{n}{'/' + i if i else ' (whole network)'}" for n, i in user.grants)
    print(f"Added {user.role} {user.email}" + (f" ({where})" if where else "") + (f"; sees {grants}" if grants else "")
          + ("; signs in by single sign-on only" if password is None else "") + ".")
    return 0


def _user_list(args: argparse.Namespace) -> int:

    with store.connect() as con:
        df = access.list_users(_operator(), con.cursor(), args.network)
    if df.empty:
        print("No accounts yet. Add one with: python -m dashboard user add --email E --role R")
        return 0
    df["created_at"] = df["created_at"].dt.strftime("%Y-%m-%d %H:%M")
    print(df.to_string(index=False))
    return 0


def _user_disable(args: argparse.Namespace) -> int:

    user = access.disable_user(_operator(), args.email)
    print(f"Disabled {user.email}: it can no longer sign in.")
    return 0


def _user_password(args: argparse.Namespace) -> int:

    access.set_password(_operator(), args.email, _new_password(args))
    print(f"Changed the password of {args.email.strip().lower()}.")
    return 0


def _user_grant(args: argparse.Namespace) -> int:

    user = access.grant(_operator(), args.email, args.network, args.initiative)
    print(f"{user.email} now sees: " + ", ".join(f"{n}{'/' + i if i else ' (whole network)'}" for n, i in user.grants))
    return 0


def _participant_delete(args: argparse.Namespace) -> int:
    from dashboard import erasure

    count = erasure.delete_participant(_operator(), args.network, args.institution, args.ref)
    if not count:
        print(f"No records of that participant in institution '{args.institution}'; nothing was deleted "
              "(the request is in the audit log).")
        return 1
    print(f"Deleted {count} record(s) of that participant from institution '{args.institution}'. The audit log "
          "keeps the count, not the reference.")
    return 0


def _participant_export(args: argparse.Namespace) -> int:
    from dashboard import subject_access

    rows = subject_access.export(_operator(), args.network, args.institution, args.ref)
    if rows.empty:
        print(subject_access.nothing_found(args.network, args.institution))
        return 1
    out = subject_access.save(rows, Path(args.out))
    print(f"Wrote {len(rows)} record(s) of that participant from institution '{args.institution}' to {out}. The "
          "audit log keeps the count, not the reference.")
    return 0


def _retention_set(args: argparse.Namespace) -> int:
    from dashboard import retention

    retention.set_rule(_operator(), args.network, None if args.none else args.years)
    if args.none:
        print(f"Network '{args.network}' has no retention rule now: its participants' records are kept until "
              "deleted.")
    else:
        print(f"Network '{args.network}' keeps participants' records {args.years} year(s) after their initiative "
              "ends (with no end date: after the record's last date). Apply it with: python -m dashboard "
              "retention apply")
    return 0


def _retention_status(args: argparse.Namespace) -> int:
    from dashboard import retention

    with store.connect() as con:
        rows = retention.rules(con.cursor(), args.network, args.on)
    if not rows:
        raise store.StoreError(f"There is no network '{args.network}'.")
    for r in rows:
        rule = f"kept {r['keep_years']} year(s) after the initiative ends" if r["keep_years"] else "no rule"
        print(f"{r['network_id']}: {rule}; {r['records_held']} record(s) held, {r['records_due']} due for removal"
              f"{' on ' + args.on.isoformat() if args.on else ''}, {r['people_tallied']} "
              "person(s) counted from records already removed.")
    return 0


def _retention_apply(args: argparse.Namespace) -> int:
    from dashboard import retention

    applied = retention.apply(_operator(), args.network)
    if not applied:
        print("No network has a retention rule; nothing was removed. Set one with: python -m dashboard retention set "
              "--network N --years Y")
    for a in applied:
        print(f"{a.network_id}: removed {a.records_removed} participant record(s) older than its rule "
              f"({a.keep_years} year(s)) from {len(a.submissions)} submission(s); their counts are kept, so every "
              "report adds up as before. Audited.")
    return 0


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{raw}' is not a date: write it as YYYY-MM-DD") from None


def _audit(args: argparse.Namespace) -> int:
    from dashboard import audit

    with store.connect() as con:
        df = audit.log(con.cursor(), args.network, scope=_operator(), limit=args.limit)
    if df.empty:
        print(f"Nothing in the audit log of network '{args.network}' yet.")
        return 0
    df["logged_at"] = df["logged_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    print(df.drop(columns=["audit_id", "network_id"]).fillna("").to_string(index=False))
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(prog="python -m dashboard", description="Anchor Impact command line.")
    sub = top.add_subparsers(dest="command", required=True)

    ref = sub.add_parser("refdata", help="official reference geography").add_subparsers(dest="action", required=True)
    p = ref.add_parser("load", help="build the reference tables from a directory of official files")
    p.add_argument("--from", dest="source", required=True, help="directory holding the published files")
    p.add_argument("--force", action="store_true", help="reload even if the same files were loaded")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_refdata_load)
    p = ref.add_parser("fetch", help="download the official files, verify them, then load them")
    p.add_argument("--to", default=str(config.cache_dir() / "reference"), help="where to keep the downloads")
    p.add_argument("--base-url", help="a mirror laid out like the reference directory")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_refdata_fetch)
    p = ref.add_parser("status", help="what reference data is loaded")
    p.set_defaults(func=_refdata_status)

    net = sub.add_parser("network", help="network definitions").add_subparsers(dest="action", required=True)
    p = net.add_parser("load", help="create or update networks from YAML files")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_network_load)
    p = net.add_parser("list", help="list networks")
    p.set_defaults(func=_network_list)
    p = net.add_parser("export", help="a network as the YAML 'network load' takes (loading it back changes nothing)")
    p.add_argument("network")
    p.add_argument("--out", help="write to this file (default: print it)")
    p.set_defaults(func=_network_export)

    p = sub.add_parser("ingest", help="check and commit a partner's participants or spend file")
    p.add_argument("--network", required=True)
    p.add_argument("--institution", required=True)
    p.add_argument("--kind", required=True, choices=["participants", "spend"])
    p.add_argument("--quarter", required=True, type=_quarter,
                   help="the quarter the submission covers, e.g. 2025Q3 or, in financial years, 2025/26Q2")
    p.add_argument("--by", help="who is submitting (default: your user name)")
    p.add_argument("--map", action="append", default=[], metavar="'SOURCE HEADER=field'",
                   help="which field a column of your file holds, e.g. --map 'Net Amount=amount_gbp'; repeatable. "
                        "Needed when a file has two candidates (say Net and Gross Amount); remembered for next time")
    p.add_argument("--leave-out", action="append", default=[], choices=["no-amount", "no-date"],
                   help="leave out spend rows with no amount (no-amount) or no payment date (no-date); repeatable. "
                        "The rows, the reason and their total are recorded with the submission")
    p.add_argument("--date-to-quarter", action="store_true",
                   help="date spend rows that have no payment date (all of them, if the file has no usable date "
                        "column) to the submission's quarter; recorded with the submission")
    p.add_argument("file")
    p.set_defaults(func=_ingest)

    p = sub.add_parser("submissions", help="list a network's submissions, newest first")
    p.add_argument("--network", required=True)
    p.set_defaults(func=_submissions)

    p = sub.add_parser("cluster", help="keep each network's rows together, so its figures skip the others' (nightly)")
    p.set_defaults(func=_cluster)

    p = sub.add_parser("backup", help="a checked snapshot of the database and its manifest in one .zip (nightly)")
    p.add_argument("--out", required=True, help="the backup file to write, e.g. backups/anchor-2026-12-06.zip")
    p.set_defaults(func=_backup)

    p = sub.add_parser("restore", help="a database from a backup, checked in full first; a damaged one writes nothing")
    p.add_argument("file", help="the backup file 'backup' wrote")
    p.add_argument("--to", required=True, help="the database file to write")
    p.add_argument("--force", action="store_true", help="replace the database --to names if it exists")
    p.set_defaults(func=_restore)

    p = sub.add_parser("doctor", help="check the installation read-only: what is wrong and what to run (exit 1 on a "
                                      "problem)")
    p.set_defaults(func=_doctor)

    p = sub.add_parser("report", help="figures for a network, initiative or institution")
    _selection_arguments(p)
    p.add_argument("--json", action="store_true", help="print JSON: the report and every section the pages show")
    p.add_argument("--sections", help="with --json, only these comma-separated sections (default: all)")
    p.set_defaults(func=_report)

    p = sub.add_parser("pack", help="the funder pack: every table of a selection in one .xlsx, as that reader sees it")
    _selection_arguments(p)
    p.add_argument("--out", required=True, help="the .xlsx file to write")
    p.set_defaults(func=_export, build=("pack",))

    p = sub.add_parser("deck", help="the meeting's slides as a PowerPoint deck (.pptx) or a PDF, as that reader sees "
                                    "them")
    _selection_arguments(p)
    p.add_argument("--out", required=True, help="the .pptx or .pdf file to write")
    p.set_defaults(func=_export, build=("deck", "pdf"))

    demo_cmd = sub.add_parser("demo", help="the synthetic demo networks: build (the default) or remove them")
    demo_cmd.add_argument("--quiet", action="store_true")
    demo_cmd.set_defaults(func=_demo)
    demo_sub = demo_cmd.add_subparsers(dest="action")
    p = demo_sub.add_parser("build", help="create the demo networks through the normal ingest; unchanged files skip")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_demo)
    p = demo_sub.add_parser("remove", help="remove the demo networks, their data and accounts, audited")
    p.set_defaults(func=_demo_remove)

    p = sub.add_parser("setup", help="first-run set-up: reference data and demo, as 'make run' does")
    p.add_argument("--no-demo", action="store_true",
                   help="a real installation: no demo networks or accounts; the first administrator from "
                        "ANCHOR_ADMIN_EMAIL and ANCHOR_ADMIN_PASSWORD, or asked for (same as ANCHOR_DEMO=0)")
    p.set_defaults(func=_setup)

    sup = sub.add_parser("suppliers", help="the supplier register, which places spend without postcodes")
    sup = sup.add_subparsers(dest="action", required=True)
    p = sup.add_parser("list", help="list a network's registered suppliers")
    p.add_argument("--network", required=True)
    p.set_defaults(func=_suppliers_list)
    p = sup.add_parser("unclassified", help="suppliers whose spend has no known location, largest first")
    p.add_argument("--network", required=True)
    p.add_argument("--from", dest="from_quarter", type=_quarter, help="first quarter, e.g. 2025Q1 (default: all)")
    p.add_argument("--to", dest="to_quarter", type=_quarter, help="last quarter (default: all)")
    p.add_argument("--csv", action="store_true", help="print CSV to fill in and load back")
    p.set_defaults(func=_suppliers_unclassified)
    p = sup.add_parser("load", help="add or update suppliers from a CSV or XLSX supplier list, all or nothing")
    p.add_argument("--network", required=True)
    p.add_argument("--by", help="who is updating (default: your user name)")
    p.add_argument("file")
    p.set_defaults(func=_suppliers_load)
    p = sup.add_parser("matches", help="proposed register matches waiting for a decision, largest spend first")
    p.add_argument("--network", required=True)
    p.set_defaults(func=_suppliers_matches)
    for action, what in (("confirm", "use a proposed register match"), ("reject", "never use a register match")):
        p = sup.add_parser(action, help=f"{what}, audited")
        p.add_argument("--network", required=True)
        p.add_argument("--supplier", required=True, help="the supplier's key, as 'suppliers matches' lists it")
        p.add_argument("--register", required=True, choices=list(_register_keys()))
        p.add_argument("--entity", required=True, help="the register's number of the entry")
        p.set_defaults(func=_suppliers_decide)

    reg = sub.add_parser("registers", help="Companies House and the charity registers, which place suppliers")
    reg = reg.add_subparsers(dest="action", required=True)
    p = reg.add_parser("load", help="load register files as published (zip, CSV or TXT); told apart by header")
    p.add_argument("files", nargs="+")
    p.add_argument("--synthetic", action="store_true", help="mark them as synthetic demo data")
    p.add_argument("--force", action="store_true", help="read a file again even if it was loaded")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_registers_load)
    p = reg.add_parser("fetch", help="download the registers from their publishers, check them and load them")
    p.add_argument("--to", default=str(config.cache_dir() / "registers"), help="where to keep the downloads")
    p.add_argument("--base-url", help="a mirror holding the files under their published names")
    p.add_argument("--month", help="Companies House's month, e.g. 2026-12 (default: this month, else the last)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_registers_fetch)
    p = reg.add_parser("status", help="which registers are loaded, of what date")
    p.set_defaults(func=_registers_status)

    users = sub.add_parser("user", help="sign-in accounts").add_subparsers(dest="action", required=True)
    p = users.add_parser("add", help="add an account; the password is asked for, never shown")
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, choices=["admin", "coordinator", "partner", "funder"])
    p.add_argument("--network", help="coordinator, partner: their network; funder: the network they see")
    p.add_argument("--institution", help="partner: their institution")
    p.add_argument("--initiative", action="append", default=[],
                   help="funder: an initiative they see (repeatable; default: the whole network)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.add_argument("--sso-only", action="store_true", help="no password: signs in by single sign-on only")
    p.set_defaults(func=_user_add)
    p = users.add_parser("list", help="list accounts")
    p.add_argument("--network", help="only this network's accounts")
    p.set_defaults(func=_user_list)
    p = users.add_parser("disable", help="stop an account signing in")
    p.add_argument("--email", required=True)
    p.set_defaults(func=_user_disable)
    p = users.add_parser("password", help="set a new password for an account")
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(func=_user_password)
    p = users.add_parser("grant", help="let a funder see a network or one of its initiatives")
    p.add_argument("--email", required=True)
    p.add_argument("--network", required=True)
    p.add_argument("--initiative", help="one initiative (default: the whole network)")
    p.set_defaults(func=_user_grant)

    part = sub.add_parser("participant", help="data-subject requests").add_subparsers(dest="action", required=True)
    p = part.add_parser("delete", help="delete every record of one participant of an institution, by reference")
    p.add_argument("--network", required=True)
    p.add_argument("--institution", required=True)
    p.add_argument("--ref", required=True, help="the participant's reference, as in the institution's uploads")
    p.set_defaults(func=_participant_delete)
    p = part.add_parser("export", help="every record held about one participant of an institution, as CSV (right of "
                        "access)")
    p.add_argument("--network", required=True)
    p.add_argument("--institution", required=True)
    p.add_argument("--ref", required=True, help="the participant's reference, as in the institution's uploads")
    p.add_argument("--out", required=True, help="the CSV file to write")
    p.set_defaults(func=_participant_export)

    ret = sub.add_parser("retention", help="how long participants' records are kept (storage limitation)")
    ret = ret.add_subparsers(dest="action", required=True)
    p = ret.add_parser("set", help="keep a network's participant records N years after their initiative ends")
    p.add_argument("--network", required=True)
    rule = p.add_mutually_exclusive_group(required=True)
    rule.add_argument("--years", type=int, help="years to keep a record after its initiative ends")
    rule.add_argument("--none", action="store_true", help="remove the rule: keep records until deleted")
    p.set_defaults(func=_retention_set)
    p = ret.add_parser("status", help="each network's rule, its records held and how many are due for removal")
    p.add_argument("--network", help="one network (default: all)")
    p.add_argument("--on", type=_date, help="count what is due on this date, YYYY-MM-DD (default: today)")
    p.set_defaults(func=_retention_status)
    p = ret.add_parser("apply", help="replace the records past each rule with counts, keeping every report (nightly)")
    p.add_argument("--network", help="one network (default: every network with a rule)")
    p.set_defaults(func=_retention_apply)

    p = sub.add_parser("audit", help="a network's audit log, newest first")
    p.add_argument("--network", required=True)
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(func=_audit)

    p = sub.add_parser("templates", help="write the upload templates (CSV and XLSX)")
    p.add_argument("--out", default=str(config.DATA_DIR / "templates"))
    p.set_defaults(func=_templates)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except store.StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted; nothing was half-written (every write is one transaction).", file=sys.stderr)
        return 130
