"""Upload data: a partner sends a quarterly participants or spend file, sees every problem, then commits it."""

import io
import re

import pandas as pd
import streamlit as st

from dashboard import checks, contract, ingest, parsing, recognise, store, submissions, templates
from dashboard.ui import cache, session, widgets
from dashboard.ui import formatting as fmt

PAGE = "upload"
KIND_LABELS = submissions.KIND_LABELS
MAX_MB = ingest.MAX_FILE_BYTES // 2**20
RECEIPT_KEY = f"_{PAGE}_receipt"
NOT_USED = ""  # the column choice 'not used'
STOP = "Stop: I will fix the file"
LEAVE_OUT_ROWS = "Leave them out"
DATE_TO_QUARTER = "Date them to {quarter}"
SHOWN_ROWS = 10
WHOLE_FILE_LINES = 20  # problems about the whole file shown as lines; any more go in the table
PROBLEM_COLUMNS = {
    "Row": st.column_config.NumberColumn(help="The row in your spreadsheet (the header is row 1).", format="%d",
                                         width=60),
    "Column": st.column_config.TextColumn(help="The column as your file names it.", width=170),
}


def plain(text: object) -> str:
    """Text from a file or a person, inert in Markdown: no links, images, emphasis, code or HTML."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:@])", r"\\\1", str(text))


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def problem_table(problems: list[ingest.Problem]) -> pd.DataFrame:
    """Problems (or notes) for display: the spreadsheet row, the file's column, what is wrong."""
    return pd.DataFrame({"Row": [p.row for p in problems], "Column": [p.column or "" for p in problems],
                         "Problem": [p.message for p in problems]}).astype({"Row": "Int64"})


def show_listed(problems: list[ingest.Problem], what: str) -> None:
    """Problems or notes as plain text (they quote the file), never Markdown.

    About the whole file: one wrapped line each. About cells: a table by row and column, which can be sorted
    and searched (a grid cuts long text, so the long file-level messages stay out of it).
    """
    whole = [p for p in problems if p.row is None][:WHOLE_FILE_LINES]
    cells = [p for p in problems if p not in whole]
    if whole:
        with st.container(border=True, key=f"{PAGE}_{what}_whole_file"):
            for p in whole:
                st.text(f"Column '{p.column}': {p.message}" if p.column else p.message[:1].upper() + p.message[1:])
    if cells:
        table = problem_table(cells)
        st.dataframe(table if what == "problems" else table.rename(columns={"Problem": "Note"}), hide_index=True,
                     key=f"{PAGE}_{what}", placeholder="", column_config=PROBLEM_COLUMNS)


def xlsx_bytes(kind: str) -> bytes:
    out = io.BytesIO()
    templates.xlsx_workbook(kind).save(out)
    return out.getvalue()


def field_label(name: str) -> str:
    return "Not used" if name == NOT_USED else f"{name} ({recognise.LABELS.get(name, name)})"


def remember(choices_key: str, header: str, widget_key: str) -> None:
    """Keep a column choice beyond the widget's life: the choice stays once the column is mapped."""
    st.session_state[choices_key][header] = st.session_state[widget_key]


def show_row_choices(preview: ingest.Preview, rows_key: str, quarter_label: str) -> None:
    """What to do with rows that cannot be counted as they are: stop (the default), leave out, or date them."""
    with st.container(border=True, key=f"{PAGE}_rows_box"):
        st.markdown("**Rows.** Some rows cannot be counted as they are. By default nothing is saved; you can "
                    "choose instead, and your choice (which rows, why, their total) is kept with the submission.")
        for code in preview.row_questions:
            options = [STOP, LEAVE_OUT_ROWS] + ([DATE_TO_QUARTER] if code == checks.NO_DATE else [])
            if code == checks.NO_DATE and preview.mapping and "payment_date" not in preview.mapping.fields:
                options.remove(LEAVE_OUT_ROWS)  # no column of dates: every row would go
            key = f"{PAGE}_rows_{code}"
            if st.session_state.get(key) not in options:
                st.session_state[key] = st.session_state[rows_key].get(code, STOP)
            st.radio(f"Rows with {checks.LEAVE_OUT[code]}", options, key=key, horizontal=True,
                     format_func=lambda o: o.format(quarter=quarter_label), on_change=remember,
                     args=(rows_key, code, key))


