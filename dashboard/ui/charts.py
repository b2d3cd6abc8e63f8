"""Plotly figures of the figures by IMD decile, in the app's one decile palette. No Streamlit here.

Each figure is assembled as plain trace and layout dicts; tests/test_chart_specs.py validates every spec once.
"""

import math
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go

from dashboard import deprivation, disclosure, palette
from dashboard.ui import formatting

# Streamlit's own face in the browser; exported images fall back to the system sans-serif.
FONT_FAMILY = '"Source Sans", "Source Sans 3", "Source Sans Pro", "Helvetica Neue", Arial, sans-serif'
MEASURES: dict[str, tuple[str, Callable[[float], str], Callable[[float], str]]] = {
    # measure: (label, exact format for hover, short format for axis ticks)
    "participants": ("Participants", formatting.count, formatting.count),
    "completions": ("Completions", formatting.count, formatting.count),
    "jobs_filled": ("Jobs filled", formatting.count, formatting.count),
    "spend_gbp": ("Spend", formatting.money, formatting.money_short),
    "spend_local_gbp": ("Local spend", formatting.money, formatting.money_short),
}
NOT_RANKED = "Not<br>ranked"
NOT_RANKED_X = 11.6  # after a gap, so the grey bar never reads as an eleventh decile


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """The figure of these trace and layout specs, as plotly would draw them."""
    # Unvalidated: plotly's per-property check is half a page rerun; tests validate the specs instead.
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _style() -> dict[str, Any]:
    """The layout every chart shares: white ground, Streamlit's face, white hover labels (new dicts each call)."""
    return {"plot_bgcolor": "white", "paper_bgcolor": "white",
            "font": {"family": FONT_FAMILY, "size": 15, "color": palette.TEXT_COLOUR},
            "hoverlabel": {"font": {"size": 15, "family": FONT_FAMILY}, "bgcolor": "white"}}


def _tick_font() -> dict[str, Any]:
    return {"size": 14, "color": palette.MUTED_TEXT_COLOUR}


def _title(text: str) -> dict[str, Any]:
    return {"text": text, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top",
            "font": {"size": 19, "color": palette.TEXT_COLOUR}}


def _vline(x: float) -> dict[str, Any]:
    """A dotted full-height line at x (what add_vline draws), between the deciles and 'not ranked'."""
    return {"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "y domain", "y0": 0, "y1": 1,
            "line": {"color": "#bcc5ce", "width": 1, "dash": "dot"}}


def _num(value: Any) -> float:
    """A figure as a number for drawing: a value hidden by disclosure control counts as 0 (no bar)."""
    number = disclosure.number(value)
    return 0 if number is None else number


def _decile_tick(decile: int) -> str:
    if decile == 1:
        return "1<br>most<br>deprived"
    if decile == 10:
        return "10<br>least<br>deprived"
    return str(decile)


def _nice_ticks(top: float, integer: bool) -> list[float]:
    """Round tick values from 0 just past top, in three to six steps of 1, 2, 2.5 or 5 x 10^n."""
    if top <= 0:
        return [0, 1]
    magnitude = 10 ** math.floor(math.log10(top))
    steps = [m * magnitude / scale for scale in (1, 10) for m in (1, 2, 2.5, 5)]
    steps = [step for step in steps if not integer or step == int(step)] or [1]
    fitting = [(math.ceil(top / step) * step, step) for step in steps if 3 <= math.ceil(top / step) <= 6]
    step = min(fitting)[1] if fitting else min(steps)
    return [i * step for i in range(math.ceil(top / step) + 1)]


def not_ranked_rows(by_decile: list[dict[str, Any]], measure: str) -> list[dict[str, Any]]:
    """The report rows outside England's IMD deciles (Wales, Scotland, NI, unknown) with a non-zero value."""
    return [row for row in by_decile
            if row.get("imd_decile") is None and row.get("imd_quintile") is None and _num(row[measure])]


