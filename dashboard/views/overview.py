"""Overview: a network's headline figures and how they spread across IMD deciles."""

from urllib.parse import urlencode

import streamlit as st

from dashboard import exports
from dashboard.ui import cache, charts, widgets
from dashboard.ui import formatting as fmt

PAGE = "overview"

filters = widgets.results_header(PAGE, lambda f: f.network_name)
sel = widgets.selection_or_stop(filters)

REPRESENTATION = "representation_by_quintile" if filters.grouping == "quintile" else "representation"
now = cache.report(sel)
before = cache.report(sel.previous())
period = fmt.period_text(sel.from_quarter, sel.to_quarter, filters.year_start)
title_left, title_right = st.columns([4, 1], vertical_alignment="center")
title_left.markdown(f"#### {filters.initiative_name} · {period}")
# Opens in a new tab, signed in: the coordinator keeps the dashboard open beside the slides.
title_right.link_button("Present these results", "present?" + urlencode(st.query_params.to_dict()),
                        icon=":material/slideshow:", width="stretch",
                        help="Full-screen slides of this selection for a meeting: ← → or a clicker to step, Esc to "
                             "leave.")

if not fmt.has_figures(now):
    st.info(f"**Nothing recorded for this selection.** {filters.initiative_name} has no participants, "
            f"jobs or spend from {period}. Choose a longer period or *All initiatives* in the sidebar.",
            icon=":material/filter_alt_off:")
    st.stop()

vs = fmt.versus_previous(sel.from_quarter, sel.to_quarter) if fmt.has_figures(before) else None