def show_receipt(receipt: dict) -> None:
    total = f", total {fmt.money_exact(receipt['total_gbp'])}" if receipt["total_gbp"] is not None else ""
    st.success(f"**Committed as submission {receipt['submission_id']}.** {plural(receipt['rows'], 'row')} "
               f"accepted{total}. {receipt['superseded_text']}", icon=":material/task_alt:")
    details = {"Submission": str(receipt["submission_id"]), "File": receipt["file_name"],
               "Rows accepted": f"{receipt['rows']:,}"}
    if receipt["total_gbp"] is not None:
        details["Total spend"] = fmt.money_exact(receipt["total_gbp"])
    if receipt.get("left_out"):
        details["Rows left out, as you chose"] = f"{receipt['left_out']:,}"
    if receipt.get("dated_to_quarter"):
        details["Rows dated to the quarter, as you chose"] = f"{receipt['dated_to_quarter']:,}"
    details["Replaces"] = receipt["replaces"]
    # st.table renders Markdown in its cells; a file name must stay plain text, so st.dataframe.
    st.dataframe(pd.DataFrame({"Receipt": list(details), "Value": list(details.values())}), hide_index=True,
                 key=f"{PAGE}_receipt", width=700)
    st.caption("The file's fingerprint (SHA-256): the same file always gives the same one.")
    st.code(receipt["sha256"], language=None, wrap_lines=True, width=700)
    st.caption("Every page's figures include it now"
               + (", and your column choices are saved for next quarter's file" if receipt["mapping_saved"] else "")
               + ". To send another file, choose it above.")


widgets.require_reference()

scope = session.scope()
st.title("Upload data")
st.caption("Send your institution's quarterly file. It is checked in full first: you see every problem and "
           "anything it would replace, and nothing is saved until you press Commit.")

st.subheader("1. What are you sending?")
where = st.columns([3, 4, 2, 2])
network = widgets.network_picker(PAGE, container=where[0])
if network is None:
    st.stop()
institutions = cache.network_members(network.network_id)["institutions"]
if institutions.empty:
    st.info(f"**{network.name} has no member institutions yet.** Ask the network's coordinator to add yours.",
            icon=":material/domain_disabled:")
    st.stop()
names = dict(zip(institutions["institution_id"], institutions["name"], strict=True))


def label(quarter: str) -> str:
    """A quarter named the network's way."""
    return parsing.quarter_label(quarter, network.year_start)

# Institutions that have left come last, saying so: they may still send or correct the quarters they were in.
left = {i: pd.Timestamp(d) for i, d in zip(institutions["institution_id"], institutions["left_on"], strict=True)
        if not pd.isna(d)}
choices = sorted(names, key=lambda i: i in left)
labels = {i: names[i] + (f" (left {left[i]:%-d %b %Y})" if i in left else "") for i in choices}
if st.session_state.get(f"{PAGE}_institution") not in names:
    st.session_state[f"{PAGE}_institution"] = choices[0]
institution_id = where[1].selectbox("Institution", choices, format_func=labels.__getitem__,
                                    key=f"{PAGE}_institution")
kind = where[2].selectbox("Dataset", contract.KINDS, format_func=KIND_LABELS.__getitem__, key=f"{PAGE}_kind")
last_complete = submissions.last_complete_quarter()
in_progress = parsing.shift_quarter(last_complete, 1)
quarter_choices = [in_progress, *submissions.recent_quarters(last_complete, 12)[::-1]]
if st.session_state.get(f"{PAGE}_quarter") not in quarter_choices:
    st.session_state[f"{PAGE}_quarter"] = last_complete
quarter = where[3].selectbox(
    "Quarter", quarter_choices, key=f"{PAGE}_quarter",
    format_func=lambda q: label(q) + (" (in progress)" if q == in_progress else ""),
    help="The calendar quarter the file reports on: Jan–Mar is Q1, Jul–Sep is Q3. Default: the last complete one.")
# The signed-in account is recorded with the submission, so the coordinator knows whom to ask.
submitted_by = scope.actor
if network.is_demo:
    st.caption("This is the synthetic demo network: upload here to try things out.")

st.subheader("2. Start from the template")
st.markdown(f"One row per {'person' if kind == 'participants' else 'payment'}, under the header row. "
            "An export from your own system with other column names works too: you can say which column is "
            "which once it is uploaded.")
buttons = st.container(horizontal=True)
buttons.download_button("Template (CSV)", templates.csv_bytes(kind), file_name=f"{kind}_template.csv",
                           mime="text/csv", key=f"{PAGE}_template_csv", icon=":material/download:")
