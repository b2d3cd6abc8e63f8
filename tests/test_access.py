"""Access: who may see and do what, checked in the core; sign-in; the audit log; data-subject deletion.

The matrices list, for every role, what it may do with an in-scope and an out-of-scope network,
institution and initiative, written out by hand from the roles in the issue, not derived from the code.
"""

import json
import os
import shutil
import subprocess
import sys

import bcrypt
import duckdb
import pandas as pd
import pytest

from dashboard import access, audit, config, erasure, ingest, networks, store, suppliers
from dashboard.access import Scope
from tests import tiny

PASSWORD = "correct horse battery"
HEADER = "participant_ref,initiative,home_postcode,start_date\n"
REGISTER_ROW = pd.DataFrame([{"supplier_name": "Acme Ltd", "supplier_postcode": "B1 1AA"}])

# The network 'tiny' (institutions trust and council; initiatives h2h and ican) and a second network 'other'.
SCOPES = {
    "system": access.system("cli:tester"),
    "admin": Scope("admin@x.example", "admin"),
    "coordinator": Scope("coord@x.example", "coordinator", "tiny"),
    "partner": Scope("partner@x.example", "partner", "tiny", "trust"),
    "funder": Scope("funder@x.example", "funder", grants=frozenset({("tiny", None)})),
    "funder_h2h": Scope("funder2@x.example", "funder", grants=frozenset({("tiny", "h2h")})),
    "public": Scope("public", "public", "tiny"),
}

# (network, institution, initiative) -> roles that may read figures of it.
READ = {
    ("tiny", None, None): {"system", "admin", "coordinator", "partner", "funder", "public"},
    ("tiny", "trust", None): {"system", "admin", "coordinator", "partner", "funder", "public"},
    ("tiny", "council", None): {"system", "admin", "coordinator", "funder", "public"},
    ("tiny", None, "h2h"): {"system", "admin", "coordinator", "partner", "funder", "funder_h2h", "public"},
    ("tiny", None, "ican"): {"system", "admin", "coordinator", "partner", "funder", "public"},
    ("tiny", "trust", "h2h"): {"system", "admin", "coordinator", "partner", "funder", "funder_h2h", "public"},
    ("tiny", "council", "h2h"): {"system", "admin", "coordinator", "funder", "funder_h2h", "public"},
    ("other", None, None): {"system", "admin"},
    ("other", None, "h2h"): {"system", "admin"},
}
# (network, institution) -> roles that see row-level data / exact figures / may upload there.
ROWS = {
    ("tiny", None): {"system", "admin", "coordinator"},
    ("tiny", "trust"): {"system", "admin", "coordinator", "partner"},
    ("tiny", "council"): {"system", "admin", "coordinator"},
    ("other", None): {"system", "admin"},
    ("other", "o-one"): {"system", "admin"},
}
EXACT = ROWS
UPLOAD = {
    ("tiny", "trust"): {"system", "admin", "coordinator", "partner"},
    ("tiny", "council"): {"system", "admin", "coordinator"},
    ("other", "o-one"): {"system", "admin"},
}
MANAGE = {"tiny": {"system", "admin", "coordinator"}, "other": {"system", "admin"}}
VISIBLE = {"system": ["other", "tiny"], "admin": ["other", "tiny"], "coordinator": ["tiny"], "partner": ["tiny"],
           "funder": ["tiny"], "funder_h2h": ["tiny"], "public": ["tiny"]}


def _cases(table):
    return [(role, key, role in allowed) for key, allowed in table.items() for role in SCOPES]


@pytest.mark.parametrize(("role", "target", "allowed"), _cases(READ))
def test_read_matrix(role, target, allowed):
    scope = SCOPES[role]
    assert access.can_read(scope, *target) is allowed
    if allowed:
        access.require_read(scope, *target)
    else:
        with pytest.raises(access.Denied, match="may not see figures"):
            access.require_read(scope, *target)


@pytest.mark.parametrize(("role", "target", "allowed"), _cases(ROWS))
def test_row_level_matrix(role, target, allowed):
    assert access.can_read_rows(SCOPES[role], *target) is allowed


@pytest.mark.parametrize(("role", "target", "allowed"), _cases(EXACT))
def test_exact_figures_matrix(role, target, allowed):
    # False means the page must show disclosure-controlled figures.
    assert access.exact_figures(SCOPES[role], *target) is allowed


