"""Present: the selection's results as full-screen slides for a co-ordination meeting, stepped with the keyboard.

The slide number is kept in the address (?slide=N) with the filters, so a reload lands on the same slide. Funders
and the public see the same disclosure-controlled figures as on every other page.
"""

import dataclasses
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components

from dashboard import deck, disclosure, exports, parsing, submissions
from dashboard.ui import cache, charts, widgets
from dashboard.ui import formatting as fmt
from dashboard.ui import maps as map_figures

PAGE = "present"
SLIDE_PARAM = "slide"
CHART_HEIGHT = 680
# No sidebar or toolbar; type large enough for the back of a room at 1920×1080.
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] {display: none !important;}
[data-testid="stMainBlockContainer"] {max-width: 100% !important; padding: 2rem 3rem 5.5rem 3rem !important;}
[data-testid="stMain"] p, [data-testid="stMain"] li {font-size: 26px !important; line-height: 1.4;}
[data-testid="stMain"] h1 {font-size: 60px !important;}
[data-testid="stMain"] h2 {font-size: 44px !important;}
[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] * {
  font-size: 72px !important; line-height: 1.15 !important;}
[data-testid="stMain"] [data-testid="stMetricLabel"], [data-testid="stMain"] [data-testid="stMetricLabel"] * {
  font-size: 26px !important;}
[data-testid="stMain"] [data-testid="stMetricDelta"], [data-testid="stMain"] [data-testid="stMetricDelta"] * {
  font-size: 24px !important;}
