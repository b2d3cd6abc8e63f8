"""Who sees what, page by page: every role against every page, run directly (as a deep link would), in and out of
scope. Allowed means the page draws with no error; refused means the core raised Denied (or the page said the
account may not), and nothing outside the scope was shown."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access
from dashboard.ui import cache
from tests.apptest import ADMIN, coordinator, funder, partner, signed_in

VIEWS = Path(__file__).resolve().parent.parent / "dashboard" / "views"
ROLES = {
    "admin": ADMIN,
    "coordinator": coordinator("birmingham"),
    "partner": partner("birmingham", "uhb"),
    "funder": funder(("birmingham", None)),
    "funder_of_i_can": funder(("birmingham", "i-can")),
}
RESULTS = ["overview", "initiative", "spend", "maps", "compare", "methodology"]
# By hand, from the issue: who may open each row-level or management page for their own network.
ALLOWED = {
    "upload": {"admin", "coordinator", "partner"},
    "records": {"admin", "coordinator", "partner"},
    "submissions": {"admin", "coordinator"},
    "suppliers": {"admin", "coordinator"},
    "users": {"admin", "coordinator"},
    "network_settings": {"admin", "coordinator"},
    "audit": {"admin", "coordinator"},
    **{page: set(ROLES) for page in RESULTS},
}


def run(page: str, scope: access.Scope, **query: str) -> AppTest:
    cache.clear()
    at = signed_in(AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=120), scope)
    at.query_params.update({"network": "birmingham", "from": "2025Q1", "to": "2025Q4", **query})
    return at.run()


def refused(at: AppTest) -> bool:
    """The core said no: a Denied escaping the page (app.py turns it into a message), or the page's own notice."""
    texts = [str(e.value) for e in at.exception] + [i.value for i in at.info] + [e.value for e in at.error]
    return any("may not" in t or "Only the network's coordinator" in t or "cannot change records" in t
               or "Only a coordinator" in t for t in texts)


@pytest.mark.parametrize("page", list(ALLOWED))
@pytest.mark.parametrize("role", list(ROLES))
def test_role_by_page_in_own_network(demo_db, role, page):
    at = run(page, ROLES[role])
    if role in ALLOWED[page]:
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        assert not refused(at)
    else:
        assert refused(at), ([str(e.value) for e in at.exception], [i.value for i in at.info])


@pytest.mark.parametrize("page", ["overview", "spend", "maps", "initiative"])
@pytest.mark.parametrize("role", ["coordinator", "partner", "funder"])
def test_another_network_in_the_url_is_not_shown(demo_db, role, page):
    at = run(page, ROLES[role], network="london")
    assert not at.exception
    assert at.selectbox(key=f"{page}_network").value == "birmingham"
    assert "london" not in at.selectbox(key=f"{page}_network").options
    assert "London" not in " ".join(t.value for t in at.title)


def test_partner_cannot_pick_another_institution(demo_db):
    at = run("overview", ROLES["partner"], institution="bcc")
    assert not at.exception
    box = at.selectbox(key="overview_institution")
    assert box.value == "all"
    assert set(box.options) == {"All institutions", "University Hospitals Birmingham NHS Foundation Trust"}


def test_funder_of_one_initiative_sees_only_it(demo_db):
    at = run("overview", ROLES["funder_of_i_can"], initiative="hospitality-to-health")
    assert not at.exception
    box = at.selectbox(key="overview_initiative")
    assert box.value == "i-can" and box.options == ["I Can"]
    assert any("Disclosure-controlled figures" in i.value for i in at.sidebar.info)


def test_funder_cannot_upload_even_by_calling_the_page(demo_db):
    at = run("upload", ROLES["funder"])
    assert refused(at)
    assert "upload_commit" not in [b.key for b in at.button]


def test_public_view_only_where_the_network_allows_it(demo_db):
    from dashboard import store
    from tests.test_app import APP

    def public_app() -> AppTest:
        cache.clear()
        at = AppTest.from_file(str(APP), default_timeout=120)  # nobody signed in
        at.query_params.update({"public": "birmingham", "network": "birmingham"})
        return at.run()

    at = public_app()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]  # no public view turned on: the sign-in page

    store.write(lambda cur: access.save_network_access(cur, "birmingham", {"public_view": True, "sso_domains": []}),
                demo_db)
    at = public_app()
    assert not at.exception and not at.error
    assert at.title[0].value == "Birmingham Anchor Network"
    assert any("Disclosure-controlled figures" in i.value for i in at.sidebar.info)
    assert at.selectbox(key="overview_network").options == ["Birmingham Anchor Network"]
    assert "session_sign_out" not in [b.key for b in at.button]