@pytest.mark.parametrize(("role", "target", "allowed"), _cases(UPLOAD))
def test_upload_matrix(role, target, allowed):
    assert access.can_upload(SCOPES[role], *target) is allowed
    if not allowed:
        with pytest.raises(access.Denied):
            access.require_upload(SCOPES[role], *target)


@pytest.mark.parametrize(("role", "network_id", "allowed"), [(r, n, r in ok) for n, ok in MANAGE.items()
                                                            for r in SCOPES])
def test_manage_matrix(role, network_id, allowed):
    assert access.can_manage(SCOPES[role], network_id) is allowed


def test_a_funder_given_one_initiative_sees_only_that_one():
    assert access.readable_initiatives(SCOPES["funder_h2h"], "tiny") == frozenset({"h2h"})
    assert access.readable_initiatives(SCOPES["funder"], "tiny") is None
    assert access.readable_initiatives(SCOPES["partner"], "other") == frozenset()


# Against a database: the core's entry points refuse what the scope does not allow, and write nothing.


@pytest.fixture(scope="module")
def two_networks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("access")
    path = tiny.build(folder / "tiny.duckdb")
    other = (tiny.TINY / "network.yaml").read_text().replace("id: tiny", "id: other").replace(
        "id: trust", "id: o-one").replace("lead: trust", "lead: o-one").replace("Tiny Test", "Other")
    (folder / "other.yaml").write_text(other)
    networks.load(folder / "other.yaml", path)
    return path


