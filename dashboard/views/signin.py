"""Sign in: a local account's email and password, or single sign-on where the organisation has it."""

import streamlit as st

from dashboard import access, store
from dashboard.ui import session

PAGE = "signin"

st.title("Sign in")
st.markdown("Anchor Impact shows what anchor institution networks achieve for their local areas. Sign in with "
            "the account your network's coordinator gave you.")
refused = st.session_state.pop("_sso_refused", None)
if refused:
    st.error(refused, icon=":material/block:")

left, _ = st.columns([2, 3])
with left:
    if session.sso_configured():
        st.button("Sign in with your organisation's account", key=f"{PAGE}_sso", icon=":material/badge:",
                  on_click=st.login, type="primary", width="stretch")
        st.caption("Or with a local account:")
    with st.form(f"{PAGE}_form", border=True):
        email = st.text_input("Email", key=f"{PAGE}_email", autocomplete="username")
        password = st.text_input("Password", key=f"{PAGE}_password", type="password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if submitted:
        if not email or not password:
            st.error("Enter your email and your password.", icon=":material/error:")
        else:
            try:
                session.sign_in(email, password)
            except access.SignInRefused as exc:
                st.error(str(exc), icon=":material/block:")
            else:
                st.rerun()
    st.caption("Forgotten your password? Your network's coordinator can set a new one, or give you a one-time "
               "code to set it yourself. After 5 failed attempts an email is locked for 15 minutes.")
    with st.expander("Sign in with a one-time code", icon=":material/password:"):
        with st.form(f"{PAGE}_code_form", border=False):
            code_email = st.text_input("Email", key=f"{PAGE}_code_email", autocomplete="username")
            code = st.text_input("One-time code (like ABCD-EFGH-JKLM)", key=f"{PAGE}_code")
            new_password = st.text_input("Choose a new password (at least 12 characters)", type="password",
                                         key=f"{PAGE}_new_password", autocomplete="new-password")
            again = st.text_input("The new password again", type="password", key=f"{PAGE}_new_password_again",
                                  autocomplete="new-password")
            code_submitted = st.form_submit_button("Set my password and sign in", icon=":material/key:")
        if code_submitted:
            if not code_email or not code or not new_password:
                st.error("Enter your email, the code and a new password.", icon=":material/error:")
            elif new_password != again:
                st.error("The two passwords differ.", icon=":material/error:")
            else:
                try:
                    session.sign_in_with_code(code_email, code, new_password)
                except (access.SignInRefused, store.StoreError) as exc:
                    st.error(str(exc), icon=":material/block:")
                else:
                    st.rerun()
