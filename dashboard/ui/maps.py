"""Maps of LSOAs by deprivation, drawn with no tile server. No Streamlit here.

The Maps page's map is given map_args' spec (drawn by dashboard/map_component); the Present page's and the deck's
are plotly figures, assembled as plain trace and layout dicts (tests/test_chart_specs.py validates every spec once).
Both colour each layer by layer_scale.
"""

import functools
import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
import shapely.geometry

from dashboard import maps as area_maps
from dashboard import palette
from dashboard.ui import formatting
from dashboard.ui.charts import FONT_FAMILY, _figure

LAYER_LABELS = {
    "imd_decile": "Deprivation decile",
    "participants": "Participants",
    "jobs_filled": "Jobs filled",
    "spend_gbp": "Spend",
}
# Not the decile colours: a warm scale (ColorBrewer OrRd) so a count is never read as a decile.
SEQUENTIAL = ["#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"]
NOTHING_COLOUR = "#f1f3f5"  # LSOAs with nothing recorded: visibly 'none', not the lightest 'some'
EDGE_COLOUR = "rgba(255,255,255,0.6)"
DISTRICT_COLOUR = "#1f2933"
# Every modebar button except 'Download plot as a PNG'.
MODEBAR_REMOVE = ["zoomInMap", "zoomOutMap", "resetViewMap", "pan2d", "select2d", "lasso2d", "zoom2d",
                  "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d", "toggleHover", "resetViews",
                  "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian", "sendDataToCloud"]
HOVER = ("<b>%{properties.lsoa_name}</b> · %{location}<br>%{properties.lad24_name}<br>"
         "IMD decile: <b>%{properties.imd_decile}</b> (1 most deprived, 10 least)<br>"
         "Participants: %{customdata[0]:,}<br>Jobs filled: %{customdata[1]:,}<br>"
         "Spend: £%{customdata[2]:,.0f}<extra></extra>")
# Without counts of people (disclosure-controlled readers), the figure carries spend alone, so the hover shows the
# area and its spend only.
HOVER_SPEND_ONLY = ("<b>%{properties.lsoa_name}</b> · %{location}<br>%{properties.lad24_name}<br>"
                    "IMD decile: <b>%{properties.imd_decile}</b> (1 most deprived, 10 least)<br>"
                    "Spend: £%{customdata[0]:,.0f}<extra></extra>")
POWER_LABELS = {0: "£1", 1: "£10", 2: "£100", 3: "£1k", 4: "£10k", 5: "£100k", 6: "£1m", 7: "£10m", 8: "£100m"}
ENGLAND_BOUNDS = (-6.42, 49.86, 1.77, 55.81)
# The map's expected size in the page; the zoom is chosen so the area fills it.
MAP_WIDTH_PX = 1000


def plotly_config(filename: str) -> dict[str, Any]:
    """Modebar with only 'download PNG' (at projector size), no plotly logo."""
    return {"displaylogo": False, "modeBarButtonsToRemove": MODEBAR_REMOVE, "scrollZoom": True,
            "toImageButtonOptions": {"format": "png", "filename": filename, "width": 1600, "height": 1000,
                                     "scale": 1}}


def _view(bounds: tuple[float, float, float, float], height: int) -> dict[str, Any]:
    """Centre and zoom that fit the bounds in a MAP_WIDTH_PX x height map (web Mercator, 512 px tiles)."""
    west, south, east, north = bounds

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_zoom = math.log2(MAP_WIDTH_PX * 360 / (max(east - west, 1e-6) * 512))
    lat_zoom = math.log2(height * 2 * math.pi / (max(merc(north) - merc(south), 1e-9) * 512))
    centre_lat = math.degrees(2 * math.atan(math.exp((merc(north) + merc(south)) / 2)) - math.pi / 2)
    return {"center": {"lon": (west + east) / 2, "lat": centre_lat}, "zoom": min(lon_zoom, lat_zoom) - 0.15}


