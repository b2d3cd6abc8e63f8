"""The synthetic demo: partner files generated in the template formats and put through ingest."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from dashboard import config, contract, demo_registers, ingest, networks, parsing, registers, store

DEMO_NETWORKS = ("birmingham", "london")
QUARTERS = [parsing.shift_quarter("2024Q4", i) for i in range(8)]  # 2024Q4 .. 2026Q3
SEED = 20241001
DEMO_USER = "demo-generator"

# Which institutions recruit for each initiative, and how strongly each pulls from deprived areas
# (weight of decile d is exp(-pull * (d - 1))). Participants per quarter grow as schemes mature.
PROGRAMMES = {
    "birmingham": {
        "hospitality-to-health": {"partners": ["uhb", "bmet"], "pull": 0.22, "per_quarter": 34},
        "i-can": {"partners": ["bcc", "uhb", "smbc"], "pull": 0.45, "per_quarter": 26},
    },
    "london": {
        "health-careers": {"partners": ["barts", "ncl"], "pull": 0.25, "per_quarter": 30},
        "i-can": {"partners": ["lbn", "lbth"], "pull": 0.42, "per_quarter": 22},
    },
}
SUPPLY_CHAIN = {"birmingham": "buy-local", "london": None}
EMPLOYERS = {"birmingham": ["uhb", "bcc", "uob", "midland-heart"], "london": ["barts", "lbth", "qmul"]}
# Of job starters whose six months are up, the share followed up, and of those the share still in post.
FOLLOWED_UP, STILL_IN_POST = 0.7, 0.82
SIX_MONTHS = dt.timedelta(days=183)

_SUPPLIER_WORDS = (
    ["Digbeth", "Balsall", "Aston", "Sparkbrook", "Kings Heath", "Erdington", "Moseley", "Acocks", "Hockley",
     "Bordesley", "Small Heath", "Nechells", "Selly", "Ladywood", "Handsworth", "Stechford", "Castle Vale"],
    ["Catering", "Print", "Cleaning Services", "Building Maintenance", "Electrical", "Facilities", "Laundry",
     "IT Support", "Training", "Logistics", "Security", "Grounds Care", "Joinery", "Medical Supplies",
     "Translation", "Office Supplies", "Waste Services", "Couriers"],
    ["Ltd", "Limited", "CIC", "Co-operative", "LLP", "Trust"],
)
_CATEGORIES = ["Catering", "Facilities management", "Construction and repairs", "ICT", "Professional services",
               "Clinical supplies", "Training", "Transport", "Cleaning", "Printing and stationery"]


def _quarter_day(rng: np.random.Generator, quarter: str) -> dt.date:
    first, last = parsing.quarter_bounds(quarter)
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _fmt(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


def _by_decile(pool: pd.DataFrame, pull: float, n: int, rng: np.random.Generator) -> list[str]:
    """Draw n postcodes, weighting each decile by exp(-pull * (decile - 1))."""
    weights = np.exp(-pull * (pool["imd_decile"].to_numpy() - 1))
    picks = rng.choice(len(pool), size=n, p=weights / weights.sum())
    return pool["postcode"].to_numpy()[picks].tolist()


def participant_files(network_id: str, pool: pd.DataFrame, rng: np.random.Generator, last_day: dt.date
                      ) -> list[tuple[str, str, pd.DataFrame]]:
    """(institution, quarter, rows) for every participants file the network's partners upload."""
    files = []
    serial = 0
    # Follow-ups draw from their own stream, so adding them left every other generated value as it was.
    follow_up = np.random.default_rng([SEED, DEMO_NETWORKS.index(network_id), 1])
    for initiative_id, plan in PROGRAMMES[network_id].items():
        for q_index, quarter in enumerate(QUARTERS):
            for institution_id in plan["partners"]:
                n = int(rng.poisson(plan["per_quarter"] * (0.6 + 0.08 * q_index) / len(plan["partners"])))
                postcodes = _by_decile(pool, plan["pull"], n, rng)
                rows = []
                for postcode in postcodes:
                    serial += 1
                    start = _quarter_day(rng, quarter)
                    completion = start + dt.timedelta(days=int(rng.integers(35, 80))) if rng.random() < 0.78 else None
                    job = None
                    if completion and rng.random() < 0.62:
                        job = completion + dt.timedelta(days=int(rng.integers(7, 60)))
                    completion = completion if completion and completion <= last_day else None
                    job = job if job and completion and job <= last_day else None
                    in_post = ""
                    if job and job + SIX_MONTHS <= last_day and follow_up.random() < FOLLOWED_UP:
                        in_post = "Yes" if follow_up.random() < STILL_IN_POST else "No"
                    rows.append({
                        "participant_ref": f"{initiative_id[:3].upper()}-{institution_id.upper()}-{serial:05d}",
                        "initiative": initiative_id,
                        "home_postcode": postcode.lower() if rng.random() < 0.1 else postcode,
                        "lsoa_code": "",
                        "start_date": _fmt(start),
                        "completion_date": _fmt(completion),
                        "job_start_date": _fmt(job),
                        "employer": "" if job is None else str(rng.choice(EMPLOYERS[network_id])),
                        "in_post_6_months": in_post,
                        "age_band": str(rng.choice(contract.AGE_BANDS[:5], p=[0.34, 0.28, 0.22, 0.14, 0.02])),
                        "gender": str(rng.choice(contract.GENDERS[:2] + ("Prefer not to say",), p=[0.55, 0.42, 0.03])),
                        "ethnicity": str(rng.choice(contract.ETHNIC_GROUPS[:5], p=[0.36, 0.16, 0.06, 0.38, 0.04])),
                        "disability": str(rng.choice(contract.DISABILITY, p=[0.14, 0.8, 0.06])),
                    })
                if rows:
                    files.append((institution_id, quarter, pd.DataFrame(rows)))
    # A partner sends one participants file a quarter, with every initiative it runs in it: a second file
    # for the same quarter would replace the first.
    merged: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for institution_id, quarter, rows in files:
        merged.setdefault((institution_id, quarter), []).append(rows)
    return [(i, q, pd.concat(parts, ignore_index=True)) for (i, q), parts in merged.items()]


