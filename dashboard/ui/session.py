"""Who is using this browser session: a signed-in account, single sign-on, or a network's public view."""

import json

import streamlit as st
import streamlit.components.v1 as components

from dashboard import access, config, store

SCOPE_KEY = "_scope"
TOKEN_KEY = "_session_token"  # the session token the browser keeps in its cookie
COOKIE_KEY = "_session_cookie"  # the cookie still to be written (a token) or removed ('') in the browser
COOKIE = "anchor_session"
UPLOADERS = ("partner", "coordinator", "admin", access.SYSTEM)  # roles shown the upload pages
MANAGERS = ("coordinator", "admin", access.SYSTEM)  # roles shown the board, register, users and log
PUBLIC_PARAM = "public"  # ?public=<network_id> opens that network's public view, when it has one


def sso_configured() -> bool:
    """Whether .streamlit/secrets.toml configures Streamlit's OpenID Connect sign-in ([auth])."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def _public_scope(network_id: str) -> access.Scope | None:
    try:
        with store.connect(config.db_path(), wait_s=5.0) as con:
            return access.public(con.cursor(), network_id)
    except access.Denied:
        return None


def current() -> access.Scope | None:
    """The session's scope, or None when nobody is signed in (and no public view was asked for)."""
    scope = st.session_state.get(SCOPE_KEY)
    if scope is not None:
        return scope
    if sso_configured() and st.user.is_logged_in:
        try:
            user = access.user_for_oidc(st.user.get("email"), st.user.to_dict(), db=config.db_path())
        except access.Denied as exc:
            st.session_state["_sso_refused"] = str(exc)
            st.logout()
            return None
        scope = access.scope_of(user)
        st.session_state[SCOPE_KEY] = scope
        return scope
    resumed = _resume()
    if resumed is not None:
        return resumed
    network_id = st.query_params.get(PUBLIC_PARAM)
    if isinstance(network_id, str) and network_id:
        scope = _public_scope(network_id)
        if scope is not None:
            st.session_state[SCOPE_KEY] = scope
        return scope
    return None


def _resume() -> access.Scope | None:
    """The account of the session this browser kept from before a reload (or in another tab), if still open."""
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token:
        return None
    user = access.resume_session(token, db=config.db_path())
    if user is None:
        st.session_state[COOKIE_KEY] = ""  # ended or expired: the browser forgets it
        return None
    found = access.scope_of(user)
    st.session_state[SCOPE_KEY] = found
    st.session_state[TOKEN_KEY] = token
    return found


def _started(user: access.User) -> access.Scope:
    """A fresh browser session for an account just signed in, with a token the browser keeps across reloads."""
    found = access.scope_of(user)
    token = access.start_session(user, db=config.db_path())
    st.session_state.clear()
    st.session_state[SCOPE_KEY] = found
    st.session_state[TOKEN_KEY] = token
    st.session_state[COOKIE_KEY] = token
    return found


def write_cookie() -> None:
    """Write or remove the session cookie in the browser when a sign-in or sign-out asked for it (app.py, each run).

    The cookie holds only a random token: expiring, ended at sign-out, and worthless once the account is disabled
    or its password changes. It is sent only to this site (SameSite=Strict), and only over HTTPS when served so."""
    if COOKIE_KEY not in st.session_state:
        return
    token = st.session_state.pop(COOKIE_KEY)
    max_age = access.SESSION_HOURS * 3600 if token else 0
    components.html(f"""<script>
const page = window.parent;
page.document.cookie = "{COOKIE}=" + {json.dumps(token)} + "; path=/; max-age={max_age}; SameSite=Strict"
  + (page.location.protocol === "https:" ? "; Secure" : "");
</script>""", height=0)


def scope() -> access.Scope:
    """The session's scope; a page reached without one stops here (app.py shows the sign-in page instead)."""
    found = current()
    if found is None:
        st.warning("Please sign in to see this page.", icon=":material/lock:")
        st.stop()
    return found


def sign_in(email: str, password: str) -> access.Scope:
    """Check an email and password (rate-limited in the core) and start the session; SignInRefused if wrong."""
    return _started(access.authenticate(email, password, db=config.db_path()))


def sign_in_with_code(email: str, code: str, new_password: str) -> access.Scope:
    """Set a new password with a one-time code and start the session; SignInRefused if the code is not good."""
    return _started(access.redeem_sign_in_code(email, code, new_password, db=config.db_path()))


def sign_out() -> None:
    """End the session: record it, forget everything this browser session held, and leave single sign-on."""
    found = st.session_state.get(SCOPE_KEY)
    if found is not None and found.role != access.PUBLIC:
        access.sign_out(found, db=config.db_path())
    access.end_session(st.session_state.get(TOKEN_KEY), db=config.db_path())
    st.session_state.clear()
    st.session_state[COOKIE_KEY] = ""
    if sso_configured() and st.user.is_logged_in:
        st.logout()


ROLE_LABELS = {"admin": "Administrator", "coordinator": "Coordinator", "partner": "Partner", "funder": "Funder",
               access.PUBLIC: "Public view", access.SYSTEM: "Operator"}


def account_box(found: access.Scope) -> None:
    """Who is signed in, at the foot of the sidebar, with a sign-out button."""
    with st.sidebar:
        if found.role == access.PUBLIC:
            st.caption("Public view: counts small enough to identify someone are hidden (see Methodology).")
            return
        where = " · ".join(x for x in (found.network_id, found.institution_id) if x)
        # Plain text: an email is never rendered as Markdown.
        st.text(f"Signed in as {found.actor}\n{ROLE_LABELS.get(found.role, found.role)}"
                + (f" · {where}" if where else ""))
        if st.button("Sign out", key="session_sign_out", icon=":material/logout:"):
            sign_out()
            st.rerun()
