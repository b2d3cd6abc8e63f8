"""Data sources & method: what each figure means, which reference data is loaded, and who to credit."""

import pandas as pd
import streamlit as st

from dashboard import figures
from dashboard.ui import cache, widgets

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
DEFINITIONS = (
    ("Participants", "People who *started* on an initiative in the period, by their start date."),
    ("Completions", "Completions dated in the period, counted by their own date, whenever the person started."),
    ("Jobs filled", "Job starts dated in the period, counted by their own date."),
    ("Conversion rate", "The share of the period's starters who have a recorded job start. Recent starters "
                        "have had less time to find work, so the latest quarters' rate rises as results come in."),
    ("Total spend", "Payments to suppliers dated in the period, credits included."),
    ("Local spend", "Spend with suppliers located in the network's own local authority districts."),
    ("Spend with a known location", "The share of spend whose supplier postcode could be placed in an area. "
                                    "Spend with no known location is counted in every total, never dropped; "
                                    "it cannot count as local or be given a decile."),
    ("20% most deprived areas", "Areas in IMD deciles 1 and 2. If participants or spend were spread evenly "
                                "across England's areas, their share would be 20%."),
    ("Change (↑ ↓)", "The difference from the period of the same length just before: Jan–Jun 2025 is "
                     "compared with Jul–Dec 2024. Shares change in percentage points (pts)."),
)
POSTCODE_METHODS = {
    "point_in_polygon": "Inside an LSOA boundary (Code-Point Open coordinates)",
    "nearest_polygon": "Nearest LSOA within 500 m (coasts and estuaries, outside the clipped boundaries)",
    "lad_only": "Local authority only: no LSOA (Scotland has no LSOA boundaries)",
    "nspl": "ONS postcode lookup (exact LSOA)",
    "onspd": "ONS postcode directory (exact LSOA)",
}

st.title("Data sources & method")
missing = widgets.missing_reference_message()
if missing:
    st.error(missing, icon=":material/database:")

st.header("What the figures mean")
st.markdown("| Figure | Definition |\n|---|---|\n"
            + "\n".join(f"| **{name}** | {text} |" for name, text in DEFINITIONS))

st.header("How places are ranked")
st.markdown(
    """
- **Deprivation is a property of areas, not people.** The English Index of Multiple Deprivation (IMD) ranks
  every Lower-layer Super Output Area (LSOA, a neighbourhood of about 1,500 residents) in England. Decile 1 is
  the 10% most deprived LSOAs, decile 10 the 10% least deprived. Not everyone living in a deprived area is
  deprived, and many deprived people live elsewhere.
- Participants are placed by their **home postcode**, suppliers by **their own postcode**, each matched to an LSOA.
- Each IoD release ranks its own LSOA boundaries: **IoD 2025 uses LSOA 2021**, IoD 2019 uses LSOA 2011.
  Choose the release in the overview's sidebar.
- **Wales, Scotland and Northern Ireland** have their own indices, which cannot be compared with England's.
  Places there are shown separately in grey after decile 10 (*not ranked*), as are postcodes that could not
  be placed.
- **Calendar quarters** are used throughout, not the financial year: Q1 = Jan–Mar, Q2 = Apr–Jun,
  Q3 = Jul–Sep, Q4 = Oct–Dec, so 2025Q3 is July to September 2025.
"""
)

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

st.header("Sources and licences")
st.markdown(f"All reference data is used under the [Open Government Licence v3.0]({OGL_URL}). "
            "Please keep these statements with any figures or charts you share.")
by_publisher: dict[str, list[dict]] = {}
for source in cache.attributions():
    by_publisher.setdefault(source["publisher"], []).append(source)
for publisher, sources in by_publisher.items():
    with st.container(border=True):
        st.markdown(f"**{publisher}**")
        for statement in dict.fromkeys(s["attribution"] for s in sources):
            st.markdown(f"> {statement}")
        st.markdown("\n".join(f"- [{s['title']}]({s['page_url']})" if s.get("page_url") else f"- {s['title']}"
                              for s in sources))