def _quintile_tick(quintile: int) -> str:
    if quintile == 1:
        return "1 · Core20<br>most<br>deprived"
    if quintile == 5:
        return "5<br>least<br>deprived"
    return str(quintile)


def decile_bars(by_decile: list[dict[str, Any]], measure: str, *, title: str | None = None,
                height: int = 400, grouping: str = "decile") -> go.Figure:
    """Bars of one measure for deciles 1..10 (or quintiles 1..5) in the decile colours, then one grey
    'not ranked' bar if any."""
    label, exact, short = MEASURES[measure]
    # Under disclosure control a value may be hidden ('<5', '[c]'): drawn as no bar, its hover says so.
    total = sum(_num(row[measure]) for row in by_decile)
    quintile = grouping == "quintile"
    # A report's own by_quintile rows (protected with the report for funders) are used as they are.
    rows = deprivation.quintiles(by_decile) if quintile and not any("imd_quintile" in r for r in by_decile) \
        else by_decile
    last_group = 5 if quintile else 10
    not_ranked_x = last_group + NOT_RANKED_X - 10

    def share(value: Any) -> str:
        if disclosure.is_hidden(value):
            return "hidden"
        return formatting.pct(value * 100 / total if total else None)

    xs, values, colours, ticks, hover, texts = [], [], [], [], [], []
    for row in rows:
        if quintile and row.get("imd_quintile") is not None:
            group = int(row["imd_quintile"])
            colours.append(palette.QUINTILE_COLOURS[group])
            ticks.append(_quintile_tick(group))
            name = f"Quintile {group}" + (" (Core20: deciles 1–2)" if group == 1 else
                                          f" (deciles {2 * group - 1}–{2 * group})")
        elif not quintile and row.get("imd_decile") is not None:
            group = int(row["imd_decile"])
            colours.append(palette.DECILE_COLOURS[group])
            ticks.append(_decile_tick(group))
            name = f"Decile {palette.DECILE_LABELS[group]}"
        else:
            continue
        xs.append(group)
        values.append(_num(row[measure]))
        texts.append(row[measure] if disclosure.is_hidden(row[measure]) else "")  # '<5' or '[c]' over the gap
        hover.append(f"<b>{name}</b><br>{label}: {exact(row[measure])} ({share(row[measure])} of total)")
    others = not_ranked_rows(by_decile, measure)
    if others:
        value = sum(_num(row[measure]) for row in others)
        xs.append(not_ranked_x)
        values.append(value)
        texts.append("")
        colours.append(palette.NON_DECILE_COLOUR)
        ticks.append(NOT_RANKED)
        hover.append("<b>Not ranked by England's IMD</b><br>" + "<br>".join(
            f"{palette.area_label(row['group'])}: {exact(row[measure])}" for row in others))
    integer = not measure.endswith("_gbp")
    tickvals = _nice_ticks(max(values, default=0), integer)
    bar = {"type": "bar", "name": label, "x": xs, "y": values, "marker": {"color": colours}, "hovertext": hover,
           "text": texts, "textposition": "outside", "textfont": {"size": 14, "color": palette.MUTED_TEXT_COLOUR},
           "cliponaxis": False, "hovertemplate": "%{hovertext}<extra></extra>", "width": 0.8}
    layout = {
        **_style(), "title": _title(title or f"{label} by IMD {grouping}"), "height": height, "showlegend": False,
        "margin": {"l": 4, "r": 28, "t": 44, "b": 4},
        "xaxis": {"tickmode": "array", "tickvals": xs, "ticktext": ticks, "tickangle": 0,
                  "range": [0.4, (not_ranked_x if others else last_group) + 0.6], "fixedrange": True,
                  "showgrid": False, "ticks": "", "automargin": True, "tickfont": _tick_font()},
        "yaxis": {"gridcolor": palette.GRID_COLOUR, "zeroline": True, "zerolinecolor": "#9aa5b1",
                  "fixedrange": True, "automargin": True, "tickfont": _tick_font()},
    }
    if min(values, default=0) >= 0:
        layout["yaxis"].update(tickmode="array", tickvals=tickvals, ticktext=[short(v) for v in tickvals],
                               range=[0, tickvals[-1] * 1.02])
    else:  # net credits in some group: let plotly place the ticks either side of zero
        layout["yaxis"].update(tickprefix="" if integer else "£", tickformat=",d" if integer else "~s")
    if others:
        layout["shapes"] = [_vline((last_group + not_ranked_x) / 2)]
    return _figure([bar], layout)


