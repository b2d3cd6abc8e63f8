"""Who may see and do what: accounts, sign-in, and the scope every core query and action is checked against.

A signed-in person's Scope comes from their account. The core's entry points take a scope and call
require_read / require_upload / require_manage before touching data, so a page, a URL parameter or an
export cannot reach past it. The command line runs as the machine's operator with system().
"""

import getpass
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bcrypt
import duckdb
import pandas as pd

from dashboard import audit, store

ROLES = ("admin", "coordinator", "partner", "funder")
# Scopes that no account has: the operator at the command line, and a network's public view.
SYSTEM, PUBLIC = "system", "public"
SSO_ROLES = ("partner", "funder")  # what a single sign-on domain rule may hand out
BCRYPT_ROUNDS = 12
MIN_PASSWORD = 12
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further; longer passwords are refused rather than cut
MAX_FAILURES = 5
WINDOW_MINUTES = 15
SIGN_IN_REFUSED = "That email and password do not match an account."
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
# Checked against when an email has no account, so a refusal takes as long either way.
_NO_ACCOUNT_HASH = bcrypt.hashpw(b"no account has this password", bcrypt.gensalt(4))


class Denied(store.StoreError):
    """An action or a read outside the person's scope; nothing was read or written."""


class SignInRefused(Denied):
    """A sign-in that failed: wrong email or password, a disabled account, or too many attempts."""


@dataclass(frozen=True)
class User:
    """An account as stored, without its password hash."""

    email: str
    role: str
    network_id: str | None = None
    institution_id: str | None = None
    grants: tuple[tuple[str, str | None], ...] = ()  # funder: (network_id, initiative_id or None = all of it)
    disabled: bool = False


@dataclass(frozen=True)
class Scope:
    """What a session may see and do; passed to every core query and action."""

    actor: str                       # the account's email, 'cli:<os user>' or 'public'
    role: str                        # one of ROLES, SYSTEM or PUBLIC
    network_id: str | None = None    # coordinator, partner, public: their one network
    institution_id: str | None = None  # partner: their institution
    grants: frozenset[tuple[str, str | None]] = field(default_factory=frozenset)  # funder


def scope_of(user: User) -> Scope:
    """The scope of a signed-in account's session."""
    if user.disabled:
        raise Denied(f"The account {user.email} is disabled.")
    return Scope(user.email, user.role, user.network_id, user.institution_id, frozenset(user.grants))


def system(actor: str | None = None) -> Scope:
    """Full rights for the machine's operator (the command line, the demo build)."""
    return Scope(actor or f"cli:{getpass.getuser()}", SYSTEM)


def public(con: duckdb.DuckDBPyConnection, network_id: str) -> Scope:
    """The read-only scope of a network's public view; Denied when the network has none."""
    if network_id not in public_networks(con):
        raise Denied(f"Network '{network_id}' has no public view.")
    return Scope(PUBLIC, PUBLIC, network_id)


