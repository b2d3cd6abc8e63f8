"""Initiative: the participant journey of one initiative, by IMD decile, institution, time and equality group."""

import streamlit as st

from dashboard import config, notes, palette, parsing, store, submissions
from dashboard.ui import cache, charts, session, widgets
from dashboard.ui import formatting as fmt

PAGE = "initiative"
EQUALITY_TITLES = {"age_band": "Age band", "gender": "Gender", "ethnicity": "Ethnicity", "disability": "Disability"}

filters = widgets.results_header(PAGE, lambda f: f.initiative_name,
                                 caption=lambda f: f"{f.network_name} · {f.institution_name}")
sel = widgets.selection_or_stop(filters)


def label(quarter: str) -> str:
    """A quarter named the network's way."""
    return parsing.quarter_label(quarter, filters.year_start)

if sel.initiative_id is None:
    st.info("Showing **all initiatives** together. Choose one initiative in the sidebar to follow its participants.",
            icon=":material/filter_alt:")

cohort = cache.view(sel, ("funnel",))
funnel = cohort["funnel"]
total = funnel["total"]
period = fmt.period_text(sel.from_quarter, sel.to_quarter, filters.year_start)
stem = f"anchor-impact_{sel.network_id}_{sel.initiative_id or 'all'}_{sel.from_quarter}-{sel.to_quarter}"
st.markdown(f"#### People who started from {period}")


def notes_section() -> None:
    """The coordinator's notes on the chosen quarters (plain text, never Markdown), and a form to write one."""
    found = cache.quarter_notes(sel.network_id, sel.initiative_id, sel.from_quarter, sel.to_quarter)
    if not found.empty:
        with st.container(border=True, key=f"{PAGE}_notes"):
            for row in found.itertuples():
                about = "The network" if not row.initiative_id else filters.initiative_name
                st.markdown(f"**{label(row.quarter)} · {fmt.plain(about)}:** {fmt.plain(row.text)}")
                st.caption(f"Written by {fmt.plain(row.written_by)}, {fmt.long_date(row.written_at.date())}")
    if not cache.can_write_note(sel.network_id, sel.initiative_id):
        return
    with st.expander("Write a note on a quarter", icon=":material/edit_note:"):
        with st.form(f"{PAGE}_note_form", border=False, clear_on_submit=True):
            quarters = submissions.recent_quarters(
                sel.to_quarter, parsing.quarters_between(sel.from_quarter, sel.to_quarter))[::-1]  # newest first
            left, right = st.columns(2)
            quarter = left.selectbox("Quarter", quarters, format_func=label, key=f"{PAGE}_note_quarter")
            subjects = {"network": "The whole network"}
            if sel.initiative_id is not None:
                subjects = {"initiative": filters.initiative_name, **subjects}
            subject = right.radio("About", list(subjects), format_func=subjects.__getitem__, horizontal=True,
                                  key=f"{PAGE}_note_subject")
            text = st.text_area("Note", max_chars=notes.MAX_CHARS, key=f"{PAGE}_note_text",
                                placeholder="e.g. First cohort of 10 started; Pioneer residents referred by the "
                                            "housing team.",
                                help="Plain text, shown as written on this page and on the slides. Saving replaces "
                                     "the quarter's note (every version is kept); an empty note clears it.")
            if st.form_submit_button("Save note", icon=":material/save:"):
                try:
                    notes.write(session.scope(), sel.network_id,
                                sel.initiative_id if subject == "initiative" else None, quarter, text,
                                db=config.db_path())
                except store.StoreError as exc:
                    st.error(str(exc), icon=":material/error:")
                else:
                    cache.clear()
                    st.rerun()


notes_section()
# The initiative's targets (with every initiative's when all are shown; the network's own are on the Overview).
progress = [t for t in cache.targets(sel) if t["initiative_id"] is not None]
if progress:
    st.markdown("##### Targets")
    widgets.targets(progress, sel.network_id, columns=3)


def download(what: str, rows: list[dict], label: str = "Download CSV") -> None:
    """A CSV of the rows behind a chart or table, keyed '<page>_download_<what>'."""
    st.download_button(label, fmt.breakdown_csv(rows, sel), key=f"{PAGE}_download_{what}", mime="text/csv",
                       file_name=f"{stem}_{what}.csv", icon=":material/download:",
                       on_click=cache.record_export, args=(sel.network_id, f"{PAGE} {what}"))


def chart(fig, what: str, rows: str) -> None:
    """A chart and its figures as a table beneath it, keyed '<page>_chart_<what>'."""
    widgets.chart(fig, key=f"{PAGE}_chart_{what}", config=charts.modebar_config(f"{stem}_{what}"), rows=rows)


if not total["starters"]:
    st.info(f"**Nobody started in this period.** {filters.initiative_name} has no participants who started "
            f"from {period}. Choose a longer period, another institution or *All initiatives* in the sidebar.",
            icon=":material/filter_alt_off:")