def modebar_config(file_name: str) -> dict[str, Any]:
    """st.plotly_chart config: only plotly's own 'Download as PNG' button (drawn in the browser, works offline)."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["zoom", "pan", "select", "lasso2d", "zoomIn", "zoomOut", "autoScale",
                                   "resetScale", "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian",
                                   "zoomInMap", "zoomOutMap", "resetViewMap", "zoomInGeo", "zoomOutGeo", "resetGeo",
                                   "hoverClosestGeo", "hoverClosestGl2d", "hoverClosestPie", "toggleHover",
                                   "resetViews", "sendDataToCloud", "resetViewMapbox", "zoom2d", "pan2d", "select2d",
                                   "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": file_name, "scale": 2},
    }


def share_by_decile(reports: dict[str, dict[str, Any]], measure: str) -> go.Figure:
    """One 100% bar per report, split into IMD deciles 1..10 then one grey 'not ranked' segment."""
    label, exact, _ = MEASURES[measure]
    names = list(reports)
    bars = []
    segments = [(str(d), palette.DECILE_LABELS[d], palette.DECILE_COLOURS[d]) for d in range(1, 11)]
    segments.append(("other", "Not ranked", palette.NON_DECILE_COLOUR))
    for key, name, colour in segments:
        values, hover = [], []
        for report_name in names:
            rows = reports[report_name]["by_decile"]
            total = sum(_num(row[measure]) for row in rows)
            value = sum(_num(row[measure]) for row in rows
                        if (str(row["imd_decile"]) == key if key != "other" else row["imd_decile"] is None))
            share = value * 100 / total if total else 0
            values.append(share)
            hover.append(f"<b>{report_name}</b><br>Decile {name}: {exact(value)} ({formatting.pct(share)})"
                         if key != "other" else f"<b>{report_name}</b><br>{name}: {exact(value)} "
                         f"({formatting.pct(share)})")
        bars.append({"type": "bar", "y": names, "x": values, "name": name, "orientation": "h",
                     "marker": {"color": colour}, "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"})
    return _figure(bars, {
        **_style(), "barmode": "stack", "height": 120 + 56 * len(names),
        "margin": {"l": 4, "r": 16, "t": 8, "b": 4},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12 * 6 / (5 + len(names)), "x": 0,
                   "title": {"text": f"{label}, IMD decile: "}, "traceorder": "normal"},
        "xaxis": {"range": [0, 100], "ticksuffix": "%", "fixedrange": True, "gridcolor": palette.GRID_COLOUR,
                  "tickfont": _tick_font()},
        "yaxis": {"autorange": "reversed", "fixedrange": True, "automargin": True, "tickfont": {"size": 15}},
    })


# Breakdowns: the initiative and local-spend pages.

# Not a decile: one calm blue for the funnel, and fixed colours for where spend went.
FUNNEL_COLOUR = "#2f5d80"
WHERE_COLOURS = {"local": "#1a6e5a", "elsewhere": "#8fb8d6", "unknown": palette.NON_DECILE_COLOUR}
WHERE_LABELS = {"local": "Local", "elsewhere": "Elsewhere (known location)", "unknown": "Location unknown"}
STAGE_COLOURS = ("#2f5d80", "#5d8fb3", "#1a6e5a")


def _breakdown_layout(title: str, height: int, *, legend: bool = False) -> dict[str, Any]:
    """The breakdown charts' layout; callers add to its axes and margin."""
    return {
        **_style(), "title": _title(title), "height": height, "showlegend": legend,
        "margin": {"l": 4, "r": 28, "t": 48, "b": 4},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 15}},
        "xaxis": {"fixedrange": True, "automargin": True, "tickfont": _tick_font()},
        "yaxis": {"fixedrange": True, "automargin": True, "gridcolor": palette.GRID_COLOUR, "tickfont": _tick_font()},
    }