def public_networks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Ids of the networks whose YAML turns on a public read-only view."""
    return store.run(con, "network_public_view")["network_id"].tolist()


# The rules. Every other module asks these; none decides access by itself.


def _everything(scope: Scope) -> bool:
    return scope.role in (SYSTEM, "admin")


def can_read(scope: Scope, network_id: str, institution_id: str | None = None,
             initiative_id: str | None = None) -> bool:
    """Whether the scope may see figures of this network, narrowed to an institution and/or initiative."""
    if _everything(scope):
        return True
    if scope.role == "coordinator":
        return network_id == scope.network_id
    if scope.role == "partner":
        # The network's aggregates, and figures of their own institution; never another institution's.
        return network_id == scope.network_id and institution_id in (None, scope.institution_id)
    if scope.role == PUBLIC:
        return network_id == scope.network_id
    if scope.role == "funder":
        if (network_id, None) in scope.grants:
            return True
        return initiative_id is not None and (network_id, initiative_id) in scope.grants
    return False


def require_read(scope: Scope, network_id: str, institution_id: str | None = None,
                 initiative_id: str | None = None) -> None:
    """Raise Denied unless can_read."""
    if not can_read(scope, network_id, institution_id, initiative_id):
        what = ", ".join(f"{k} '{v}'" for k, v in (("network", network_id), ("institution", institution_id),
                                                    ("initiative", initiative_id)) if v)
        raise Denied(f"Your account ({scope.actor}) may not see figures for {what}.")


def can_read_rows(scope: Scope, network_id: str, institution_id: str | None = None) -> bool:
    """Whether the scope may see row-level data (submissions, registers): never funders or the public."""
    if _everything(scope) or (scope.role == "coordinator" and network_id == scope.network_id):
        return True
    return (scope.role == "partner" and network_id == scope.network_id and institution_id is not None
            and institution_id == scope.institution_id)


def require_rows(scope: Scope, network_id: str, institution_id: str | None = None) -> None:
    """Raise Denied unless can_read_rows."""
    if not can_read_rows(scope, network_id, institution_id):
        where = f"institution '{institution_id}' of " if institution_id else ""
        raise Denied(f"Your account ({scope.actor}) may not see the records of {where}network '{network_id}'.")


def can_upload(scope: Scope, network_id: str, institution_id: str) -> bool:
    """Whether the scope may upload (or delete records) for this institution."""
    if _everything(scope) or (scope.role == "coordinator" and network_id == scope.network_id):
        return True
    return scope.role == "partner" and (network_id, institution_id) == (scope.network_id, scope.institution_id)


def require_upload(scope: Scope, network_id: str, institution_id: str) -> None:
    """Raise Denied unless can_upload."""
    if not can_upload(scope, network_id, institution_id):
        raise Denied(f"Your account ({scope.actor}) may not upload or change data for institution "
                     f"'{institution_id}' of network '{network_id}'.")


def can_manage(scope: Scope, network_id: str) -> bool:
    """Whether the scope manages this network: institutions, users, supplier register, submissions board, log."""
    return _everything(scope) or (scope.role == "coordinator" and network_id == scope.network_id)


def require_manage(scope: Scope, network_id: str) -> None:
    """Raise Denied unless can_manage."""
    if not can_manage(scope, network_id):
        raise Denied(f"Only a coordinator of network '{network_id}' may do this; your account is {scope.actor}.")


def require_admin(scope: Scope) -> None:
    """Raise Denied unless the scope is an administrator's (or the operator's): creating networks."""
    if not _everything(scope):
        raise Denied(f"Only an administrator may do this; your account is {scope.actor}.")


def exact_figures(scope: Scope, network_id: str, institution_id: str | None = None) -> bool:
    """Whether figures are shown exact; False means disclosure-controlled (funders, the public view).

    A partner sees their own institution's figures exact and the network's aggregates
    disclosure-controlled, since small counts there could point at another institution's people.
    """
    if _everything(scope) or (scope.role == "coordinator" and network_id == scope.network_id):
        return True
    return scope.role == "partner" and network_id == scope.network_id and institution_id == scope.institution_id


def readable_initiatives(scope: Scope, network_id: str) -> frozenset[str] | None:
    """The initiatives of a network the scope may see: None means all of them."""
    if scope.role != "funder" or (network_id, None) in scope.grants:
        return None if can_read(scope, network_id) else frozenset()
    return frozenset(i for n, i in scope.grants if n == network_id and i is not None)


def visible_networks(scope: Scope, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The networks (as the 'networks' query) the scope may see anything of, by name."""
    df = store.run(con, "networks")
    keep = [_everything(scope) or n == scope.network_id or any(g[0] == n for g in scope.grants)
            for n in df["network_id"]]
    return df[keep].reset_index(drop=True)


# Passwords and accounts


def normalise_email(email: str) -> str:
    """An email as stored: trimmed and lower case; StoreError when it is not an email."""
    text = str(email or "").strip().lower()
    if not _EMAIL.match(text):
        raise store.StoreError(f"'{text}' is not an email address.")
    return text


