"""Local spend: where the network's money goes, by IMD decile, institution, category, supplier and quarter."""

import streamlit as st

from dashboard.ui import cache, charts, widgets
from dashboard.ui import formatting as fmt

PAGE = "spend"

filters = widgets.results_header(PAGE, lambda f: f"Local spend · {f.network_name}",
                                 caption=lambda f: f"{f.initiative_name} · {f.institution_name}")
sel = widgets.selection_or_stop(filters)

# The headline report, then each tab's breakdown when it opens: all cut from one document, so they agree.
now = cache.view(sel, ("spend_by_institution",))
period = fmt.period_text(sel.from_quarter, sel.to_quarter, filters.year_start)
stem = f"anchor-impact_{sel.network_id}_spend_{sel.from_quarter}-{sel.to_quarter}"
st.markdown(f"#### Payments from {period}")


def download(what: str, data: bytes, label: str = "Download CSV") -> None:
    """A CSV of the figures behind a chart or table, keyed '<page>_download_<what>'."""
    st.download_button(label, data, key=f"{PAGE}_download_{what}", mime="text/csv", file_name=f"{stem}_{what}.csv",
                       icon=":material/download:", on_click=cache.record_export,
                       args=(sel.network_id, f"{PAGE} {what}"))


def chart(fig, what: str, rows: str | None = None) -> None:
    """A chart keyed '<page>_chart_<what>', with its figures as a table beneath it unless named rows is None: a
    table or sentence of the same figures is right beside it."""
    config, key = charts.modebar_config(f"{stem}_{what}"), f"{PAGE}_chart_{what}"
    if rows is None:
        st.plotly_chart(fig, theme=None, config=config, key=key)
    else:
        widgets.chart(fig, key=key, config=config, rows=rows)


if not now["spend_by_institution"]:
    st.info(f"**No payments in this period.** {filters.initiative_name} has no spend recorded from {period}. "
            "Choose a longer period, another institution or *All initiatives* in the sidebar. (Spend counts for "
            "an initiative only when the partner's file names it.)", icon=":material/filter_alt_off:")
    st.stop()

top = st.columns(4)
top[0].metric("Total spend", fmt.money_short(now["spend_total_gbp"]), border=True,
              help=f"{fmt.money(now['spend_total_gbp'])} paid to suppliers in the period, credits included.")
top[1].metric("Local spend", fmt.money_short(now["spend_local_gbp"]), border=True,
              help=f"{fmt.money(now['spend_local_gbp'])} ({fmt.pct(now['spend_local_pct'])} of all spend) paid to "
                   "suppliers in the network's own districts.")
top[2].metric("Local share of spend", fmt.pct(now["spend_local_pct"]), border=True,
              help="Local spend as a share of all spend.")
top[3].metric("In the 20% most deprived areas", fmt.pct(now["spend_most_deprived_20_pct"]), border=True,
              help=f"{fmt.money(now['spend_most_deprived_20_gbp'])} paid to suppliers in IMD deciles 1–2. If spend "
                   "were spread evenly across England's areas this would be 20%.")
more = st.columns(4)
more[0].metric("Spend with a known location", fmt.pct(now["spend_known_location_pct"]), border=True,
               help="Share of spend whose supplier could be placed (from the payment or the supplier register).")
more[1].metric("Location unknown", fmt.money_short(now["spend_unknown_location_gbp"]), border=True,
               help=f"{fmt.money(now['spend_unknown_location_gbp'])} went to suppliers whose location is unknown: it "
                    "is counted in every total, but cannot be local or have a decile. Classify them on the "
                    "Suppliers to classify page.")
more[2].metric("SME share", fmt.pct(now["spend_sme_pct"]), border=True,
               help=f"{fmt.money(now['spend_sme_gbp'])} to small and medium-sized enterprises. Spend flagged either "
                    f"way: {fmt.pct(now['spend_sme_flagged_pct'])}; the rest is not known.")