def cohort_funnel(total: dict[str, Any], *, height: int = 380) -> go.Figure:
    """The cohort's journey as a funnel: started, completed, found a job, still in post at six months."""
    # A count hidden by disclosure control ('<5') is drawn as no bar.
    stages = [("Started", total["starters"]), ("Completed", total["starters_completed"]),
              ("Started a job", total["starters_with_job"])]
    if total["starters_in_post_6_months_reported"]:
        stages += [("Followed up at 6 months", total["starters_in_post_6_months_reported"]),
                   ("Still in post at 6 months", total["starters_in_post_6_months"])]
    stages = [(name, disclosure.number(n)) for name, n in stages]
    funnel = {"type": "funnel", "y": [s for s, _ in stages], "x": [n for _, n in stages],
              "textinfo": "value+percent initial", "texttemplate": "%{value:,} (%{percentInitial:.0%} of starters)",
              "textfont": {"size": 17}, "marker": {"color": FUNNEL_COLOUR}, "connector": {"fillcolor": "#dbe4ec"},
              "hovertemplate": "<b>%{y}</b><br>%{value:,} people<extra></extra>"}
    layout = _breakdown_layout("The journey of the people who started in the period", height)
    layout["yaxis"]["tickfont"] = {"size": 16, "color": palette.TEXT_COLOUR}
    return _figure([funnel], layout)


def decile_rate_bars(by_decile: list[dict[str, Any]], part: str, whole: str, *, title: str,
                     grouping: str = "decile", height: int = 380, min_base: int = 0) -> go.Figure:
    """part as a share of whole for deciles 1..10 (or quintiles 1..5) in the decile colours, then one grey
    'not ranked' bar. A share of a whole under min_base (disclosure control's smallest base) is not drawn."""
    def rate(p: Any, w: Any) -> float | None:
        p, w = disclosure.number(p), disclosure.number(w)
        return p * 100 / w if p is not None and w and w >= min_base else None

    quintile = grouping == "quintile"
    last_group = 5 if quintile else 10
    not_ranked_x = last_group + NOT_RANKED_X - 10
    xs, values, colours, ticks, hover = [], [], [], [], []

    def fold(rows: list[dict[str, Any]], key: str) -> Any:
        """The rows' sum, or the mark '<n' when disclosure control hid any of them."""
        hidden = [r[key] for r in rows if disclosure.is_hidden(r[key])]
        return hidden[0] if hidden else sum(r[key] for r in rows)

    ranked = [r for r in by_decile if r["imd_decile"] is not None]
    groups = []  # (group, colour, tick, name, part, whole)
    if quintile:
        for q in range(1, 6):
            pair = [r for r in ranked if int(r["imd_decile"]) in (2 * q - 1, 2 * q)]
            groups.append((q, palette.QUINTILE_COLOURS[q], _quintile_tick(q),
                           f"Quintile {q} (deciles {2 * q - 1}–{2 * q})", fold(pair, part), fold(pair, whole)))
    else:
        for r in ranked:
            d = int(r["imd_decile"])
            groups.append((d, palette.DECILE_COLOURS[d], _decile_tick(d), f"Decile {palette.DECILE_LABELS[d]}",
                           r[part], r[whole]))
    for group, colour, tick, name, p, w in groups:
        xs.append(group)
        colours.append(colour)
        ticks.append(tick)
        values.append(rate(p, w))
        hover.append(f"<b>{name}</b><br>{formatting.count(p)} of {formatting.count(w)} ({formatting.pct(rate(p, w))})")
    others = [r for r in by_decile if r["imd_decile"] is None and r[whole]]
    if others:
        hidden = any(disclosure.is_hidden(r[part]) or disclosure.is_hidden(r[whole]) for r in others)
        p, w = (None, None) if hidden else (sum(r[part] for r in others), sum(r[whole] for r in others))
        xs.append(not_ranked_x)
        values.append(rate(p, w))
        colours.append(palette.NON_DECILE_COLOUR)
        ticks.append(NOT_RANKED)
        hover.append("<b>Not ranked by England's IMD</b><br>" + "<br>".join(
            f"{palette.area_label(r['group'])}: {formatting.count(r[part])} of {formatting.count(r[whole])}"
            for r in others))
    bar = {"type": "bar", "x": xs, "y": values, "marker": {"color": colours}, "hovertext": hover, "width": 0.8,
           "text": [formatting.pct(v) if v is not None else "" for v in values],
           "textposition": "outside", "textfont": {"size": 13}, "cliponaxis": False,
           "hovertemplate": "%{hovertext}<extra></extra>"}
    layout = _breakdown_layout(title, height)
    layout["xaxis"].update(tickmode="array", tickvals=xs, ticktext=ticks, tickangle=0, showgrid=False,
                           range=[0.4, (not_ranked_x if others else last_group) + 0.6])
    layout["yaxis"].update(range=[0, 105], ticksuffix="%", tickvals=[0, 25, 50, 75, 100])
    if others:
        layout["shapes"] = [_vline((last_group + not_ranked_x) / 2)]
    return _figure([bar], layout)