def _password_bytes(password: str) -> bytes:
    data = password.encode("utf-8")
    if len(password) < MIN_PASSWORD:
        raise store.StoreError(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(data) > MAX_PASSWORD_BYTES:
        raise store.StoreError(f"A password may be at most {MAX_PASSWORD_BYTES} bytes long.")
    return data


def hash_password(password: str) -> str:
    """A bcrypt hash of a password (checked for length first)."""
    return bcrypt.hashpw(_password_bytes(password), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether a password matches a bcrypt hash; False for no hash or an over-long password."""
    data = str(password).encode("utf-8")
    if not password_hash or len(data) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(b"x", _NO_ACCOUNT_HASH)
        return False
    return bcrypt.checkpw(data, password_hash.encode("ascii"))


def _text(value: Any) -> str | None:
    """A nullable text cell as str or None (DuckDB gives NaN or None for null)."""
    return value if isinstance(value, str) else None


def _user(cur: duckdb.DuckDBPyConnection, email: str) -> tuple[User, str | None] | None:
    found = store.run(cur, "app_user_by_email", email=email)
    if found.empty:
        return None
    r = found.iloc[0]
    grants = tuple((g.network_id, _text(g.initiative_id))
                   for g in store.run(cur, "user_grants", email=email).itertuples())
    user = User(r["email"], r["role"], _text(r["network_id"]), _text(r["institution_id"]), grants,
                bool(r["disabled"]))
    return user, _text(r["password_hash"])


def get_user(con: duckdb.DuckDBPyConnection, email: str) -> User | None:
    """The account with this email, or None."""
    found = _user(con, normalise_email(email))
    return found[0] if found else None


def _check_account(cur: duckdb.DuckDBPyConnection, scope: Scope, role: str, network_id: str | None,
                   institution_id: str | None) -> None:
    """Refuse an account that makes no sense, or that the scope may not create."""
    if role not in ROLES:
        raise store.StoreError(f"role must be one of {', '.join(ROLES)}")
    if role == "admin" and (network_id or institution_id):
        raise store.StoreError("An admin account has no network or institution.")
    if role != "admin" and not network_id:
        raise store.StoreError(f"A {role} account needs a network.")
    if (role == "partner") != bool(institution_id):
        raise store.StoreError("A partner account needs an institution; other accounts have none.")
    if role in ("admin", "coordinator"):
        require_admin(scope)  # coordinators add partners and funders, not other coordinators
    else:
        require_manage(scope, network_id)
    if network_id and network_id not in set(store.run(cur, "networks")["network_id"]):
        raise store.StoreError(f"No network '{network_id}'.")
    if institution_id and store.run(cur, "institution_lookup", network_id=network_id,
                                    institution_id=institution_id).empty:
        raise store.StoreError(f"'{institution_id}' is not an institution of network '{network_id}'.")


def _grant(cur: duckdb.DuckDBPyConnection, scope: Scope, email: str, network_id: str,
           initiative_id: str | None) -> None:
    require_manage(scope, network_id)
    if initiative_id and initiative_id not in set(
            store.run(cur, "network_initiatives", network_id=network_id)["initiative_id"]):
        raise store.StoreError(f"'{initiative_id}' is not an initiative of network '{network_id}'.")
    store.run(cur, "user_grant_insert", email=email, network_id=network_id, initiative_id=initiative_id)
    audit.record(cur, scope, "user.grant", network_id, detail={"email": email, "initiative_id": initiative_id})


def create_user(scope: Scope, email: str, role: str, password: str | None, *, network_id: str | None = None,
                institution_id: str | None = None, initiatives: Iterable[str] = (),
                db: Path | None = None) -> User:
    """Add an account (password None: single sign-on only); a funder is granted the network or the initiatives."""
    email = normalise_email(email)
    password_hash = hash_password(password) if password is not None else None
    initiatives = list(initiatives)
    if initiatives and role != "funder":
        raise store.StoreError("Only a funder account is given initiatives.")

    def write(cur: duckdb.DuckDBPyConnection) -> User:
        _check_account(cur, scope, role, network_id, institution_id)
        if _user(cur, email) is not None:
            raise store.StoreError(f"There is already an account for {email}.")
        # A funder belongs to no network: what they see is their grants.
        store.run(cur, "app_user_insert", email=email, role=role, network_id=None if role == "funder" else network_id,
                  institution_id=institution_id, password_hash=password_hash, created_by=scope.actor)
        audit.record(cur, scope, "user.create", network_id, institution_id, {"email": email, "role": role})
        if role == "funder":
            for initiative_id in initiatives or [None]:
                _grant(cur, scope, email, network_id, initiative_id)
        return _user(cur, email)[0]

    return store.write(write, db)


def grant(scope: Scope, email: str, network_id: str, initiative_id: str | None = None,
          db: Path | None = None) -> User:
    """Let a funder see a whole network (initiative_id None) or one initiative of it."""
    email = normalise_email(email)

    def write(cur: duckdb.DuckDBPyConnection) -> User:
        found = _user(cur, email)
        if found is None or found[0].role != "funder":
            raise store.StoreError(f"{email} is not a funder account.")
        _grant(cur, scope, email, network_id, initiative_id)
        return _user(cur, email)[0]

    return store.write(write, db)


def _require_over(scope: Scope, user: User) -> None:
    """The scope may change this account: an admin any, a coordinator the partners and funders of their network."""
    if _everything(scope):
        return
    networks = {user.network_id} | {n for n, _ in user.grants}
    if user.role in ("admin", "coordinator") or not any(can_manage(scope, n) for n in networks if n):
        raise Denied(f"Your account ({scope.actor}) may not change the account {user.email}.")


def disable_user(scope: Scope, email: str, db: Path | None = None) -> User:
    """Disable an account: it can no longer sign in (its audit history stays)."""
    email = normalise_email(email)

    def write(cur: duckdb.DuckDBPyConnection) -> User:
        found = _user(cur, email)
        if found is None:
            raise store.StoreError(f"There is no account for {email}.")
        user = found[0]
        _require_over(scope, user)
        store.run(cur, "app_user_disable", email=email)
        store.run(cur, "session_revoke_all", email=email)
        audit.record(cur, scope, "user.disable", user.network_id or next(iter(user.grants), (None,))[0],
                     user.institution_id, {"email": email})
        return _user(cur, email)[0]

    return store.write(write, db)


def set_password(scope: Scope, email: str, password: str, db: Path | None = None) -> None:
    """Replace an account's password (the account's own scope, or one that manages it)."""
    email = normalise_email(email)
    password_hash = hash_password(password)

    def write(cur: duckdb.DuckDBPyConnection) -> None:
        found = _user(cur, email)
        if found is None:
            raise store.StoreError(f"There is no account for {email}.")
        user = found[0]
        if scope.actor != email:
            _require_over(scope, user)
        store.run(cur, "app_user_password_set", email=email, password_hash=password_hash)
        store.run(cur, "session_revoke_all", email=email)
        audit.record(cur, scope, "user.password", user.network_id, user.institution_id, {"email": email})

    store.write(write, db)


CODE_HOURS = 24  # how long a one-time sign-in code can be used
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread over the phone


def issue_sign_in_code(scope: Scope, email: str, db: Path | None = None) -> str:
    """A one-time code for an account (the scope must manage it), to pass on in person or by phone: with it the
    account sets a new password and signs in, once, within CODE_HOURS. Only its hash is kept; audited."""
    import secrets

    email = normalise_email(email)
    code = "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(3))

    def write(cur: duckdb.DuckDBPyConnection) -> None:
        found = _user(cur, email)
        if found is None:
            raise store.StoreError(f"There is no account for {email}.")
        user = found[0]
        _require_over(scope, user)
        if user.disabled:
            raise store.StoreError(f"{email} is disabled: it cannot sign in, with a code or otherwise.")
        store.run(cur, "sign_in_code_lapse", email=email)
        store.run(cur, "sign_in_code_insert", email=email, code_hash=hash_password(code.replace("-", "")),
                  hours=CODE_HOURS, created_by=scope.actor)
        audit.record(cur, scope, "user.sign_in_code", user.network_id, user.institution_id, {"email": email})

    store.write(write, db)
    return code


def redeem_sign_in_code(email: str, code: str, new_password: str, db: Path | None = None) -> User:
    """Set a new password with a one-time code and sign in; SignInRefused (counted like a wrong password) when the
    code is wrong, used or expired."""
    key = _email_key(email)
    email = normalise_email(email)
    password_hash = hash_password(new_password)  # a too-short password is refused before the code is spent
    typed = re.sub(r"[^A-Za-z0-9]", "", str(code)).upper()
    with store.connect(db) as con:
        recent = store.run(con.cursor(), "login_failures_recent", email_key=key,
                           window_minutes=WINDOW_MINUTES).iloc[0]
    if int(recent["failures"]) >= MAX_FAILURES:
        until = pd.Timestamp(recent["locked_until"]).to_pydatetime()
        raise SignInRefused(f"Too many failed sign-ins for this email. Try again after {until:%H:%M} (UTC).")

    def write(cur: duckdb.DuckDBPyConnection) -> User | None:
        found = _user(cur, email)
        codes = store.run(cur, "sign_in_codes_open", email=email)
        ok = (found is not None and not found[0].disabled
              and any(verify_password(typed, h) for h in codes["code_hash"]))
        store.run(cur, "login_attempt_insert", email_key=key, succeeded=ok)
        if not ok:
            return None
        user = found[0]
        store.run(cur, "sign_in_code_lapse", email=email)
        store.run(cur, "app_user_password_set", email=email, password_hash=password_hash)
        store.run(cur, "session_revoke_all", email=email)
        audit.record(cur, Scope(user.email, user.role), "sign_in.code", user.network_id, user.institution_id)
        return user

    user = store.write(write, db)
    if user is None:
        raise SignInRefused("That email and code do not match: a code works once, for a day. Ask for a new one.")
    return user


def list_users(scope: Scope, con: duckdb.DuckDBPyConnection, network_id: str | None = None) -> pd.DataFrame:
    """Accounts (no hashes) of a network, or all of them for an administrator, by email."""
    if network_id is None:
        require_admin(scope)
    else:
        require_manage(scope, network_id)
    return store.run(con, "app_users", network_id=network_id)


# Signing in


def _email_key(email: str) -> str:
    return hashlib.sha256(str(email).strip().lower().encode("utf-8")).hexdigest()


def authenticate(email: str, password: str, db: Path | None = None) -> User:
    """The account for an email and password; SignInRefused (one message for any mismatch) or when locked.

    After MAX_FAILURES failures for an email within WINDOW_MINUTES it is locked until the first
    of them is WINDOW_MINUTES old; attempts are counted in the database, across sessions and processes.
    """
    key = _email_key(email)
    with store.connect(db) as con:
        cur = con.cursor()
        recent = store.run(cur, "login_failures_recent", email_key=key, window_minutes=WINDOW_MINUTES).iloc[0]
        try:
            found = _user(cur, normalise_email(email))
        except store.StoreError:
            found = None
    if int(recent["failures"]) >= MAX_FAILURES:
        until = pd.Timestamp(recent["locked_until"]).to_pydatetime()
        raise SignInRefused(f"Too many failed sign-ins for this email. Try again after {until:%H:%M} (UTC).")
    user, password_hash = found if found else (None, None)
    ok = verify_password(password, password_hash) and user is not None and not user.disabled

    def write(cur: duckdb.DuckDBPyConnection) -> None:
        store.run(cur, "login_attempt_insert", email_key=key, succeeded=ok)
        # Unknown emails are only counted: what was typed may be anything, a password included.
        if user is not None:
            audit.record(cur, Scope(user.email, user.role), "sign_in" if ok else "sign_in.failed",
                         user.network_id, user.institution_id)

    store.write(write, db)
    if not ok:
        raise SignInRefused(SIGN_IN_REFUSED)
    return user


def sign_out(scope: Scope, db: Path | None = None) -> None:
    """Record a sign-out (the page clears its session)."""
    audit.note(scope, "sign_out", scope.network_id, scope.institution_id, db=db)


# Sessions that survive a reload

SESSION_HOURS = 12  # a working day and a meeting: then the account signs in again


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(user: User, db: Path | None = None) -> str:
    """A new session token for a signed-in account, for the browser to keep (only its hash is stored)."""
    import secrets

    token = secrets.token_urlsafe(32)
    store.write(lambda cur: store.run(cur, "session_insert", token_hash=_token_hash(token), email=user.email,
                                      hours=SESSION_HOURS), db)
    return token


def resume_session(token: str | None, db: Path | None = None) -> User | None:
    """The account of a session token still open: None when it is unknown, expired or ended, or the account is
    disabled."""
    if not isinstance(token, str) or not token or len(token) > 128:
        return None
    with store.connect(db) as con:
        cur = con.cursor()
        found = store.run(cur, "session_open", token_hash=_token_hash(token))
        if found.empty:
            return None
        user = _user(cur, str(found["email"].iloc[0]))
    if user is None or user[0].disabled:
        return None
    return user[0]


def end_session(token: str | None, db: Path | None = None) -> None:
    """End a session (sign-out): its token no longer signs anyone in."""
    if token:
        store.write(lambda cur: store.run(cur, "session_revoke", token_hash=_token_hash(token)), db)


def user_for_oidc(email: str | None, claims: dict[str, Any] | None = None, db: Path | None = None) -> User:
    """The account for an email signed in by single sign-on; Denied with a plain message when there is none.

    An email with no account is given one when a network's YAML has a sign-in domain rule for its
    domain (partner of an institution, or funder of the network); otherwise it is refused.
    """
    if claims and claims.get("email_verified") is False:
        raise Denied("Your single sign-on provider has not verified this email address; ask your administrator.")
    try:
        email = normalise_email(email or (claims or {}).get("email") or (claims or {}).get("preferred_username"))
    except store.StoreError as exc:
        raise Denied("Single sign-on did not give an email address; ask your administrator.") from exc

    def write(cur: duckdb.DuckDBPyConnection) -> User:
        found = _user(cur, email)
        if found is not None:
            user = found[0]
            if user.disabled:
                raise Denied(f"The account {email} is disabled; ask your network's coordinator.")
            audit.record(cur, Scope(email, user.role), "sign_in", user.network_id, user.institution_id,
                         {"method": "sso"})
            return user
        rules = store.run(cur, "sso_domain_rules", domain=email.rpartition("@")[2])
        if len(rules) != 1:
            # No rule, or rules of several networks: a person must be given an account by hand.
            raise Denied(f"{email} has signed in, but has no account here. Ask your network's coordinator "
                         "to add one with this email.")
        rule = rules.iloc[0]
        institution_id = _text(rule["institution_id"])
        operator = Scope("sso", SYSTEM)
        network_id = rule["network_id"]
        store.run(cur, "app_user_insert", email=email, role=rule["role"],
                  network_id=None if rule["role"] == "funder" else network_id, institution_id=institution_id,
                  password_hash=None, created_by="sso")
        if rule["role"] == "funder":
            store.run(cur, "user_grant_insert", email=email, network_id=network_id, initiative_id=None)
        audit.record(cur, operator, "user.create", network_id, institution_id,
                     {"email": email, "role": rule["role"], "by_domain": rule["domain"]})
        user = _user(cur, email)[0]
        audit.record(cur, Scope(email, user.role), "sign_in", network_id, institution_id, {"method": "sso"})
        return user

    return store.write(write, db)


# A network's access settings, from the 'access' block of its YAML file


def read_network_access(doc: dict[str, Any], where: str) -> dict[str, Any]:
    """The checked 'access' block of a network definition: public_view and sso_domains."""
    block = doc.get("access") or {}
    institutions = {str(i.get("id")) for i in doc.get("institutions") or []}
    problems = []
    if not isinstance(block, dict):
        raise store.StoreError(f"{where}: 'access' must be a mapping with public_view and sso_domains")
    public_view = block.get("public_view", False)
    if not isinstance(public_view, bool):
        problems.append("access.public_view must be true or false")
    rules = []
    for i, rule in enumerate(block.get("sso_domains") or [], 1):
        rule = rule if isinstance(rule, dict) else {}
        domain = str(rule.get("domain") or "").strip().lower()
        role = rule.get("role")
        institution_id = rule.get("institution")
        if not _DOMAIN.match(domain):
            problems.append(f"access.sso_domains[{i}]: domain '{domain}' is not a domain like uhb.nhs.uk")
        if role not in SSO_ROLES:
            problems.append(f"access.sso_domains[{i}]: role must be one of {', '.join(SSO_ROLES)}")
        if role == "partner" and institution_id not in institutions:
            problems.append(f"access.sso_domains[{i}]: institution '{institution_id}' is not one of the network's")
        rules.append({"domain": domain, "role": role,
                      "institution_id": str(institution_id) if role == "partner" else None})
    if problems:
        raise store.StoreError(f"{where}:\n  " + "\n  ".join(problems))
    return {"public_view": bool(public_view), "sso_domains": rules}


def save_network_access(cur: duckdb.DuckDBPyConnection, network_id: str, settings: dict[str, Any]) -> None:
    """Store a network's access settings (inside the caller's transaction)."""
    store.run(cur, "network_access_upsert", network_id=network_id, public_view=settings["public_view"])
    store.run(cur, "network_sso_domain_delete", network_id=network_id)
    cur.register("sso_domain_rows", pd.DataFrame(
        [{"network_id": network_id, **r} for r in settings["sso_domains"]],
        columns=["network_id", "domain", "role", "institution_id"]).astype(object))
    store.run(cur, "network_sso_domain_insert")

