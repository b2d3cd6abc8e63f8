"""Anchor Impact dashboard: `streamlit run dashboard/app.py`."""

import sys
from pathlib import Path

# Streamlit runs this file as a script, so the package is importable only with the repo on sys.path.
REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

import streamlit as st  # noqa: E402

from dashboard import palette, store  # noqa: E402

VIEWS_DIR = Path(__file__).resolve().parent / "views"
# The product's mark: ten bars in the decile colours, tallest for the most deprived; then its name.
BARS_SVG = "".join(f'<rect x="{2 + 4 * i}" y="{6 + 2.4 * i:.1f}" width="3" height="{28 - 2.4 * i:.1f}" '
                   f'fill="{palette.DECILE_COLOURS[i + 1]}"/>' for i in range(10))
ICON_SVG = f'<svg xmlns="http://www.w3.org/2000/svg" width="44" height="40" viewBox="0 0 44 40">{BARS_SVG}</svg>'
LOGO_SVG = (
    f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40" viewBox="0 0 240 40">{BARS_SVG}'
    f'<text x="50" y="28" font-family="\'Source Sans 3\', \'Source Sans Pro\', Arial, sans-serif" '
      f'font-size="23" font-weight="700" fill="{palette.TEXT_COLOUR}">Anchor Impact</text></svg>'
)
# Less empty space above the title and at the sides: more of the figures fit on a projector.
PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] {padding-top: 2.5rem; padding-left: 3rem; padding-right: 3rem;}
</style>"""

# An inline favicon: with none, the page's Material icon is fetched from Google's servers (offline: an error).
st.set_page_config(layout="wide", page_title="Anchor Impact", page_icon=ICON_SVG)
st.logo(LOGO_SVG, size="large")
st.html(PAGE_CSS)
# The page files live in views/, not pages/: Streamlit would treat a pages/ folder beside this script
# as a legacy multipage app and, on a fresh server, run a deep-linked page without this entry point.
page = st.navigation([
    st.Page(VIEWS_DIR / "overview.py", title="Overview", icon=":material/bar_chart:", default=True,
            url_path="overview"),
    st.Page(VIEWS_DIR / "upload.py", title="Upload data", icon=":material/upload_file:", url_path="upload"),
    st.Page(VIEWS_DIR / "submissions.py", title="Submissions", icon=":material/fact_check:",
            url_path="submissions"),
    st.Page(VIEWS_DIR / "suppliers.py", title="Suppliers to classify", icon=":material/storefront:",
            url_path="suppliers"),
    st.Page(VIEWS_DIR / "sources.py", title="Data sources & method", icon=":material/menu_book:",
            url_path="sources"),
])
try:
    page.run()
except store.DatabaseBusy:
    st.warning("**The database is busy.** Another program (usually a command loading or uploading data) "
               "is using it right now. Wait a moment, then reload this page.", icon=":material/hourglass_top:")
except store.StoreError as exc:
    st.error(f"**The figures could not be read.** {exc}", icon=":material/error:")
