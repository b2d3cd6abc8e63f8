"""Plotly figures of the figures by IMD decile, in the app's one decile palette. No Streamlit here."""

import math
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go

from dashboard import palette
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
    return [row for row in by_decile if row["imd_decile"] is None and row[measure]]


def decile_bars(by_decile: list[dict[str, Any]], measure: str, *, title: str | None = None,
                height: int = 400) -> go.Figure:
    """Bars of one measure for deciles 1..10 in the decile colours, then one grey 'not ranked' bar if any."""
    label, exact, short = MEASURES[measure]
    total = sum(row[measure] for row in by_decile)

    def share(value: float) -> str:
        return formatting.pct(value * 100 / total if total else None)

    xs, values, colours, ticks, hover = [], [], [], [], []
    for row in (r for r in by_decile if r["imd_decile"] is not None):
        decile = int(row["imd_decile"])
        xs.append(decile)
        values.append(row[measure])
        colours.append(palette.DECILE_COLOURS[decile])
        ticks.append(_decile_tick(decile))
        hover.append(f"<b>Decile {palette.DECILE_LABELS[decile]}</b><br>{label}: {exact(row[measure])}"
                     f" ({share(row[measure])} of total)")
    others = not_ranked_rows(by_decile, measure)
    if others:
        value = sum(row[measure] for row in others)
        xs.append(NOT_RANKED_X)
        values.append(value)
        colours.append(palette.NON_DECILE_COLOUR)
        ticks.append(NOT_RANKED)
        hover.append("<b>Not ranked by England's IMD</b><br>" + "<br>".join(
            f"{palette.area_label(row['group'])}: {exact(row[measure])}" for row in others))
    integer = not measure.endswith("_gbp")
    tickvals = _nice_ticks(max(values, default=0), integer)
    fig = go.Figure(go.Bar(x=xs, y=values, marker_color=colours, hovertext=hover,
                           hovertemplate="%{hovertext}<extra></extra>", width=0.8))
    fig.update_layout(
        title={"text": title or f"{label} by IMD decile", "x": 0, "xanchor": "left", "y": 0.98,
               "yanchor": "top", "font": {"size": 19, "color": palette.TEXT_COLOUR}},
        height=height, showlegend=False,
        margin={"l": 4, "r": 28, "t": 44, "b": 4},
        plot_bgcolor="white", paper_bgcolor="white",
        font={"family": FONT_FAMILY, "size": 15, "color": palette.TEXT_COLOUR},
        hoverlabel={"font": {"size": 15, "family": FONT_FAMILY}, "bgcolor": "white"},
        xaxis={"tickmode": "array", "tickvals": xs, "ticktext": ticks, "tickangle": 0,
               "range": [0.4, (NOT_RANKED_X if others else 10) + 0.6], "fixedrange": True,
               "showgrid": False, "ticks": "", "automargin": True,
               "tickfont": {"size": 14, "color": palette.MUTED_TEXT_COLOUR}},
        yaxis={"gridcolor": palette.GRID_COLOUR, "zeroline": True, "zerolinecolor": "#9aa5b1",
               "fixedrange": True, "automargin": True, "tickfont": {"size": 14, "color": palette.MUTED_TEXT_COLOUR}},
    )
    if min(values, default=0) >= 0:
        fig.update_yaxes(tickmode="array", tickvals=tickvals, ticktext=[short(v) for v in tickvals],
                         range=[0, tickvals[-1] * 1.02])
    else:  # net credits in some group: let plotly place the ticks either side of zero
        fig.update_yaxes(tickprefix="" if integer else "£", tickformat=",d" if integer else "~s")
    if others:
        fig.add_vline(x=(10 + NOT_RANKED_X) / 2, line={"color": "#bcc5ce", "width": 1, "dash": "dot"})
    return fig
