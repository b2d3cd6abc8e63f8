"""Page helpers: the reference-data guard and the filter sidebar, kept in the URL's query string."""

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st
import streamlit.components.v1 as components
from streamlit.errors import StreamlitAPIException

from dashboard import access, config, figures, parsing
from dashboard.ui import cache, charts, session
from dashboard.ui import formatting as fmt

ALL = "all"
CHOSEN_NETWORK = "_chosen_network"  # the network last chosen on any page, for the next page
DEFAULT_QUARTERS = 4  # a year, when the URL does not say
SIDEBAR_PARAMS = ("network", "initiative", "institution", "from", "to", "release", "group")
GROUPINGS = {"decile": "Deciles", "quintile": "Quintiles (Core20)"}
QUARTERS_HELP = {"calendar": "Calendar quarters: Jan–Mar is Q1, Jul–Sep is Q3.",
                 "april": "Financial years, April to March: Apr–Jun is Q1, Jan–Mar is Q4."}


@dataclass(frozen=True)
class Filters:
    """What the sidebar chose; selection is None when the network has no data yet."""

    network_id: str
    network_name: str
    is_demo: bool
    initiative_name: str
    selection: figures.Selection | None
    institution_name: str = "All institutions"
    grouping: str = "decile"  # 'decile' | 'quintile': how the IMD groups are drawn
    year_start: str = "calendar"  # 'calendar' | 'april': how the network names its quarters


NETWORK_SETTINGS = "views/network_settings.py"  # the page, as st.page_link names it (relative to app.py)


def chart(fig, *, key: str, config: dict[str, Any], rows: str, title: str | None = None) -> None:
    """A plotly chart and its text alternative beneath it: the figures it draws as a table (first column headed
    `rows`, named by the chart's title or `title`), in a closed expander that a keyboard and a screen reader reach
    right after the chart."""
    st.plotly_chart(fig, theme=None, key=key, config=config)
    header, body = charts.figure_table(fig, rows)
    if not body:
        return
    title = title or charts.plain_label(fig.layout.title.text or "")
    caption = html.escape(title or "The chart's figures")
    cells = "".join("<tr>" + f'<th scope="row">{html.escape(row[0])}</th>'
                    + "".join(f"<td>{html.escape(cell)}</td>" for cell in row[1:]) + "</tr>" for row in body)
    with st.expander(f"{title}: the figures as a table" if title else "The chart's figures as a table",
                     icon=":material/table_rows:"):
        st.html(f'<table class="chart-figures"><caption>{caption}</caption>'
                "<thead><tr>" + "".join(f'<th scope="col">{html.escape(h)}</th>' for h in header) + "</tr></thead>"
                f"<tbody>{cells}</tbody></table>")


def page_link(page: str, label: str, icon: str) -> None:
    """A link to another page of the app (named relative to app.py), keeping the session."""
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitAPIException:  # a page run on its own, outside the app's navigation (AppTest)
        st.caption(label)


def no_networks() -> None:
    """There is no network to show: say what the reader can do about it."""
    if session.scope().role in ("admin", access.SYSTEM):
        st.info("**No networks yet.** Create one on the Network settings page: its local area, member institutions "
                "and initiatives. `python -m dashboard network load FILE.yaml` loads one from a file instead, and "
                "`python -m dashboard demo` builds the synthetic demo.", icon=":material/hub:")
        page_link(NETWORK_SETTINGS, "Create a network", ":material/add_circle:")
    else:
        st.info("**Nothing to show yet.** Your account is not part of a network that has been set up: ask your "
                "network's coordinator, or the installation's administrator.", icon=":material/hub:")


@dataclass(frozen=True)
class Network:
    """The network a page is about."""

    network_id: str
    name: str
    is_demo: bool
    year_start: str = "calendar"  # 'calendar' | 'april': how the network names its quarters


def missing_reference_message() -> str | None:
    """refdata.MISSING_MESSAGE when the reference data is not loaded, else None."""
    if cache.reference_status()["loaded"]:
        return None
    from dashboard import refdata

    return refdata.MISSING_MESSAGE


def require_reference() -> None:
    """Stop the page with the set-up message when the reference data is not loaded."""
    missing = missing_reference_message()
    if missing:
        st.error(missing, icon=":material/database:")
        st.stop()


DEMO_WARNING = ("**Synthetic demo data.** Generated for demonstration: these figures describe no real people, jobs "
                "or payments.")


def results_header(page: str, title: Callable[[Filters], str],
                   caption: Callable[[Filters], str] | None = None) -> Filters:
    """The top of a results page: the reference guard, the sidebar's filters, the title and the demo banner.
    Stops the page when there is no network to show; filters.selection is None while it has no data yet."""
    require_reference()
    filters = sidebar(page)
    if filters is None:
        st.stop()
    st.title(title(filters))
    if caption is not None:
        st.caption(caption(filters))
    if filters.is_demo:
        st.warning(DEMO_WARNING, icon=":material/science:")
    return filters