def _suppliers(network_id: str, pool: pd.DataFrame, elsewhere: dict[str, list[str]], rng: np.random.Generator
               ) -> pd.DataFrame:
    """A register of plausible suppliers: most local, some elsewhere in Britain, some of unknown location."""
    names, seen = [], set()
    while len(names) < 140:
        name = " ".join(str(rng.choice(words)) for words in _SUPPLIER_WORDS)
        if network_id == "london":
            name = name.replace("Digbeth", "Bow").replace("Balsall", "Stratford").replace("Aston", "Poplar")
        if name not in seen:
            seen.add(name)
            names.append(name)
    rows = []
    local = _by_decile(pool, 0.12, len(names), rng)
    for i, name in enumerate(names):
        where = rng.random()
        if where < 0.58:
            postcode = local[i]
        elif where < 0.80:
            postcode = str(rng.choice(elsewhere["England"]))
        elif where < 0.84:
            postcode = str(rng.choice(elsewhere["Wales"] if rng.random() < 0.5 else elsewhere["Scotland"]))
        else:
            postcode = ""
        is_vcse = name.endswith(("CIC", "Co-operative", "Trust"))
        rows.append({
            "supplier_name": name,
            "supplier_id": f"{rng.integers(1_000_000, 13_999_999):08d}" if rng.random() < 0.7 else "",
            "supplier_postcode": postcode,
            "is_sme": "" if rng.random() < 0.1 else ("Yes" if is_vcse or rng.random() < 0.6 else "No"),
            "is_vcse": "Yes" if is_vcse else ("" if rng.random() < 0.15 else "No"),
            "category": str(rng.choice(_CATEGORIES)),
            "size": float(rng.lognormal(0, 1.0)),
        })
    return pd.DataFrame(rows)


