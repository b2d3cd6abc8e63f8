"""Targets: the coordinator sets what the network and each initiative should reach by a deadline, and sees how
far each has come. Saved with the network's definition (its YAML file's `targets`), in one audited transaction."""

import datetime as dt

import streamlit as st

from dashboard import config, figures, networks, parsing, store, targets
from dashboard.ui import cache, session, widgets
from dashboard.ui import formatting as fmt

PAGE = "targets"
QUARTERS_AROUND = 8  # the first quarters a new target may start in: two years either side of today's

network = widgets.network_picker(PAGE)
if network is None:
    st.stop()
access_scope = session.scope()
if not cache.can_manage(network.network_id):
    st.error("**Not available to your account.** Targets are set by the network's coordinator.",
             icon=":material/lock:")
    st.stop()

st.title("Targets")
st.caption(f"{network.name}: what the network and its initiatives promised, and how far each has come. Progress "
           "is the figure for the target's own quarters, as far as the data go; for a count, it is compared with a "
           "straight line from nothing at the start to the target at the deadline.")
definition = cache.network_settings(network.network_id)["definition"]
initiatives = {i["id"]: i["name"] for i in definition.get("initiatives", [])}
quarters = cache.network_quarters(network.network_id)
current = parsing.quarter_of(dt.date.today())
progress = []
if quarters:
    progress = cache.targets(figures.Selection(network.network_id, quarters[0], quarters[-1]))
saved = definition.get("targets", [])


def _save(entries: list[dict], done: str) -> None:
    """Save the definition with these targets; say what was done, or every problem and change nothing."""
    try:
        networks.apply({**definition, "targets": entries}, db=config.db_path(), scope=access_scope,
                       source=networks.PAGE)
    except networks.NetworkError as exc:
        st.error("**Nothing was saved.**\n\n" + "\n".join(f"- {fmt.plain(p)}" for p in exc.problems),
                 icon=":material/error:")
    except store.StoreError as exc:
        st.error(f"**Nothing was saved.** {exc}", icon=":material/error:")
    else:
        st.session_state[f"{PAGE}_done"] = done
        cache.clear()
        st.rerun()


if done := st.session_state.pop(f"{PAGE}_done", None):
    st.success(done, icon=":material/task_alt:")
if progress:
    widgets.targets(progress, network.network_id, columns=3)
elif saved:
    st.info("**No data yet** for these targets' quarters.", icon=":material/hourglass_empty:")
    for entry in saved:
        st.markdown(f"- {fmt.plain(targets.describe(targets.from_definition([entry])[0]))}")
else:
    st.info("**No targets yet.** Add the first below: any headline figure, for the network or one initiative.",
            icon=":material/flag:")

st.subheader("Add a target")
with st.form(f"{PAGE}_add", border=True):
    whose_options = {"": "The whole network", **initiatives}
    top = st.columns([2, 3])
    whose = top[0].selectbox("For", list(whose_options), format_func=whose_options.__getitem__, key=f"{PAGE}_whose")
    measure = top[1].selectbox("Figure", list(targets.MEASURES), format_func=lambda m: targets.MEASURES[m][0],
                               key=f"{PAGE}_measure",
                               help="Counts and pounds add up over the target's quarters; a share is worked out "
                                    "over them.")
    row = st.columns(4)
    direction = row[0].radio("Direction", list(targets.DIRECTIONS), format_func=targets.DIRECTIONS.__getitem__,
                             key=f"{PAGE}_direction", horizontal=True)
    value = row[1].number_input("Value (a count, pounds, or a percentage)", min_value=0.0, step=1.0,
                                key=f"{PAGE}_value")
    choices = [parsing.shift_quarter(current, i) for i in range(-QUARTERS_AROUND, QUARTERS_AROUND + 1)]
    first = row[2].selectbox("From the start of", choices, index=QUARTERS_AROUND,
                             format_func=lambda q: parsing.quarter_label(q, network.year_start), key=f"{PAGE}_from")
    year_on = parsing.quarter_bounds(parsing.shift_quarter(current, 3))[1]
    deadline = row[3].date_input("By (the deadline)", value=year_on, format="DD/MM/YYYY", key=f"{PAGE}_by")
    if st.form_submit_button("Add target", icon=":material/add:", type="primary"):
        entry = {"id": networks.slug(f"{targets.MEASURES[measure][0]} {whose}", [e["id"] for e in saved]),
                 "measure": measure, "value": int(value) if float(value).is_integer() else float(value),
                 "direction": direction, "from": first, "by": deadline}
        if whose:
            entry["initiative"] = whose
        _save([*saved, entry], f"**Added:** {fmt.plain(targets.describe(targets.from_definition([entry])[0]))}.")

if saved:
    st.subheader("Remove a target")
    with st.form(f"{PAGE}_remove", border=True):
        labels = {e["id"]: targets.describe(targets.from_definition([e])[0])
                  + (f" ({initiatives.get(e['initiative'], e['initiative'])})" if e.get("initiative") else "")
                  for e in saved}
        gone = st.selectbox("Target", list(labels), format_func=labels.__getitem__, key=f"{PAGE}_gone")
        if st.form_submit_button("Remove target", icon=":material/delete:"):
            _save([e for e in saved if e["id"] != gone], f"**Removed:** {fmt.plain(labels[gone])}.")
