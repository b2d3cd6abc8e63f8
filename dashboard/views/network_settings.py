"""Network settings: a network's name, local area, members, initiatives and rules, set up here with no YAML file."""

import datetime as dt
import re
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import access, config, contract, networks, store
from dashboard.ui import cache, session, widgets
from dashboard.ui import formatting as fmt
from dashboard.ui import maps as map_figures

PAGE = "network_settings"
MODES = {"edit": "Edit a network", "new": "New network"}
YEAR_STARTS = {"calendar": "January (calendar years)", "april": "April (financial years)"}
INSTITUTIONS_KEY, INITIATIVES_KEY = f"{PAGE}_institutions", f"{PAGE}_initiatives"
DATE_COLUMNS = ("left", "start", "end")
FIELDS = ("name", "description", "districts", "threshold", "public_view", "year_start")
LOADED_KEY = f"_{PAGE}_loaded"  # the network ('' for a new one) the widgets were filled from
# What the widgets start from, and their generation: each filling makes new widgets (keys ending in the generation)
# that start from the saved values themselves. A widget seeded through its state instead shows its default for a
# moment in the browser, and a change made in that moment would save the default (a threshold of 3, say).
SEED_KEY = f"_{PAGE}_seed"
DONE_KEY = f"_{PAGE}_done"  # what the last save did, shown after the rerun
SWITCH_KEY = f"_{PAGE}_switch"  # a network just created: edit it on the next run
INITIATIVES_BASE_KEY = f"_{PAGE}_initiatives_base"  # (institution names by id, the table the editor started from)
INITIATIVES_SHOWN_KEY = f"_{PAGE}_initiatives_shown"  # the initiatives as the editor last returned them
# The definition's field names as the page labels them, for problems found on saving.
WHERE = [(re.compile(r"^institutions\[(\d+)\]: "), r"Institutions, row \1: "),
         (re.compile(r"^initiatives\[(\d+)\]: "), r"Initiatives, row \1: "), (re.compile(r"^network: "), "")]
FIELD_LABELS = {"'name'": "'Name'", "'lead'": "'Lead institution'", "'start'": "'Starts'", "'end'": "'Ends'",
                "'local_districts' needs at least one LAD code": "the local area needs at least one district",
                "local_districts": "the local area"}


def _key(field: str) -> str:
    return f"{PAGE}_{field}"


def _field(field: str) -> str:
    """The key of a field's widget in the current filling."""
    return f"{PAGE}_{field}_{st.session_state[SEED_KEY]['generation']}"


def _text(value: Any) -> str | None:
    """A cell as trimmed text, None when empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value).strip() or None


def _date(value: Any) -> dt.date | None:
    """A date cell (date, Timestamp, ISO text or empty) as a date or None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return None
    return pd.Timestamp(value).date()