else:
    st.caption("These figures follow a **cohort**: the people who started in the period, and what they have "
               "gone on to do so far, whenever it happened. The overview counts events instead (completions and "
               "jobs dated in the period, whoever started when), so its numbers differ.")
    cols = st.columns(4)
    cols[0].metric("Started", fmt.count(total["starters"]), border=True,
                   help="People who started on the initiative in the period.")
    cols[1].metric("Completed", fmt.count(total["starters_completed"]), border=True,
                   help=f"{fmt.pct(total['completed_pct'])} of them have a completion recorded so far.")
    cols[2].metric("Started a job", fmt.count(total["starters_with_job"]), border=True,
                   help=f"{fmt.pct(total['with_job_pct'])} of them have a job start recorded so far. "
                        "Recent starters have had less time to find work.")
    reported = total["starters_in_post_6_months_reported"]
    cols[3].metric("Still in post at 6 months", fmt.pct(total["in_post_6_months_pct"]) if reported else "–",
                   border=True,
                   help=(f"{fmt.count(total['starters_in_post_6_months'])} of the {fmt.count(reported)} people "
                         "followed up six months after their job start were still in the job."
                         if reported else "No partner has reported a six-month follow-up for these people."))

    left, right = st.columns(2, gap="medium")
    with left:
        chart(charts.cohort_funnel(total), "funnel", "Stage")
        download("funnel", [{"stage": "total", **total}])
    with right:
        # Under disclosure control a share of a small base is not drawn, as the tables hide it ('[c]').
        min_base = (cohort.get("disclosure") or {}).get("rule", {}).get("min_percentage_base", 0)
        chart(charts.decile_rate_bars(funnel["by_decile"], "starters_with_job", "starters", grouping=filters.grouping,
                                      title=f"Share who started a job, by IMD {filters.grouping}",
                                      min_base=min_base),
              "job_rate_by_decile", f"IMD {filters.grouping}")
    st.caption("IMD decile 1 is the 10% most deprived areas in England (quintile 1, Core20, the 20% most "
               "deprived); grey is outside England's index "
               "(Wales, Scotland, Northern Ireland) or of unknown location.")


# The breakdowns are tabs that run only when open: a filter change redraws one of them, not all.
TABS = {"decile": "By IMD decile", "institution": "By institution", "start": "By start quarter",
        "time": "Over time", "equality": "Equality monitoring"}
if not total["starters"]:
    TABS = {key: TABS[key] for key in ("time", "equality")}
tabs = widgets.url_tabs(PAGE, TABS)

if "decile" in tabs and tabs["decile"].open:
    with tabs["decile"]:
        st.table(fmt.cohort_table(funnel["by_decile"], "Area (IMD decile of home)",
                                  lambda r: palette.area_label(r["imd_decile"] or r["group"])),
                 hide_index=True, border="horizontal")
        download("by_decile", funnel["by_decile"])

if "institution" in tabs and tabs["institution"].open:
    with tabs["institution"]:
        st.table(fmt.cohort_table(funnel["by_institution"], "Institution", lambda r: r["institution_name"]),
                 hide_index=True, border="horizontal")
        download("by_institution", funnel["by_institution"])

if "start" in tabs and tabs["start"].open:
    with tabs["start"]:
        chart(charts.cohort_by_quarter(funnel["by_start_quarter"], year_start=filters.year_start), "by_start_quarter",
              "Start quarter")
        download("by_start_quarter", funnel["by_start_quarter"])

if tabs["time"].open:
    with tabs["time"]:
        st.caption("Each event counted in the quarter of its own date, as on the overview. The running totals count "
                   "from the network's first quarter with data, not from the start of the chosen period.")
        trend = cache.view(sel, ("by_quarter",))["by_quarter"]
        if any(r["cumulative_participants"] for r in trend):
            left, right = st.columns(2, gap="medium")
            with left:
                chart(charts.events_by_quarter(trend, year_start=filters.year_start), "events_by_quarter", "Quarter")
            with right:
                chart(charts.events_by_quarter(trend, cumulative=True, year_start=filters.year_start),
                      "cumulative_by_quarter", "Quarter")
            download("by_quarter", trend)
        else:
            st.caption("No participants recorded for this selection up to the end of the period, so no chart.")

if tabs["equality"].open:
    with tabs["equality"]:
        document = cache.view(sel, ("equality",))
        equality = document["equality"]
        if equality is None:
            st.info(f"**Not shown under disclosure control.** {document['disclosure']['withheld']['equality']}",
                    icon=":material/shield_person:")
        elif not any(r["participants"] or r["jobs_filled"] for r in equality):
            st.caption("No participants started and no jobs were filled in this period, so there is nothing to "
                       "break down.")
        else:
            st.caption("Participants who started in the period and jobs filled in the period, by what partners "
                       "recorded. Monitoring is optional: blanks are shown as *Not recorded*.")
            # Two rows of two: age and gender, then ethnicity and disability.
            for column, characteristic in zip(st.columns(2, gap="medium") * 2, EQUALITY_TITLES, strict=True):
                with column:
                    st.markdown(f"##### {EQUALITY_TITLES[characteristic]}")
                    st.table(fmt.equality_table(equality, characteristic), hide_index=True, border="horizontal")
            download("equality", equality)