@pytest.fixture
def db(tmp_path, two_networks, monkeypatch):
    path = tmp_path / "anchor.duckdb"
    shutil.copyfile(two_networks, path)
    monkeypatch.setenv("ANCHOR_DB", str(path))
    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)  # fast hashes in tests; the same algorithm
    return path


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def _rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _dump(db) -> str:
    """Every row of every table, as text."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()]
        return "\n".join(con.table(n).df().to_csv(index=False) for n in sorted(names))
    finally:
        con.close()


def _audit(db, action=None):
    rows = _rows(db, "select actor_email, role, action, network_id, institution_id, detail from audit_log "
                     "order by audit_id")
    return [r for r in rows if action is None or r[2] == action]


def _read_log(scope, network_id):
    with store.connect() as con:
        return audit.log(con.cursor(), network_id, scope=scope)


def _upload(scope, network_id, institution_id, ref="R1"):
    preview = ingest.prepare(network_id, institution_id, "participants", "2025Q1",
                             _csv(f"{ref},h2h,B1 1AA,10/01/2025"), "p.csv", scope=scope)
    assert preview.ok, preview.problems
    return ingest.commit(preview, scope=scope)


ACTIONS = {
    "upload": lambda s, net, inst: _upload(s, net, inst),
    "delete_participant": lambda s, net, inst: erasure.delete_participant(s, net, inst, "R1"),
    "supplier_register": lambda s, net, inst: suppliers.upsert(net, REGISTER_ROW, "x", scope=s),
    "audit_log": lambda s, net, inst: _read_log(s, net),
    "add_partner": lambda s, net, inst: access.create_user(s, f"new@{net}.example", "partner", PASSWORD,
                                                            network_id=net, institution_id=inst),
    "add_coordinator": lambda s, net, inst: access.create_user(s, f"c@{net}.example", "coordinator", PASSWORD,
                                                                network_id=net),
}
TARGETS = {"own": ("tiny", "trust"), "other_institution": ("tiny", "council"), "other_network": ("other", "o-one")}
ALLOWED = {
    "upload": UPLOAD, "delete_participant": UPLOAD,
    "supplier_register": {k: MANAGE[k[0]] for k in UPLOAD}, "audit_log": {k: MANAGE[k[0]] for k in UPLOAD},
    "add_partner": {k: MANAGE[k[0]] for k in UPLOAD},
    "add_coordinator": {k: {"system", "admin"} for k in UPLOAD},
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", SCOPES)
def test_core_actions_matrix(db, role, action, target):
    network_id, institution_id = TARGETS[target]
    allowed = role in ALLOWED[action][(network_id, institution_id)]
    before = _dump(db)
    if allowed:
        ACTIONS[action](SCOPES[role], network_id, institution_id)
        return
    with pytest.raises(access.Denied):
        ACTIONS[action](SCOPES[role], network_id, institution_id)
    assert _dump(db) == before  # refused before anything was written, the audit log included


def test_a_preview_checked_by_a_coordinator_cannot_be_committed_by_another_institutions_partner(db):
    preview = ingest.prepare("tiny", "council", "participants", "2025Q1", _csv("R1,h2h,B1 1AA,10/01/2025"),
                             "p.csv", scope=SCOPES["coordinator"])
    with pytest.raises(access.Denied):
        ingest.commit(preview, scope=SCOPES["partner"])
    assert _rows(db, "select count(*) from submission") == [(0,)]


def test_networks_are_created_by_admins_and_updated_by_their_coordinator(db, tmp_path):
    new = tmp_path / "new.yaml"
    new.write_text((tiny.TINY / "network.yaml").read_text().replace("id: tiny", "id: new-net"))
    with pytest.raises(access.Denied):
        networks.load(new, scope=SCOPES["coordinator"])
    assert networks.load(tiny.TINY / "network.yaml", scope=SCOPES["coordinator"]) == "tiny"
    assert networks.load(new, scope=SCOPES["admin"]) == "new-net"
    with pytest.raises(access.Denied):
        networks.load(new, scope=SCOPES["coordinator"])  # not their network
    assert [(r[0], r[2], r[3]) for r in _audit(db, "network.load")][-2:] == [
        ("coord@x.example", "network.load", "tiny"), ("admin@x.example", "network.load", "new-net")]


def test_visible_networks(db):
    with store.connect() as con:
        for role, expected in VISIBLE.items():
            assert sorted(access.visible_networks(SCOPES[role], con.cursor())["network_id"]) == expected, role


def test_public_view_only_where_the_network_turns_it_on(db, tmp_path):
    with store.connect() as con, pytest.raises(access.Denied, match="no public view"):
        access.public(con.cursor(), "tiny")
    yaml_text = (tiny.TINY / "network.yaml").read_text() + "access:\n  public_view: true\n"
    (tmp_path / "tiny.yaml").write_text(yaml_text)
    networks.load(tmp_path / "tiny.yaml")
    with store.connect() as con:
        scope = access.public(con.cursor(), "tiny")
    assert (scope.role, scope.network_id) == ("public", "tiny")
    assert not access.exact_figures(scope, "tiny") and not access.can_read_rows(scope, "tiny")
    assert access.can_read(scope, "tiny") and not access.can_read(scope, "other")


# Accounts and sign-in


def test_passwords_are_stored_as_bcrypt_hashes_never_as_text(db):
    access.create_user(SCOPES["admin"], "Partner@Trust.Example ", "partner", PASSWORD, network_id="tiny",
                       institution_id="trust")
    [(email, password_hash)] = _rows(db, "select email, password_hash from app_user")
    assert email == "partner@trust.example"
    assert password_hash.startswith("$2b$04$") and bcrypt.checkpw(PASSWORD.encode(), password_hash.encode())
    assert PASSWORD not in _dump(db)
    user = access.authenticate("PARTNER@trust.example", PASSWORD)
    assert (user.email, user.role, user.network_id, user.institution_id) == ("partner@trust.example", "partner",
                                                                             "tiny", "trust")
    assert PASSWORD not in _dump(db)


def test_weak_or_overlong_passwords_are_refused(db):
    with pytest.raises(store.StoreError, match="at least 12"):
        access.create_user(SCOPES["admin"], "a@x.example", "admin", "short")
    with pytest.raises(store.StoreError, match="at most 72 bytes"):
        access.create_user(SCOPES["admin"], "a@x.example", "admin", "é" * 40)
    assert _rows(db, "select count(*) from app_user") == [(0,)]


@pytest.mark.parametrize(("role", "network_id", "institution_id", "message"), [
    ("partner", "tiny", None, "needs an institution"),
    ("partner", "tiny", "o-one", "not an institution of network 'tiny'"),
    ("coordinator", None, None, "needs a network"),
    ("coordinator", "nowhere", None, "No network 'nowhere'"),
    ("admin", "tiny", None, "has no network"),
    ("boss", "tiny", None, "role must be one of"),
])
def test_accounts_that_make_no_sense_are_refused(db, role, network_id, institution_id, message):
    with pytest.raises(store.StoreError, match=message):
        access.create_user(SCOPES["system"], "a@x.example", role, PASSWORD, network_id=network_id,
                           institution_id=institution_id)


def test_unknown_email_and_wrong_password_get_the_same_message(db):
    access.create_user(SCOPES["admin"], "c@tiny.example", "coordinator", PASSWORD, network_id="tiny")
    with pytest.raises(access.SignInRefused) as wrong:
        access.authenticate("c@tiny.example", "not the password")
    with pytest.raises(access.SignInRefused) as unknown:
        access.authenticate("nobody@tiny.example", PASSWORD)
    assert str(wrong.value) == str(unknown.value) == access.SIGN_IN_REFUSED
    access.disable_user(SCOPES["admin"], "c@tiny.example")
    with pytest.raises(access.SignInRefused) as disabled:
        access.authenticate("c@tiny.example", PASSWORD)
    assert str(disabled.value) == access.SIGN_IN_REFUSED


def test_five_failures_lock_an_email_even_for_the_right_password_and_across_processes(db):
    access.create_user(SCOPES["admin"], "p@tiny.example", "partner", PASSWORD, network_id="tiny",
                       institution_id="trust")
    for _ in range(access.MAX_FAILURES):
        with pytest.raises(access.SignInRefused, match="do not match"):
            access.authenticate("p@tiny.example", "guess")
    with pytest.raises(access.SignInRefused, match="Too many failed sign-ins"):
        access.authenticate("p@tiny.example", PASSWORD)
    # Another process (another server, the CLI) sees the same count.
    code = ("from dashboard import access\ntry:\n    access.authenticate('P@tiny.example', " + repr(PASSWORD)
            + ")\nexcept access.SignInRefused as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=config.REPO_DIR, capture_output=True, text=True,
                         env={**os.environ, "ANCHOR_DB": str(db)})
    assert "Too many failed sign-ins" in out.stdout, out.stderr
    # The email was counted only as a hash: what was typed is nowhere in the database.
    assert "p@tiny.example" not in "".join(r[0] for r in _rows(db, "select email_key from login_attempt"))
    # Once the failures are older than the window, the right password works again.
    con = duckdb.connect(str(db))
    con.execute("update login_attempt set attempted_at = attempted_at - interval 16 minute")
    con.close()
    assert access.authenticate("p@tiny.example", PASSWORD).email == "p@tiny.example"


def test_a_success_starts_the_count_again(db):
    access.create_user(SCOPES["admin"], "p@tiny.example", "partner", PASSWORD, network_id="tiny",
                       institution_id="trust")
    for _ in range(2):
        for _ in range(access.MAX_FAILURES - 1):
            with pytest.raises(access.SignInRefused, match="do not match"):
                access.authenticate("p@tiny.example", "guess")
        access.authenticate("p@tiny.example", PASSWORD)


def test_unknown_emails_are_rate_limited_too(db):
    for _ in range(access.MAX_FAILURES):
        with pytest.raises(access.SignInRefused, match="do not match"):
            access.authenticate("who@tiny.example", "guess")
    with pytest.raises(access.SignInRefused, match="Too many"):
        access.authenticate("who@tiny.example", "guess")


def test_coordinators_manage_their_networks_partners_and_funders_only(db):
    coordinator = SCOPES["coordinator"]
    access.create_user(coordinator, "f@fund.example", "funder", PASSWORD, network_id="tiny", initiatives=["h2h"])
    with pytest.raises(store.StoreError, match="not an initiative"):
        access.create_user(coordinator, "g@fund.example", "funder", PASSWORD, network_id="tiny",
                           initiatives=["nope"])
    access.create_user(SCOPES["admin"], "o@other.example", "partner", PASSWORD, network_id="other",
                       institution_id="o-one")
    with pytest.raises(access.Denied):
        access.disable_user(coordinator, "o@other.example")
    with pytest.raises(access.Denied):
        access.grant(coordinator, "f@fund.example", "other")
    user = access.grant(SCOPES["admin"], "f@fund.example", "other")
    assert set(user.grants) == {("tiny", "h2h"), ("other", None)}
    assert access.scope_of(user).grants == frozenset({("tiny", "h2h"), ("other", None)})
    with store.connect() as con:
        assert list(access.list_users(coordinator, con.cursor(), "tiny")["email"]) == ["f@fund.example"]
        with pytest.raises(access.Denied):
            access.list_users(coordinator, con.cursor())
        assert list(access.list_users(SCOPES["admin"], con.cursor())["email"]) == ["f@fund.example",
                                                                                  "o@other.example"]
    assert access.disable_user(coordinator, "f@fund.example").disabled
    with store.connect() as con:
        disabled = access.get_user(con.cursor(), "f@fund.example")
    with pytest.raises(access.Denied, match="disabled"):
        access.scope_of(disabled)


# Single sign-on: the signed-in email mapped to an account, with no live provider


SSO_YAML = """access:
  sso_domains:
    - {domain: Trust.NHS.Example, role: partner, institution: trust}
    - {domain: funder.example, role: funder}
