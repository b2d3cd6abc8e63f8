"""Audit log: who signed in, uploaded, superseded, deleted, changed or exported what, and when."""

import streamlit as st

from dashboard.ui import cache, session, widgets

PAGE = "audit"

session.scope()
st.title("Audit log")
network = widgets.network_picker(PAGE)
if network is None:
    st.stop()
log = cache.audit_log(network.network_id)
st.caption("Newest first; the last 1,000 entries. Passwords and the references of deleted participants are never "
           "recorded.")
if log.empty:
    st.info("Nothing recorded yet for this network.", icon=":material/history:")
    st.stop()
st.dataframe(log, hide_index=True, width="stretch", key=f"{PAGE}_table")
st.download_button("Download CSV", log.to_csv(index=False).encode("utf-8"), key=f"{PAGE}_download_csv",
                   file_name=f"anchor-impact_{network.network_id}_audit-log.csv", mime="text/csv",
                   icon=":material/download:", on_click=cache.record_export, args=(network.network_id, "audit log"))