def show(column, label: str, value: str, key: str, kind: str, help: str, neutral: bool = False) -> None:
    column.metric(label, value, fmt.change(now, before, key, kind), delta_color="off" if neutral else "normal",
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
st.caption(fmt.comparison_caption(before))

progress = cache.targets(sel)
if progress:
    st.markdown("##### Targets")
    widgets.targets(progress, sel.network_id, columns=4)
    st.caption("Each target's figure covers the target's own quarters, whatever period is chosen above.")

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
            widgets.chart(charts.decile_bars(now[f"by_{filters.grouping}"], measure, grouping=filters.grouping,
                                             title=f"{title} by IMD {filters.grouping}"),
                          key=f"{PAGE}_chart_{measure}", rows=f"IMD {filters.grouping}",
                          config=charts.modebar_config(f"{sel.network_id}_{measure}_by_imd_{filters.grouping}"))
        else:
            st.caption(f"No {title.lower()} recorded for this selection, so no chart.")

st.caption(fmt.method_note(now))

# The sections below are tabs that run only when open: a filter change redraws one of them, not all.
TABS = {"time": "Over time", "proportion": "Reaching people in proportion", "nations": "Wales and Scotland",
        "tables": "Figures as tables"}
tabs = widgets.url_tabs(PAGE, TABS)

if tabs["time"].open:
    with tabs["time"]:
        quarters = cache.view(sel, ("by_quarter",))["by_quarter"]
        st.caption("Each event in the quarter of its own date. Running totals count from the network's first "
                   "quarter of data, whatever range is chosen.")
        has_people = any(row["participants"] or row["completions"] or row["jobs_filled"] for row in quarters)
        trend_left, trend_right = st.columns(2, gap="medium")
        if has_people:
            with trend_left:
                widgets.chart(charts.events_by_quarter(quarters, year_start=filters.year_start), rows="Quarter",
                              key=f"{PAGE}_chart_by_quarter",
                              config=charts.modebar_config(f"{sel.network_id}_by_quarter"))
            with trend_right:
                widgets.chart(charts.events_by_quarter(quarters, cumulative=True, year_start=filters.year_start),
                              rows="Quarter", key=f"{PAGE}_chart_cumulative",
                              config=charts.modebar_config(f"{sel.network_id}_cumulative"))
        if any(row["spend_gbp"] for row in quarters):
            with trend_right if not has_people else st.container():
                widgets.chart(charts.spend_where_by_quarter(quarters, year_start=filters.year_start), rows="Quarter",
                              key=f"{PAGE}_chart_spend_by_quarter",
                              config=charts.modebar_config(f"{sel.network_id}_spend_by_quarter"))

if tabs["proportion"].open:
    with tabs["proportion"]:
        rep = cache.view(sel, (REPRESENTATION,))[REPRESENTATION]
        if rep["participants_in_area"] or rep["jobs_filled_in_area"]:
            st.caption("Each bar is a group's share of the people reached who live in the network's area, divided "
                       "by its share of the area's working-age population. Above the dashed line at 1.0, the group "
                       "is reached more than its share; 1.8 means 1.8 times its share. " + rep["denominator"]["text"])
            for column, (measure, title) in zip(st.columns(2, gap="medium"),
                                                (("participants", "Participants"), ("jobs_filled", "Jobs filled")),
                                                strict=True):
                with column:
                    widgets.chart(charts.representation_bars(rep, measure,
                                                             title=f"{title}: share ÷ population share"),
                                  key=f"{PAGE}_chart_representation_{measure}", rows=f"IMD {filters.grouping}",
                                  config=charts.modebar_config(f"{sel.network_id}_{measure}_representation"))
        else:
            st.caption("Nobody reached in this selection lives in the network's area, so representation cannot "
                       "be shown.")

if tabs["nations"].open:
    with tabs["nations"]:
        nations = [row for row in cache.view(sel, ("nation_deciles",))["nation_deciles"]
                   if row["participants"] or row["jobs_filled"] or row["spend_gbp"]]
        st.caption("Each nation ranks only its own areas, so these deciles are never added to England's.")
        if not nations:
            st.caption("No participants, jobs or spend in Wales or Scotland for this selection.")
        for column, nation in zip(st.columns(2, gap="medium"), sorted({row["nation"] for row in nations}),
                                  strict=False):
            with column:
                widgets.chart(charts.nation_bars([row for row in nations if row["nation"] == nation]),
                              key=f"{PAGE}_chart_{nation.lower()}", rows="Decile",
                              config=charts.modebar_config(f"{sel.network_id}_{nation.lower()}_by_own_index"))

if tabs["tables"].open:
    with tabs["tables"]:
        tables = cache.view(sel, ("by_quarter", REPRESENTATION))
        quarters, rep = tables["by_quarter"], tables[REPRESENTATION]
        st.markdown("##### By decile")
        st.table(fmt.decile_table(now), hide_index=True, border="horizontal")
        st.download_button(
            "Download CSV", fmt.decile_csv(now), key=f"{PAGE}_download_csv", mime="text/csv",
            file_name=f"anchor-impact_{sel.network_id}_{sel.from_quarter}-{sel.to_quarter}.csv",
            icon=":material/download:", on_click=cache.record_export, args=(sel.network_id, "overview by decile"))
        pack_file = exports.EXPORTS["pack"]
        st.download_button(
            "Funder pack (.xlsx)", cache.export_file("pack", sel), key=f"{PAGE}_download_pack", mime=pack_file.mime,
            icon=":material/table_view:", on_click=cache.record_export, args=(sel.network_id, pack_file.what),
            file_name=f"anchor-impact_{sel.network_id}_pack_{sel.from_quarter}-{sel.to_quarter}{pack_file.suffix}",
            help="Every table of this selection, one sheet each, with the period, the IoD release, definitions and "
                 "the disclosure rule in force: what you may see, as you see it here.")
        st.markdown("##### By quarter")
        st.table(fmt.quarter_table(quarters, fmt.TREND_COLUMNS, filters.year_start), border="horizontal")
        st.download_button("Download CSV", fmt.breakdown_csv(quarters, sel), key=f"{PAGE}_download_quarters",
                           mime="text/csv", icon=":material/download:",
                           on_click=cache.record_export, args=(sel.network_id, "overview by quarter"),
                           file_name=f"anchor-impact_{sel.network_id}_by_quarter_{sel.from_quarter}-"
                                     f"{sel.to_quarter}.csv")
        if rep["rows"]:
            st.markdown("##### Representation")
            st.table(fmt.representation_table(rep), hide_index=True, border="horizontal")
            st.download_button("Download CSV", fmt.breakdown_csv(rep["rows"], sel),
                               key=f"{PAGE}_download_representation", mime="text/csv", icon=":material/download:",
                               on_click=cache.record_export, args=(sel.network_id, "overview representation"),
                               file_name=f"anchor-impact_{sel.network_id}_representation_{sel.from_quarter}-"
                                         f"{sel.to_quarter}.csv")
