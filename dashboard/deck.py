"""The meeting's slides as a PowerPoint deck or a PDF: the Present page's slides, its map drawn as an image.

One description of the slides (`slides()`: titles, texts, column charts and pictures placed on a 16:9 page in
inches) is drawn twice: as .pptx with native, editable charts, and as a PDF whose charts are drawn as vectors from
the same values. Every figure comes from reports.view for the reader, so a funder's deck is disclosure-controlled
like every page; a count hidden by disclosure control is drawn as no bar. The chart data are exactly the figures of
`report --json` for the selection. Notes on the quarters go on the slides (and in the .pptx's speaker notes).

The map is the Present page's own figure, drawn to PNG by kaleido in a headless Chromium, every image of a deck
in one browser; without a browser the deck is still made, and its map slide says why there is no map.
"""

import asyncio
import concurrent.futures
import dataclasses
import functools
import hashlib
import io
import json
import math
import os
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import plotly.graph_objects as go
from fpdf import FPDF
from PIL import Image
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from dashboard import access, disclosure, figures, maps, networks, notes, palette, parsing, refdata_fetch, reports
from dashboard.ui import formatting
from dashboard.ui import maps as map_figures

WIDE_IN, HIGH_IN = 13.333, 7.5  # 16:9
WIDE, HIGH = Inches(WIDE_IN), Inches(HIGH_IN)
INK = "#1F2933"
GREY = "#4A5560"
BAR = "#2E5E80"
GRID = "#D9DDE2"
TITLE_PT = 36
# A number format per kind of chart: Excel's for the .pptx, Python's for the PDF (the same text).
NUMBER_FORMATS = {"count": "#,##0", "ratio": "0.0", "money": '"£"#,##0'}
# The Present page's map, in CSS pixels: as tall as on the page, as wide as on a 1920-pixel screen near enough
# (2:1, the shape of its place on the slide), drawn at twice the pixels for a projector.
MAP_WIDTH, MAP_HEIGHT, MAP_SCALE = 1640, 820, 2
RENDER_TIMEOUT_S = 90
# The PDF's typeface: ANCHOR_PDF_FONT (a .ttf; its bold is the file named like it with 'Bold'), else the first of
# these found in the system's font folders.
PDF_FONTS = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"))
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts",
             Path.home() / ".fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts/Supplemental"),
             Path("C:/Windows/Fonts"))


class FontNotFound(RuntimeError):
    """No TrueType font to embed in a PDF."""


# --- The description of the slides -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Box:
    """A place on the slide, in inches from its top left corner."""

    left: float
    top: float
    width: float
    height: float


@dataclasses.dataclass(frozen=True)
class Text:
    """A text box; lines break at '\\n' and wrap to the box."""

    text: str
    box: Box
    size: int
    bold: bool = False
    colour: str = INK


@dataclasses.dataclass(frozen=True)
class Chart:
    """A column chart of one series, a bar per category; a value hidden by disclosure control ('<5') is no bar."""

    title: str
    categories: list[str]
    name: str  # the series'
    values: list[Any]
    box: Box
    colours: list[str] | None = None  # one per category, else BAR
    kind: str = "count"  # a key of NUMBER_FORMATS


@dataclasses.dataclass(frozen=True)
class Picture:
    """A plotly figure drawn as a PNG; `missing` says why there is no PNG when it could not be drawn."""

    figure: go.Figure = dataclasses.field(compare=False, repr=False)
    box: Box
    width_px: int
    height_px: int
    png: bytes | None = dataclasses.field(default=None, repr=False)
    missing: str = ""


@dataclasses.dataclass(frozen=True)
class Slide:
    """A slide: its title, what is on it, and the note on the quarter (on the slide, and the .pptx's speaker
    notes)."""

    title: str
    parts: list[Text | Chart | Picture]
    notes: str = ""

    @property
    def heading(self) -> Text:
        return Text(self.title, Box(0.6, 0.35, 12.1, 0.9), TITLE_PT, bold=True)