"""


def test_sso_email_with_an_account_maps_to_it(db):
    access.create_user(SCOPES["admin"], "c@tiny.example", "coordinator", None, network_id="tiny")
    user = access.user_for_oidc("C@Tiny.Example", {"email_verified": True})
    assert (user.email, user.role, user.network_id) == ("c@tiny.example", "coordinator", "tiny")
    assert access.user_for_oidc(None, {"email": "c@tiny.example"}).email == "c@tiny.example"
    # An SSO-only account has no password to sign in with.
    with pytest.raises(access.SignInRefused):
        access.authenticate("c@tiny.example", "")
    assert _audit(db, "sign_in")[-1][:3] == ("c@tiny.example", "coordinator", "sign_in")


def test_sso_email_without_an_account_is_refused_plainly(db):
    with pytest.raises(access.Denied, match="has no account here"):
        access.user_for_oidc("stranger@else.example", {})
    with pytest.raises(access.Denied, match="did not give an email"):
        access.user_for_oidc(None, {"name": "No Email"})
    with pytest.raises(access.Denied, match="not verified"):
        access.user_for_oidc("c@tiny.example", {"email_verified": False})
    assert _rows(db, "select count(*) from app_user") == [(0,)]


def test_sso_domain_rules_in_the_network_yaml_give_an_account(db, tmp_path):
    (tmp_path / "tiny.yaml").write_text((tiny.TINY / "network.yaml").read_text() + SSO_YAML)
    networks.load(tmp_path / "tiny.yaml")
    user = access.user_for_oidc("nurse@trust.nhs.example", {})
    assert (user.role, user.network_id, user.institution_id) == ("partner", "tiny", "trust")
    funder = access.user_for_oidc("a@funder.example", {})
    assert (funder.role, funder.grants) == ("funder", (("tiny", None),))
    assert access.user_for_oidc("nurse@trust.nhs.example", {}).email == "nurse@trust.nhs.example"  # now stored
    with pytest.raises(access.Denied, match="no account"):
        access.user_for_oidc("x@sub.trust.nhs.example", {})  # a rule is for its exact domain
    created = _audit(db, "user.create")
    assert [json.loads(r[5])["email"] for r in created] == ["nurse@trust.nhs.example", "a@funder.example"]
    access.disable_user(SCOPES["admin"], "nurse@trust.nhs.example")
    with pytest.raises(access.Denied, match="disabled"):
        access.user_for_oidc("nurse@trust.nhs.example", {})


@pytest.mark.parametrize(("block", "message"), [
    ("access:\n  public_view: maybe\n", "public_view must be true or false"),
    ("access:\n  sso_domains:\n    - {domain: x.example, role: coordinator}\n", "role must be one of"),
    ("access:\n  sso_domains:\n    - {domain: x.example, role: partner, institution: nope}\n", "'nope' is not"),
    ("access:\n  sso_domains:\n    - {domain: 'not a domain', role: funder}\n", "is not a domain"),
])
def test_bad_access_blocks_are_refused(db, tmp_path, block, message):
    (tmp_path / "tiny.yaml").write_text((tiny.TINY / "network.yaml").read_text() + block)
    with pytest.raises(store.StoreError, match=message):
        networks.load(tmp_path / "tiny.yaml")


# The audit log


def test_every_action_is_audited_with_who_what_and_where(db):
    coordinator, partner = SCOPES["coordinator"], SCOPES["partner"]
    start = len(_audit(db))  # the networks' loading, by the operator
    assert {r[2] for r in _audit(db)} == {"network.load"}
    first = _upload(partner, "tiny", "trust")
    second = _upload(coordinator, "tiny", "trust", ref="R2")
    suppliers.upsert("tiny", REGISTER_ROW, "ignored", scope=coordinator)
    access.create_user(coordinator, "p@tiny.example", "partner", PASSWORD, network_id="tiny", institution_id="trust")
    access.authenticate("p@tiny.example", PASSWORD)
    with pytest.raises(access.SignInRefused):
        access.authenticate("p@tiny.example", "wrong password")
    access.sign_out(partner)
    audit.note(partner, "export", "tiny", "trust", {"what": "figures.csv"})
    erasure.delete_participant(partner, "tiny", "trust", "R1")
    access.disable_user(coordinator, "p@tiny.example")
    rows = [(actor, role, action, net, inst) for actor, role, action, net, inst, _ in _audit(db)[start:]]
    assert rows == [
        ("partner@x.example", "partner", "upload", "tiny", "trust"),
        ("coord@x.example", "coordinator", "upload", "tiny", "trust"),
        ("coord@x.example", "coordinator", "supersede", "tiny", "trust"),
        ("coord@x.example", "coordinator", "suppliers.upsert", "tiny", None),
        ("coord@x.example", "coordinator", "user.create", "tiny", "trust"),
        ("p@tiny.example", "partner", "sign_in", "tiny", "trust"),
        ("p@tiny.example", "partner", "sign_in.failed", "tiny", "trust"),
        ("partner@x.example", "partner", "sign_out", "tiny", "trust"),
        ("partner@x.example", "partner", "export", "tiny", "trust"),
        ("partner@x.example", "partner", "participant.delete", "tiny", "trust"),
        ("coord@x.example", "coordinator", "user.disable", "tiny", "trust"),
    ]
    details = [json.loads(r[5]) if r[5] else None for r in _audit(db)[start:]]
    assert details[2] == {"submission_id": first.submission_id, "superseded_by": second.submission_id}
    assert details[3]["rows"] == 1 and details[3]["added"] == 1
    # A signed-in person uploads as themselves, whatever name the page passed.
    assert _rows(db, "select submitted_by from submission order by submission_id") == [
        ("partner@x.example",), ("coord@x.example",)]
    assert PASSWORD not in _dump(db)
    with store.connect() as con:
        log = audit.log(con.cursor(), "tiny", scope=coordinator)
    assert len(log) == 12 and log["action"].iloc[0] == "user.disable"  # newest first; 'other' is not there
    assert log["action"].iloc[-1] == "network.load"


def test_the_audit_log_refuses_secrets_in_detail(db):
    with pytest.raises(ValueError, match="never records password"):
        audit.note(SCOPES["system"], "oops", detail={"password": PASSWORD})


# Data-subject deletion


def test_erasure_removes_the_persons_rows_and_nothing_else_and_keeps_no_ref(db):
    partner = SCOPES["partner"]
    person = "ZQ-4471"
    uploads = [  # (institution, quarter, rows); the person is in trust's first, its replacement and Q2, and council
        ("trust", "2025Q1", [f"{person},h2h,B1 1AA,10/01/2025", f"{person},ican,B1 1AA,12/01/2025",
                             "T-2,h2h,B2 2BB,15/01/2025"]),
        ("trust", "2025Q1", [f"{person},h2h,B1 1AA,10/01/2025", "T-2,h2h,B2 2BB,15/01/2025",
                             "T-3,ican,B1 1AA,20/01/2025"]),
        ("trust", "2025Q2", [f"{person},ican,B1 1AA,05/04/2025", "T-2,ican,B2 2BB,06/04/2025"]),
        ("council", "2025Q1", [f"{person},h2h,B1 1AA,10/01/2025", "C-1,ican,B2 2BB,11/01/2025"]),
    ]
    for institution_id, quarter, rows in uploads:
        ingest.ingest("tiny", institution_id, "participants", quarter, data=_csv(*rows), file_name="p.csv")
    before = _rows(db, "select submission_id, institution_id, participant_ref from participant order by all")
    assert len(before) == 10
    with pytest.raises(access.Denied):
        erasure.delete_participant(partner, "tiny", "council", person)
    # By hand: 2 rows in trust's first file + 1 in its replacement + 1 in Q2 = 4; council's row stays.
    assert erasure.delete_participant(partner, "tiny", "trust", f"  {person} ") == 4
    after = _rows(db, "select submission_id, institution_id, participant_ref from participant order by all")
    assert after == [r for r in before if not (r[1] == "trust" and r[2] == person)]
    assert [r[2] for r in after] == ["T-2", "T-2", "T-3", "T-2", "C-1", person]  # by submission, then ref
    assert _rows(db, "select row_count from submission order by submission_id") == [(1,), (2,), (1,), (2,)]
    [entry] = _audit(db, "participant.delete")
    assert json.loads(entry[5]) == {"rows": 4, "submissions": [1, 2, 3]}
    assert person not in "".join(str(r) for r in _audit(db))
    # Asked again: nothing left, and the request is still logged.
    assert erasure.delete_participant(SCOPES["coordinator"], "tiny", "trust", person) == 0
    assert len(_audit(db, "participant.delete")) == 2


# The command line


def _cli(db, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=config.REPO_DIR, capture_output=True,
                          text=True, input=stdin, env={**os.environ, "ANCHOR_DB": str(db)})


def test_cli_user_participant_and_audit_commands(db):
    out = _cli(db, "user", "add", "--email", "P@Tiny.Example", "--role", "partner", "--network", "tiny",
               "--institution", "trust", "--password-stdin", stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    assert "Added partner p@tiny.example (network tiny, institution trust)" in out.stdout
    assert PASSWORD not in out.stdout + out.stderr
    assert access.authenticate("p@tiny.example", PASSWORD).institution_id == "trust"
    out = _cli(db, "user", "add", "--email", "f@fund.example", "--role", "funder", "--network", "tiny",
               "--initiative", "h2h", "--sso-only")
    assert "sees tiny/h2h; signs in by single sign-on only" in out.stdout, out.stderr
    listed = _cli(db, "user", "list").stdout
    assert "p@tiny.example" in listed and "f@fund.example" in listed and "$2b$" not in listed
    assert _cli(db, "user", "disable", "--email", "f@fund.example").returncode == 0
    ingest.ingest("tiny", "trust", "participants", "2025Q1", data=_csv("R9,h2h,B1 1AA,10/01/2025"), file_name="p.csv")
    out = _cli(db, "participant", "delete", "--network", "tiny", "--institution", "trust", "--ref", "R9")
    assert out.returncode == 0 and "Deleted 1 record(s)" in out.stdout, out.stderr
    log = _cli(db, "audit", "--network", "tiny").stdout
    assert "participant.delete" in log and "user.disable" in log and "cli:" in log and "R9" not in log
    bad = _cli(db, "user", "add", "--email", "x@tiny.example", "--role", "partner", "--network", "tiny",
               "--password-stdin", stdin=PASSWORD + "\n")
    assert bad.returncode == 2 and "needs an institution" in bad.stderr and "Traceback" not in bad.stderr


def test_a_session_survives_until_sign_out_and_ends_with_the_account_or_its_password(db):
    access.create_user(SCOPES["admin"], "partner@trust.example", "partner", PASSWORD, network_id="tiny",
                       institution_id="trust")
    user = access.authenticate("partner@trust.example", PASSWORD)
    token = access.start_session(user)
    assert len(token) >= 40 and token not in _dump(db)  # only its hash is kept
    assert access.resume_session(token) == user
    assert access.resume_session(token + "x") is None and access.resume_session("") is None
    assert access.resume_session("x" * 10_000) is None
    # Sign-out ends that session only.
    other = access.start_session(user)
    access.end_session(token)
    assert access.resume_session(token) is None and access.resume_session(other) == user
    # A new password ends every session of the account; so does disabling it.
    access.set_password(SCOPES["admin"], "partner@trust.example", "a-new-password-123")
    assert access.resume_session(other) is None
    user = access.authenticate("partner@trust.example", "a-new-password-123")
    third = access.start_session(user)
    access.disable_user(SCOPES["admin"], "partner@trust.example")
    assert access.resume_session(third) is None


def test_a_session_expires(db):
    access.create_user(SCOPES["admin"], "partner@trust.example", "partner", PASSWORD, network_id="tiny",
                       institution_id="trust")
    token = access.start_session(access.authenticate("partner@trust.example", PASSWORD))
    [(hours,)] = _rows(db, "select round(epoch(expires_at - created_at) / 3600) from session_token")
    assert hours == access.SESSION_HOURS
    with duckdb.connect(str(db)) as con:
        con.execute("update session_token set expires_at = current_timestamp - interval 1 second")
    assert access.resume_session(token) is None