def selection_or_stop(filters: Filters) -> figures.Selection:
    """The filters' selection; while the network has no data yet, says so and stops the page."""
    if filters.selection is None:
        st.info(f"**No data yet.** No partner of {filters.network_name} has uploaded participants or spend. "
                "Figures appear here as soon as the first quarterly file is accepted.",
                icon=":material/hourglass_empty:")
        st.stop()
    return filters.selection


def release_label(release: str) -> str:
    """'IoD2025' as 'IoD 2025 (LSOA 2021)'."""
    return f"IoD {release[3:]} (LSOA {figures.IMD_RELEASES[release]['lsoa_vintage']})"


def loaded_releases() -> list[str]:
    """The IoD releases whose deciles are loaded, in figures.IMD_RELEASES order (all of them if none is)."""
    status = cache.reference_status().get("status") or {}
    loaded = {row["imd_release"] for row in status.get("releases") or []}
    return [r for r in figures.IMD_RELEASES if r in loaded] or list(figures.IMD_RELEASES)


def _param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value if isinstance(value, str) and value else None


def _quarter_param(name: str) -> str | None:
    try:
        return parsing.parse_quarter(_param(name) or "")
    except ValueError:
        return None


def _initial(key: str, saved: dict, param: str | None, valid: list, default: object) -> None:
    """Seed a widget's state from the URL, else from this session, else the default."""
    current = st.session_state.get(key)
    if current is not None and current in valid:
        return
    for candidate in (param, saved.get(key)):
        if candidate is not None and candidate in valid:
            st.session_state[key] = candidate
            return
    st.session_state[key] = default


def sidebar(page: str) -> Filters | None:
    """Draw the filters in the sidebar; return the choice, or None when there is no network."""
    saved_key = f"_{page}_saved"
    saved = st.session_state.get(saved_key, {})
    nets = cache.network_list()
    if nets.empty:
        no_networks()
        return None
    ids = list(nets["network_id"])
    names = dict(zip(nets["network_id"], nets["name"], strict=True))
    real = [n for n, demo in zip(ids, nets["is_demo"], strict=True) if not demo]
    net_key, ini_key, ins_key, q_key, rel_key, grp_key = (
        f"{page}_network", f"{page}_initiative", f"{page}_institution", f"{page}_quarters", f"{page}_release",
        f"{page}_grouping")

    # A network chosen since on another page wins over this page's remembered one.
    chosen = st.session_state.get(CHOSEN_NETWORK)
    _initial(net_key, {**saved, net_key: chosen} if chosen in ids else saved, _param("network"), ids,
             (real or ids)[0])
    st.sidebar.selectbox("Network", ids, format_func=names.__getitem__, key=net_key)
    network_id = st.session_state[net_key]
    st.session_state[CHOSEN_NETWORK] = network_id
    row = nets[nets["network_id"] == network_id].iloc[0]

    members = cache.network_members(network_id)
    initiatives = members["initiatives"]
    ini_names = {ALL: "All initiatives", **dict(zip(initiatives["initiative_id"], initiatives["name"], strict=True))}
    if not members["whole_network"]:  # a funder of some initiatives only: no network-wide totals
        ini_names.pop(ALL)
    _initial(ini_key, saved, _param("initiative"), list(ini_names), next(iter(ini_names)))
    st.sidebar.selectbox("Initiative", list(ini_names), format_func=ini_names.__getitem__, key=ini_key)
    initiative = st.session_state[ini_key]

    institutions = members["institutions"]
    ins_names = {ALL: "All institutions",
                 **dict(zip(institutions["institution_id"], institutions["name"], strict=True))}
    _initial(ins_key, saved, _param("institution"), list(ins_names), ALL)
    st.sidebar.selectbox("Institution", list(ins_names), format_func=ins_names.__getitem__, key=ins_key)
    institution = st.session_state[ins_key]

    quarters = cache.network_quarters(network_id)
    year_start = str(row["year_start"])
    span = None
    if quarters:
        span = _quarter_range(q_key, saved, quarters)
        if len(quarters) > 1:
            # value= rather than seeding session state: a select_slider seeded only through session state
            # is registered as single-valued and reads a moved range back as one quarter.
            span = st.sidebar.select_slider(
                "Quarters", quarters, value=span, format_func=lambda q: parsing.quarter_label(q, year_start),
                key=q_key, help=QUARTERS_HELP[year_start])
        else:
            st.sidebar.caption(f"Quarters: {parsing.quarter_label(span[0], year_start)} (the only quarter with data)")

    releases = loaded_releases()
    _initial(rel_key, saved, _param("release"), releases, releases[0])
    st.sidebar.selectbox("Deprivation index", releases, format_func=release_label, key=rel_key,
                         help="Which English Indices of Deprivation release ranks the areas into deciles.")
    release = st.session_state[rel_key]

    _initial(grp_key, saved, _param("group"), list(GROUPINGS), "decile")
    st.sidebar.segmented_control("Group areas by", list(GROUPINGS), format_func=GROUPINGS.__getitem__,
                                 key=grp_key, help="Quintile 1 is Core20: the 20% most deprived areas.")
    # A segmented control can be clicked off: keep the last grouping rather than none.
    grouping = st.session_state.get(grp_key) or "decile"

    selection = None
    params = {"network": network_id}
    if initiative != ALL:
        params["initiative"] = initiative
    if institution != ALL:
        params["institution"] = institution
    if span:
        first, last = span
        selection = figures.Selection(network_id=network_id, from_quarter=first, to_quarter=last,
                                      initiative_id=None if initiative == ALL else initiative,
                                      institution_id=None if institution == ALL else institution,
                                      imd_release=release)
        params.update({"from": first, "to": last})
    params["release"] = release
    if grouping != "decile":
        params["group"] = grouping

    if selection is not None and not cache.exact(selection):
        st.sidebar.info("**Disclosure-controlled figures.** Counts of people are rounded to multiples of 5 (“<5” "
                        "when rounded to nothing) in a way that holds across periods; see Methodology.",
                        icon=":material/shield_person:")
    st.sidebar.caption("The page address keeps these choices: copy it to share exactly this view.")
    st.session_state[saved_key] = {k: st.session_state.get(k)
                                   for k in (net_key, ini_key, ins_key, q_key, rel_key, grp_key)}
    # A page's own parameters (a map's layer, say) stay in the URL beside the filters.
    current = {k: st.query_params.get(k) for k in st.query_params}
    params.update({k: v for k, v in current.items() if k not in SIDEBAR_PARAMS})
    if current != params:
        st.query_params.from_dict(params)
    return Filters(network_id=network_id, network_name=str(row["name"]), is_demo=bool(row["is_demo"]),
                   initiative_name=ini_names[initiative], selection=selection,
                   institution_name=ins_names[institution], grouping=grouping, year_start=year_start)


