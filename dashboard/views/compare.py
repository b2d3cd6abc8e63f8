"""Compare: networks, institutions or initiatives side by side on the same measures (a funder's view)."""

import streamlit as st

from dashboard import figures, parsing
from dashboard.ui import cache, charts, widgets
from dashboard.ui import formatting as fmt

PAGE = "compare"
KINDS = {"networks": "Networks", "institutions": "Institutions of a network", "initiatives": "Initiatives of a network"}
MAX_ITEMS = 8

widgets.require_reference()

st.title("Compare")
nets = cache.network_list()
if nets.empty:
    widgets.no_networks()
    st.stop()
net_names = dict(zip(nets["network_id"], nets["name"], strict=True))

with st.sidebar:
    kind = widgets.url_choice(PAGE, "kind", KINDS, "networks", label="Compare")
if kind == "networks":
    network_id = None
    candidates = {n: net_names[n] for n in nets["network_id"] if cache.can_read(n)}
else:
    network = widgets.network_picker(PAGE)
    if network is None:
        st.stop()
    network_id = network.network_id
    members = cache.network_members(network_id)
    table, key = ("institutions", "institution_id") if kind == "institutions" else ("initiatives", "initiative_id")
    candidates = dict(zip(members[table][key], members[table]["name"], strict=True))
    # Only what this reader may see on its own: a funder of one initiative compares no institutions.
    candidates = {k: v for k, v in candidates.items()
                  if cache.can_read(network_id, *((k, None) if kind == "institutions" else (None, k)))}

if not candidates:
    st.info(f"**Nothing to compare.** There are no {kind} here that your account may see.", icon=":material/info:")
    st.stop()
with st.sidebar:
    items = widgets.url_multiselect(PAGE, f"items_{kind}", candidates, default=list(candidates)[:MAX_ITEMS],
                                    label=f"{KINDS[kind].split(' of ')[0]} to compare", max_selections=MAX_ITEMS)
if not items:
    st.info("**Choose at least one to compare.**", icon=":material/checklist:")
    st.stop()

# One period for every column, so the figures are comparable: the quarters any chosen network has data in.
network_ids = [network_id] if network_id else items
spans = [cache.network_quarters(n) for n in network_ids]
quarters = sorted({q for span in spans for q in span})
if not quarters:
    st.info("**No data yet.** None of these has uploaded participants or spend.", icon=":material/hourglass_empty:")
    st.stop()
quarters = [parsing.shift_quarter(quarters[0], i) for i in range(parsing.quarters_between(quarters[0], quarters[-1]))]
# Quarters named the networks' way when they all agree on when the year starts, else as calendar quarters.
year_starts = set(nets[nets["network_id"].isin(network_ids)]["year_start"])
year_start = year_starts.pop() if len(year_starts) == 1 else "calendar"
first, last = widgets.url_quarter_range(PAGE, quarters, year_start=year_start)
release = widgets.url_release(PAGE)


def selection_for(item: str) -> figures.Selection:
    """The selection behind one column of the comparison."""
    return figures.Selection(
        network_id=network_id or item, from_quarter=first, to_quarter=last, imd_release=release,
        institution_id=item if kind == "institutions" else None,
        initiative_id=item if kind == "initiatives" else None)


reports = {candidates[item]: cache.report(selection_for(item)) for item in items}
period = fmt.period_text(first, last, year_start)
st.markdown(f"#### {len(reports)} {kind} · {period}")
if any(r["is_demo"] for r in reports.values()):
    st.warning("**Synthetic demo data.** These figures describe no real people, jobs or payments.",
               icon=":material/science:")

table = fmt.compare_table(reports)
kind_label = KINDS[kind].split(" of ")[0].removesuffix("s")  # the first column of a chart's table: 'Network'
st.table(table, border="horizontal")
st.download_button("Download CSV", fmt.compare_csv(reports), key=f"{PAGE}_download_csv", mime="text/csv",
                   file_name=f"anchor-impact_compare_{kind}_{first}-{last}.csv", icon=":material/download:",
                   on_click=cache.record_export, args=(network_id, f"compare {kind}"))

st.subheader("Who is reached: participants by IMD decile")
st.caption("Each bar is 100% of that column's participants, split by the IMD decile of where they live. "
           "More dark blue on the left means more reach into the most deprived areas.")
people = {name: r for name, r in reports.items() if r["participants"]}
if people:
    widgets.chart(charts.share_by_decile(people, "participants"), key=f"{PAGE}_chart_participants",
                  config=charts.modebar_config(f"compare_participants_{first}-{last}"), rows=kind_label,
                  title="Share of participants by IMD decile")
else:
    st.caption("No participants recorded for these in the period, so no chart.")

st.subheader("Where the money goes: spend by IMD decile")
payers = {name: r for name, r in reports.items() if r["spend_total_gbp"] > 0}
if payers:
    widgets.chart(charts.share_by_decile(payers, "spend_gbp"), key=f"{PAGE}_chart_spend",
                  config=charts.modebar_config(f"compare_spend_{first}-{last}"), rows=kind_label,
                  title="Share of spend by IMD decile")
else:
    st.caption("No spend recorded for these in the period, so no chart.")

first_report = next(iter(reports.values()))
st.caption(fmt.method_note(first_report).split(" Grey bars")[0]
           + " Grey segments are places England's index does not rank (other nations, or location unknown).")
