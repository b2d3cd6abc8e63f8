"""The meeting's slides as a PowerPoint deck: the Present page's slides with native, editable charts.

Every figure comes from reports.view for the reader, so a funder's deck is disclosure-controlled like every page; a
count hidden by disclosure control is left out of a chart (no bar) and written as it is shown ('<5') in its label.
The chart data are exactly the figures of `report --json` for the selection. Notes on the quarters go on the slides
and in the speaker notes.
"""

import dataclasses
import io
from typing import Any

import duckdb
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.util import Inches, Pt

from dashboard import access, disclosure, figures, networks, notes, palette, parsing, refdata_fetch, reports

WIDE, HIGH = Inches(13.333), Inches(7.5)  # 16:9
INK = RGBColor(0x1F, 0x29, 0x33)
GREY = RGBColor(0x4A, 0x55, 0x60)
BAR = RGBColor(0x2E, 0x5E, 0x80)


def _period(selection: figures.Selection) -> str:
    first, _ = parsing.quarter_bounds(selection.from_quarter)
    _, last = parsing.quarter_bounds(selection.to_quarter)
    return f"{first:%-d %B %Y} to {last:%-d %B %Y}"


def _text(slide, text: str, left: float, top: float, width: float, height: float, size: int, *, bold=False,
          colour: RGBColor = INK) -> None:
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold
        paragraph.font.color.rgb = colour


def _slide(deck, title: str, speaker_notes: str = ""):
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
    _text(slide, title, 0.6, 0.35, 12.1, 0.9, 36, bold=True)
    if speaker_notes:
        slide.notes_slide.notes_text_frame.text = speaker_notes
    return slide


def _bars(slide, categories: list[str], series: dict[str, list[Any]], left: float, top: float, width: float,
          height: float, *, title: str, colours: list[str] | None = None, number_format: str = "#,##0") -> None:
    """A native column chart: one series per entry; hidden counts drawn as no bar."""
    data = CategoryChartData()
    data.categories = categories
    for name, values in series.items():
        data.add_series(name, [disclosure.number(v) for v in values], number_format=number_format)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(left), Inches(top), Inches(width),
                                   Inches(height), data)
    chart = frame.chart
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    chart.chart_title.text_frame.paragraphs[0].font.size = Pt(20)
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(16)
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
    if colours and len(series) == 1:
        for point, colour in zip(plot.series[0].points, colours, strict=False):
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = RGBColor.from_string(colour.lstrip("#").upper())


