"""Sign in: a local account's email and password, or single sign-on where the organisation has it."""

import streamlit as st

from dashboard import access
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
    st.caption("Forgotten your password? Your network's coordinator can set a new one. After 5 failed attempts "
               "an email is locked for 15 minutes.")