buttons.download_button("Template (Excel)", xlsx_bytes(kind), file_name=f"{kind}_template.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key=f"{PAGE}_template_xlsx", icon=":material/download:")
with st.expander(f"What goes in each column of the {KIND_LABELS[kind].lower()} file"):
    st.table(templates.guide(kind), hide_index=True, border="horizontal")

st.subheader("3. Upload your file")
upload = st.file_uploader(
    f"{KIND_LABELS[kind]} file of {names[institution_id]} for {label(quarter)}",
    type=["csv", "xlsx", "xls"], key=f"{PAGE}_file", max_upload_size=MAX_MB,
    help=f"CSV or Excel (.csv, .xlsx, .xls), up to {MAX_MB} MB.")
st.caption(f"CSV or Excel, up to {MAX_MB} MB. Dates day first (dd/mm/yyyy); amounts in pounds.")

if upload is not None:
    st.subheader("4. Check and commit")
    data = upload.getvalue()
    choices_key = f"_{PAGE}_choices_{kind}"
    choices = st.session_state.setdefault(choices_key, {})
    rows_key = f"_{PAGE}_rows_{kind}"
    row_choices = st.session_state.setdefault(rows_key, {})
    chosen_rows = ingest.RowChoices(
        leave_out=frozenset(c for c in checks.LEAVE_OUT if row_choices.get(c) == LEAVE_OUT_ROWS),
        date_to_quarter=row_choices.get(checks.NO_DATE) == DATE_TO_QUARTER)
    auto = cache.preview(network.network_id, institution_id, kind, quarter, data, upload.name)
    user_mapping = recognise.with_choices(auto.mapping, choices, NOT_USED) if auto.mapping is not None else None
    preview = cache.preview(network.network_id, institution_id, kind, quarter, data, upload.name, user_mapping,
                            chosen_rows) if user_mapping is not None or chosen_rows != ingest.RowChoices() else auto
    receipt = st.session_state.get(RECEIPT_KEY)
    if receipt is not None and receipt["sha256"] == preview.sha256 and receipt["where"] == (
            network.network_id, institution_id, kind, quarter):
        show_receipt(receipt)
    else:
        # The total is shown to the penny, to be checked against the finance system: it gets the room.
        numbers = iter(st.columns([2, 3, 2, 3] if kind == "spend" else 4))
        read = not preview.rows.empty  # else the file could not be read into rows at all (yet)
        next(numbers).metric("Rows", fmt.count(preview.row_count) if read else "–", border=True,
                             help="Data rows read from the file (a total line at the end is not a row).")
        if kind == "spend":
            next(numbers).metric("Total spend", fmt.money_exact(preview.total_gbp or 0) if read else "–", border=True,
                                 help="The sum of every payment in the file, credits subtracted.")
        next(numbers).metric("Problems", fmt.count(len(preview.problems)), border=True)

        if preview.mapping is not None:
            found = preview.mapping
            asking = list(dict.fromkeys([*found.unmapped, *(h for h in choices if h in found.unmapped
                                                            or h in found.fields.values())]))
            saved = cache.saved_mapping(network.network_id, institution_id, kind)
            # Open when a column needs an answer, and stays open while the person is answering.
            with st.expander("Your columns and how they are read", expanded=bool(asking and (
                    found.ambiguous or found.missing_required or any(h in choices for h in asking)))):
                st.dataframe(pd.DataFrame({
                    "Your column": list(found.fields.values()),
                    "Read as": [field_label(f) for f in found.fields],
                    "Because": ["your choice" if h in choices else "saved from your last file" if saved.get(h) == f
                                else "template name" if recognise.template_key(h) == f else "recognised name"
                                for f, h in found.fields.items()],
                }), hide_index=True, key=f"{PAGE}_mapping")
                if asking:
                    st.markdown("**Columns to check.** Say what each holds, or leave it *Not used*:")
                    options = [NOT_USED, *recognise.fields_of(kind)]
                    current = {h: f for f, h in found.fields.items()}
                    for column, header in zip(st.columns(3) * len(asking), asking, strict=False):
                        key = f"{PAGE}_map_{header}"
                        if st.session_state.get(key) not in options:
                            st.session_state[key] = choices.get(header, current.get(header, NOT_USED))
                        # The header comes from the file: plain text, not a Markdown label.
                        column.text(header)
                        column.selectbox(f"What column {plain(header)} holds", options, format_func=field_label,
                                         key=key, on_change=remember, args=(choices_key, header, key),
                                         label_visibility="collapsed")

        if preview.row_questions:
            show_row_choices(preview, rows_key, label(quarter))

        if preview.problems:
            st.error(f"**{plural(len(preview.problems), 'problem')} to fix.** Nothing has been saved. Correct "
                     "the file and upload it again.", icon=":material/error:")
            show_listed(preview.problems, "problems")
            st.download_button("Download the list of problems (CSV)", ingest.problems_csv(preview.problems),
                               file_name=f"problems_{upload.name.rsplit('.', 1)[0]}.csv", mime="text/csv",
                               key=f"{PAGE}_problems_csv", icon=":material/download:")
        else:
            st.success("**No problems found.** Check the first rows below, then commit.",
                       icon=":material/check_circle:")
        if preview.notes:
            st.info(f"**Worth knowing:** {plural(len(preview.notes), 'note')} on this file. None of them stops "
                    "it being committed.", icon=":material/info:")
            show_listed(preview.notes, "notes")

        if not preview.rows.empty:
            shown = [c.name for c in contract.COLUMNS[kind] if preview.mapping and c.name in preview.mapping.fields
                     or (c.name == "payment_date" and preview.dated_to_quarter)]
            if "payment_date_precision" in preview.rows and (preview.rows["payment_date_precision"] != "day").any():
                shown.insert(shown.index("payment_date") + 1, "payment_date_precision")
            st.markdown(f"**The first {min(SHOWN_ROWS, preview.row_count)} rows as read**")
            st.dataframe(preview.rows[shown].head(SHOWN_ROWS).rename_axis("Row").reset_index(), hide_index=True,
                         key=f"{PAGE}_rows", placeholder="–", column_config={
                             "Row": st.column_config.NumberColumn(format="%d"),
                             **{c.name: st.column_config.DateColumn(format="DD/MM/YYYY")
                                for c in contract.COLUMNS[kind] if c.kind == "date"},
                             "amount_gbp": st.column_config.NumberColumn(format="£%.2f")})
            if kind == "participants":
                st.caption("Home postcodes are used to find each person's small area and then dropped: only the "
                           "area (LSOA) and the postcode district, such as B10, are stored.")

        old = preview.supersedes
        if preview.unchanged:
            st.info("**This exact file is already the one counted for this quarter.** Committing it again changes "
                    "nothing.", icon=":material/check_circle:")
        elif old is not None:
            st.warning(f"**This file replaces the one already sent for {label(quarter)}.** Once you "
                       "commit, only this file counts for the quarter; the earlier one is kept for the record.",
                       icon=":material/swap_horiz:")
            compare = {
                "File": (old.file_name, upload.name),
                "Submission": (str(old.submission_id), "not yet committed"),
                "Sent": (f"{fmt.long_date(old.submitted_at)}, {old.submitted_at:%H:%M}", "now"),
                "Sent by": (old.submitted_by, submitted_by),
                "Rows": (f"{old.row_count:,}", f"{preview.row_count:,}"),
            }
            if kind == "spend":
                compare["Total spend"] = (fmt.money_exact(old.total_gbp or 0), fmt.money_exact(preview.total_gbp or 0))
            st.dataframe(pd.DataFrame({"": list(compare), "Already sent": [v[0] for v in compare.values()],
                                       "This file": [v[1] for v in compare.values()]}),
                         hide_index=True, key=f"{PAGE}_replaces", width=700)

        commit = st.button("Commit", key=f"{PAGE}_commit", type="primary", icon=":material/cloud_upload:",
                           disabled=not preview.ok or preview.unchanged)
        if not preview.ok:
            st.caption("Commit becomes available once the file has no problems.")
        if commit:
            try:
                done = ingest.commit(preview, scope=scope)
            except ingest.IngestError as exc:
                st.error(f"**Not committed.** {plural(len(exc.problems), 'problem')}:", icon=":material/error:")
                st.dataframe(problem_table(exc.problems), hide_index=True, key=f"{PAGE}_commit_problems")
            except store.StoreError as exc:  # a full disk, or the database busy: nothing was saved
                st.error(f"**Not committed.** {exc}", icon=":material/error:")
            else:
                replaced = ", ".join(str(s) for s in done.superseded)
                st.session_state[RECEIPT_KEY] = {
                    "where": (network.network_id, institution_id, kind, quarter), "sha256": done.sha256,
                    "submission_id": done.submission_id, "rows": done.rows, "file_name": done.file_name,
                    "total_gbp": str(done.total_gbp) if done.total_gbp is not None else None,
                    "mapping_saved": done.mapping_saved,
                    "left_out": len(done.left_out), "dated_to_quarter": done.dated_to_quarter,
                    "superseded_text": (f"It replaces submission {replaced}, which no longer counts."
                                        if done.superseded else "It is the first file for this quarter."),
                    "replaces": f"submission {replaced}" if done.superseded else "nothing",
                }
                cache.clear()
                st.rerun()

st.subheader(f"Files sent by {names[institution_id]}")
history_df = cache.submission_history(network.network_id, institution_id)
if history_df.empty:
    st.caption("None yet.")
else:
    st.dataframe(submissions.history_table(history_df, network.year_start).drop(columns=["Institution"]),
                 hide_index=True,
                 key=f"{PAGE}_history", placeholder="–",
                 column_config={
                     "Submission": st.column_config.NumberColumn(format="%d"),
                     "Sent": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
                     "Total £": st.column_config.NumberColumn(format="£%.2f"),
                     "Replaced by": st.column_config.NumberColumn(format="%d"),
                 })
    st.caption("Newest first. A superseded file is kept for the record but no longer counts.")