def cohort_by_quarter(rows: list[dict[str, Any]], *, year_start: str = "calendar", height: int = 380) -> go.Figure:
    """Grouped bars per start quarter: how many started, completed and started a job."""
    labels = [formatting.quarter_tick(r["start_quarter"], year_start) for r in rows]
    bars = [{"type": "bar", "x": labels, "y": [disclosure.number(r[key]) for r in rows], "name": name,
             "marker": {"color": colour}, "hovertemplate": f"<b>%{{x}}</b><br>{name}: %{{y:,}}<extra></extra>"}
            for (key, name), colour in zip((("starters", "Started"), ("starters_completed", "Completed"),
                                            ("starters_with_job", "Started a job")), STAGE_COLOURS, strict=True)]
    layout = _breakdown_layout("Started, completed and started a job", height, legend=True)
    layout["barmode"] = "group"
    layout["title"]["y"] = 0.99
    layout["margin"]["t"] = 84
    layout["yaxis"].update(rangemode="tozero", tickformat=",d")
    return _figure(bars, layout)


def events_by_quarter(rows: list[dict[str, Any]], *, cumulative: bool = False, year_start: str = "calendar",
                      height: int = 380) -> go.Figure:
    """Participants, completions and jobs filled per quarter (bars), or their running totals (lines)."""
    labels = [formatting.quarter_tick(r["quarter"], year_start) for r in rows]
    traces = []
    for (key, name), colour in zip((("participants", "Participants"), ("completions", "Completions"),
                                    ("jobs_filled", "Jobs filled")), STAGE_COLOURS, strict=True):
        values = [disclosure.number(r[f"cumulative_{key}" if cumulative else key]) for r in rows]
        hover = f"<b>%{{x}}</b><br>{name}{' since the start' if cumulative else ''}: %{{y:,}}<extra></extra>"
        if cumulative:
            traces.append({"type": "scatter", "x": labels, "y": values, "name": name, "mode": "lines+markers",
                           "line": {"color": colour, "width": 3}, "hovertemplate": hover})
        else:
            traces.append({"type": "bar", "x": labels, "y": values, "name": name, "marker": {"color": colour},
                           "hovertemplate": hover})
    title = "Running totals since the network's first data" if cumulative else "Events in each quarter"
    layout = _breakdown_layout(title, height, legend=True)
    layout["barmode"] = "group"
    layout["margin"]["t"] = 84
    layout["yaxis"].update(rangemode="tozero", tickformat=",d")
    return _figure(traces, layout)


