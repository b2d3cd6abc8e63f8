"""Maps: the network's areas coloured by deprivation, or by participants, jobs filled or spend per LSOA."""

import datetime as dt

import streamlit as st

from dashboard import figures, maps, parsing
from dashboard.ui import cache, widgets
from dashboard.ui import formatting as fmt
from dashboard.ui import maps as map_figures

PAGE = "maps"
AREAS = {"network": "Network area", "england": "All of England"}

filters = widgets.results_header(PAGE, lambda f: f"{f.network_name}: maps")

sel = filters.selection
if sel is None:
    # No data yet: the deprivation of the network's own areas is still worth seeing.
    quarter = parsing.quarter_of(dt.date.today())
    release = st.session_state.get(f"{PAGE}_release") or figures.DEFAULT_RELEASE
    sel = figures.Selection(filters.network_id, quarter, quarter, imd_release=release)
    st.info(f"**No data yet.** No partner of {filters.network_name} has uploaded participants or spend, so the "
            "map shows how deprived the network's areas are. Figures appear as soon as the first quarterly "
            "file is accepted.", icon=":material/hourglass_empty:")
    period = None
else:
    period = fmt.period_text(sel.from_quarter, sel.to_quarter, filters.year_start)
    st.markdown(f"#### {filters.initiative_name} · {period}")

# Counts of people per neighbourhood are too fine to publish under disclosure control: spend is money, so stays.
exact = cache.exact(sel)
layers = {k: v for k, v in map_figures.LAYER_LABELS.items() if exact or k in ("imd_decile", "spend_gbp")}
left, right = st.columns([3, 2])
with left:
    layer = widgets.url_choice(PAGE, "layer", layers, "imd_decile", label="Colour areas by", horizontal=True)
    if not exact:
        st.caption("Participants and jobs by neighbourhood are not shown in this disclosure-controlled view: "
                   "counts that small could identify people.")
with right:
    area = widgets.url_choice(PAGE, "area", AREAS, "network", label="Show", horizontal=True)
label = map_figures.LAYER_LABELS[layer]


def _title(where: str) -> str:
    """What the map shows, drawn in the figure so a saved PNG carries it."""
    if layer == "imd_decile":
        return f"Deprivation of each neighbourhood (LSOA) · {where}"
    return f"{label} by neighbourhood (LSOA) · {where}" + (f" · {period}" if period else "")


lsoa_df = cache.lsoa_figures(sel)
districts_df = cache.network_members(sel.network_id)["districts"]
release = widgets.release_label(sel.imd_release)
filename = f"anchor-impact_{sel.network_id}_{layer}_{area}"
if period:
    filename += f"_{sel.from_quarter}-{sel.to_quarter}"
if area == "network":
    view_df = lsoa_df[lsoa_df["in_network_area"]].reset_index(drop=True)
    if view_df.empty:
        st.info(f"**No areas to map.** {filters.network_name} has no local authority districts in England, "
                "so it has no network area. Choose *All of England* above.", icon=":material/map:")
        st.stop()
    geojson = cache.area_geojson(view_df, sel.imd_release)
    spec = map_figures.map_args(
        view_df, layer, geojson, bounds=maps.bounds(geojson), title=_title(", ".join(districts_df["lad24_name"])),
        districts=map_figures.outline_geojson(maps.lad_outlines(districts_df["lad24_code"].tolist())),
        view_key=f"{sel.network_id}-{sel.imd_release}", filename=filename)
else:
    cache.england_geometry()
    view_df = lsoa_df
    spec = map_figures.map_args(view_df, layer, maps.england_url(sel.imd_release),
                                districts=maps.ENGLAND_DISTRICTS_URL, title=_title("England"),
                                view_key=f"england-{sel.imd_release}", filename=filename)
# One map for both areas and every layer: the browser keeps what it has drawn and only recolours it.
widgets.area_map(spec, key=f"{PAGE}_map")

about = (f"Each area is a neighbourhood (LSOA) as ranked by {release}; outlines are local authority districts. "
         "Hover an area for its name, decile and figures; *Save as PNG* above the map saves it with its key.")
if layer == "imd_decile":
    # The map's key figure in words, for anyone who cannot tell its colours apart.
    deciles = view_df["imd_decile"].dropna()
    caption = (f"Colours are IMD deciles: 1 is the most deprived tenth of England's neighbourhoods. Of the "
               f"{len(deciles):,} neighbourhoods mapped, {int((deciles <= 2).sum()):,} "
               f"({fmt.pct(100 * (deciles <= 2).mean() if len(deciles) else None)}) are in the 20% most deprived "
               "(deciles 1 and 2). " + about)
else:
    shown = view_df[layer].sum()
    elsewhere = lsoa_df[layer].sum() - shown
    value = fmt.money if layer == "spend_gbp" else fmt.count
    caption = (f"{label} placed in these areas: {value(shown)}"
               + (f", and {value(elsewhere)} elsewhere in England (choose *All of England*)" if elsewhere else "")
               + ". Grey areas have none recorded. Wales, Scotland, Northern Ireland and unplaced locations have no "
               "IMD decile and are not mapped. " + about)
    if not shown and period:
        st.info(f"**No {label.lower()} recorded in these areas** for this selection.",
                icon=":material/filter_alt_off:")
st.caption(caption)

st.download_button(
    "Download the mapped values (CSV)", maps.mapped_table(view_df).to_csv(index=False), key=f"{PAGE}_download_csv",
    mime="text/csv", file_name=f"{filename}.csv", icon=":material/download:",
    on_click=cache.record_export, args=(sel.network_id, f"map {layer} {area}"),
    help="One row per LSOA on the map: code, name, district, IMD decile, participants, completions, jobs "
         "filled and spend.")
