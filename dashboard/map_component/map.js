// The Maps page's map, as a Streamlit component: maplibre draws the areas once, and a new layer or new figures only
// recolour them (feature state), so England's 33,755 areas are not handed to the map's worker again.
//
// Given (args.spec, built by dashboard/ui/maps.map_args): the areas (a FeatureCollection, or the URL of one), the
// district outlines, each area's code and value on the layer's colour scale, the scale itself, and the figures the
// hover shows. It sends nothing back. window.anchorMap says what is drawn, for the browser tests: the layer, how many
// areas were coloured, how often the areas were handed to maplibre, and when the render arrived and was drawn.
"use strict";

const STYLE = {version: 8, sources: {}, layers: [
  {id: "background", type: "background", paint: {"background-color": "#ffffff"}}]};
const EMPTY = {type: "FeatureCollection", features: []};
const state = {map: null, areasKey: null, features: [], index: new Map(), districtsKey: null, codesKey: null,
               rowOf: new Map(), spec: null, viewKey: null, height: 0, renders: 0, areaLoads: 0};
window.anchorMap = {drawn: false, renders: 0};

function send(type, data) {
  window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, data || {}), "*");
}

function fitFrame() {
  const height = document.getElementById("frame").offsetHeight;
  if (height !== state.height) {
    state.height = height;
    send("streamlit:setFrameHeight", {height: height});
  }
}

function problem(text) {
  const box = document.getElementById("problem");
  box.textContent = text;
  box.hidden = false;
  fitFrame();
}

// --- Colours: plotly's colour scale, interpolated in RGB as plotly does, so every map of a layer agrees -----------

function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function colourAt(stops, t) {
  let i = 1;
  while (i < stops.length - 1 && stops[i][0] < t) i += 1;
  const [p0, c0] = stops[i - 1];
  const [p1, c1] = stops[i];
  const f = p1 > p0 ? Math.min(1, Math.max(0, (t - p0) / (p1 - p0))) : 1;
  const mix = c0.map((v, k) => Math.round(v + (c1[k] - v) * f));
  return "rgb(" + mix.join(",") + ")";
}

function scaleStops(layer) {
  return layer.colorscale.map(([position, colour]) => [position, rgb(colour)]);
}

function fraction(layer, z) {
  return Math.min(1, Math.max(0, (z - layer.zmin) / (layer.zmax - layer.zmin)));
}

// --- The key at the right of the map, and the same key drawn into a saved PNG --------------------------------------

function drawLegend(layer) {
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  const heading = document.createElement("div");
  heading.className = "heading";
  heading.textContent = layer.title;
  const scale = document.createElement("div");
  scale.className = "scale";
  const gradient = layer.colorscale.map(([p, c]) => c + " " + (100 * p).toFixed(2) + "%").join(", ");
  scale.style.background = "linear-gradient(to top, " + gradient + ")";
  legend.append(heading, scale);
  layer.tickvals.forEach((value, i) => {
    const tick = document.createElement("div");
    tick.className = "tick";
    tick.style.bottom = "calc(12px + (100% - 52px) * " + fraction(layer, value) + ")";
    tick.textContent = layer.ticktext[i];
    legend.append(tick);
  });
}

function savePng() {
  // The map's drawing buffer is only readable while a frame is being drawn: compose the PNG in the next one.
  if (!state.map || !state.spec) return;
  state.map.once("render", () => composePng(state.spec));
  state.map.triggerRepaint();
}