def _where_split(row: dict[str, Any]) -> dict[str, float]:
    """A spend row split into local, elsewhere with a known location, and unknown location."""
    local, unknown = row["spend_local_gbp"], row["spend_unknown_location_gbp"]
    return {"local": local, "elsewhere": round(row["spend_gbp"] - local - unknown, 2), "unknown": unknown}


def spend_where_by_quarter(rows: list[dict[str, Any]], *, year_start: str = "calendar", height: int = 400) -> go.Figure:
    """Stacked bars per quarter: local spend, spend elsewhere, spend of unknown location."""
    labels = [formatting.quarter_tick(r["quarter"], year_start) for r in rows]
    splits = [_where_split(r) for r in rows]
    bars = [{"type": "bar", "x": labels, "y": [s[key] for s in splits], "name": name,
             "marker": {"color": WHERE_COLOURS[key]}, "hovertext": [formatting.money(s[key]) for s in splits],
             "hovertemplate": f"<b>%{{x}}</b><br>{name}: %{{hovertext}}<extra></extra>"}
            for key, name in WHERE_LABELS.items()]
    layout = _breakdown_layout("Spend by quarter", height, legend=True)
    layout["barmode"] = "relative"
    layout["margin"]["t"] = 84
    layout["yaxis"].update(tickprefix="£", tickformat="~s")
    return _figure(bars, layout)


def spend_where_bars(rows: list[dict[str, Any]], label_key: str, *, title: str, height: int | None = None
                     ) -> go.Figure:
    """Horizontal stacked bars, one per row (largest first): local, elsewhere and unknown-location spend."""
    labels = [str(r[label_key]) for r in rows]
    splits = [_where_split(r) for r in rows]
    bars = [{"type": "bar", "y": labels, "x": [s[key] for s in splits], "name": name, "orientation": "h",
             "marker": {"color": WHERE_COLOURS[key]}, "hovertext": [formatting.money(s[key]) for s in splits],
             "hovertemplate": f"<b>%{{y}}</b><br>{name}: %{{hovertext}}<extra></extra>"}
            for key, name in WHERE_LABELS.items()]
    layout = _breakdown_layout(title, height or 140 + 44 * len(rows), legend=True)
    layout["barmode"] = "relative"
    layout["margin"]["t"] = 84
    layout["xaxis"].update(tickprefix="£", tickformat="~s", gridcolor=palette.GRID_COLOUR)
    layout["yaxis"].update(autorange="reversed", tickfont={"size": 15, "color": palette.TEXT_COLOUR})
    return _figure(bars, layout)


SOURCE_COLOURS = {"partner file": "#1a6e5a", "coordinator": "#2f5d80", "companies_house": "#5d8fb3",
                  "charity_commission": "#8fb8d6", "oscr": "#b7d2e6", "fca_mutuals": "#7aa6c9", "redacted": "#6b6b6b",
                  "unknown": palette.NON_DECILE_COLOUR}


def spend_sources_bar(rows: list[dict[str, Any]], *, height: int = 190) -> go.Figure:
    """One horizontal bar of all spend, split by where each payment's place came from, labelled with shares."""
    bars = [{"type": "bar", "y": [""], "x": [row["spend_pct"] or 0], "name": row["source_label"], "orientation": "h",
             "marker": {"color": SOURCE_COLOURS.get(row["source"], palette.NON_DECILE_COLOUR),
                        "line": {"color": "#ffffff", "width": 1}},
             "text": [formatting.pct(row["spend_pct"])] if (row["spend_pct"] or 0) >= 6 else [""],
             "textposition": "inside", "insidetextanchor": "middle",
             "hovertemplate": f"<b>{row['source_label']}</b><br>{formatting.money(row['spend_gbp'])} "
                              f"({formatting.pct(row['spend_pct'])})<extra></extra>"}
            for row in rows]
    layout = _breakdown_layout("Where each payment's place comes from (share of spend)", height, legend=True)
    layout["barmode"] = "stack"
    layout["legend"]["traceorder"] = "normal"  # in the order the bar reads, left to right
    layout["margin"]["t"] = 84
    layout["xaxis"].update(range=[0, 100], ticksuffix="%", gridcolor=palette.GRID_COLOUR)
    return _figure(bars, layout)


