"""Data sources: which reference data and registers are loaded, how postcodes were placed, and who to credit."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import figures, registers
from dashboard.ui import cache, widgets
from dashboard.ui import formatting as fmt

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
POSTCODE_METHODS = {
    "point_in_polygon": "Inside an LSOA boundary (Code-Point Open coordinates)",
    "nearest_polygon": "Nearest LSOA within 500 m (coasts and estuaries, outside the clipped boundaries)",
    "lad_only": "Local authority only: no LSOA (Scotland has no LSOA boundaries)",
    "nspl": "ONS postcode lookup (exact LSOA)",
    "onspd": "ONS postcode directory (exact LSOA)",
}

st.title("Data sources")
missing = widgets.missing_reference_message()
if missing:
    st.error(missing, icon=":material/database:")

st.markdown("What each figure means, how places are ranked and the known limits are on the "
            "**Methodology** page. This page lists the official data behind the rankings and who to credit.")

st.header("Reference data loaded")
status = cache.reference_status().get("status")
if status:
    releases = pd.DataFrame(status.get("releases") or [])
    if not releases.empty:
        st.table(pd.DataFrame({
            "Index": [figures.IMD_RELEASES.get(r, {}).get("title", r) for r in releases["imd_release"]],
            "Areas": [f"LSOA {v}" for v in releases["lsoa_vintage"]],
            "LSOAs ranked": [f"{int(n):,}" for n in releases["lsoa_count"]],
            "Local authority districts": [f"{int(n):,}" for n in releases["lad_count"]],
        }), hide_index=True, border="horizontal", width="content")
    methods = pd.DataFrame(status.get("postcode_methods") or [])
    if not methods.empty:
        by_method = methods.groupby("lsoa_method", sort=False)["postcode_count"].sum().sort_values(ascending=False)
        st.markdown("**How postcodes were placed in areas**")
        st.table(pd.DataFrame({
            "Method": [POSTCODE_METHODS.get(m, str(m).replace("_", " ").capitalize()) for m in by_method.index],
            "Postcodes": [f"{int(n):,}" for n in by_method],
        }), hide_index=True, border="horizontal", width="content")
    if status.get("loaded_at"):
        st.caption(f"Reference data loaded on {str(status['loaded_at'])[:10]}.")
else:
    st.caption("No reference data is loaded yet.")

st.header("Registers of organisations loaded")
loaded_registers = cache.registers_loaded()
if loaded_registers:
    st.table(pd.DataFrame({
        "Register": [r["title"] for r in loaded_registers],
        "Register of": [fmt.long_date(dt.date.fromisoformat(r["release_date"])) for r in loaded_registers],
        "Organisations": [f"{r['entries']:,}" for r in loaded_registers],
        "Files": [", ".join(r["files"]) + (" (synthetic demo data)" if r["synthetic"] else "")
                  for r in loaded_registers],
    }), hide_index=True, border="horizontal", width="content")
    st.caption("Suppliers named in spend files without a postcode are matched against these registers; see the "
               "Methodology page for how.")
else:
    st.caption("No registers are loaded: spend without postcodes is placed only by the supplier register.")

st.header("Sources and licences")
st.markdown(f"All reference data is used under the [Open Government Licence v3.0]({OGL_URL}). "
            "Please keep these statements with any figures or charts you share.")
by_publisher: dict[str, list[dict]] = {}
for source in [*cache.attributions(), *registers.attributions()]:
    by_publisher.setdefault(source["publisher"], []).append(source)
for publisher, sources in by_publisher.items():
    with st.container(border=True):
        st.markdown(f"**{publisher}**")
        for statement in dict.fromkeys(s["attribution"] for s in sources):
            st.markdown(f"> {statement}")
        st.markdown("\n".join(f"- [{s['title']}]({s['page_url']})" if s.get("page_url") else f"- {s['title']}"
                              for s in sources))