def _discrete_decile_scale() -> list[list[Any]]:
    scale = []
    for decile, colour in palette.DECILE_COLOURS.items():
        scale += [[(decile - 1) / 10, colour], [decile / 10, colour]]
    return scale


def _colorbar(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title, "font": {"size": 15}}, "tickfont": {"size": 14}, "len": 0.92, "thickness": 18,
            "x": 1, "xanchor": "right", "xpad": 12, "bgcolor": "rgba(255,255,255,0.85)", "outlinewidth": 0,
            **extra}


def _money_ticks(top: float) -> tuple[list[float], list[str]]:
    """Log10 tick positions at £1, £10, ... up to top, labelled as money."""
    powers = range(0, max(1, math.ceil(math.log10(max(top, 10)))) + 1)
    return [float(p) for p in powers], [POWER_LABELS.get(p, formatting.money_short(10.0**p)) for p in powers]


def _nice_counts(top: float) -> list[int]:
    """Up to five whole-number ticks from the first step to top (0 is shown as 'none')."""
    step = max(1, math.ceil(top / 5))
    return list(range(step, int(top) + 1, step))


def layer_scale(lsoa_df: pd.DataFrame, layer: str) -> dict[str, Any]:
    """How a layer is coloured: each area's value on the scale (z), the colour scale, its range and ticks.

    The one definition for every map: the deciles on the decile palette; a count on the warm scale from 0; spend
    on a log scale from the power of ten below the smallest amount. Nothing recorded (or a net credit) sits in a
    grey band below the warm scale, not at its palest colour.
    """
    if layer == "imd_decile":
        return {"z": lsoa_df["imd_decile"].to_numpy("int8"), "colorscale": _discrete_decile_scale(), "zmin": 0.5,
                "zmax": 10.5, "name": "IMD decile", "title": "IMD decile", "tickvals": list(range(1, 11)),
                "ticktext": [palette.DECILE_LABELS[d] for d in range(1, 11)]}
    values = lsoa_df[layer].to_numpy("float64")
    some = values > 0
    label = LAYER_LABELS[layer]
    if layer == "spend_gbp":
        z = np.log10(np.maximum(values, 1.0))
        top = float(z[some].max()) if some.any() else 1.0
        # The scale starts at the power of ten below the smallest amount, not at £1.
        zmin = float(math.floor(z[some].min())) if some.any() else 0.0
        zmax, title = max(zmin + 1.0, top), f"{label} (log scale)"
        tickvals, ticktext = _money_ticks(10**zmax)
        kept = [i for i, v in enumerate(tickvals) if v >= zmin]
        tickvals, ticktext = [tickvals[i] for i in kept], [ticktext[i] for i in kept]
    else:
        z = values
        zmax = max(1.0, float(values.max())) if len(values) else 1.0
        tickvals = _nice_counts(zmax)
        ticktext = [formatting.count(v) for v in tickvals]
        zmin, title = 0.0, label
    band = (zmax - zmin) / 12
    z = np.where(some, z, zmin - band)
    cut = band / (zmax - zmin + band)
    colorscale = [[0, NOTHING_COLOUR], [cut, NOTHING_COLOUR]] + [
        [cut + (1 - cut) * i / (len(SEQUENTIAL) - 1), colour] for i, colour in enumerate(SEQUENTIAL)]
    return {"z": z.astype("float32"), "colorscale": colorscale, "zmin": zmin - band, "zmax": zmax, "name": label,
            "title": title, "tickvals": [zmin - band / 2, *tickvals], "ticktext": ["none", *ticktext]}