def representation_bars(representation: dict[str, Any], measure: str, *, title: str, height: int = 400) -> go.Figure:
    """Each IMD group's share of participants (or jobs) over its share of the area's working-age people; 1.0 = in
    proportion, drawn as a line."""
    quintile = representation["grouping"] == "quintile"
    key = "imd_quintile" if quintile else "imd_decile"
    colours = palette.QUINTILE_COLOURS if quintile else palette.DECILE_COLOURS
    share_key = "participants_share" if measure == "participants" else "jobs_share"
    ratio_key = "participants_ratio" if measure == "participants" else "jobs_ratio"
    label = MEASURES[measure][0]
    rows = representation["rows"]
    xs = [row[key] for row in rows]
    ratios = [disclosure.number(row[ratio_key]) for row in rows]
    def share(value: Any) -> str:
        if disclosure.is_hidden(value):
            return str(value)
        return formatting.pct(None if value is None else value * 100)

    hover = [f"<b>{'Quintile' if quintile else 'Decile'} {row[key]}</b><br>"
             f"{label}: {share(row[share_key])} of those living in the area<br>"
             f"Working-age people: {share(row['population_share'])}<br>"
             f"Ratio: {'–' if disclosure.number(row[ratio_key]) is None else format(row[ratio_key], '.2f')}"
             for row in rows]
    bar = {"type": "bar", "x": xs, "y": [r if r is not None else 0 for r in ratios],
           "marker": {"color": [colours[x] for x in xs]}, "width": 0.8,
           "text": ["–" if r is None else f"{r:.1f}×" for r in ratios], "textposition": "outside",
           "cliponaxis": False, "textfont": {"size": 14}, "hovertext": hover,
           "hovertemplate": "%{hovertext}<extra></extra>"}
    top = max([r for r in ratios if r is not None] + [1.0])
    layout = _breakdown_layout(title, height)
    # What add_hline drew: a dashed line across the plot at 1.0, labelled above its right end.
    layout["shapes"] = [{"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": 1, "y1": 1,
                         "line": {"color": palette.TEXT_COLOUR, "width": 2, "dash": "dash"}}]
    layout["annotations"] = [{"text": "1.0 = in proportion", "showarrow": False, "xref": "x domain", "x": 1,
                              "xanchor": "right", "yref": "y", "y": 1, "yanchor": "bottom",
                              "font": {"size": 14, "color": palette.TEXT_COLOUR}}]
    layout["xaxis"].update(tickmode="array", tickvals=xs, showgrid=False, range=[0.4, max(xs, default=10) + 0.6],
                           ticktext=[(_quintile_tick(x) if quintile else _decile_tick(x)) for x in xs], tickangle=0)
    layout["yaxis"].update(range=[0, top * 1.18], ticksuffix="×", rangemode="tozero")
    return _figure([bar], layout)