[data-testid="stMetric"] {padding: 1.2rem 1.5rem !important;}
[data-testid="stTable"] td, [data-testid="stTable"] th {font-size: 22px !important;}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {font-size: 22px !important;}
.st-key-present_keys {display: none !important;}
.st-key-present_title {padding-top: 24vh;}
[data-testid="stMain"] .st-key-present_title h1 {font-size: 80px !important;}
.st-key-present_nav {position: fixed; left: 3rem; right: 3rem; bottom: 0; padding: 0.6rem 0; z-index: 100;
                     background: #ffffff; border-top: 1px solid #dde1e6;}
[data-testid="stMain"] .st-key-present_nav p, .st-key-present_nav button * {font-size: 20px !important;}
</style>"""
# What the keys of a presentation clicker (and a keyboard) do: each presses one of the page's own buttons.
KEYS_JS = """<script>
// The page's own handler replaces the one before: a handler from a frame that has gone stops running.
const doc = window.parent.document;
const actions = {ArrowRight: "next", PageDown: "next", ArrowLeft: "previous", PageUp: "previous",
                 Home: "first", End: "last", Escape: "exit"};
if (doc.anchorPresentKeys) doc.removeEventListener("keydown", doc.anchorPresentKeys);
doc.anchorPresentKeys = (event) => {
  const action = actions[event.key];
  if (!action || (event.target.closest && event.target.closest("input, textarea, select"))) return;
  const target = doc.querySelector(`.st-key-present_${action} button, .st-key-present_${action} a`);
  if (target) { event.preventDefault(); target.click(); }
};
doc.addEventListener("keydown", doc.anchorPresentKeys);
</script>"""


def _big(fig: go.Figure, height: int = CHART_HEIGHT) -> go.Figure:
    """A chart drawn for a projector: taller, with labels of at least 20 px."""
    fig.update_layout(height=height, font={"size": 22}, title_font={"size": 28}, legend_font={"size": 20},
                      hoverlabel_font={"size": 20}, margin={"t": 80})
    fig.update_xaxes(tickfont={"size": 20}, title_font={"size": 22})
    fig.update_yaxes(tickfont={"size": 20}, title_font={"size": 22})
    fig.update_traces(textfont={"size": 20}, selector={"type": "bar"})
    fig.update_traces(textfont={"size": 22}, selector={"type": "funnel"})
    return fig


def _chart(fig: go.Figure, what: str, height: int = CHART_HEIGHT) -> None:
    st.plotly_chart(_big(fig, height), theme=None, key=f"{PAGE}_chart_{what}",
                    config=charts.modebar_config(f"anchor-impact_{sel.network_id}_{what}"))


def title_slide() -> None:
    with st.container(key="present_title"):
        _title_text()


def _title_text() -> None:
    st.title(fmt.plain(filters.network_name))
    st.header(fmt.plain(filters.initiative_name) + (f" · {fmt.plain(filters.institution_name)}"
                                                    if sel.institution_id else ""))
    st.markdown(f"**{period}** ({parsing.quarter_span(sel.from_quarter, sel.to_quarter, filters.year_start)})")
    st.markdown(f"Areas ranked by the {now['imd_release_title']}: decile 1 is the 10% most deprived areas in "
                "England.")
    for text in _notes(None):
        st.markdown(text)
    if filters.is_demo:
        st.markdown("*Synthetic demo data: no real people or payments.*")


def _notes(initiative_id: str | None) -> list[str]:
    """The newest note of the period on the network (None) or on an initiative (the last quarter's), as Markdown
    that shows its text exactly as written."""
    found = cache.quarter_notes(sel.network_id, initiative_id, sel.from_quarter, sel.to_quarter)
    found = found[found["initiative_id"] == (initiative_id or "")]
    return [f"**Note, {parsing.quarter_label(row.quarter, filters.year_start)}:** {fmt.plain(row.text)}"
            for row in found.tail(1).itertuples()]


HEADLINES = (("Participants", "participants", "count"), ("Completions", "completions", "count"),
             ("Jobs filled", "jobs_filled", "count"), ("Local spend", "spend_local_gbp", "money"),
             ("Local share of spend", "spend_local_pct", "pct"),
             ("Participants from the 20% most deprived areas", "participants_most_deprived_20_pct", "pct"))
SHOWN = {"count": fmt.count, "money": fmt.money_short, "pct": fmt.pct}


def headline_slide() -> None:
    st.header("Headline figures")
    for column, (label, key, kind) in zip(st.columns(3) + st.columns(3), HEADLINES, strict=True):
        column.metric(label, SHOWN[kind](now[key]), fmt.change(now, before, key, kind), delta_description=vs,
                      border=True)
    st.caption(fmt.comparison_caption(before))


TARGETS_PER_SLIDE = 6  # two columns of three: what fits a 1080-pixel screen at the slides' type size


def targets_slide(part: int, parts: int) -> Callable[[], None]:
    def draw() -> None:
        st.header("Progress against targets" + (f" ({part + 1} of {parts})" if parts > 1 else ""))
        initiatives = cache.network_members(sel.network_id)["initiatives"]
        names = {None: "The network", **dict(zip(initiatives["initiative_id"], initiatives["name"], strict=True))}
        shown = progress[part * TARGETS_PER_SLIDE:(part + 1) * TARGETS_PER_SLIDE]
        for start in range(0, len(shown), 2):
            for column, target in zip(st.columns(2, gap="large"), shown[start:start + 2], strict=False):
                with column.container(border=True):
                    colour, whose = fmt.STATUS_COLOURS[target["status"]], names.get(target["initiative_id"], "")
                    st.markdown(f"**:{colour}[{target['status_text']}]** · {fmt.plain(whose)}")
                    st.markdown(f"**{fmt.plain(target['description'])}**")
                    share = fmt.target_share(target)
                    if share is not None:
                        st.progress(share)
                    st.markdown(fmt.plain(fmt.target_progress_text(target)))
    return draw


def deciles_slide() -> None:
    st.header(f"Participants and jobs filled by IMD {filters.grouping}")
    for column, (measure, title) in zip(st.columns(2, gap="large"),
                                        (("participants", "Participants"), ("jobs_filled", "Jobs filled")),
                                        strict=True):
        with column:
            _chart(charts.decile_bars(now[f"by_{filters.grouping}"], measure, grouping=filters.grouping,
                                      title=f"{title} by IMD {filters.grouping}"), f"{measure}_by_imd")


def _proportion_sentence(rep: dict[str, Any]) -> str:
    """How the most deprived group is reached against its share of the working-age population, in one sentence."""
    key = "imd_quintile" if rep["grouping"] == "quintile" else "imd_decile"
    first = next((row for row in rep["rows"] if row[key] == 1), None)
    ratio = None if first is None else disclosure.number(first["participants_ratio"])
    group = "quintile 1 (the 20% most deprived areas)" if key == "imd_quintile" else \
        "decile 1 (the 10% most deprived areas)"
    if ratio is None:
        return f"Too few people in this selection to compare {group} with its share of the population."
    return (f"People from {group} were reached at **{ratio:.1f} times** their share of the area's working-age "
            "population" + (" (1.0 would be in proportion)." if abs(ratio - 1) >= 0.05 else ": in proportion."))


def proportion_slide() -> None:
    st.header("Reaching people in proportion")
    rep = cache.view(sel, (representation_section,))[representation_section]
    if not rep["participants_in_area"]:
        st.markdown("Nobody reached in this selection lives in the network's area, so representation cannot be "
                    "shown.")
        return
    st.markdown(_proportion_sentence(rep))
    _chart(charts.representation_bars(rep, "participants", title="Participants: share ÷ working-age population "
                                                                 "share"), "representation", height=560)


def spend_slide() -> None:
    st.header("Local spend by deprivation")
    left, right = st.columns([1, 2], gap="large")
    left.metric("Local share of spend", fmt.pct(now["spend_local_pct"]), border=True,
                help="Spend with suppliers in the network's own districts, as a share of all spend.")
    left.metric("Spend with a known location", fmt.pct(now["spend_known_location_pct"]), border=True)
    left.metric("Total spend", fmt.money_short(now["spend_total_gbp"]), border=True)
    with right:
        _chart(charts.decile_bars(now[f"by_{filters.grouping}"], "spend_gbp", grouping=filters.grouping,
                                  title=f"Spend by IMD {filters.grouping} of the supplier's area"), "spend_by_imd")


def map_slide() -> None:
    lsoa_df = cache.lsoa_figures(sel)
    view_df = lsoa_df[lsoa_df["in_network_area"]].reset_index(drop=True)
    layer = deck.map_layer(cache.exact(sel))
    st.header(deck.map_heading(layer))
    if view_df.empty:
        st.markdown(deck.NO_MAP_AREA)
        return
    districts_df = cache.network_members(sel.network_id)["districts"]
    geojson = cache.area_geojson(view_df, sel.imd_release)
    # The deck's map slide is this figure as an image.
    fig = deck.map_figure(view_df, layer, geojson, districts_df["lad24_code"].tolist(), sel)
    st.plotly_chart(fig, theme=None, key=f"{PAGE}_chart_map",
                    config=map_figures.plotly_config(f"anchor-impact_{sel.network_id}_map"))


def initiative_slide(initiative_id: str, name: str) -> Callable[[], None]:
    def draw() -> None:
        one = dataclasses.replace(sel, initiative_id=initiative_id)
        st.header(fmt.plain(name))
        written = _notes(initiative_id)
        for text in written:
            st.markdown(text)
        height = CHART_HEIGHT - 100 if written else CHART_HEIGHT
        total = cache.view(one, ("funnel",))["funnel"]["total"]
        if not total["starters"]:
            st.markdown(f"Nobody started on {fmt.plain(name)} from {period}.")
            return
        left, right = st.columns(2, gap="large")
        with left:
            _chart(charts.cohort_funnel(total), f"{initiative_id}_funnel", height)
        with right:
            _chart(charts.decile_bars(cache.report(one)[f"by_{filters.grouping}"], "participants",
                                      grouping=filters.grouping, title=f"Participants by IMD {filters.grouping}"),
                   f"{initiative_id}_by_imd", height)
    return draw


def submissions_slide() -> None:
    quarters = submissions.recent_quarters(sel.to_quarter, 2)
    st.header(f"Who has sent what, to {parsing.quarter_label(sel.to_quarter, filters.year_start)}")
    board = cache.submission_board(sel.network_id, quarters)
    if board.empty:
        st.markdown("The network has no member institutions yet.")
        return
    grids = {kind: submissions.grid(board, kind, filters.year_start).set_index("Institution")
             for kind in submissions.KIND_LABELS}
    table = pd.concat({label: grids[kind] for kind, label in submissions.KIND_LABELS.items()}, axis=1)
    table.columns = [f"{kind}, {quarter}" for kind, quarter in table.columns]
    st.table(table.reset_index(), hide_index=True, border="horizontal")


def method_slide() -> None:
    st.header("Method and sources")
    st.markdown(fmt.method_note(now))
    if not cache.exact(sel):
        st.markdown(cache.disclosure_text(sel.network_id))
    publishers = dict.fromkeys(s["publisher"] for s in cache.attributions())
    st.markdown("Contains public sector information licensed under the Open Government Licence v3.0, from "
                + ", ".join(publishers) + ".")


widgets.require_reference()
filters = widgets.sidebar(PAGE)
if filters is None:
    st.stop()
sel = widgets.selection_or_stop(filters)
st.html(PRESENT_CSS)
now = cache.report(sel)
before = cache.report(sel.previous())
vs = fmt.versus_previous(sel.from_quarter, sel.to_quarter) if fmt.has_figures(before) else None
period = fmt.period_text(sel.from_quarter, sel.to_quarter, filters.year_start)
representation_section = "representation_by_quintile" if filters.grouping == "quintile" else "representation"

progress = cache.targets(sel)
target_parts = -(-len(progress) // TARGETS_PER_SLIDE)
slides: list[Callable[[], None]] = [title_slide, headline_slide,
                                    *(targets_slide(i, target_parts) for i in range(target_parts)),
                                    deciles_slide, proportion_slide, spend_slide, map_slide]
initiatives = cache.network_members(sel.network_id)["initiatives"]
if sel.initiative_id is None:
    slides += [initiative_slide(i, n) for i, n in zip(initiatives["initiative_id"], initiatives["name"], strict=True)]
if cache.can_manage(sel.network_id):
    slides.append(submissions_slide)
slides.append(method_slide)

try:
    number = min(max(int(st.query_params.get(SLIDE_PARAM, "1")), 1), len(slides))
except ValueError:
    number = 1
if st.query_params.get(SLIDE_PARAM) != str(number):
    st.query_params[SLIDE_PARAM] = str(number)


def _go(to: int) -> None:
    st.query_params[SLIDE_PARAM] = str(min(max(to, 1), len(slides)))


with st.container(key="present_keys"):  # hidden; first on the page, so it stays in place from slide to slide
    components.html(KEYS_JS, height=0)
slides[number - 1]()

with st.container(key="present_nav", horizontal=True, vertical_alignment="center"):
    st.button("First", key="present_first", icon=":material/first_page:", on_click=_go, args=(1,),
              disabled=number == 1)
    st.button("Previous", key="present_previous", icon=":material/chevron_left:", on_click=_go, args=(number - 1,),
              disabled=number == 1)
    st.markdown(f"Slide {number} of {len(slides)}")
    st.button("Next", key="present_next", icon=":material/chevron_right:", on_click=_go, args=(number + 1,),
              disabled=number == len(slides))
    st.button("Last", key="present_last", icon=":material/last_page:", on_click=_go, args=(len(slides),),
              disabled=number == len(slides))
    for kind, label, key, explained in (
            ("deck", "PowerPoint", "present_pptx",
             "These slides as a PowerPoint deck with editable charts, the notes in the speaker notes."),
            ("pdf", "PDF", "present_pdf", "These slides as a PDF, to show or to send as they are.")):
        slides_file = exports.EXPORTS[kind]
        st.download_button(
            label, cache.export_on_click(kind, sel), key=key, icon=":material/download:", mime=slides_file.mime,
            on_click=cache.record_export, args=(sel.network_id, slides_file.what),
            file_name=f"anchor-impact_{sel.network_id}_{sel.initiative_id or 'all'}_{sel.from_quarter}-"
                      f"{sel.to_quarter}{slides_file.suffix}", help=explained)
    with st.container(key="present_exit", width="content"):
        widgets.page_link("views/overview.py", "Back to the dashboard (Esc)", ":material/close:")