def spend_files(network_id: str, institution_ids: list[str], suppliers: pd.DataFrame, rng: np.random.Generator
                ) -> list[tuple[str, str, pd.DataFrame]]:
    """(institution, quarter, rows) for every spend file: one row per payment over £500."""
    files = []
    weights = suppliers["size"].to_numpy() / suppliers["size"].sum()
    initiative = SUPPLY_CHAIN[network_id]
    for q_index, quarter in enumerate(QUARTERS):
        for institution_id in institution_ids:
            n = int(rng.integers(40, 90))
            picks = rng.choice(len(suppliers), size=n, p=weights)
            rows = []
            for pick in picks:
                s = suppliers.iloc[pick]
                amount = round(float(500 + rng.lognormal(7.6, 1.1)), 2)
                if rng.random() < 0.03:
                    amount = -round(amount / 4, 2)  # a credit note
                tagged = initiative and s.get("tag_vcse", s["is_vcse"]) == "Yes" and q_index >= 1
                rows.append({
                    "supplier_name": s["supplier_name"],
                    "supplier_id": s["supplier_id"],
                    "supplier_postcode": s["supplier_postcode"],
                    "supplier_lsoa_code": "",
                    "amount_gbp": f"{amount:.2f}",
                    "payment_date": _fmt(_quarter_day(rng, quarter)),
                    "category": s["category"],
                    "is_sme": s["is_sme"],
                    "is_vcse": s["is_vcse"],
                    "initiative": initiative if tagged else "",
                })
            files.append((institution_id, quarter, pd.DataFrame(rows)))
    return files


def build(*, progress: bool = True, db: Path | None = None, out_dir: Path | None = None) -> dict:
    """Create the demo networks and ingest their generated files; re-running changes nothing."""
    # Beside the database they go into (data/demo_uploads by default), so a copy named by ANCHOR_DB keeps its own.
    out_dir = out_dir or (db or config.db_path()).parent / "demo_uploads"
    last_day = parsing.quarter_bounds(QUARTERS[-1])[1]
    planned: list[tuple[str, str, str, str, Path]] = []
    companies: list[dict[str, str]] = []
    charities: list[dict[str, str]] = []
    registered: set[str] = set()
    for network_id in DEMO_NETWORKS:
        networks.load(config.DATA_DIR / "networks" / f"{network_id}.yaml", db)
        rng = np.random.default_rng([SEED, DEMO_NETWORKS.index(network_id)])
        # The registers' own draws, apart: the rest of the demo is the same with or without them.
        register_rng = np.random.default_rng([SEED, DEMO_NETWORKS.index(network_id), 1])
        with store.connect(db) as con:
            cur = con.cursor()
            pool = store.run(cur, "demo_postcode_pool", network_id=network_id)
            elsewhere = {nation: store.run(cur, "demo_postcode_elsewhere", network_id=network_id, nation=nation,
                                           step=step)["postcode"].tolist()
                         for nation, step in (("England", 997), ("Wales", 211), ("Scotland", 307))}
            institution_ids = store.run(cur, "network_institutions", network_id=network_id)["institution_id"]
        folder = out_dir / network_id
        folder.mkdir(parents=True, exist_ok=True)
        people = participant_files(network_id, pool, rng, last_day)
        suppliers = _suppliers(network_id, pool, elsewhere, rng).assign(
            tag_vcse=lambda df: df["is_vcse"])
        in_files, network_companies, network_charities = demo_registers.split(suppliers, registered, register_rng)
        companies += network_companies
        charities += network_charities
        payments = demo_registers.redact(spend_files(network_id, sorted(institution_ids), in_files, rng),
                                         register_rng)
        for kind, files in (("participants", people), ("spend", payments)):
            for institution_id, quarter, rows in files:
                path = folder / f"{institution_id}_{kind}_{quarter}.csv"
                rows.to_csv(path, index=False)
                planned.append((network_id, institution_id, kind, quarter, path))
    register_files = demo_registers.write(out_dir / "registers", companies, charities)
    with store.connect(db) as con:
        real = [r for r in registers.status(con.cursor()) if not r["synthetic"]]
    if not real:  # an installation with the real registers keeps them
        registers.load(register_files, db, progress=progress, synthetic=True)
    committed = unchanged = rows_total = 0
    for network_id, institution_id, kind, quarter, path in tqdm(planned, desc="Ingesting demo files",
                                                                 disable=not progress, unit="file"):
        receipt = ingest.ingest(network_id, institution_id, kind, quarter, path, submitted_by=DEMO_USER, db=db)
        unchanged += receipt.unchanged
        committed += not receipt.unchanged
        rows_total += receipt.rows
    accounts = demo_accounts(db)
    return {"networks": list(DEMO_NETWORKS), "files": len(planned), "committed": committed,
            "unchanged": unchanged, "rows": rows_total, "quarters": f"{QUARTERS[0]} to {QUARTERS[-1]}",
            "accounts": accounts}