function composePng(spec) {
  const font = getComputedStyle(document.body).fontFamily;
  const ratio = window.devicePixelRatio || 1;
  const source = state.map.getCanvas();
  const titleHeight = Math.round(44 * ratio);
  const canvas = document.createElement("canvas");
  canvas.width = source.width;
  canvas.height = source.height + titleHeight;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#1f2933";
  ctx.textBaseline = "middle";
  ctx.font = "600 " + Math.round(19 * ratio) + "px " + font;
  ctx.fillText(spec.title, 8 * ratio, titleHeight / 2);
  ctx.drawImage(source, 0, titleHeight);
  // The key, as on the page: a bar of the scale and its labels, on a white panel at the right.
  const layer = spec.layer;
  const panelWidth = 175 * ratio;
  const left = canvas.width - panelWidth - 12 * ratio;
  const top = titleHeight + 12 * ratio;
  const bottom = canvas.height - 12 * ratio;
  ctx.fillStyle = "rgba(255,255,255,0.85)";
  ctx.fillRect(left, top, panelWidth, bottom - top);
  ctx.fillStyle = "#1f2933";
  ctx.font = "600 " + Math.round(15 * ratio) + "px " + font;
  ctx.fillText(layer.title, left + 10 * ratio, top + 16 * ratio);
  const barTop = top + 40 * ratio;
  const barBottom = bottom - 12 * ratio;
  const gradient = ctx.createLinearGradient(0, barBottom, 0, barTop);
  layer.colorscale.forEach(([p, c]) => gradient.addColorStop(p, c));
  ctx.fillStyle = gradient;
  ctx.fillRect(left + 10 * ratio, barTop, 18 * ratio, barBottom - barTop);
  ctx.fillStyle = "#1f2933";
  ctx.font = Math.round(14 * ratio) + "px " + font;
  layer.tickvals.forEach((value, i) => {
    const y = barBottom - (barBottom - barTop) * fraction(layer, value);
    ctx.fillText(layer.ticktext[i], left + 36 * ratio, y);
  });
  canvas.toBlob((blob) => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = spec.filename + ".png";
    document.body.append(link);
    link.click();
    link.remove();
  }, "image/png");
}

// --- The hover: the area's name, district and decile from its geometry; the figures from the render --------------

function escape(text) {
  const span = document.createElement("span");
  span.textContent = String(text);
  return span.innerHTML;
}

const whole = new Intl.NumberFormat("en-GB", {maximumFractionDigits: 0});

function showTip(event) {
  const feature = event.features && event.features[0];
  const tip = document.getElementById("tip");
  if (!feature || !state.spec) {
    tip.style.display = "none";
    return;
  }
  const code = (state.features[feature.id] || {}).id;
  const p = feature.properties;
  const row = state.rowOf.get(code);
  const hover = state.spec.hover;
  const lines = ["<b>" + escape(p.lsoa_name) + "</b> · " + escape(code), escape(p.lad24_name || ""),
                 "IMD decile: <b>" + escape(p.imd_decile) + "</b> (1 most deprived, 10 least)"];
  if (row !== undefined) {
    if (hover.participants) lines.push("Participants: " + whole.format(hover.participants[row]));
    if (hover.jobs_filled) lines.push("Jobs filled: " + whole.format(hover.jobs_filled[row]));
    lines.push("Spend: £" + whole.format(hover.spend_gbp[row]));
  }
  tip.innerHTML = lines.join("<br>");
  tip.style.display = "block";
  const wrap = document.getElementById("wrap");
  const x = Math.min(event.point.x + 14, wrap.clientWidth - tip.offsetWidth - 4);
  const y = event.point.y + 14 + tip.offsetHeight > wrap.clientHeight ? event.point.y - tip.offsetHeight - 10
    : event.point.y + 14;
  tip.style.left = Math.max(4, x) + "px";
  tip.style.top = Math.max(4, y) + "px";
}

// --- The map ---------------------------------------------------------------------------------------------------

// Room at the right for the key, so that it never covers the areas.
const PADDING = {top: 16, bottom: 16, left: 16, right: 200};

function bounds(spec) {
  const [west, south, east, north] = spec.bounds;
  return [[west, south], [east, north]];
}