# A target's status in words and colour, as on the Present page (text as well as colour, never colour alone).
STATUS_INK = {"met": "#1E6B34", "on_track": "#1F5FA8", "behind": "#9A4A00", "missed": "#A61B1B",
              "not_started": GREY, "unknown": GREY}
TARGETS_PER_SLIDE = 6


def _targets_slides(progress: list[dict[str, Any]], initiative_names: dict[str, str]) -> list[Slide]:
    """The targets, six to a slide in two columns: whose and the status, what was promised, where it stands."""
    parts_of = [progress[i:i + TARGETS_PER_SLIDE] for i in range(0, len(progress), TARGETS_PER_SLIDE)]
    shown = []
    for n, part in enumerate(parts_of, 1):
        parts: list[Any] = []
        for i, target in enumerate(part):
            left, top = 0.6 + 6.2 * (i % 2), 1.35 + 1.95 * (i // 2)
            whose = initiative_names.get(target["initiative_id"], "The network")
            parts += [Text(f"{target['status_text']} · {whose}", Box(left, top, 5.9, 0.4), 18, bold=True,
                           colour=STATUS_INK[target["status"]]),
                      Text(target["description"], Box(left, top + 0.42, 5.9, 0.7), 18, bold=True),
                      Text(formatting.target_progress_text(target), Box(left, top + 1.12, 5.9, 0.7), 16,
                           colour=GREY)]
        title = "Progress against targets" + (f" ({n} of {len(parts_of)})" if len(parts_of) > 1 else "")
        shown.append(Slide(title, parts))
    return shown


def _decile_categories(rows: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The area groups of by_decile as chart categories ('1 · most deprived', …, 'Wales') and their colours."""
    return ([palette.area_label(row["group"]) for row in rows], [palette.area_colour(row["group"]) for row in rows])


def _figure(label: str, value: str, left: float, top: float) -> list[Text]:
    return [Text(label, Box(left, top, 4.0, 0.5), 18, colour=GREY),
            Text(value, Box(left, top + 0.45, 4.0, 1.0), 44, bold=True)]


def _number(value: Any, kind: str) -> str:
    if disclosure.is_hidden(value):
        return str(value)
    if value is None:
        return "–"
    return {"count": f"{value:,}", "pct": f"{value:.1f}%", "money": f"£{value / 1e6:,.1f}m" if abs(value) >= 1e6
            else f"£{value / 1e3:,.0f}k"}[kind]


NO_MAP_AREA = "The network has no districts in England, so there is no network area to map."


def map_layer(exact: bool) -> str:
    """What the Present page's map shows: where participants live, or (without exact counts) the deciles."""
    return "participants" if exact else "imd_decile"


def map_heading(layer: str) -> str:
    """The title of the map slide."""
    return "Where participants live" if layer == "participants" else "The network's neighbourhoods by deprivation"


def map_figure(view_df: pd.DataFrame, layer: str, geojson: dict[str, Any], lad24_codes: list[str],
               selection: figures.Selection) -> go.Figure:
    """The Present page's map of the network's area (the deck draws the same figure as its image)."""
    fig = map_figures.lsoa_map(view_df, layer, geojson, bounds=maps.bounds(geojson), height=MAP_HEIGHT,
                               districts=maps.lad_outlines(lad24_codes),
                               view_key=f"present-{selection.network_id}-{selection.imd_release}")
    # Type for the back of a room, the key's too.
    fig.update_layout(font={"size": 20})
    fig.update_traces(colorbar={"title": {"font": {"size": 22}}, "tickfont": {"size": 20}, "thickness": 26},
                      selector={"type": "choroplethmap"})
    return fig


def _map_parts(con: duckdb.DuckDBPyConnection, scope: access.Scope, selection: figures.Selection,
               lad24_codes: list[str]) -> tuple[str, list[Text | Picture]]:
    lsoa_df = maps.lsoa_figures(con, selection, scope=scope)
    view_df = lsoa_df[lsoa_df["in_network_area"]].reset_index(drop=True)
    layer = map_layer(reports.is_exact(scope, selection))
    if view_df.empty:
        return map_heading(layer), [Text(NO_MAP_AREA, Box(0.6, 1.4, 12.1, 1.0), 20)]
    geojson = maps.area_geojson(view_df, selection.imd_release)
    figure = map_figure(view_df, layer, geojson, lad24_codes, selection)
    return map_heading(layer), [Picture(figure, Box((WIDE_IN - 12.0) / 2, 1.3, 12.0, 6.0), MAP_WIDTH, MAP_HEIGHT)]


def _describe(con: duckdb.DuckDBPyConnection, scope: access.Scope, selection: figures.Selection) -> list[Slide]:
    report = reports.view(con, scope, selection, reports.ALL_SECTIONS)
    year_start = report["year_start"]
    period = formatting.period_text(selection.from_quarter, selection.to_quarter, year_start)
    deck: list[Slide] = []

    def note_of(initiative_id: str | None) -> str:
        """The newest note of the period on the network (None) or on an initiative, as the Present page shows it."""
        found = notes.current(con, scope, selection.network_id, initiative_id, selection.from_quarter,
                              selection.to_quarter)
        found = found[found["initiative_id"] == (initiative_id or "")]
        return "" if found.empty else (f"Note, {parsing.quarter_label(found['quarter'].iloc[-1], year_start)}: "
                                       f"{found['text'].iloc[-1]}")

    # Title
    members = networks.members(con, selection.network_id)
    initiative_names = dict(zip(members["initiatives"]["initiative_id"], members["initiatives"]["name"], strict=True))
    parts: list[Any] = [
        Text(initiative_names.get(selection.initiative_id, "All initiatives"), Box(0.6, 1.4, 12.1, 0.8), 28,
             bold=True),
        Text(f"{period} ({report['period_label']})\nAreas ranked by the {report['imd_release_title']}: "
             "decile 1 is the 10% most deprived areas in England.", Box(0.6, 2.3, 12.1, 1.3), 20)]
    written = note_of(None)
    if written:
        parts.append(Text(written, Box(0.6, 3.8, 12.1, 2.4), 20))
    if report["is_demo"]:
        parts.append(Text("Synthetic demo data: no real people or payments.", Box(0.6, 6.5, 12.1, 0.5), 16,
                          colour=GREY))
    deck.append(Slide(report["network_name"], parts, written))

    # Headline figures
    parts = []
    for i, (label, key, kind) in enumerate((("Participants", "participants", "count"),
                                            ("Completions", "completions", "count"),
                                            ("Jobs filled", "jobs_filled", "count"),
                                            ("Local spend", "spend_local_gbp", "money"),
                                            ("Local share of spend", "spend_local_pct", "pct"),
                                            ("From the 20% most deprived areas", "participants_most_deprived_20_pct",
                                             "pct"))):
        parts += _figure(label, _number(report[key], kind), 0.6 + 4.2 * (i % 3), 1.5 + 2.4 * (i // 3))
    deck.append(Slide("Headline figures", parts))
    deck += _targets_slides(report["targets"], initiative_names)

    # Participants and jobs by decile
    categories, colours = _decile_categories(report["by_decile"])
    deck.append(Slide("Participants and jobs filled by IMD decile", [
        Chart(f"{title} by IMD decile", categories, title, [r[key] for r in report["by_decile"]],
              Box(0.4 + 6.3 * i, 1.3, 6.2, 5.8), colours)
        for i, (key, title) in enumerate((("participants", "Participants"), ("jobs_filled", "Jobs filled")))]))

    # Reaching people in proportion
    rep = report.get("representation") or {}
    rows = rep.get("rows") or []
    first = next((r for r in rows if r["imd_decile"] == 1), None)
    ratio = None if first is None else disclosure.number(first["participants_ratio"])
    parts = [Text("Too few people in this selection to compare decile 1 with its share of the population."
                  if ratio is None else f"People from decile 1 (the 10% most deprived areas) were reached at "
                                        f"{ratio:.1f} times their share of the area's working-age population (1.0 is "
                                        "in proportion).", Box(0.6, 1.2, 12.1, 0.9), 20)]
    if rows:
        parts.append(Chart("Participants: share ÷ working-age population share", [str(r["imd_decile"]) for r in rows],
                           "Participants", [r["participants_ratio"] for r in rows], Box(0.6, 2.1, 12.1, 5.1),
                           [palette.DECILE_COLOURS[r["imd_decile"]] for r in rows], kind="ratio"))
    deck.append(Slide("Reaching people in proportion", parts))

    # Local spend by decile
    deck.append(Slide("Local spend by deprivation", [
        *_figure("Local share of spend", _number(report["spend_local_pct"], "pct"), 0.6, 1.4),
        *_figure("Spend with a known location", _number(report["spend_known_location_pct"], "pct"), 0.6, 3.1),
        *_figure("Total spend", _number(report["spend_total_gbp"], "money"), 0.6, 4.8),
        Chart("Spend by IMD decile of the supplier's area", categories,
              "Spend (£)", [r["spend_gbp"] for r in report["by_decile"]], Box(4.8, 1.3, 8.1, 5.8), colours,
              kind="money")]))

    # The map, where the Present page has it
    deck.append(Slide(*_map_parts(con, scope, selection, members["districts"]["lad24_code"].tolist())))

    # One slide per initiative
    if selection.initiative_id is None:
        for initiative_id, name in initiative_names.items():
            if not access.can_read(scope, selection.network_id, initiative_id=initiative_id):
                continue
            one = reports.view(con, scope, dataclasses.replace(selection, initiative_id=initiative_id))
            written = note_of(initiative_id)
            # A note takes the room above the charts.
            top = 1.85 if written else 1.3
            parts = [Text(written, Box(0.6, 1.05, 12.1, 0.8), 16, colour=GREY)] if written else []
            total = one["funnel"]["total"]
            stages = [("Started", total["starters"]), ("Completed", total["starters_completed"]),
                      ("Started a job", total["starters_with_job"])]
            parts += [Chart("The journey of the people who started in the period", [s for s, _ in stages],
                            "People", [v for _, v in stages], Box(0.4, top, 6.2, 7.1 - top)),
                      Chart("Participants by IMD decile", categories,
                            "Participants", [r["participants"] for r in one["by_decile"]],
                            Box(6.7, top, 6.2, 7.1 - top), colours)]
            deck.append(Slide(name, parts, written))

    # Method and sources
    rule = report.get("disclosure")
    publishers = ", ".join(dict.fromkeys(a["publisher"] for a in refdata_fetch.attributions()))
    deck.append(Slide("Method and sources", [Text(
        f"Figures cover {period}. Areas are ranked by the {report['imd_release_title']} ({report['imd_release']}), "
        f"LSOA {report['lsoa_vintage']}: decile 1 is the 10% most deprived areas in England.\n"
        + ("Counts of people are rounded to protect people's privacy (disclosure control): '<5' is a count rounded "
           "to nothing that is not none. Money is shown in full." if rule else "Exact figures, as recorded.")
        + f"\nContains public sector information licensed under the Open Government Licence v3.0, from "
          f"{publishers}.", Box(0.6, 1.4, 12.1, 5.6), 20)]))
    return deck


# --- Drawing the pictures ----------------------------------------------------------------------------------------

# PNGs by their figure and size: the .pptx and the PDF of one selection draw the map once. A few, newest last.
_drawn: dict[str, bytes] = {}
DRAWN_KEPT = 8


def _drawn_key(picture: Picture) -> str:
    spec = picture.figure.to_json(validate=False) + json.dumps([picture.width_px, picture.height_px, MAP_SCALE])
    return hashlib.sha256(spec.encode()).hexdigest()


async def _draw_all(pictures: list[Picture]) -> list[bytes]:
    import kaleido

    async with kaleido.Kaleido(timeout=RENDER_TIMEOUT_S, mathjax=False) as browser:
        return [await browser.calc_fig(p.figure, opts={"format": "png", "width": p.width_px, "height": p.height_px,
                                                       "scale": MAP_SCALE}) for p in pictures]


def _why_not_drawn(exc: BaseException) -> str:
    if isinstance(exc, ImportError):
        return "the kaleido package is not installed"
    if type(exc).__name__ == "ChromeNotFoundError":
        return "no Chromium or Chrome browser was found (install chromium, or set BROWSER_PATH to one)"
    if isinstance(exc, TimeoutError):
        return f"the browser took more than {RENDER_TIMEOUT_S} s to draw it"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def draw_pictures(deck: list[Slide]) -> list[Slide]:
    """The slides with every picture drawn to PNG, all in one headless browser; a picture that cannot be drawn
    says why in `missing`."""
    pictures = [p for slide in deck for p in slide.parts if isinstance(p, Picture) and p.png is None]
    keys = {id(p): _drawn_key(p) for p in pictures}
    to_draw = list({keys[id(p)]: p for p in pictures if keys[id(p)] not in _drawn}.values())
    missing = ""
    if to_draw:
        try:
            # A thread of its own: asyncio.run needs a thread with no event loop running (Streamlit's may have one).
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                drawn = pool.submit(asyncio.run, _draw_all(to_draw)).result()
        except Exception as exc:  # no browser must not mean no deck
            missing = f"The map could not be drawn here: {_why_not_drawn(exc)}. The Present page shows it."
        else:
            for picture, png in zip(to_draw, drawn, strict=True):
                _drawn[keys[id(picture)]] = png
            while len(_drawn) > DRAWN_KEPT:
                _drawn.pop(next(iter(_drawn)))

    def drawn_part(part: Any) -> Any:
        if not isinstance(part, Picture) or part.png is not None:
            return part
        png = _drawn.get(keys[id(part)])
        return dataclasses.replace(part, png=png, missing="" if png else missing)

    return [dataclasses.replace(slide, parts=[drawn_part(p) for p in slide.parts]) for slide in deck]


def slides(con: duckdb.DuckDBPyConnection, scope: access.Scope, selection: figures.Selection) -> list[Slide]:
    """The deck's slides as this reader may see the selection, in the Present page's order, pictures drawn."""
    return draw_pictures(_describe(con, scope, selection))


# --- PowerPoint ---------------------------------------------------------------------------------------------------


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _pptx_text(slide, part: Text) -> None:
    box = slide.shapes.add_textbox(Inches(part.box.left), Inches(part.box.top), Inches(part.box.width),
                                   Inches(part.box.height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(part.text.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(part.size)
        paragraph.font.bold = part.bold
        paragraph.font.color.rgb = _rgb(part.colour)


def _pptx_chart(slide, part: Chart) -> None:
    """A native column chart; hidden counts drawn as no bar."""
    number_format = NUMBER_FORMATS[part.kind]
    data = CategoryChartData()
    data.categories = part.categories
    data.add_series(part.name, [disclosure.number(v) for v in part.values], number_format=number_format)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(part.box.left), Inches(part.box.top),
                                   Inches(part.box.width), Inches(part.box.height), data)
    chart = frame.chart
    chart.has_title = True
    chart.chart_title.text_frame.text = part.title
    chart.chart_title.text_frame.paragraphs[0].font.size = Pt(20)
    chart.has_legend = False
    chart.category_axis.tick_labels.font.size = Pt(16)
    chart.value_axis.tick_labels.font.size = Pt(16)
    chart.value_axis.has_major_gridlines = True
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    plot.data_labels.font.size = Pt(14)
    plot.data_labels.number_format = number_format
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    if part.kind == "money":  # long amounts stand upright over their bars, as in the PDF
        body = plot.data_labels._element.find(qn("c:txPr")).find(qn("a:bodyPr"))  # made by setting the font size
        body.set("rot", "-5400000")
        body.set("vert", "horz")
    for i, point in enumerate(plot.series[0].points):
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = _rgb(part.colours[i] if part.colours else BAR)


def render_pptx(deck: list[Slide]) -> bytes:
    """The slides as a .pptx, native charts, notes in the speaker notes."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDE, HIGH
    for described in deck:
        slide = presentation.slides.add_slide(presentation.slide_layouts[6])  # blank
        _pptx_text(slide, described.heading)
        if described.notes:
            slide.notes_slide.notes_text_frame.text = described.notes
        for part in described.parts:
            if isinstance(part, Chart):
                _pptx_chart(slide, part)
            elif isinstance(part, Picture) and part.png:
                slide.shapes.add_picture(io.BytesIO(part.png), Inches(part.box.left), Inches(part.box.top),
                                         Inches(part.box.width), Inches(part.box.height))
            elif isinstance(part, Picture):
                _pptx_text(slide, Text(part.missing, part.box, 20, colour=GREY))
            else:
                _pptx_text(slide, part)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def build(con: duckdb.DuckDBPyConnection, scope: access.Scope, selection: figures.Selection) -> bytes:
    """The deck of the selection as this reader may see it, as .pptx bytes (the caller audits the export)."""
    return render_pptx(slides(con, scope, selection))


def chart_values(data: bytes) -> list[dict[str, Any]]:
    """Every chart of a .pptx deck: slide number, title and each series' values (for tests and checks)."""
    deck = Presentation(io.BytesIO(data))
    found = []
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            if shape.has_chart:
                chart = shape.chart
                found.append({"slide": number, "title": chart.chart_title.text_frame.text,
                              "categories": list(chart.plots[0].categories),
                              "series": {s.name: list(s.values) for s in chart.plots[0].series}})
    return found


# --- PDF ----------------------------------------------------------------------------------------------------------

PT = 72  # points per inch
INSET_X, INSET_Y = 0.1 * PT, 0.05 * PT  # a PowerPoint text box's own margins
LINE = 1.2  # line height, in font sizes
SMALLEST = 0.7  # a text that does not fit its box shrinks, to this share of its size at most


@functools.cache
def _system_fonts() -> dict[str, Path]:
    wanted = {name for pair in PDF_FONTS for name in pair}
    found: dict[str, Path] = {}
    for folder in FONT_DIRS:
        if folder.is_dir():
            for path in folder.rglob("*.ttf"):
                if path.name in wanted:
                    found.setdefault(path.name, path)
    return found


def pdf_font() -> tuple[Path, Path]:
    """The regular and bold TrueType files the PDF embeds: ANCHOR_PDF_FONT, else DejaVu Sans or Liberation Sans."""
    chosen = os.environ.get("ANCHOR_PDF_FONT")
    if chosen:
        regular = Path(chosen)
        if not regular.is_file():
            raise FontNotFound(f"ANCHOR_PDF_FONT names {regular}, which is not a file: name a TrueType (.ttf) font.")
        bold = [p for p in regular.parent.glob(f"{regular.stem.removesuffix('-Regular')}*Bold.ttf")
                if "Italic" not in p.name and "Oblique" not in p.name]
        return regular, min(bold, key=lambda p: len(p.name)) if bold else regular
    found = _system_fonts()
    for regular, bold in PDF_FONTS:
        if regular in found:
            return found[regular], found.get(bold, found[regular])
    raise FontNotFound("No font for the PDF: install DejaVu Sans (Debian and Ubuntu: apt-get install "
                       "fonts-dejavu-core) or Liberation Sans (fonts-liberation), or set ANCHOR_PDF_FONT to a .ttf "
                       "file.")


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _shown(value: float, kind: str) -> str:
    """A chart's number as the .pptx's number format shows it."""
    if kind == "ratio":
        return f"{value:.1f}"
    text = f"{abs(value):,.0f}"
    return ("-" if value < 0 and text.strip("0,") else "") + ("£" if kind == "money" else "") + text


def _ticks(low: float, high: float, kind: str) -> list[float]:
    """Round steps from low to high, about five (whole numbers for counts and money)."""
    span = (high - low) or 1.0
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if kind != "ratio":
        step = max(1.0, math.ceil(step))
    first = math.floor(low / step) * step
    count = max(1, math.ceil((high - first) / step - 1e-9))
    return [first + i * step for i in range(count + 1)]


class _Pdf(FPDF):
    def __init__(self, fonts: tuple[Path, Path]) -> None:
        super().__init__(unit="pt", format=(960, 540))  # 13⅓ × 7½ inches, the .pptx's 16:9
        self.set_auto_page_break(False)
        self.set_margin(0)
        self.add_font("Sans", "", str(fonts[0]))
        self.add_font("Sans", "B", str(fonts[1]))
        self.c_margin = 0

    def use(self, size: float, *, bold: bool = False, colour: str = INK) -> None:
        self.set_font("Sans", "B" if bold else "", size)
        self.set_text_color(*_hex(colour))

    def lines(self, text: str, width: float) -> list[str]:
        """The text broken into lines of at most width points at the current font."""
        return [line for paragraph in text.split("\n")
                for line in self.multi_cell(width, text=paragraph, dry_run=True, output="LINES") or [""]]

    def label_width(self, labels: list[str], size: float) -> float:
        """The widest of the labels at this size."""
        self.use(size)
        return max(self.get_string_width(label) for label in labels)

    def text_box(self, part: Text) -> None:
        """A text in its box, as PowerPoint places it; a little smaller where it would not fit."""
        x, y = part.box.left * PT + INSET_X, part.box.top * PT + INSET_Y
        width, height = part.box.width * PT - 2 * INSET_X, part.box.height * PT - 2 * INSET_Y
        size = float(part.size)
        while True:
            self.use(size, bold=part.bold, colour=part.colour)
            lines = self.lines(part.text, width)
            if len(lines) * size * LINE <= height or size <= part.size * SMALLEST:
                break
            size -= 1
        for i, line in enumerate(lines):
            self.set_xy(x, y + i * size * LINE)
            self.cell(width, size * LINE, line)

    def chart(self, part: Chart) -> None:
        """A column chart drawn as vectors: title, value axis with grid, bars, value labels, category labels."""
        x, y, w, h = (v * PT for v in (part.box.left, part.box.top, part.box.width, part.box.height))
        pad = 8
        self.use(20)
        title_lines = self.lines(part.title, w - 2 * pad)
        for i, line in enumerate(title_lines):
            self.set_xy(x + pad, y + pad + i * 20 * LINE)
            self.cell(w - 2 * pad, 20 * LINE, line, align="C")
        numbers = [disclosure.number(v) for v in part.values]
        ticks = _ticks(min([0, *filter(None, numbers)]), max([0, *filter(None, numbers)]), part.kind)
        low, high = ticks[0], ticks[-1]
        self.use(16)
        tick_labels = [_shown(t, part.kind) for t in ticks]
        plot_left = x + pad + max(self.get_string_width(t) for t in tick_labels) + 8
        plot_right = x + w - pad
        slot = (plot_right - plot_left) / len(part.categories)
        # Category labels: level, else broken in two at ' · ', else turned 45°.
        label_lines = [[c] for c in part.categories]
        widths = [self.get_string_width(c) for c in part.categories]
        turned = False
        if max(widths) > slot - 4:
            label_lines = [c.split(" · ", 1) for c in part.categories]
            if max(self.get_string_width(line) for lines in label_lines for line in lines) > slot - 4:
                label_lines, turned = [[c] for c in part.categories], True
                # The first label reaches left of its bar: keep it inside the chart.
                plot_left = max(plot_left, x + pad + widths[0] * math.sqrt(0.5) + 16 - slot / 2)
                slot = (plot_right - plot_left) / len(part.categories)
        below = max(widths) * math.sqrt(0.5) + 24 if turned else max(map(len, label_lines)) * 16 * LINE + 6
        plot_bottom = y + h - pad - below
        # Values: level above their bars (a little smaller if need be), else upright at full size (long amounts in
        # narrow columns).
        value_labels = [str(v) if n is None else _shown(n, part.kind) for v, n in zip(part.values, numbers,
                                                                                       strict=True)]
        value_size = next((size for size in (14, 13, 12) if self.label_width(value_labels, size) <= slot), 14)
        upright = self.label_width(value_labels, value_size) > slot
        reach = [self.label_width([label], value_size) + 4 if upright else value_size * LINE
                 for label in value_labels]
        # The plot's top leaves room over each bar for its label and over the top tick for its text.
        ceiling = y + pad + len(title_lines) * 20 * LINE + 12
        plot_top = ceiling + 10
        for number, room in zip(numbers, reach, strict=True):
            share = 0 if number is None else (number - low) / (high - low)
            if share > 0:
                plot_top = max(plot_top, plot_bottom - (plot_bottom - ceiling - room) / share)
        plot_top = min(plot_top, plot_bottom - 40)

        def at(value: float) -> float:
            return plot_bottom - (value - low) / (high - low) * (plot_bottom - plot_top)

        # Value axis and grid
        self.set_line_width(0.75)
        self.use(16, colour=GREY)
        for tick, label in zip(ticks, tick_labels, strict=True):
            self.set_draw_color(*_hex(GRID))
            self.line(plot_left, at(tick), plot_right, at(tick))
            self.text(plot_left - 8 - self.get_string_width(label), at(tick) + 16 * 0.35, label)
        self.set_draw_color(*_hex(GREY))
        self.line(plot_left, at(0), plot_right, at(0))
        # Bars, each with its value; a hidden one with its mark ('<5') where the bar would be.
        bar = slot / 1.6  # PowerPoint's gap width of 60%
        for i, (number, label) in enumerate(zip(numbers, value_labels, strict=True)):
            centre = plot_left + (i + 0.5) * slot
            if number:
                self.set_fill_color(*_hex(part.colours[i] if part.colours else BAR))
                self.rect(centre - bar / 2, min(at(number), at(0)), bar, abs(at(number) - at(0)), style="F")
            self.use(value_size, colour=INK if number is not None else GREY)
            width = self.get_string_width(label)
            below_zero = number is not None and number < 0
            if upright:
                start = at(number or 0) + (4 + width if below_zero else -4)
                with self.rotation(90, centre, start):
                    self.text(centre, start + value_size * 0.35, label)
            else:
                self.text(centre - width / 2, at(number) + value_size + 3 if below_zero else at(number or 0) - 4,
                          label)
        # Category labels (turned ones a little smaller, so their lines stand apart)
        self.use(14 if turned else 16)
        for i, lines in enumerate(label_lines):
            centre = plot_left + (i + 0.5) * slot
            if turned:  # reads up to the right, ending under its bar
                with self.rotation(45, centre, plot_bottom + 8):
                    self.text(centre - self.get_string_width(lines[0]), plot_bottom + 8 + 14 * 0.7, lines[0])
                continue
            for j, line in enumerate(lines):
                self.text(centre - self.get_string_width(line) / 2, plot_bottom + 6 + 16 * (0.8 + j * LINE), line)

    def picture(self, part: Picture) -> None:
        if part.png:
            # Opaque: the PNG's alpha channel would only add a mask to the file.
            self.image(Image.open(io.BytesIO(part.png)).convert("RGB"), x=part.box.left * PT, y=part.box.top * PT,
                       w=part.box.width * PT, h=part.box.height * PT)
        else:
            self.text_box(Text(part.missing, part.box, 20, colour=GREY))


def render_pdf(deck: list[Slide], title: str) -> bytes:
    """The slides as a PDF, one 16:9 page each, charts drawn as vectors, its font embedded."""
    pdf = _Pdf(pdf_font())
    pdf.set_title(title)
    pdf.set_lang("en-GB")
    for described in deck:
        pdf.add_page()
        pdf.start_section(described.title)
        pdf.text_box(described.heading)
        for part in described.parts:
            if isinstance(part, Chart):
                pdf.chart(part)
            elif isinstance(part, Picture):
                pdf.picture(part)
            else:
                pdf.text_box(part)
    return bytes(pdf.output())


def build_pdf(con: duckdb.DuckDBPyConnection, scope: access.Scope, selection: figures.Selection) -> bytes:
    """The same deck as a PDF, one 16:9 page per slide, its font embedded (the caller audits the export)."""
    pdf_font()  # no font: say so before the slow part
    deck = slides(con, scope, selection)
    return render_pdf(deck, f"{deck[0].title}, {formatting.period_text(selection.from_quarter, selection.to_quarter)}")