def nation_bars(rows: list[dict[str, Any]], *, height: int = 360) -> go.Figure:
    """One nation's people and spend by its own index's deciles (WIMD or SIMD), grey where the decile is not known."""
    index = rows[0]["index"]
    nation = rows[0]["nation"]
    ranked = sorted((r for r in rows if r["decile"] is not None), key=lambda r: r["decile"])
    unknown = [r for r in rows if r["decile"] is None]
    measures = [("participants", "Participants"), ("jobs_filled", "Jobs filled"), ("spend_gbp", "Spend")]
    shown = [(key, name) for key, name in measures if any(_num(r[key]) or disclosure.is_hidden(r[key]) for r in rows)]
    bars = []
    for key, name in shown:
        xs = [r["decile"] for r in ranked] + ([NOT_RANKED_X] if unknown else [])
        values = [_num(r[key]) for r in ranked] + ([sum(_num(r[key]) for r in unknown)] if unknown else [])
        exact = MEASURES[key][1]
        colours = [palette.DECILE_COLOURS[int(x)] if x != NOT_RANKED_X else palette.NON_DECILE_COLOUR for x in xs]
        bars.append({"type": "bar", "x": xs, "y": values, "name": name, "marker": {"color": colours},
                     "visible": True if key == shown[0][0] else "legendonly", "hovertext": [exact(v) for v in values],
                     "hovertemplate": f"<b>{index} decile %{{x}}</b><br>{name}: %{{hovertext}}<extra></extra>"})
    what = shown[0][1] if len(shown) == 1 else "People and spend"
    layout = _breakdown_layout(f"{nation}: {what.lower() if len(shown) > 1 else what} by {index} decile", height,
                               legend=len(shown) > 1)
    layout["margin"]["t"] = 84
    layout["xaxis"].update(tickmode="array", tickvals=list(range(1, 11)) + ([NOT_RANKED_X] if unknown else []),
                           ticktext=[_decile_tick(d) for d in range(1, 11)] + (["Decile<br>not known"] if unknown
                                                                               else []),
                           range=[0.4, (NOT_RANKED_X if unknown else 10) + 0.6], showgrid=False, tickangle=0)
    return _figure(bars, layout)


# Text alternatives: every chart's figures as a table, read back from the figure itself so they always agree.

def plain_label(label: Any) -> str:
    """An axis label without plotly's line breaks and bold."""
    return " ".join(str(label).replace("<br>", " ").replace("<b>", "").replace("</b>", "").split())


def _item(values: Any, i: int) -> str:
    return str(values[i]) if isinstance(values, list | tuple) and i < len(values) and values[i] else ""


def _value_text(trace: dict[str, Any], i: int, value: Any, axis: dict[str, Any]) -> str:
    """One figure as the chart shows it: its label on the bar ('<5', '23.4%'), else its hover text when that is
    the bare figure, else the number in the value axis's unit ('–' where disclosure control left no number)."""
    if text := _item(trace.get("text"), i):
        return plain_label(text)
    hover = _item(trace.get("hovertext"), i)
    if hover and "<" not in hover:
        return hover
    if value is None:
        return "–"
    if axis.get("ticksuffix") == "%":
        return formatting.pct(value)
    if axis.get("ticksuffix") == "×":
        return f"{value:.2f}×"
    if axis.get("tickprefix") == "£" or any("£" in str(t) for t in axis.get("ticktext") or ()):
        return formatting.money(value)
    return formatting.count(value)


def figure_table(fig: go.Figure, rows: str) -> tuple[list[str], list[list[str]]]:
    """The figures a bar, line or funnel chart draws, as a header and rows of text: one row per category (named in
    a first column headed `rows`), one column per series."""
    layout = fig.layout.to_plotly_json()
    categories: list[str] = []
    columns: dict[str, dict[str, str]] = {}
    for trace in (t.to_plotly_json() for t in fig.data):
        across = trace.get("orientation") == "h" or trace.get("type") == "funnel"
        names, values = (trace.get("y"), trace.get("x")) if across else (trace.get("x"), trace.get("y"))
        category_axis = layout.get("yaxis" if across else "xaxis", {})
        ticks = dict(zip(category_axis.get("tickvals") or (), category_axis.get("ticktext") or (), strict=False))
        series = trace.get("name") or plain_label(layout.get("title", {}).get("text", "")) or "Value"
        column = columns.setdefault(series, {})
        for i, (name, value) in enumerate(zip(list(names or ()), list(values or ()), strict=False)):
            label = plain_label(ticks.get(name, name)) or rows  # one unnamed bar (the sources of spend): the rows' name
            if label not in categories:
                categories.append(label)
            column[label] = _value_text(trace, i, value, layout.get("xaxis" if across else "yaxis", {}))
    header = [rows, *columns]
    return header, [[label, *(column.get(label, "–") for column in columns.values())] for label in categories]