function makeMap(spec) {
  const container = document.getElementById("map");
  container.style.height = spec.height + "px";
  const map = new maplibregl.Map({
    container: container, style: STYLE, bounds: bounds(spec), fitBoundsOptions: {padding: PADDING},
    attributionControl: false, dragRotate: false, pitchWithRotate: false, touchPitch: false,
    fadeDuration: 0,
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new maplibregl.NavigationControl({showCompass: false}), "top-left");
  map.getCanvas().setAttribute("aria-label", "Map; drag to move, scroll or use + and - to zoom");
  return new Promise((resolve) => map.on("load", () => {
    // Less simplification than the default, so that a city's small areas are not dropped at England's scale.
    map.addSource("areas", {type: "geojson", data: EMPTY, generateId: true, tolerance: 0.1});
    map.addSource("districts", {type: "geojson", data: EMPTY});
    map.addLayer({id: "areas-fill", type: "fill", source: "areas", paint: {
      "fill-color": ["to-color", ["coalesce", ["feature-state", "colour"], spec.nothing_colour]],
    }});
    map.addLayer({id: "areas-edge", type: "line", source: "areas", layout: {visibility: "none"},
                  paint: {"line-color": spec.edge_colour, "line-width": 0.4}});
    map.addLayer({id: "districts", type: "line", source: "districts",
                  paint: {"line-color": spec.district_colour, "line-width": 0.8, "line-opacity": 0.7}});
    map.on("mousemove", "areas-fill", showTip);
    map.on("mouseleave", "areas-fill", () => { document.getElementById("tip").style.display = "none"; });
    resolve(map);
  }));
}

const geometry = new Map();

async function fetchAreas(url) {
  if (!geometry.has(url)) {
    geometry.set(url, fetch(url).then((response) => {
      if (!response.ok) throw new Error("The map's boundaries could not be loaded (" + response.status + ").");
      return response.json();
    }));
  }
  return geometry.get(url);
}

async function setAreas(map, spec) {
  const key = typeof spec.areas === "string" ? "url:" + spec.areas : "inline:" + JSON.stringify(spec.areas);
  if (key === state.areasKey) return;
  const data = typeof spec.areas === "string" ? await fetchAreas(spec.areas) : spec.areas;
  state.features = data.features;
  state.index = new Map(data.features.map((feature, i) => [feature.id, i]));
  map.getSource("areas").setData(data);
  state.areasKey = key;
  state.areaLoads += 1;
  state.codesKey = null;
}

function setDistricts(map, spec) {
  const key = typeof spec.districts === "string" ? spec.districts : JSON.stringify(spec.districts);
  if (key === state.districtsKey) return;
  map.getSource("districts").setData(spec.districts);
  // A city's few districts are drawn bolder than England's three hundred.
  map.setPaintProperty("districts", "line-width", typeof spec.districts === "string" ? 0.8 : 1.8);
  map.setPaintProperty("districts", "line-opacity", typeof spec.districts === "string" ? 0.7 : 1);
  state.districtsKey = key;
}

function recolour(map, spec) {
  const codesKey = spec.codes.join(",");
  if (codesKey !== state.codesKey) {
    state.rowOf = new Map(spec.codes.map((code, row) => [code, row]));
    state.codesKey = codesKey;
  }
  const layer = spec.layer;
  const stops = scaleStops(layer);
  let coloured = 0;
  map.removeFeatureState({source: "areas"});
  spec.codes.forEach((code, row) => {
    const id = state.index.get(code);
    if (id === undefined) return;
    map.setFeatureState({source: "areas", id: id}, {colour: colourAt(stops, fraction(layer, layer.z[row]))});
    coloured += 1;
  });
  return coloured;
}

async function render(spec, received) {
  const started = performance.now();
  state.spec = spec;
  document.getElementById("title").textContent = spec.title;
  drawLegend(spec.layer);
  if (!state.map) state.map = await makeMap(spec);
  const map = state.map;
  if (document.getElementById("map").style.height !== spec.height + "px") {
    document.getElementById("map").style.height = spec.height + "px";
    map.resize();
  }
  fitFrame();
  await setAreas(map, spec);
  setDistricts(map, spec);
  map.setLayoutProperty("areas-edge", "visibility", spec.edges ? "visible" : "none");
  if (spec.view_key !== state.viewKey) {
    map.fitBounds(bounds(spec), {padding: PADDING, animate: false});
    state.viewKey = spec.view_key;
  }
  const coloured = recolour(map, spec);
  window.anchorMap = Object.assign({}, window.anchorMap, {drawn: false});
  map.triggerRepaint();
  await new Promise((resolve) => map.once("idle", resolve));
  state.renders += 1;
  window.anchorMap = {drawn: true, renders: state.renders, layer: spec.layer.key, name: spec.layer.name,
                      areas: state.features.length, coloured: coloured,
                      source: typeof spec.areas === "string" ? spec.areas : null,
                      area_loads: state.areaLoads, received: received, drawn_at: Date.now(),
                      ms: Math.round(performance.now() - started)};
}

if (typeof maplibregl === "undefined") {
  problem("The map library is not installed. Run `make setup` (it installs it with npm), then reload this page.");
} else {
  document.getElementById("save").addEventListener("click", savePng);
  let queue = Promise.resolve();
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    const spec = data.args.spec;
    const received = Date.now();
    // Renders run one after another; a render that fails says why on the map, not in a blank frame.
    queue = queue.then(() => render(spec, received)).catch((error) => problem(String(error.message || error)));
  });
  window.addEventListener("resize", fitFrame);
}
send("streamlit:componentReady", {apiVersion: 1});