def lsoa_map(lsoa_df: pd.DataFrame, layer: str, geojson: dict[str, Any], *,
             bounds: tuple[float, float, float, float] | None = None, districts: tuple[list, list] | None = None,
             title: str | None = None, height: int = 620, view_key: str = "map") -> go.Figure:
    """A network's LSOAs as a plotly figure (the Present page's map, and the deck's map as an image): decile
    colours, or one figure on a warm sequential scale, with district outlines. The Maps page draws the same
    layers with map_args.

    geojson is a FeatureCollection whose features carry lsoa_name, lad24_name and imd_decile for the hover.
    districts is (lons, lats) for a line trace. The title is drawn in the figure, so a saved PNG says what it
    shows.
    """
    # A string array, not a list: copying the figure's 33,755 codes is then one block, not 33,755 objects.
    codes = lsoa_df["lsoa_code"].to_numpy(dtype=str)
    # Whole pounds and 32-bit integers: the hover shows no pence, and England's customdata halves in size.
    spend = lsoa_df["spend_gbp"].astype("float64").round()
    people_known = bool(lsoa_df["participants"].notna().all())
    # Counts of people a reader may not see are left out of the figure, not sent as zeros.
    customdata = np.column_stack(
        [lsoa_df["participants"].fillna(0), lsoa_df["jobs_filled"].fillna(0), spend] if people_known else [spend]
    ).astype("int32")
    common = {"geojson": geojson, "featureidkey": "id", "hovertemplate": HOVER if people_known else HOVER_SPEND_ONLY,
              "marker": {"line": {"color": EDGE_COLOUR, "width": 0.4}}}
    scale = layer_scale(lsoa_df, layer)
    areas = {"type": "choroplethmap", "locations": codes, "z": scale["z"], "customdata": customdata,
             "colorscale": scale["colorscale"], "zmin": scale["zmin"], "zmax": scale["zmax"], "name": scale["name"],
             "colorbar": _colorbar(scale["title"], tickvals=scale["tickvals"], ticktext=scale["ticktext"]),
             **common}
    traces = [areas]
    view = {"style": "white-bg", **_view(bounds or ENGLAND_BOUNDS, height)}
    if districts is not None:
        traces.append({"type": "scattermap", "lon": districts[0], "lat": districts[1], "mode": "lines",
                       "hoverinfo": "skip", "line": {"color": DISTRICT_COLOUR, "width": 1.8}, "showlegend": False,
                       "name": "Local authority districts"})
    return _figure(traces, {
        "map": view,
        "height": height, "margin": {"l": 0, "r": 0, "t": 36 if title else 0, "b": 0}, "paper_bgcolor": "white",
        "title": {"text": title or "", "x": 0, "xanchor": "left", "y": 0.995, "yanchor": "top",
                  "font": {"size": 19, "color": palette.TEXT_COLOUR}},
        "font": {"family": FONT_FAMILY, "size": 15, "color": palette.TEXT_COLOUR},
        "hoverlabel": {"font": {"size": 15, "family": FONT_FAMILY}, "bgcolor": "white"},
        # Switching layer keeps the reader's pan and zoom; a new area or selection recentres.
        "uirevision": view_key, "showlegend": False,
    })


# --- A network's local area, as chosen on the Network settings page --------------------------------------------------

DISTRICT_FILL = palette.DECILE_COLOURS[4]


def district_geojson(lad24_codes: list[str]) -> dict[str, Any]:
    """The districts as a FeatureCollection (id = LAD code), rebuilt from maps.lad_outlines' rings: a ring that lies
    inside another ring of the same district is a hole in it (South Cambridgeshire around Cambridge)."""
    features = []
    for code in lad24_codes:
        lons, lats = area_maps.lad_outlines([code])
        rings, ring = [], []
        for lon, lat in zip(lons, lats, strict=True):
            if lon is None:
                rings.append(ring)
                ring = []
            else:
                ring.append((lon, lat))
        polygons = [shapely.make_valid(shapely.Polygon(r)) for r in rings if len(r) >= 4]
        if not polygons:
            continue
        # Even-odd: every ring toggles inside and outside, so an enclave's ring cuts it out again.
        shape = functools.reduce(shapely.symmetric_difference, polygons)
        features.append({"type": "Feature", "id": code, "properties": {},
                         "geometry": shapely.geometry.mapping(shapely.set_precision(shape, 1e-5))})
    return {"type": "FeatureCollection", "features": features}


