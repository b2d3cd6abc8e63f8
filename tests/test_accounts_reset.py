"""Getting a partner back in: a coordinator resets a password or gives a one-time sign-in code; the Users page
speaks the users' words; administrators are warned while demo accounts sit beside a real network."""

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access, config, demo, networks, store
from dashboard.ui import cache
from tests import apptest, tiny

COORDINATOR = apptest.coordinator("birmingham")
APP = str(config.REPO_DIR / "dashboard" / "app.py")
USERS = str(config.REPO_DIR / "dashboard" / "views" / "users.py")


def _audit(db) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return " ".join(str(r) for r in con.execute("select action, detail from audit_log").fetchall())


def test_a_one_time_code_sets_a_new_password_once(demo_db):
    code = access.issue_sign_in_code(COORDINATOR, "partner@birmingham.demo.example", db=demo_db)
    assert len(code.replace("-", "")) == 12
    with pytest.raises(access.SignInRefused, match="do not match"):
        access.redeem_sign_in_code("partner@birmingham.demo.example", "WRONG-CODE-0000", "a-new-password-1", demo_db)
    user = access.redeem_sign_in_code("partner@birmingham.demo.example", code.lower(), "a-new-password-1", demo_db)
    assert user.email == "partner@birmingham.demo.example"
    assert access.authenticate("partner@birmingham.demo.example", "a-new-password-1", demo_db).role == "partner"
    with pytest.raises(access.SignInRefused):  # once only
        access.redeem_sign_in_code("partner@birmingham.demo.example", code, "another-password-2", demo_db)
    audit = _audit(demo_db)
    assert "user.sign_in_code" in audit and "sign_in.code" in audit and code not in audit
    # A newer code replaces an older one; an expired one is refused.
    first = access.issue_sign_in_code(COORDINATOR, "partner@birmingham.demo.example", db=demo_db)
    second = access.issue_sign_in_code(COORDINATOR, "partner@birmingham.demo.example", db=demo_db)
    with pytest.raises(access.SignInRefused):
        access.redeem_sign_in_code("partner@birmingham.demo.example", first, "a-third-password-3", demo_db)
    with duckdb.connect(str(demo_db)) as con:
        con.execute("update sign_in_code set expires_at = current_timestamp - interval 1 minute")
    with pytest.raises(access.SignInRefused):
        access.redeem_sign_in_code("partner@birmingham.demo.example", second, "a-third-password-3", demo_db)


def test_a_coordinator_resets_only_their_partners_and_funders(demo_db):
    access.set_password(COORDINATOR, "partner@birmingham.demo.example", "reset-by-coordinator-1", db=demo_db)
    assert access.authenticate("partner@birmingham.demo.example", "reset-by-coordinator-1", demo_db)
    for email in ("coordinator@london.demo.example", "admin@demo.example", "partner@london.demo.example"):
        with pytest.raises(access.Denied):
            access.issue_sign_in_code(COORDINATOR, email, db=demo_db)
    with pytest.raises(store.StoreError, match="at least 12 characters"):
        access.redeem_sign_in_code("partner@birmingham.demo.example", "ABCD-EFGH-JKLM", "short", demo_db)


def test_the_users_page_speaks_the_users_words_and_makes_a_code(demo_db):
    at = apptest.signed_in(AppTest.from_file(USERS, default_timeout=60), COORDINATOR)
    at.query_params["network"] = "birmingham"
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert list(shown.columns) == ["Email", "Role", "Institution", "Created", "Created by", "Disabled"]
    row = shown[shown["Email"] == "partner@birmingham.demo.example"].iloc[0]
    assert (row["Role"], row["Institution"], row["Disabled"]) == (
        "Partner", "University Hospitals Birmingham NHS Foundation Trust", "No")
    at.selectbox(key="users_reset_email").set_value("partner@birmingham.demo.example")
    at.button(key="FormSubmitter:users_reset_form-Reset").click().run()
    assert not at.exception
    message = next(s.value for s in at.success if "One-time code" in s.value)
    code = message.split("`")[1]
    assert access.redeem_sign_in_code("partner@birmingham.demo.example", code, "chosen-by-partner-1", demo_db)


def test_the_sign_in_page_takes_a_one_time_code(demo_db):
    code = access.issue_sign_in_code(COORDINATOR, "partner@birmingham.demo.example", db=demo_db)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="signin_code_email").input("partner@birmingham.demo.example")
    at.text_input(key="signin_code").input(code)
    at.text_input(key="signin_new_password").input("partner-chose-this-1")
    at.text_input(key="signin_new_password_again").input("partner-chose-this-1")
    at.button(key="FormSubmitter:signin_code_form-Set my password and sign in").click().run()
    assert not at.exception and not at.error
    assert access.authenticate("partner@birmingham.demo.example", "partner-chose-this-1", demo_db)


def test_administrators_are_warned_while_demo_accounts_sit_beside_a_real_network(demo_db):
    def warnings() -> list[str]:
        cache.clear()  # what the app cached before the change
        at = apptest.signed_in(AppTest.from_file(APP, default_timeout=60), apptest.ADMIN).run()
        assert not at.exception
        return [w.value for w in at.warning]

    assert not any("demo account" in w for w in warnings())  # the demo alone: nothing to warn about
    networks.load(tiny.TINY / "network.yaml", demo_db)
    assert any("7 demo account(s) can still sign in beside a real network" in w for w in warnings())
    with store.connect(demo_db) as con:
        assert len(demo.accounts_beside_real_networks(con.cursor())) == 7
    demo.remove(demo_db)
    assert not any("demo account" in w for w in warnings())
