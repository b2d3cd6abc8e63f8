"""Submissions: which partner has sent which quarterly file, and whom to chase before the meeting."""

import streamlit as st

from dashboard import parsing, submissions
from dashboard.ui import cache, widgets

PAGE = "submissions"
MISSING_STYLE = "background-color: #fdecea; color: #8a1c1c; font-weight: 600"

network = widgets.network_picker(PAGE)
if network is None:
    st.stop()

last_complete = submissions.last_complete_quarter()
choices = submissions.recent_quarters(last_complete, 12)[::-1]
quarter = st.sidebar.selectbox(
    "Quarter due", choices, format_func=lambda q: parsing.quarter_label(q, network.year_start), key=f"{PAGE}_quarter",
    help="The quarter whose files you need for the next meeting; the board shows it and the seven before. "
         "Default: the last complete quarter.")
quarters = submissions.recent_quarters(quarter)
board_df = cache.submission_board(network.network_id, quarters)

st.title("Submissions")
st.markdown(f"#### {network.name} · files due for {parsing.quarter_label(quarter, network.year_start)}")
if network.is_demo:
    st.caption("Synthetic demo network: these files were generated for demonstration.")

if board_df.empty:
    st.info(f"**{network.name} has no member institutions yet.** Add them to the network's YAML file and "
            "load it again.", icon=":material/domain_disabled:")
    st.stop()

gaps = submissions.missing(board_df, quarter, network.year_start)
overdue, never = gaps[gaps["sent_before"]], gaps[~gaps["sent_before"]]
due = len(board_df[board_df["quarter"] == quarter])
label = parsing.quarter_label(quarter, network.year_start)
if overdue.empty:
    st.success(f"**Every expected file is in for {label}.** Each institution has sent every dataset it has sent "
               "before.", icon=":material/task_alt:")
else:
    st.warning(f"**Whom to chase before the meeting: {len(overdue)} file{'s' if len(overdue) != 1 else ''} missing "
               f"for {label}**, from institutions that sent that dataset in an earlier quarter.",
               icon=":material/notification_important:")
    st.dataframe(overdue.drop(columns="sent_before"), hide_index=True, key=f"{PAGE}_chase", width="content")
if not never.empty:
    with st.expander(f"Never sent: {len(never)} of the {due} expected files, perhaps because the institution runs "
                     "no scheme of that kind"):
        st.dataframe(never.drop(columns=["sent_before", "Last sent"]), hide_index=True, key=f"{PAGE}_never",
                     width="content")

for kind in submissions.KIND_LABELS:
    st.subheader(f"{submissions.KIND_LABELS[kind]} files, last {len(quarters)} quarters")
    grid = submissions.grid(board_df, kind, network.year_start)
    st.dataframe(grid.style.map(lambda cell: MISSING_STYLE if cell == submissions.MISSING else ""),
                 hide_index=True, key=f"{PAGE}_grid_{kind}",
                 column_config={"Institution": st.column_config.TextColumn(pinned=True, width=250),
                                **{q: st.column_config.TextColumn(width=112) for q in grid.columns[1:]}})
st.caption("Each cell shows how many rows the file now counted holds and the day it was sent; "
           f"'{submissions.NEVER_SENT}' marks a dataset the institution has never sent. A file sent again "
           "for the same quarter replaces the earlier one.")

st.subheader("Every submission")
history_df = cache.submission_history(network.network_id)
if history_df.empty:
    st.info("No files have been submitted yet.", icon=":material/hourglass_empty:")
else:
    st.dataframe(
        submissions.history_table(history_df, network.year_start), hide_index=True, key=f"{PAGE}_history",
        placeholder="–",
        column_config={
            "Submission": st.column_config.NumberColumn(format="%d"),
            "Sent": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
            "Rows": st.column_config.NumberColumn(format="localized"),
            "Total £": st.column_config.NumberColumn(format="£%.2f", help="Spend files: the sum of the payments."),
            "Replaced by": st.column_config.NumberColumn(format="%d", help="The submission that replaced this one."),
        })
    st.caption("Superseded files are kept for audit but no longer counted in any figure.")