def _decile_categories(rows: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The area groups of by_decile as chart categories ('1 · most deprived', …, 'Wales') and their colours."""
    return ([palette.area_label(row["group"]) for row in rows], [palette.area_colour(row["group"]) for row in rows])


def _figure(slide, label: str, value: str, left: float, top: float) -> None:
    _text(slide, label, left, top, 4.0, 0.5, 18, colour=GREY)
    _text(slide, value, left, top + 0.45, 4.0, 1.0, 44, bold=True)


def _number(value: Any, kind: str) -> str:
    if disclosure.is_hidden(value):
        return str(value)
    if value is None:
        return "–"
    return {"count": f"{value:,}", "pct": f"{value:.1f}%", "money": f"£{value / 1e6:,.1f}m" if abs(value) >= 1e6
            else f"£{value / 1e3:,.0f}k"}[kind]


def build(con: duckdb.DuckDBPyConnection, scope: access.Scope, selection: figures.Selection) -> bytes:
    """The deck of the selection as this reader may see it, as .pptx bytes (the caller audits the export)."""
    report = reports.view(con, scope, selection)
    quarter_notes = notes.current(con, scope, selection.network_id, selection.initiative_id, selection.from_quarter,
                                  selection.to_quarter)
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDE, HIGH
    period = _period(selection)

    def note_of(initiative_id: str | None) -> str:
        found = quarter_notes[quarter_notes["initiative_id"] == (initiative_id or "")]
        return "" if found.empty else (f"Note, {parsing.quarter_label(found['quarter'].iloc[-1])}: "
                                       f"{found['text'].iloc[-1]}")

    # Title
    slide = _slide(deck, report["network_name"], note_of(None))
    members = networks.members(con, selection.network_id)
    initiative_names = dict(zip(members["initiatives"]["initiative_id"], members["initiatives"]["name"], strict=True))
    _text(slide, initiative_names.get(selection.initiative_id, "All initiatives"), 0.6, 1.4, 12, 0.8, 28, bold=True)
    _text(slide, f"{period} ({parsing.quarter_label(selection.from_quarter)} to "
                 f"{parsing.quarter_label(selection.to_quarter)})\nAreas ranked by the {report['imd_release_title']}: "
                 "decile 1 is the 10% most deprived areas in England.", 0.6, 2.3, 12, 1.2, 20)
    if note_of(None):
        _text(slide, note_of(None), 0.6, 3.8, 12, 1.2, 20)
    if report["is_demo"]:
        _text(slide, "Synthetic demo data: no real people or payments.", 0.6, 6.5, 12, 0.5, 16, colour=GREY)

    # Headline figures
    slide = _slide(deck, "Headline figures")
    for i, (label, key, kind) in enumerate((("Participants", "participants", "count"),
                                            ("Completions", "completions", "count"),
                                            ("Jobs filled", "jobs_filled", "count"),
                                            ("Local spend", "spend_local_gbp", "money"),
                                            ("Local share of spend", "spend_local_pct", "pct"),
                                            ("From the 20% most deprived areas", "participants_most_deprived_20_pct",
                                             "pct"))):
        _figure(slide, label, _number(report[key], kind), 0.6 + 4.2 * (i % 3), 1.5 + 2.4 * (i // 3))

    # Participants and jobs by decile
    slide = _slide(deck, "Participants and jobs filled by IMD decile")
    categories, colours = _decile_categories(report["by_decile"])
    for i, (key, title) in enumerate((("participants", "Participants"), ("jobs_filled", "Jobs filled"))):
        _bars(slide, categories, {title: [r[key] for r in report["by_decile"]]}, 0.4 + 6.3 * i, 1.3, 6.2, 5.8,
              title=f"{title} by IMD decile", colours=colours)

    # Reaching people in proportion
    slide = _slide(deck, "Reaching people in proportion")
    rep = report.get("representation") or {}
    rows = rep.get("rows") or []
    first = next((r for r in rows if r["imd_decile"] == 1), None)
    ratio = None if first is None else disclosure.number(first["participants_ratio"])
    _text(slide, "Too few people in this selection to compare decile 1 with its share of the population."
          if ratio is None else f"People from decile 1 (the 10% most deprived areas) were reached at {ratio:.1f} "
                                "times their share of the area's working-age population (1.0 is in proportion).",
          0.6, 1.2, 12, 0.9, 20)
    if rows:
        _bars(slide, [str(r["imd_decile"]) for r in rows], {"Participants": [r["participants_ratio"] for r in rows]},
              0.6, 2.1, 12.1, 5.1, title="Participants: share ÷ working-age population share",
              colours=[palette.DECILE_COLOURS[r["imd_decile"]] for r in rows], number_format="0.0")

    # Local spend by decile
    slide = _slide(deck, "Local spend by deprivation")
    _figure(slide, "Local share of spend", _number(report["spend_local_pct"], "pct"), 0.6, 1.4)
    _figure(slide, "Spend with a known location", _number(report["spend_known_location_pct"], "pct"), 0.6, 3.1)
    _figure(slide, "Total spend", _number(report["spend_total_gbp"], "money"), 0.6, 4.8)
    _bars(slide, categories, {"Spend (£)": [r["spend_gbp"] for r in report["by_decile"]]}, 4.4, 1.3, 8.5, 5.8,
          title="Spend by IMD decile of the supplier's area", colours=colours, number_format='"£"#,##0')

    # One slide per initiative
    if selection.initiative_id is None:
        for initiative_id, name in initiative_names.items():
            if not access.can_read(scope, selection.network_id, initiative_id=initiative_id):
                continue
            one = reports.view(con, scope, dataclasses.replace(selection, initiative_id=initiative_id))
            slide = _slide(deck, name, note_of(initiative_id))
            if note_of(initiative_id):
                _text(slide, note_of(initiative_id), 0.6, 1.05, 12.1, 0.5, 16, colour=GREY)
            total = one["funnel"]["total"]
            stages = [("Started", total["starters"]), ("Completed", total["starters_completed"]),
                      ("Started a job", total["starters_with_job"])]
            _bars(slide, [s for s, _ in stages], {"People": [v for _, v in stages]}, 0.4, 1.3, 6.2, 5.8,
                  title="The journey of the people who started in the period")
            _bars(slide, categories, {"Participants": [r["participants"] for r in one["by_decile"]]}, 6.7, 1.3, 6.2,
                  5.8, title="Participants by IMD decile", colours=colours)

    # Method and sources
    slide = _slide(deck, "Method and sources")
    rule = report.get("disclosure")
    publishers = ", ".join(dict.fromkeys(a["publisher"] for a in refdata_fetch.attributions()))
    _text(slide, f"Figures cover {period}. Areas are ranked by the {report['imd_release_title']} "
                 f"({report['imd_release']}), LSOA {report['lsoa_vintage']}: decile 1 is the 10% most deprived "
                 "areas in England.\n"
                 + ("Counts of people are rounded to protect people's privacy (disclosure control): '<5' is a count "
                    "rounded to nothing that is not none. Money is shown in full." if rule
                    else "Exact figures, as recorded.")
                 + f"\nContains public sector information licensed under the Open Government Licence v3.0, from "
                   f"{publishers}.", 0.6, 1.4, 12.1, 5, 20)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def chart_values(data: bytes) -> list[dict[str, Any]]:
    """Every chart of a deck: slide number, title and each series' values (for tests and checks)."""
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

