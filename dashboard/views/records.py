"""Participant records: delete everything held about one person, for a data-subject request."""

import streamlit as st

from dashboard import access, config, erasure, store, subject_access
from dashboard.ui import cache, session, widgets

PAGE = "records"

scope = session.scope()
st.title("Delete a participant's records")
st.markdown("When someone asks for their data to be erased, enter the reference your institution used for them "
            "in its uploads. Every row with that reference in your institution's files is deleted, in current and "
            "replaced files alike. The audit log records that a deletion happened and how many rows went, "
            "**never the reference**.")
network = widgets.network_picker(PAGE)
if network is None:
    st.stop()
members = cache.network_members(network.network_id)["institutions"]
names = dict(zip(members["institution_id"], members["name"], strict=True))
allowed = [i for i in names if access.can_upload(scope, network.network_id, i)]
if not allowed:
    st.info("Your account cannot change records in this network.", icon=":material/lock:")
    st.stop()
with st.form(f"{PAGE}_form", border=True):
    institution = st.selectbox("Institution", allowed, format_func=names.__getitem__, key=f"{PAGE}_institution")
    ref = st.text_input("Participant reference", key=f"{PAGE}_ref")
    sure = st.checkbox("I understand this cannot be undone", key=f"{PAGE}_confirm")
    if st.form_submit_button("Delete records", type="primary", icon=":material/delete_forever:"):
        if not sure:
            st.error("Tick the box to confirm first.", icon=":material/error:")
        else:
            try:
                count = erasure.delete_participant(scope, network.network_id, institution, ref, db=config.db_path())
            except store.StoreError as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                cache.clear()
                if count:
                    st.success(f"Deleted {count:,} record{'s' if count != 1 else ''}.", icon=":material/check_circle:")
                else:
                    st.warning("No records with that reference were found for this institution; nothing was "
                               "deleted.", icon=":material/search_off:")

st.subheader("Export a participant's records")
st.markdown("When someone asks for a copy of their data, enter the same reference: every record held about them in "
            "your institution's files, each with the file it came from, downloads as CSV. The audit log records the "
            "export and how many records, **never the reference**.")
with st.form(f"{PAGE}_export_form", border=True):
    export_institution = st.selectbox("Institution", [i for i in names if access.can_read_rows(
        scope, network.network_id, i)], format_func=names.__getitem__, key=f"{PAGE}_export_institution")
    export_ref = st.text_input("Participant reference", key=f"{PAGE}_export_ref")
    asked = st.form_submit_button("Find records", icon=":material/search:")
if asked:
    try:
        found = subject_access.export(scope, network.network_id, export_institution, export_ref, db=config.db_path())
    except store.StoreError as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        if found.empty:
            st.warning(subject_access.nothing_found(network.network_id, export_institution),
                       icon=":material/search_off:")
        else:
            st.download_button(f"Download {len(found):,} record{'s' if len(found) != 1 else ''} (CSV)",
                               subject_access.to_csv(found), icon=":material/download:", on_click="ignore",
                               file_name=f"{network.network_id}-{export_institution}-participant-records.csv",
                               mime="text/csv", key=f"{PAGE}_export_download")
