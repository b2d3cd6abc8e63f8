"""Targets: what a figure of `report` should reach (or stay under) by a deadline, for a network or an initiative.

A target covers the quarters from its first quarter to the one its deadline falls in. Its progress is the figure
of the report for those quarters as far as the network has data, read as the reader may see it (a funder's
figure is the disclosure-controlled one); a count's progress is compared with a straight line from nothing at
the start to the target at the deadline. No Streamlit here.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboard import parsing

# Each figure a target may be set on, its label and its kind: a count of people, pounds, or a percentage.
MEASURES: dict[str, tuple[str, str]] = {
    "participants": ("Participants", "count"),
    "completions": ("Completions", "count"),
    "jobs_filled": ("Jobs filled", "count"),
    "conversion_rate_pct": ("Participants who started a job", "pct"),
    "participants_most_deprived_20_pct": ("Participants from the 20% most deprived areas", "pct"),
    "jobs_filled_most_deprived_20_pct": ("Jobs filled by people from the 20% most deprived areas", "pct"),
    "spend_total_gbp": ("Spend", "money"),
    "spend_local_gbp": ("Local spend", "money"),
    "spend_local_pct": ("Local share of spend", "pct"),
    "spend_most_deprived_20_gbp": ("Spend in the 20% most deprived areas", "money"),
    "spend_most_deprived_20_pct": ("Share of spend in the 20% most deprived areas", "pct"),
    "spend_sme_gbp": ("Spend with SMEs", "money"),
    "spend_sme_pct": ("Share of spend with SMEs", "pct"),
    "spend_vcse_gbp": ("Spend with VCSEs", "money"),
    "spend_vcse_pct": ("Share of spend with VCSEs", "pct"),
}
DIRECTIONS = {"at_least": "at least", "at_most": "at most"}
STATUSES = {
    "met": "Met",
    "on_track": "On track",
    "behind": "Behind",
    "missed": "Missed",
    "not_started": "Not started",
    "unknown": "Not shown",
}


@dataclass(frozen=True)
class Target:
    """One target as the network definition holds it (quarters by their calendar names)."""

    target_id: str
    measure: str
    value: float
    deadline: dt.date
    from_quarter: str
    direction: str = "at_least"
    initiative_id: str | None = None

    @property
    def to_quarter(self) -> str:
        """The quarter the deadline falls in: the last the target covers."""
        return parsing.quarter_of(self.deadline)


def problems(entries: Any, initiative_ids: set[str], where: str = "targets") -> list[str]:
    """Every problem of a network definition's `targets` list, each saying which target and why."""
    if entries in (None, []):
        return []
    if not isinstance(entries, list):
        return [f"{where}: expected a list of targets"]
    found, seen = [], set()
    for i, entry in enumerate(entries, 1):
        at = f"{where}[{i}]"
        if not isinstance(entry, dict):
            found.append(f"{at}: expected a mapping with id, measure, value, from and by")
            continue
        target_id = entry.get("id")
        if not isinstance(target_id, str) or not target_id:
            found.append(f"{at}: 'id' is missing")
        elif target_id in seen:
            found.append(f"{at}: id '{target_id}' appears twice")
        seen.add(target_id)
        measure = entry.get("measure")
        if measure not in MEASURES:
            found.append(f"{at}: measure '{measure}' is not one of {', '.join(MEASURES)}")
        value = entry.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            found.append(f"{at}: value '{value}' must be a number, 0 or more")
        elif measure in MEASURES and MEASURES[measure][1] == "pct" and value > 100:
            found.append(f"{at}: value {value} is a percentage, so at most 100")
        if entry.get("direction", "at_least") not in DIRECTIONS:
            found.append(f"{at}: direction '{entry.get('direction')}' must be one of {', '.join(DIRECTIONS)}")
        deadline = entry.get("by")
        if not isinstance(deadline, dt.date):
            found.append(f"{at}: 'by' must be the deadline, a date like 2026-03-31")
        try:
            first = parsing.parse_quarter(str(entry.get("from", "")))
        except parsing.ValueProblem as exc:
            found.append(f"{at}: 'from' is the first quarter the target covers: {exc}")
        else:
            if isinstance(deadline, dt.date) and deadline < parsing.quarter_bounds(first)[0]:
                found.append(f"{at}: the deadline {deadline} is before its first quarter {first} begins")
        initiative = entry.get("initiative")
        if initiative is not None and initiative not in initiative_ids:
            found.append(f"{at}: initiative '{initiative}' is not one of the network's initiatives")
    return found


