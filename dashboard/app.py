"""Anchor Impact dashboard: `streamlit run dashboard/app.py`."""

import sys
from pathlib import Path

# Streamlit runs this file as a script, so the package is importable only with the repo on sys.path.
REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

import streamlit as st  # noqa: E402

from dashboard import access, palette, store  # noqa: E402
from dashboard.ui import cache, session  # noqa: E402

VIEWS_DIR = Path(__file__).resolve().parent / "views"
FOCUS_COLOUR = "#0b3d91"  # the keyboard focus outline: 10:1 on white, 9:1 on the sidebar (WCAG asks 3:1)
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
# Then the accessibility fixes (the statement is on the Accessibility page): Streamlit fades captions and quotes
# to 60% of the text colour, 4.0:1 on white, under the 4.5:1 of WCAG 2.2 AA (the muted grey is 6.5:1); a keyboard's
# focus gets a clear outline; a multiselect's text box keeps a 24 px target.
PAGE_CSS = f"""<style>
[data-testid="stMainBlockContainer"] {{padding-top: 2.5rem; padding-left: 3rem; padding-right: 3rem;}}
/* Tabs label whole sections of a page: as large as a subheading's text, readable on a projector. */
[data-testid="stTab"] p {{font-size: 1.2rem;}}
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stMarkdownContainer"] blockquote,
.stApp [data-testid="stCaptionContainer"] code {{color: {palette.MUTED_TEXT_COLOUR}; opacity: 1;}}
.stApp :focus-visible {{outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px;}}
/* A select box's or a slider's focused input sits inside the box or handle the user sees: outline that instead. */
.stApp [data-testid="stSelectbox"] input:focus-visible, .stApp [data-testid="stMultiSelect"] input:focus-visible,
.stApp [data-testid="stSlider"] input:focus-visible {{outline: none !important;}}
.stApp [data-testid="stSelectbox"] [role="group"]:has(input:focus-visible),
.stApp [data-testid="stMultiSelect"] [role="group"]:has(input:focus-visible),
.stApp [data-testid="stSlider"] div:has(> div > input:focus-visible) {{
  outline: 3px solid {FOCUS_COLOUR}; outline-offset: 2px;}}
.stApp [data-testid="stMultiSelect"] input {{min-width: 1.5rem;}}
/* Each chart's figures as a table (widgets.chart). */
.chart-figures {{border-collapse: collapse; font-size: 0.95rem; font-variant-numeric: tabular-nums;}}
.chart-figures caption {{text-align: left; font-weight: 600; padding-bottom: 0.4rem;}}
.chart-figures th, .chart-figures td {{padding: 0.2rem 0.8rem; border-bottom: 1px solid #d5dbe1; text-align: right;}}
.chart-figures th[scope="row"], .chart-figures thead th:first-child {{text-align: left;}}
</style>"""

# An inline favicon: with none, the page's Material icon is fetched from Google's servers (offline: an error).
st.set_page_config(layout="wide", page_title="Anchor Impact", page_icon=ICON_SVG)
st.logo(LOGO_SVG, size="large")
st.html(PAGE_CSS)
# The page files live in views/, not pages/: Streamlit would treat a pages/ folder beside this script
# as a legacy multipage app and, on a fresh server, run a deep-linked page without this entry point.
def _page(file: str, title: str, icon: str, **kwargs) -> st.Page:
    return st.Page(VIEWS_DIR / file, title=title, icon=f":material/{icon}:", url_path=file.removesuffix(".py"),
                   **kwargs)


def _section_names_css(sections: dict[str, list[st.Page]]) -> str:
    """CSS that writes each named section's name above the link to its first page in the sidebar."""
    rules = []
    for name, pages in sections.items():
        if not name:
            continue
        path = pages[0].url_path
        item = ('[data-testid="stSidebarNavItems"] li:first-child' if not path else
                f'[data-testid="stSidebarNavItems"] li:has(a[href$="/{path}"], a[href*="/{path}?"])')
        rules.append(f'{item}::before {{content: "{name}";}}')
    look = ('[data-testid="stSidebarNavItems"] li::before {display: block; padding: 1rem 0.5rem 0.25rem; '
            f'font-size: 0.9rem; font-weight: 600; color: {palette.MUTED_TEXT_COLOUR};}}')
    return "<style>\n" + "\n".join([*rules, look]) + "\n</style>" if rules else ""


# Navigation shows what the role may use; each page and the core check the scope again.
scope = session.current()
about = [_page("methodology.py", "Methodology", "menu_book"), _page("sources.py", "Data sources", "source"),
         _page("accessibility.py", "Accessibility", "accessibility_new")]
if scope is None:
    sections = {"": [_page("signin.py", "Sign in", "login", default=True), *about[1:]]}
else:
    sections = {"Results": [
        _page("overview.py", "Overview", "bar_chart", default=True),
        _page("initiative.py", "Initiative", "route"),
        _page("spend.py", "Local spend", "payments"),
        _page("maps.py", "Maps", "map"),
        _page("compare.py", "Compare", "compare_arrows"),
        _page("present.py", "Present", "slideshow"),
    ]}
    data = []
    if scope.role in session.UPLOADERS:
        data += [_page("upload.py", "Upload data", "upload_file"),
                 _page("records.py", "Delete records", "person_remove")]
    if scope.role in session.MANAGERS:
        data += [_page("submissions.py", "Submissions", "fact_check"),
                 _page("suppliers.py", "Suppliers to classify", "storefront")]
    if data:
        sections["Data"] = data
    if scope.role in session.MANAGERS:
        sections["Manage"] = [_page("network_settings.py", "Network settings", "tune"),
                              _page("targets.py", "Targets", "flag"),
                              _page("users.py", "Users", "group"), _page("audit.py", "Audit log", "history")]
    sections["About"] = about
    session.account_box(scope)
# One flat list of links: Streamlit's grouped navigation puts its section headings and their links in <div>s inside
# the <ul>, which assistive technology cannot read as a list (WCAG 1.3.1). Each section's name is drawn above its
# first link instead.
page = st.navigation([p for group in sections.values() for p in group], expanded=True)
if section_names := _section_names_css(sections):
    st.html(section_names)
with st.sidebar:
    session.write_cookie()
try:
    if scope is not None and scope.role == "admin" and (left := cache.demo_accounts_left()):
        st.warning(f"**{len(left)} demo account(s) can still sign in beside a real network** (with the password "
                   "the demo printed when it was made). Remove the demo with `python -m dashboard demo remove`, or "
                   "disable them on the Users page.", icon=":material/warning:")
    with cache.page_run():
        page.run()
except access.Denied as exc:
    st.error(f"**Not available to your account.** {exc}", icon=":material/lock:")
except store.DatabaseBusy:
    st.warning("**The database is busy.** Another program (usually a command loading or uploading data) "
               "is using it right now. Wait a moment, then reload this page.", icon=":material/hourglass_top:")
except store.StoreError as exc:
    st.error(f"**The figures could not be read.** {exc}", icon=":material/error:")
