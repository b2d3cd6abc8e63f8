"""Users: a coordinator's partners and funders, an administrator's networks and coordinators."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import access, config, networks, store
from dashboard.ui import cache, session, widgets

PAGE = "users"
ROLE_CHOICES = {"partner": "Partner (uploads for one institution)",
                "funder": "Funder (disclosure-controlled figures, read only)",
                "coordinator": "Coordinator (runs the network)"}

scope = session.scope()
st.title("Users")
is_admin = scope.role in ("admin", access.SYSTEM)

if is_admin:
    with st.expander("Create or update a network from its YAML file", icon=":material/hub:"):
        st.markdown("The file names the network, its local authority districts, institutions and initiatives "
                    "(see `data/networks/birmingham.yaml`).")
        upload = st.file_uploader("Network YAML file", type=["yaml", "yml"], key=f"{PAGE}_network_file")
        if upload is not None and st.button("Load network", key=f"{PAGE}_network_load", type="primary"):
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / upload.name
                path.write_bytes(upload.getvalue())
                try:
                    network_id = networks.load(path, db=config.db_path(), scope=scope)
                except (store.StoreError, networks.NetworkError) as exc:
                    st.error(str(exc), icon=":material/error:")
                else:
                    cache.clear()
                    st.success(f"Network **{network_id}** loaded.", icon=":material/check_circle:")

network = widgets.network_picker(PAGE)
if network is None:
    st.stop()
if not access.can_manage(scope, network.network_id):
    st.info("Only the network's coordinator manages its users.", icon=":material/lock:")
    st.stop()

members = cache.network_members(network.network_id)
institutions = dict(zip(members["institutions"]["institution_id"], members["institutions"]["name"], strict=True))
initiatives = dict(zip(members["initiatives"]["initiative_id"], members["initiatives"]["name"], strict=True))

st.subheader(f"Accounts of {network.name}")
users = cache.users(network.network_id)
if users.empty:
    st.caption("No accounts yet.")
else:
    st.dataframe(pd.DataFrame({
        "Email": users["email"],
        "Role": users["role"].map(lambda r: session.ROLE_LABELS.get(r, r)),
        "Institution": users["institution_id"].map(lambda i: institutions.get(i, "") if isinstance(i, str) else ""),
        "Created": users["created_at"],
        "Created by": users["created_by"],
        "Disabled": users["disabled"].map({True: "Yes", False: "No"}),
    }), hide_index=True, width="stretch", key=f"{PAGE}_table",
        column_config={"Created": st.column_config.DatetimeColumn("Created", format="D MMM YYYY, HH:mm")})

roles = {k: v for k, v in ROLE_CHOICES.items() if k != "coordinator" or is_admin}
with st.form(f"{PAGE}_add", border=True):
    st.markdown("**Add an account**")
    email = st.text_input("Email", key=f"{PAGE}_email")
    role = st.selectbox("Role", list(roles), format_func=roles.__getitem__, key=f"{PAGE}_role")
    institution = st.selectbox("Institution (partners)", [None, *institutions],
                               format_func=lambda i: "—" if i is None else institutions[i], key=f"{PAGE}_institution")
    granted = st.multiselect("Initiatives (funders; none = the whole network)", list(initiatives),
                             format_func=initiatives.__getitem__, key=f"{PAGE}_initiatives")
    password = st.text_input("First password (at least 12 characters; blank: single sign-on only)",
                             type="password", key=f"{PAGE}_password")
    if st.form_submit_button("Add account", type="primary", icon=":material/person_add:"):
        try:
            access.create_user(scope, email, role, password or None, network_id=network.network_id,
                               institution_id=institution if role == "partner" else None,
                               initiatives=granted if role == "funder" else (), db=config.db_path())
        except store.StoreError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            cache.clear()
            st.success(f"Account for **{email.strip().lower()}** added. Give them the password in person or by "
                       "phone, never in the same email as the address.", icon=":material/check_circle:")

active = [e for e, d in zip(users.get("email", []), users.get("disabled", []), strict=False) if not d]
# The accounts this reader may change: an administrator any; a coordinator the partners and funders.
changeable = [e for e, r, d in zip(users.get("email", []), users.get("role", []), users.get("disabled", []),
                                   strict=False) if not d and (is_admin or r in ("partner", "funder"))]
if changeable:
    with st.form(f"{PAGE}_reset_form", border=True):
        st.markdown("**Reset a password**: set a new one to give them in person or by phone, or make a one-time "
                    f"code they use to choose their own (once, within {access.CODE_HOURS} hours)")
        target = st.selectbox("Account", changeable, key=f"{PAGE}_reset_email")
        new_password = st.text_input("New password (at least 12 characters; blank: make a one-time code instead)",
                                     type="password", key=f"{PAGE}_reset_password")
        if st.form_submit_button("Reset", icon=":material/lock_reset:"):
            try:
                if new_password:
                    access.set_password(scope, target, new_password, db=config.db_path())
                    st.success(f"**{target}** has a new password. Give it to them in person or by phone.",
                               icon=":material/check_circle:")
                else:
                    code = access.issue_sign_in_code(scope, target, db=config.db_path())
                    st.success(f"One-time code for **{target}**: `{code}` (shown only now). They choose "
                               "*Sign in with a one-time code* on the sign-in page. Pass it on in person or by "
                               "phone.", icon=":material/key:")
            except store.StoreError as exc:
                st.error(str(exc), icon=":material/error:")
if active:
    with st.form(f"{PAGE}_disable_form", border=True):
        st.markdown("**Disable an account** (it can no longer sign in; its history stays in the audit log)")
        target = st.selectbox("Account", active, key=f"{PAGE}_disable_email")
        if st.form_submit_button("Disable", icon=":material/person_off:"):
            try:
                access.disable_user(scope, target, db=config.db_path())
            except store.StoreError as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                cache.clear()
                st.success(f"**{target}** can no longer sign in.", icon=":material/check_circle:")