def _quarter_range(key: str, saved: dict, quarters: list[str]) -> tuple[str, str]:
    """The quarter range to show: the slider's own state, else the URL, else this session's; default the last year."""
    def valid(pair: object) -> bool:
        return (isinstance(pair, (tuple, list)) and len(pair) == 2 and pair[0] in quarters
                and pair[1] in quarters and quarters.index(pair[0]) <= quarters.index(pair[1]))

    default = (quarters[max(0, len(quarters) - DEFAULT_QUARTERS)], quarters[-1])
    from_param, to_param = _quarter_param("from"), _quarter_param("to")
    chosen = default
    for candidate in (st.session_state.get(key), (from_param, to_param), saved.get(key)):
        if valid(candidate):
            chosen = tuple(candidate)
            break
    return chosen


def network_picker(page: str, container=None) -> Network | None:
    """A network selectbox (key '<page>_network', seeded from the URL's ?network=); None when none is loaded."""
    nets = cache.network_list()
    if nets.empty:
        no_networks()
        return None
    ids = list(nets["network_id"])
    names = dict(zip(nets["network_id"], nets["name"], strict=True))
    real = [n for n, demo in zip(ids, nets["is_demo"], strict=True) if not demo]
    key = f"{page}_network"
    # Widget state is dropped when the user visits another page: remember the choice across pages.
    _initial(key, {key: st.session_state.get(CHOSEN_NETWORK)}, _param("network"), ids, (real or ids)[0])
    (container or st.sidebar).selectbox("Network", ids, format_func=names.__getitem__, key=key)
    network_id = st.session_state[key]
    st.session_state[CHOSEN_NETWORK] = network_id
    if st.query_params.get("network") != network_id:
        st.query_params["network"] = network_id
    row = nets[nets["network_id"] == network_id].iloc[0]
    return Network(network_id=network_id, name=str(row["name"]), is_demo=bool(row["is_demo"]),
                   year_start=str(row["year_start"]))


def url_choice(page: str, name: str, options: dict[str, str], default: str, *, label: str,
               horizontal: bool = False) -> str:
    """A radio choice kept in the URL as ?<name>=<option> (key '<page>_<name>')."""
    key = f"{page}_{name}"
    _initial(key, {}, _param(name), list(options), default)
    st.radio(label, list(options), format_func=options.__getitem__, key=key, horizontal=horizontal)
    choice = st.session_state[key]
    if st.query_params.get(name) != choice:
        st.query_params[name] = choice
    return choice


