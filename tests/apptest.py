"""Signing in AppTest sessions: a test sets the session's scope as the sign-in page would."""

from streamlit.testing.v1 import AppTest

from dashboard import access
from dashboard.ui import session

ADMIN = access.Scope("admin@demo.example", "admin")


def coordinator(network_id: str) -> access.Scope:
    return access.Scope(f"coordinator@{network_id}.demo.example", "coordinator", network_id)


def partner(network_id: str, institution_id: str) -> access.Scope:
    return access.Scope(f"partner@{network_id}.demo.example", "partner", network_id, institution_id)


def funder(*grants: tuple[str, str | None]) -> access.Scope:
    return access.Scope("funder@demo.example", "funder", grants=frozenset(grants))


def signed_in(at: AppTest, scope: access.Scope = ADMIN) -> AppTest:
    """The AppTest with its session signed in as scope (an administrator by default)."""
    at.session_state[session.SCOPE_KEY] = scope
    return at