def demo_accounts(db: Path | None = None) -> list[str]:
    """One account per role for the demo networks, made once; their shared password is printed that once only."""
    import secrets
    import sys

    from dashboard import access

    plan = [("admin@demo.example", "admin", None, None)]
    for network_id in DEMO_NETWORKS:
        partner = next(iter(PROGRAMMES[network_id].values()))["partners"][0]
        plan += [(f"coordinator@{network_id}.demo.example", "coordinator", network_id, None),
                 (f"partner@{network_id}.demo.example", "partner", network_id, partner),
                 (f"funder@{network_id}.demo.example", "funder", network_id, None)]
    with store.connect(db) as con:
        if access.get_user(con.cursor(), plan[0][0]) is not None:
            return [email for email, *_ in plan]
    password = secrets.token_urlsafe(12)
    operator = access.system(DEMO_USER)
    for email, role, network_id, institution_id in plan:
        access.create_user(operator, email, role, password, network_id=network_id, institution_id=institution_id,
                           db=db)
    print("\nDemo accounts (synthetic demo only: change or disable them before real data goes in):\n"
          + "".join(f"  {role:<12} {email}\n" for email, role, *_ in plan)
          + f"  password for all of them, shown this once: {password}\n"
          "Sign in on the dashboard's sign-in page with one of these emails and that password. Set a new one "
          "with: python -m dashboard user password --email EMAIL\n", file=sys.stderr, flush=True)
    return [email for email, *_ in plan]


def accounts_beside_real_networks(con) -> list[str]:
    """The demo's accounts that can still sign in where a real network also lives: an administrator is warned."""
    return store.run(con, "demo_accounts_beside_real", demo_user=DEMO_USER)["email"].tolist()


def was_removed(con) -> bool:
    """Whether `demo remove` has been run on this installation (set-up then never builds the demo again)."""
    return int(store.run(con, "demo_removed")["removals"].iloc[0]) > 0


def exists(con) -> bool:
    """Whether the demo networks hold data already."""
    return int(store.run(con, "demo_submission_count")["submissions"].iloc[0]) > 0


def remove(db: Path | None = None, *, scope=None) -> dict:
    """Remove the demo networks, their data and accounts and the synthetic registers, audited, in one transaction.

    A real network is never touched; its suppliers are matched again without the synthetic registers.
    """
    from dashboard import access, audit, matching, summaries

    scope = scope or access.system()
    access.require_admin(scope)

    def apply(cur) -> dict:
        plan = store.run(cur, "demo_remove_plan", demo_user=DEMO_USER).iloc[0]
        removed = {key: list(plan[key]) for key in ("networks", "accounts", "register_files")}
        store.run(cur, "demo_remove_accounts", demo_user=DEMO_USER)
        store.run(cur, "demo_remove")
        if removed["register_files"]:
            for network_id in store.run(cur, "networks")["network_id"]:
                matching.refresh(cur, network_id, everything=True)
            summaries.rebuild(cur)  # the registers' matches changed
        audit.record(cur, scope, "demo.remove", None, detail=removed)
        return removed

    return store.write(apply, db)
