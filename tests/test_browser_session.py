"""A signed-in session survives a reload and a new tab, and ends at sign-out or when the account is disabled.

Run alone with `pytest -m browser -s`.
"""

import time
from urllib.parse import urlparse

import pytest

from dashboard import access
from tests.browser_helpers import ACCOUNTS, assert_clean, go, open_page, sign_in, wait_idle

pytestmark = pytest.mark.browser


def _session_cookies(page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"] == "anchor_session"]


def _signed_in(page) -> bool:
    """Whether the page shows a signed-in account (waiting for it, or for the sign-in form, to show)."""
    wait_idle(page)
    page.get_by_role("button", name="Sign out").or_(page.get_by_role("button", name="Sign in")).first.wait_for(
        timeout=30_000)
    return page.get_by_role("button", name="Sign out").count() == 1


def test_a_reload_keeps_the_session_until_sign_out(browser, app_url):
    page, errors, _ = open_page(browser, app_url)
    sign_in(page, app_url, "coordinator")
    go(page, "Submissions")
    page.get_by_role("heading", name="Submissions").wait_for()
    [cookie] = _session_cookies(page)
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert 11.9 * 3600 < cookie["expires"] - time.time() <= access.SESSION_HOURS * 3600
    assert cookie["value"] not in page.url

    # A reload (F5 in front of the room) lands on the same page, still signed in.
    page.reload()
    page.get_by_role("heading", name="Submissions").wait_for(timeout=30_000)
    assert _signed_in(page) and urlparse(page.url).path.endswith("/submissions")
    assert page.get_by_text(f"Signed in as {ACCOUNTS['coordinator']['email']}").count() == 1
    # So does a second tab of the same browser (which shares its cookies).
    context = browser.new_context()
    context.add_cookies(page.context.cookies())
    tab = context.new_page()
    tab.goto(app_url)
    assert _signed_in(tab)
    context.close()

    # Signed out: the reload shows the sign-in page, and the browser no longer holds the cookie.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").last.wait_for(timeout=30_000)
    wait_idle(page)
    page.wait_for_function("() => !document.cookie.includes('anchor_session=')", timeout=10_000)
    page.reload()
    page.get_by_role("button", name="Sign in").last.wait_for(timeout=30_000)
    assert not _signed_in(page)
    assert _session_cookies(page) == []
    assert_clean(page, errors)
    page.close()


def test_a_disabled_account_is_signed_out_at_the_next_reload(browser, app_url, browser_db):
    email = "reload.partner@browser.example"
    access.create_user(access.system(), email, "partner", "reload-partner-password-1", network_id="birmingham",
                       institution_id="uob", db=browser_db)
    page, errors, _ = open_page(browser, app_url)
    sign_in(page, app_url, "partner", email=email, password="reload-partner-password-1")
    page.reload()
    assert _signed_in(page)
    stolen = _session_cookies(page)[0]
    access.disable_user(access.system(), email, db=browser_db)
    page.reload()
    page.get_by_role("button", name="Sign in").last.wait_for(timeout=30_000)
    assert not _signed_in(page)
    # The old token, put back by hand, signs nobody in either.
    page.context.add_cookies([stolen])
    page.reload()
    page.get_by_role("button", name="Sign in").last.wait_for(timeout=30_000)
    assert not _signed_in(page)
    assert_clean(page, errors)
    page.close()