more[3].metric("VCSE share", fmt.pct(now["spend_vcse_pct"]), border=True,
               help=f"{fmt.money(now['spend_vcse_gbp'])} to voluntary, community and social enterprises. Spend "
                    f"flagged either way: {fmt.pct(now['spend_vcse_flagged_pct'])}; the rest is not known.")

st.subheader("By deprivation of the supplier's area")
left, right = st.columns(2, gap="medium")
with left:
    chart(charts.decile_bars(now["by_decile"], "spend_gbp", grouping=filters.grouping,
                             title=f"All spend by IMD {filters.grouping}"), "by_decile", f"IMD {filters.grouping}")
with right:
    chart(charts.decile_bars(now["by_decile"], "spend_local_gbp", grouping=filters.grouping,
                             title=f"Local spend by IMD {filters.grouping}"), "local_by_decile",
          f"IMD {filters.grouping}")
st.caption(fmt.method_note(now))
download("by_decile", fmt.decile_csv(now))

sources = cache.view(sel, ("spend_by_source",))["spend_by_source"]
chart(charts.spend_sources_bar(sources), "by_source")
st.caption("A payment is placed by the postcode in the partner's own file, else by the coordinator's supplier list, "
           "else by the official register entry its supplier was matched to (the registered office, or the "
           "charity's contact address: where an organisation is registered, not necessarily where it works). "
           "Redacted payees (personal data) cannot be placed. " + " · ".join(
               f"{row['source_label']}: {fmt.money_short(row['spend_gbp'])} ({fmt.pct(row['spend_pct'])})"
               for row in sources))

# The breakdowns are tabs that run only when open: a filter change redraws one of them, not all.
TABS = {"quarter": "By quarter", "institution": "By institution", "category": "By category",
        "suppliers": "Top suppliers"}
tabs = widgets.url_tabs(PAGE, TABS)

if tabs["quarter"].open:
    with tabs["quarter"]:
        st.caption("Each payment counts in the quarter of its own date. Grey is spend whose supplier's location is "
                   "unknown, shown beside the rest rather than dropped.")
        trend = cache.view(sel, ("by_quarter",))["by_quarter"]
        chart(charts.spend_where_by_quarter(trend, year_start=filters.year_start), "by_quarter")
        st.markdown("##### Figures by quarter, with running totals since the network's first data")
        st.table(fmt.quarter_table(trend, {"spend_gbp": "Spend", "spend_local_gbp": "Local",
                                           "spend_most_deprived_20_gbp": "In 20% most deprived",
                                           "spend_unknown_location_gbp": "Location unknown",
                                           "spend_known_location_pct": "Known location",
                                           "cumulative_spend_gbp": "Spend since the start",
                                           "cumulative_spend_local_gbp": "Local since the start"},
                                 filters.year_start),
                 hide_index=True, border="horizontal")
        download("by_quarter", fmt.breakdown_csv(trend, sel))

if tabs["institution"].open:
    with tabs["institution"]:
        chart(charts.spend_where_bars(now["spend_by_institution"], "institution_name", title="Spend by institution"),
              "by_institution")
        st.table(fmt.spend_table(now["spend_by_institution"], "Institution", "institution_name"), hide_index=True,
                 border="horizontal")
        download("by_institution", fmt.breakdown_csv(now["spend_by_institution"], sel))

if tabs["category"].open:
    with tabs["category"]:
        by_category = cache.view(sel, ("spend_by_category",))["spend_by_category"]
        chart(charts.spend_where_bars(by_category, "category", title="Spend by category"), "by_category")
        st.table(fmt.spend_table(by_category, "Category", "category"), hide_index=True, border="horizontal")
        download("by_category", fmt.breakdown_csv(by_category, sel))

if tabs["suppliers"].open:
    with tabs["suppliers"]:
        st.caption("The ten largest suppliers by spend in the period. A supplier is its supplier register entry, or "
                   "else its name however written (case, punctuation and Ltd/Limited ignored).")
        top_suppliers = cache.view(sel, ("top_suppliers",))["top_suppliers"]
        st.table(fmt.supplier_table(top_suppliers), hide_index=True, border="horizontal")
        download("top_suppliers", fmt.breakdown_csv(top_suppliers, sel))
