"""Overview: a network's headline figures and how they spread across IMD deciles."""

import streamlit as st

from dashboard.ui import cache, charts, widgets
from dashboard.ui import formatting as fmt

PAGE = "overview"

missing = widgets.missing_reference_message()
if missing:
    st.error(missing, icon=":material/database:")
    st.stop()

filters = widgets.sidebar(PAGE)
if filters is None:
    st.stop()

st.title(filters.network_name)
if filters.is_demo:
    st.warning("**Synthetic demo data.** Generated for demonstration: these figures describe no real "
               "people, jobs or payments.", icon=":material/science:")

sel = filters.selection
if sel is None:
    st.info(f"**No data yet.** No partner of {filters.network_name} has uploaded participants or spend. "
            "Figures appear here as soon as the first quarterly file is accepted.",
            icon=":material/hourglass_empty:")
    st.stop()

now, before = cache.reports(sel)
period = fmt.period_text(sel.from_quarter, sel.to_quarter)
st.markdown(f"#### {filters.initiative_name} · {period}")

if not (now["participants"] or now["completions"] or now["jobs_filled"] or now["spend_total_gbp"]):
    st.info(f"**Nothing recorded for this selection.** {filters.initiative_name} has no participants, "
            f"jobs or spend from {period}. Choose a longer period or *All initiatives* in the sidebar.",
            icon=":material/filter_alt_off:")
    st.stop()

prev = sel.previous()
compare = bool(before["participants"] or before["completions"] or before["jobs_filled"]
               or before["spend_total_gbp"])
vs = fmt.versus_previous(sel.from_quarter, sel.to_quarter) if compare else None


def change(key: str, kind: str) -> str | None:
    """The change on the previous period, written for the metric's delta."""
    if not compare or now[key] is None or before[key] is None:
        return None
    diff = now[key] - before[key]
    return {"count": fmt.signed_count, "money": fmt.signed_money, "pct": fmt.signed_points}[kind](diff)


def show(column, label: str, value: str, key: str, kind: str, help: str, neutral: bool = False) -> None:
    column.metric(label, value, change(key, kind), delta_color="off" if neutral else "normal",
                  delta_description=vs, border=True, help=help)


st.markdown("##### People")
people = st.columns(4)
show(people[0], "Participants", fmt.count(now["participants"]), "participants", "count",
     "People who started on an initiative in the period.")
show(people[1], "Completions", fmt.count(now["completions"]), "completions", "count",
     "Completions dated in the period, whenever the person started.")
show(people[2], "Jobs filled", fmt.count(now["jobs_filled"]), "jobs_filled", "count",
     "Job starts dated in the period.")
show(people[3], "Conversion rate", fmt.pct(now["conversion_rate_pct"]), "conversion_rate_pct", "pct",
     "Share of the period's starters who have a recorded job start. Recent starters have had less time "
     "to find work.", neutral=True)

st.markdown("##### Spend")
spend = st.columns(4)
show(spend[0], "Total spend", fmt.money_short(now["spend_total_gbp"]), "spend_total_gbp", "money",
     f"{fmt.money(now['spend_total_gbp'])} paid to suppliers in the period.", neutral=True)
show(spend[1], "Local spend", fmt.money_short(now["spend_local_gbp"]), "spend_local_gbp", "money",
     f"{fmt.money(now['spend_local_gbp'])} paid to suppliers in the network's own districts.")
show(spend[2], "Local share of spend", fmt.pct(now["spend_local_pct"]), "spend_local_pct", "pct",
     "Local spend as a share of all spend.")
show(spend[3], "Spend with a known location", fmt.pct(now["spend_known_location_pct"]),
     "spend_known_location_pct", "pct",
     f"{fmt.money(now['spend_unknown_location_gbp'])} went to suppliers whose location is unknown: it is "
     "counted in every total, but cannot be local or have a decile.", neutral=True)
span_before = fmt.quarter_span(prev.from_quarter, prev.to_quarter)
st.caption(f"Changes compare with {span_before}, the period of the same length before."
           if compare else f"No figures for the period before ({span_before}) to compare with.")

st.subheader("Reach into the most deprived areas")
PANELS = (
    ("participants", "Participants", "participants_most_deprived_20_pct",
     "Participants from the 20% most deprived areas", "Share of participants living in IMD deciles 1–2."),
    ("jobs_filled", "Jobs filled", "jobs_filled_most_deprived_20_pct",
     "Jobs filled from the 20% most deprived areas", "Share of jobs filled by people living in IMD deciles 1–2."),
    ("spend_gbp", "Spend", "spend_most_deprived_20_pct", "Spend in the 20% most deprived areas",
     f"{fmt.money(now['spend_most_deprived_20_gbp'])} paid to suppliers in IMD deciles 1–2."),
)
for column, (measure, title, share_key, share_label, share_help) in zip(
        st.columns(3, gap="medium"), PANELS, strict=True):
    show(column, share_label, fmt.pct(now[share_key]), share_key, "pct",
         share_help + " If they were spread evenly across England's areas this would be 20%.")
    with column:
        if any(row[measure] for row in now["by_decile"]):
            st.plotly_chart(charts.decile_bars(now["by_decile"], measure, title=f"{title} by IMD decile"),
                            theme=None, config={"displayModeBar": False}, key=f"{PAGE}_chart_{measure}")
        else:
            st.caption(f"No {title.lower()} recorded for this selection, so no chart.")

st.caption(fmt.method_note(now))

with st.expander("Figures by decile"):
    st.table(fmt.decile_table(now), hide_index=True, border="horizontal")
    st.download_button(
        "Download CSV", fmt.decile_csv(now), key=f"{PAGE}_download_csv", mime="text/csv",
        file_name=f"anchor-impact_{sel.network_id}_{sel.from_quarter}-{sel.to_quarter}.csv",
        icon=":material/download:")