def from_definition(entries: list[dict[str, Any]] | None) -> list[Target]:
    """The checked `targets` entries of a network definition as Targets."""
    return [Target(target_id=e["id"], measure=e["measure"], value=float(e["value"]), deadline=e["by"],
                   from_quarter=parsing.parse_quarter(str(e["from"])), direction=e.get("direction", "at_least"),
                   initiative_id=e.get("initiative")) for e in entries or []]


def to_definition(target: Target, year_start: str) -> dict[str, Any]:
    """A Target as the network definition writes it, its first quarter named the network's way."""
    entry: dict[str, Any] = {"id": target.target_id, "measure": target.measure,
                             "value": int(target.value) if float(target.value).is_integer() else target.value,
                             "direction": target.direction,
                             "from": parsing.quarter_name(target.from_quarter, year_start), "by": target.deadline}
    if target.initiative_id:
        entry["initiative"] = target.initiative_id
    return entry


def describe(target: Target) -> str:
    """'Local share of spend at least 40% by 31 March 2026'."""
    label, kind = MEASURES[target.measure]
    return f"{label} {DIRECTIONS[target.direction]} {_value(target.value, kind)} by {target.deadline:%-d %B %Y}"


def _value(value: float, kind: str) -> str:
    if kind == "pct":
        return f"{value:g}%"
    if kind == "money":
        return f"£{value:,.0f}"
    return f"{value:,.0f}"


def status(target: Target, figure: Any, measured_to: str | None) -> tuple[str, float | None]:
    """The target's status given its figure for its quarters up to measured_to (None: no data in them yet),
    and for a count or money target the figure expected by then on a straight line to the target."""
    if measured_to is None:
        return "not_started", None
    if not isinstance(figure, int | float):
        return "unknown", None  # hidden by disclosure control, or no figure (a share of nothing)
    kind = MEASURES[target.measure][1]
    done = measured_to >= target.to_quarter
    reached = figure >= target.value if target.direction == "at_least" else figure <= target.value
    if kind == "pct":
        return ("met" if done else "on_track") if reached else ("missed" if done else "behind"), None
    total = parsing.quarters_between(target.from_quarter, target.to_quarter)
    expected = target.value * parsing.quarters_between(target.from_quarter, measured_to) / total
    if target.direction == "at_most":  # a sum only grows: over the target it has missed it
        return ("met" if done else "on_track") if reached else "missed", expected
    if reached:
        return "met", expected
    return ("missed" if done else ("on_track" if figure >= expected else "behind")), expected


def progress(target: Target, last_quarter: str | None, year_start: str,
             figures_for: Callable[[str, str, str | None], dict[str, Any]]) -> dict[str, Any]:
    """One target's progress: its figure over its quarters as far as the data go (figures_for(from, to,
    initiative) gives the reader's report), the status and what it means, in the form `report --json` prints."""
    measured_to = None
    if last_quarter is not None and last_quarter >= target.from_quarter:
        measured_to = min(last_quarter, target.to_quarter)
    figure = None
    if measured_to is not None:
        figure = figures_for(target.from_quarter, measured_to, target.initiative_id)[target.measure]
    state, expected = status(target, figure, measured_to)
    label, kind = MEASURES[target.measure]
    return {
        "id": target.target_id, "initiative_id": target.initiative_id, "measure": target.measure, "label": label,
        "kind": kind, "direction": target.direction, "value": target.value, "deadline": target.deadline.isoformat(),
        "from_quarter": target.from_quarter, "to_quarter": target.to_quarter, "measured_to": measured_to,
        "period_label": parsing.quarter_span(target.from_quarter, measured_to or target.to_quarter, year_start),
        "figure": figure, "expected_by_now": None if expected is None else round(expected, 2),
        "status": state, "status_text": STATUSES[state], "description": describe(target),
    }