def district_map(district_df: pd.DataFrame, geojson: dict[str, Any], *, height: int = 440) -> go.Figure:
    """The chosen districts (lad24_code, label) filled and outlined, the view fitted to them; no tile server."""
    codes = [f["id"] for f in geojson["features"]]
    labels = dict(zip(district_df["lad24_code"], district_df["label"], strict=True))
    area = {"type": "choroplethmap", "geojson": geojson, "featureidkey": "id", "locations": codes,
            "z": [1] * len(codes), "text": [labels.get(c, c) for c in codes],
            "colorscale": [[0, DISTRICT_FILL], [1, DISTRICT_FILL]], "showscale": False, "marker": {
                "opacity": 0.55, "line": {"color": DISTRICT_COLOUR, "width": 1.5}},
            "hovertemplate": "<b>%{text}</b> · %{location}<extra></extra>", "name": "Local area"}
    bounds = area_maps.bounds(geojson) or ENGLAND_BOUNDS
    return _figure([area], {
        "map": {"style": "white-bg", **_view(bounds, height)},
        "height": height, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "paper_bgcolor": "white",
        "font": {"family": FONT_FAMILY, "size": 15, "color": palette.TEXT_COLOUR},
        "hoverlabel": {"font": {"size": 15, "family": FONT_FAMILY}, "bgcolor": "white"},
        # Choosing another district refits the view; nothing else moves it.
        "uirevision": ",".join(sorted(codes)), "showlegend": False,
    })


# --- The Maps page's own map: maplibre in the browser, recoloured without sending the areas again -----------------

def outline_geojson(lines: tuple[list, list]) -> dict[str, Any]:
    """District outlines (lons, lats with None between rings, as maps.lad_outlines gives) as one MultiLineString."""
    rings, ring = [], []
    for lon, lat in zip(*lines, strict=True):
        if lon is None:
            if len(ring) > 1:
                rings.append(ring)
            ring = []
        else:
            ring.append([lon, lat])
    if len(ring) > 1:
        rings.append(ring)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "MultiLineString", "coordinates": rings}}]}


def map_args(lsoa_df: pd.DataFrame, layer: str, areas: dict[str, Any] | str, *, districts: dict[str, Any] | str,
             bounds: tuple[float, float, float, float] | None = None, title: str, height: int = 620,
             view_key: str, filename: str) -> dict[str, Any]:
    """What the Maps page's map is given (JSON): the areas, and one layer's values and colour scale.

    areas is a FeatureCollection or the URL of a static file, as for lsoa_map; the browser keeps it while only the
    layer or the figures change, and recolours the areas it has already drawn. Counts of people a reader may not see
    are left out, not sent as zeros.
    """
    scale = layer_scale(lsoa_df, layer)
    hover = {"spend_gbp": lsoa_df["spend_gbp"].astype("float64").round().astype("int64").tolist()}
    if bool(lsoa_df["participants"].notna().all()):
        hover = {"participants": lsoa_df["participants"].astype("int64").tolist(),
                 "jobs_filled": lsoa_df["jobs_filled"].astype("int64").tolist(), **hover}
    z = np.asarray(scale["z"], dtype="float64")
    return {
        "areas": areas, "districts": districts, "edges": not isinstance(areas, str),
        "bounds": list(bounds or ENGLAND_BOUNDS), "codes": lsoa_df["lsoa_code"].astype(str).tolist(),
        "layer": {"key": layer, "name": scale["name"], "z": np.round(z, 4).tolist(),
                  "colorscale": scale["colorscale"], "zmin": float(scale["zmin"]), "zmax": float(scale["zmax"]),
                  "title": scale["title"], "tickvals": [float(v) for v in scale["tickvals"]],
                  "ticktext": scale["ticktext"]},
        "hover": hover, "nothing_colour": NOTHING_COLOUR, "edge_colour": EDGE_COLOUR,
        "district_colour": DISTRICT_COLOUR, "title": title, "height": height, "view_key": view_key,
        "filename": filename,
    }