def url_tabs(page: str, tabs: dict[str, str], *, name: str = "tab") -> dict[str, Any]:
    """Tabs {id: label} kept in the URL as ?<name>=<id> (key '<page>_<name>'); {id: container}.

    Only the open tab's container has .open true: a page draws (and reads the figures for) that one alone,
    so a filter change redraws one tab, not all of them. Switching tabs reruns the page.
    """
    key = f"{page}_{name}"
    labels = list(tabs.values())
    # Seeded through the state, not `default`: a default that changed with the URL would make a new widget,
    # and the click that changed it would be lost.
    _initial(key, {}, tabs.get(_param(name) or ""), labels, labels[0])
    containers = st.tabs(labels, key=key, on_change="rerun")
    chosen = next((tab_id for tab_id, container in zip(tabs, containers, strict=True) if container.open),
                  next(iter(tabs)))
    if st.query_params.get(name) != chosen:
        st.query_params[name] = chosen
    return dict(zip(tabs, containers, strict=True))


def url_multiselect(page: str, name: str, options: dict[str, str], *, default: list[str], label: str,
                    max_selections: int) -> list[str]:
    """A multiselect kept in the URL as ?<name>=a,b,c (key '<page>_<name>'); unknown ids are dropped."""
    key = f"{page}_{name}"
    current = st.session_state.get(key)
    if current is None or any(item not in options for item in current):
        from_url = [item for item in (_param(name) or "").split(",") if item in options][:max_selections]
        st.session_state[key] = from_url or default[:max_selections]
    st.multiselect(label, list(options), format_func=options.__getitem__, key=key, max_selections=max_selections)
    chosen = list(st.session_state[key])
    if st.query_params.get(name) != ",".join(chosen):
        st.query_params[name] = ",".join(chosen)
    return chosen


def url_quarter_range(page: str, quarters: list[str], *, year_start: str = "calendar",
                      container=None) -> tuple[str, str]:
    """A quarter-range slider kept in the URL as ?from=&to= (key '<page>_quarters'); default the last year."""
    key = f"{page}_quarters"
    span = _quarter_range(key, {}, quarters)
    if len(quarters) > 1:
        span = (container or st.sidebar).select_slider(
            "Quarters", quarters, value=span, format_func=lambda q: parsing.quarter_label(q, year_start), key=key,
            help=QUARTERS_HELP[year_start])
    first, last = span
    if (st.query_params.get("from"), st.query_params.get("to")) != (first, last):
        st.query_params["from"], st.query_params["to"] = first, last
    return first, last


def url_release(page: str, *, container=None) -> str:
    """The IoD release selectbox kept in the URL as ?release= (key '<page>_release')."""
    key = f"{page}_release"
    releases = loaded_releases()
    _initial(key, {}, _param("release"), releases, releases[0])
    (container or st.sidebar).selectbox("Deprivation index", releases, format_func=release_label, key=key,
                                        help="Which English Indices of Deprivation release ranks the areas.")
    release = st.session_state[key]
    if st.query_params.get("release") != release:
        st.query_params["release"] = release
    return release


def targets(progress: list[dict[str, Any]], network_id: str, *, columns: int = 2) -> None:
    """Each target with whose it is, its status in words and colour, where it stands, and a bar for an
    'at least' target."""
    initiatives = cache.network_members(network_id)["initiatives"]
    names = {None: "The network", **dict(zip(initiatives["initiative_id"], initiatives["name"], strict=True))}
    for start in range(0, len(progress), columns):
        row = st.columns(columns)
        for column, target in zip(row, progress[start:start + columns], strict=False):
            with column.container(border=True):
                st.badge(target["status_text"], color=fmt.STATUS_COLOURS[target["status"]])
                st.markdown(f"**{fmt.plain(names.get(target['initiative_id'], ''))}:** "
                            f"{fmt.plain(target['description'])}")
                share = fmt.target_share(target)
                if share is not None:
                    st.progress(share)
                st.caption(fmt.target_progress_text(target))


# --- The Maps page's map (dashboard/map_component: maplibre, installed by `make setup`) -----------------------------

MAP_COMPONENT_DIR = config.REPO_DIR / "dashboard" / "map_component"
MAP_LIBRARY = MAP_COMPONENT_DIR / "node_modules" / "maplibre-gl" / "dist" / "maplibre-gl.js"
_area_map = components.declare_component("area_map", path=str(MAP_COMPONENT_DIR))


def area_map(spec: dict[str, Any], *, key: str) -> None:
    """Draw ui.maps.map_args' spec; the browser keeps the areas and recolours them when only the layer changes."""
    if not MAP_LIBRARY.is_file():
        st.error("**The map library is not installed.** Run `make setup`: it installs maplibre with npm (Node.js "
                 "is needed once, at set-up).", icon=":material/map:")
        return
    _area_map(spec=spec, key=key, default=None)