def _filled(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The rows with anything typed in them: a row added and left empty is not a member."""
    keep = [any(_text(v) is not None for v in row) for row in df[columns].astype(object).itertuples(index=False)]
    return df[keep].reset_index(drop=True)


def _plain(problem: str) -> str:
    """A problem of networks.check in the page's words."""
    for pattern, label in WHERE:
        problem = pattern.sub(label, problem)
    for field, label in FIELD_LABELS.items():
        problem = problem.replace(field, label)
    return problem[:1].upper() + problem[1:]


def _seed(doc: dict[str, Any] | None) -> None:
    """Fill the widgets from the saved definition (a blank network when None) and start the tables afresh."""
    doc = doc or {}
    state = st.session_state
    state[SEED_KEY] = {
        "generation": state.get(SEED_KEY, {}).get("generation", 0) + 1,
        "name": doc.get("name", ""),
        "description": doc.get("description", ""),
        "districts": list(doc.get("local_districts", [])),
        "threshold": int((doc.get("disclosure") or {}).get("threshold", 5)),
        "public_view": bool((doc.get("access") or {}).get("public_view", False)),
        "year_start": doc.get("year_start", "calendar"),
    }
    for key in (INSTITUTIONS_KEY, INITIATIVES_KEY, INITIATIVES_BASE_KEY, INITIATIVES_SHOWN_KEY):
        state.pop(key, None)


def _table(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """An editor's table: text columns typed as text, so an empty table does not take a name for a number; dates as
    date objects (or None), which the editor keeps as they are."""
    return pd.DataFrame({column: pd.Series(values, dtype=object if column in DATE_COLUMNS else "string")
                         for column, values in columns.items()})


def _institution_table(doc: dict[str, Any] | None, with_submissions: set[str]) -> pd.DataFrame:
    rows = (doc or {}).get("institutions", [])
    return _table({
        "name": [i["name"] for i in rows],
        "type": [i["type"] for i in rows],
        "left": [i.get("left") for i in rows],
        "has_data": ["Yes" if i["id"] in with_submissions else "No" for i in rows],
        "id": [i["id"] for i in rows],
    })


def _initiative_table(doc: dict[str, Any] | None) -> pd.DataFrame:
    rows = (doc or {}).get("initiatives", [])
    names = {i["id"]: i["name"] for i in (doc or {}).get("institutions", [])}
    return _table({
        "name": [i["name"] for i in rows],
        "lead": [names.get(i["lead"], i["lead"]) for i in rows],
        "start": [i.get("start") for i in rows],
        "end": [i.get("end") for i in rows],
        "description": [i.get("description") for i in rows],
        "id": [i["id"] for i in rows],
    })


def _institutions(edited: pd.DataFrame, doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The institutions as the definition holds them: a new row's id is made from its name."""
    taken = {i["id"] for i in (doc or {}).get("institutions", [])}
    out = []
    for row in _filled(edited, ["name", "type", "left"]).itertuples():
        institution_id = _text(row.id) or networks.slug(_text(row.name) or "", taken)
        taken.add(institution_id)
        institution = {"id": institution_id, "name": _text(row.name), "type": _text(row.type)}
        if _date(row.left) is not None:
            institution["left"] = _date(row.left)
        out.append(institution)
    return out


def _initiatives(edited: pd.DataFrame, institutions: list[dict[str, Any]],
                 doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The initiatives as the definition holds them, each lead found by its institution's name."""
    lead_of = {i["name"]: i["id"] for i in institutions if i["name"]}
    taken = {i["id"] for i in (doc or {}).get("initiatives", [])}
    out = []
    for row in _filled(edited, ["name", "lead", "start", "end", "description"]).itertuples():
        initiative_id = _text(row.id) or networks.slug(_text(row.name) or "", taken)
        taken.add(initiative_id)
        lead = _text(row.lead)
        initiative = {"id": initiative_id, "name": _text(row.name), "lead": lead_of.get(lead, lead),
                      "start": _date(row.start)}
        if _date(row.end) is not None:
            initiative["end"] = _date(row.end)
        if _text(row.description):
            initiative["description"] = _text(row.description)
        out.append(initiative)
    return out


def _initiative_rows(doc: dict[str, Any] | None, names: dict[str, str]) -> pd.DataFrame:
    """The initiatives table to edit. Its lead column offers the institutions' names, so when they change the table
    starts again from what it last showed (a table's choices are part of it), leads renamed to follow."""
    before = st.session_state.get(INITIATIVES_BASE_KEY)
    if before is None:
        table = _initiative_table(doc)
    elif before[0] == names:
        return before[1]
    else:
        table = st.session_state.get(INITIATIVES_SHOWN_KEY, before[1]).copy()
        renamed = {name: names[i] for i, name in before[0].items() if i in names}
        table["lead"] = pd.Series([renamed.get(lead, lead) for lead in table["lead"]], index=table.index,
                                  dtype="string")
        st.session_state.pop(INITIATIVES_KEY, None)
    st.session_state[INITIATIVES_BASE_KEY] = (names, table)
    return table


def _duplicate_names(institutions: list[dict[str, Any]]) -> list[str]:
    """Names given to more than one institution: a lead is chosen by name, so each needs its own."""
    names = [i["name"] for i in institutions if i["name"]]
    return sorted({n for n in names if names.count(n) > 1})


def _many(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _saved_text(definition: dict[str, Any], saved_id: str, created: bool) -> str:
    """What a save did, in a sentence."""
    left = sum(1 for i in definition["institutions"] if "left" in i)
    return (f"**{'Created' if created else 'Saved'} {fmt.plain(definition['name'])}** (`{saved_id}`): "
            f"{_many(len(definition['local_districts']), 'district')}, "
            f"{_many(len(definition['institutions']), 'institution')}" + (f" ({left} left)" if left else "")
            + f", {_many(len(definition['initiatives']), 'initiative')}. Every page shows it now.")


def _refused(problems: list[str]) -> None:
    """Every problem found on saving, in the page's words."""
    st.error(f"**Nothing was saved.** {len(problems)} problem{'s' if len(problems) != 1 else ''} to fix:\n"
             + "\n".join(f"- {fmt.plain(_plain(p))}" for p in problems), icon=":material/error:")


scope = session.scope()
is_admin = scope.role in ("admin", access.SYSTEM)
widgets.require_reference()
st.title("Network settings")
st.caption("A network's local area, its member institutions and initiatives, and who sees what. Saved for every "
           "page at once.")
if DONE_KEY in st.session_state:
    st.success(st.session_state.pop(DONE_KEY), icon=":material/check_circle:")

nets = cache.network_list()
switch_to = st.session_state.pop(SWITCH_KEY, None)
if switch_to is not None:
    st.session_state[_key("mode")] = "edit"
    st.session_state[_key("network")] = switch_to
    st.query_params["network"] = switch_to
mode = "edit"
if is_admin:
    modes = MODES if not nets.empty else {"new": MODES["new"]}
    if st.session_state.get(_key("mode")) not in modes:
        st.session_state[_key("mode")] = next(iter(modes))
    mode = st.radio("Network", list(modes), format_func=modes.__getitem__, key=_key("mode"), horizontal=True,
                    label_visibility="collapsed")

network_id = None
if mode == "edit":
    network = widgets.network_picker(PAGE)
    if network is None:
        st.stop()
    if not access.can_manage(scope, network.network_id):
        st.info("Only the network's coordinator manages its settings.", icon=":material/lock:")
        st.stop()
    network_id = network.network_id

found = cache.network_settings(network_id)
doc = found["definition"]
if (st.session_state.get(LOADED_KEY) != (network_id or "") or SEED_KEY not in st.session_state
        or any(_field(f) not in st.session_state for f in FIELDS)):
    _seed(doc)
    st.session_state[LOADED_KEY] = network_id or ""
if doc is not None and doc.get("demo"):
    st.warning(widgets.DEMO_WARNING, icon=":material/science:")

seed = st.session_state[SEED_KEY]
name = st.text_input("Name", value=seed["name"], key=_field("name"), placeholder="e.g. Birmingham Anchor Network")
new_id = network_id or networks.slug(name or "", found["network_ids"])
if network_id is not None:
    st.caption(f"Id: `{network_id}` (never changes)")
elif _text(name):
    st.caption(f"Id: `{new_id}` (made from the name when the network is created, and never changed)")
else:
    st.caption("Its id is made from the name when the network is created, and never changes.")
description = st.text_area("Description", value=seed["description"], key=_field("description"), height=90,
                           placeholder="Who is in the network and what it sets out to do.")

st.subheader("Local area")
choices = found["districts"]
labels = dict(zip(choices["lad24_code"], choices["label"], strict=True))
districts = st.multiselect(
    "Local authority districts", list(labels), format_func=lambda code: labels.get(code, code),
    default=[d for d in seed["districts"] if d in labels], key=_field("districts"),
    placeholder="Type a district's name",
    help="Spend with suppliers in these districts counts as local, and the maps show their areas.")
if districts:
    try:
        geojson = map_figures.district_geojson(districts)
    except store.StoreError as exc:
        st.caption(f"The map cannot be drawn: {exc}")
    else:
        st.plotly_chart(map_figures.district_map(choices[choices["lad24_code"].isin(districts)], geojson),
                        theme=None, key=_key("map"),
                        config=map_figures.plotly_config(f"anchor-impact_{new_id}_local-area"))
else:
    st.caption("Choose the districts the network counts as local: they are drawn on a map here as you choose.")

st.subheader("Member institutions")
st.caption("One row per institution; add a row at the bottom of the table. An institution that has uploaded data "
           "cannot be removed: give the date it left instead, and its data stays in the figures.")
type_labels = contract.INSTITUTION_TYPES
edited_institutions = st.data_editor(
    _institution_table(doc, found["with_submissions"]), key=INSTITUTIONS_KEY, num_rows="dynamic", hide_index=True,
    disabled=["has_data", "id"], width="stretch", placeholder="",
    column_config={
        "name": st.column_config.TextColumn("Name", width="large", required=True),
        "type": st.column_config.SelectboxColumn("Type", options=list(type_labels), format_func=type_labels.get,
                                                 required=True, width="medium"),
        "left": st.column_config.DateColumn("Left on", format="D MMM YYYY",
                                            help="Blank while the institution is a member."),
        "has_data": st.column_config.TextColumn("Has data", width="small",
                                                help="Whether it has uploaded participants or spend."),
        "id": st.column_config.TextColumn("Id", width="medium", help="Made from the name when the row is saved."),
    })
institutions = _institutions(edited_institutions, doc)

st.subheader("Initiatives")
st.caption("Each initiative is led by one of the member institutions above.")
names = {i["id"]: i["name"] for i in institutions if i["name"]}
edited_initiatives = st.data_editor(
    _initiative_rows(doc, names), key=INITIATIVES_KEY, num_rows="dynamic", hide_index=True, disabled=["id"],
    width="stretch", placeholder="",
    column_config={
        "name": st.column_config.TextColumn("Name", width="medium", required=True),
        "lead": st.column_config.SelectboxColumn("Lead institution", width="medium", required=True,
                                                 options=list(dict.fromkeys(names.values()))),
        "start": st.column_config.DateColumn("Starts", format="D MMM YYYY", required=True),
        "end": st.column_config.DateColumn("Ends", format="D MMM YYYY", help="Blank while it runs."),
        "description": st.column_config.TextColumn("Description", width="large"),
        "id": st.column_config.TextColumn("Id", width="medium", help="Made from the name when the row is saved."),
    })
st.session_state[INITIATIVES_SHOWN_KEY] = edited_initiatives

st.subheader("Rules")
threshold_col, public_col, year_col = st.columns(3)
threshold = threshold_col.number_input(
    "Disclosure threshold", min_value=3, max_value=100, step=1, value=seed["threshold"], key=_field("threshold"),
    help="Funders and the public view see counts of people rounded to multiples of this (“<5” when a count "
         "rounds to nothing); 5 is UK official-statistics practice. Coordinators and partners see exact figures.")
public_view = public_col.toggle("Public view", value=seed["public_view"], key=_field("public_view"),
                  help=f"Anyone with the link ?public={new_id} sees the network's disclosure-controlled figures, "
                       "without signing in.")
year_start = year_col.radio(
    "Year starts in", list(YEAR_STARTS), format_func=YEAR_STARTS.__getitem__, key=_field("year_start"),
    index=list(YEAR_STARTS).index(seed["year_start"]),
               help="How the network's quarters are named on every page, slide and export: by the calendar "
                    "(Apr–Jun 2025), or in financial years from April (2025/26 Q1 (Apr–Jun 2025)). The figures of "
                    "the same months are the same either way.")

definition: dict[str, Any] = {"id": new_id, "name": _text(name)}
if _text(description):
    definition["description"] = _text(description)
if doc is not None and doc.get("demo"):
    definition["demo"] = True
definition.update({
    "local_districts": sorted(districts),
    "institutions": institutions,
    "initiatives": _initiatives(edited_initiatives, institutions, doc),
    "year_start": year_start,
    "disclosure": {"threshold": int(threshold)},
    # Single sign-on rules are kept as they are: they are set in the YAML file.
    "access": {"public_view": bool(public_view),
               "sso_domains": list(((doc or {}).get("access") or {}).get("sso_domains", []))},
    # Targets are kept as they are: they are set on the Targets page.
    "targets": list((doc or {}).get("targets", [])),
})

if st.button("Create network" if network_id is None else "Save", key=_key("save"), type="primary",
             icon=":material/save:"):
    duplicates = _duplicate_names(institutions)
    if duplicates:
        _refused([f"Institutions: more than one is called '{n}'. Give each its own name: an initiative's lead is "
                  "chosen by name." for n in duplicates])
    else:
        try:
            saved_id = networks.apply(definition, db=config.db_path(), scope=scope, source=networks.PAGE)
        except networks.NetworkError as exc:
            _refused(exc.problems)
        except store.StoreError as exc:
            st.error(f"**Nothing was saved.** {exc}", icon=":material/error:")
        else:
            st.session_state[DONE_KEY] = _saved_text(definition, saved_id, network_id is None)
            st.session_state[LOADED_KEY] = None
            if network_id is None:
                st.session_state[SWITCH_KEY] = saved_id
            cache.clear()
            st.rerun()

if found["yaml"] is not None:
    st.divider()
    st.download_button(
        "Download the network as YAML", found["yaml"], file_name=f"{network_id}.yaml", mime="application/x-yaml",
        key=_key("download_yaml"), icon=":material/download:", on_click=cache.record_export,
        args=(network_id, "network definition YAML"),
        help="For automation and back-up: `python -m dashboard network load FILE` loads it back, changing nothing.")
