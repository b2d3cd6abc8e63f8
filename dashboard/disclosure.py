"""Statistical disclosure control: the counts of people that funders, the public and partners reading the network
see, protected so that no number of questions, however they overlap, pins down a small count.

The method is HESA's rounding to base 5, applied to running totals of the finest groups of people. A cell is one
measure (participants, completions, jobs filled, a cohort's outcomes, people living in the area) of one initiative,
one institution and one place (an IMD decile, Wales by its own index, Scotland, unknown). C(t) is a cell's exact
running total of events from the beginning to the end of quarter t, and R(n) is n rounded to the nearest multiple
of the base. Every count shown for the quarters a..b is the sum, over the cells it covers, of

    R(C(b)) - R(C(a - 1))

so the same people always give the same answer, the quarters of a range add up to the range, and every total is
the sum of its parts (deciles to the total, initiatives to the network) as shown. Whatever a reader asks for,
everything shown is a sum of the cells' rounded running totals, and each of those says only that the exact one
is within 2 of it: any count worked out from answers, however they are combined, is left with at least three
possible values. tests/test_disclosure_attack.py plays that reader.

A count whose sum is 0 is shown as "<5" (it may be 0 to 4 people, or more over several cells), and as 0 only when
its cells hold no one at any time. Percentages, shares and ratios are worked out from the counts as shown, and
hidden as "[c]" when their base is under 25 or their count is "<5". Money is never rounded. Equality monitoring,
a second grouping of the same people, is withheld (WITHHELD).
"""

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard import parsing

# A rounded count of 0 that may stand for a few people (the mark is "<" and the base: "<5").
SUPPRESSED_PCT = "[c]"
# A percentage's base must be at least this many times the rounding base to be shown (HESA: 22.5 for base 5).
MIN_BASE_MULTIPLE = 5


class DisclosureError(ValueError):
    """Figures the disclosure rule cannot protect (unknown or inconsistent); never shown."""


@dataclass(frozen=True)
class Rule:
    """Counts are differences of running totals rounded to the nearest multiple of `threshold` (the base)."""

    threshold: int = 5

    def __post_init__(self) -> None:
        # With 2, a rounded difference of 0 would leave a single person known within two values only.
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, int) or not 3 <= self.threshold <= 100:
            raise DisclosureError(
                f"The disclosure threshold must be a whole number from 3 to 100, not {self.threshold!r}")

    @property
    def primary_mark(self) -> str:
        """How a rounded count of 0 that is not a true none is shown, e.g. '<5'."""
        return f"<{self.threshold}"

    @property
    def min_base(self) -> int:
        """The smallest shown base a percentage, share or ratio is worked out on (25 for base 5)."""
        return MIN_BASE_MULTIPLE * self.threshold

    def round(self, count: Any) -> Any:
        """count (or an array of counts) to the nearest multiple of the base, halves up: 0, 1, 2 -> 0 and 3..7 -> 5
        for base 5."""
        return self.threshold * ((count + self.threshold // 2) // self.threshold)

    def span(self, rounded: int) -> tuple[int, int]:
        """The exact running totals that round to `rounded`: (18, 22) for 20, (0, 2) for 0 with base 5."""
        low = rounded - self.threshold // 2
        return max(0, low), low + self.threshold - 1

    def pct(self, part: Any, whole: Any, scale: float = 100.0, digits: int | None = 2) -> Any:
        """part / whole of shown counts (times scale): None with nothing to divide, '[c]' on a small base or a
        '<5' part; never above the whole."""
        if whole == 0:
            return None
        if is_hidden(whole) or is_hidden(part) or whole < self.min_base:
            return SUPPRESSED_PCT
        value = min(part, whole) * scale / whole
        return value if digits is None else round(value, digits)

    def text(self) -> str:
        """The rule in force, with an example a reader can follow, as Markdown for the methodology page."""
        t = self.threshold
        low, high = self.span(4 * t)
        lines = [
            f"**Rounded so that it holds across every view.** Funders, the public, and partners reading the "
            f"network's figures see every count of people rounded to a multiple of {t}, following HESA's rounding "
            f"to the nearest {t}, applied to running totals so that it holds however many periods, initiatives "
            f"and institutions they ask for.",
            f"**How.** The people are kept in small groups: one initiative, one institution and one decile (or "
            f"Wales, Scotland, unknown). For each group, the running total from the beginning to the end of a "
            f"quarter is rounded to the nearest {t}; a period's count is the rounded running total at its end "
            f"minus the one at the end of the quarter before. A count covering several groups (a decile of the "
            f"whole network, say) is the sum of theirs.",
            f"**Example.** If a group's running total is {4 * t + 1} at the end of June and {4 * t + 2} at the end "
            f"of September, both round to {4 * t}, so July to September shows \"<{t}\" for it. Whatever periods "
            f"are compared, they show only that each running total is somewhere from {low} to {high}, so the "
            f"quarter's count could be anything from 0 to {high - low}.",
            f"**What it means.** The same people always give the same count; quarters add up to the period, "
            f"deciles to the total and initiatives to the network, exactly as shown; no subtraction of one answer "
            f"from another pins down a small count. \"<{t}\" is a count rounded to 0 that is not none; 0 is no "
            f"one at all. A count can differ from the exact one by up to {2 * (t // 2)} for each group it covers, "
            f"so a total over many groups can be several people out.",
            f"**Percentages, shares and ratios** are worked out from the counts as shown, and are hidden as "
            f"\"{SUPPRESSED_PCT}\" when their base is under {self.min_base} or their count is \"<{t}\". "
            f"**Money** is shown in full.",
            "**Not shown.** Equality monitoring (age, gender, ethnicity, disability): it groups the same people "
            "another way, and two groupings, each rounded, could be set against each other.",
            "**Exact figures** are for coordinators, and for partners on their own institution.",
        ]
        return "\n".join(f"- {line}" for line in lines)

    def as_dict(self) -> dict[str, Any]:
        """The rule as JSON."""
        return {"method": "rounded running totals", "base": self.threshold, "primary_mark": self.primary_mark,
                "percentage_mark": SUPPRESSED_PCT, "min_percentage_base": self.min_base}


DEFAULT_RULE = Rule()


def is_hidden(value: Any) -> bool:
    """True for a value shown as a mark ('<5', '[c]') rather than a number."""
    return isinstance(value, str)


def number(value: Any) -> int | float | None:
    """The value as a number for charts, None where it is a mark."""
    return None if is_hidden(value) else value


def display(value: Any) -> str:
    """The value as text for a table: marks as they are, counts with thousands separators."""
    if value is None:
        return ""
    if is_hidden(value):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# --- the report ---------------------------------------------------------------------------------------------------

_COUNTS = ("participants", "completions", "jobs_filled")
_COHORT = ("starters", "starters_completed", "starters_with_job", "starters_in_post_6_months_reported",
           "starters_in_post_6_months")
# percentage -> (numerator, denominator) within a funnel row
_COHORT_PCTS = {"completed_pct": ("starters_completed", "starters"), "with_job_pct": ("starters_with_job", "starters"),
                "in_post_6_months_reported_pct": ("starters_in_post_6_months_reported", "starters_with_job"),
                "in_post_6_months_pct": ("starters_in_post_6_months", "starters_in_post_6_months_reported")}
# Labels and flags in money-only sections (everything else there must be money).
_MONEY_LABELS = frozenset({"institution_id", "institution_name", "category", "supplier_name", "is_local",
                           "area_group", "imd_decile", "is_sme", "is_vcse", "source", "source_label"})
# Numbers that are not counts of people.
METADATA_NUMBERS = frozenset({"lsoa_vintage"})
PERCENTAGES = ("conversion_rate_pct", "participants_most_deprived_20_pct", "jobs_filled_most_deprived_20_pct")
HEADLINE_COUNTS = _COUNTS
_MOST_DEPRIVED = ("1", "2")
# The report's names for figures_by_area's area groups that are not deciles.
_GROUP_KEYS = {"Wales": "wales", "Scotland": "scotland", "Northern Ireland": "northern_ireland", "unknown": "unknown"}
# Sections withheld from disclosure-controlled readers, and why (shown where the section would be).
WITHHELD = {"equality": "Equality monitoring counts the same people in other groups (age, gender, ethnicity, "
                        "disability), and two different groupings of the same people, each rounded, could be set "
                        "against each other to narrow a small count down. It is shown exactly to coordinators "
                        "and to partners for their own institution."}
# A quarter before any data: a count from it runs from the beginning.
_BEGINNING = "0000Q1"


def _is_money(key: str) -> bool:
    return key.endswith("_gbp") or key.startswith("spend_")


def _columns(name: str, rows: Any, known: set[str]) -> None:
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        raise DisclosureError(f"'{name}' is not the rows its disclosure rule expects")
    for row in rows:
        if not isinstance(row, Mapping):
            raise DisclosureError(f"'{name}' holds {row!r}, not rows of figures")
        unknown = set(row) - known
        if unknown:
            raise DisclosureError(f"'{name}' has columns with no disclosure rule: {', '.join(sorted(unknown))}")


def _money_columns(rows: Sequence[Mapping[str, Any]]) -> set[str]:
    return {k for row in rows for k in row if _is_money(k)}


def _previous(quarter: str) -> str:
    """The quarter before; before _BEGINNING, nothing (an empty string sorts before every quarter)."""
    return "" if quarter == _BEGINNING else parsing.shift_quarter(quarter, -1)


class Cells:
    """The finest cells of a network's counts of people (measure, initiative, institution, place), each with its
    running total rounded at the end of every quarter: the only thing a disclosure-controlled count is made of.

    rows: one per cell and quarter with its events (queries/disclosure_cells.sql): measure, initiative_id,
    institution_id, place, quarter, people.
    """

    def __init__(self, rows: pd.DataFrame, rule: Rule) -> None:
        self.rule = rule
        keys = rows[["measure", "initiative_id", "institution_id", "place"]].drop_duplicates()
        self.measure, self.initiative, self.institution, self.place = (
            keys[c].to_numpy(dtype=object) for c in ("measure", "initiative_id", "institution_id", "place"))
        self.group = np.array([p.split(":")[0] if ":" in p else _GROUP_KEYS.get(p, p) for p in self.place],
                              dtype=object)
        if len(rows):
            first, last = rows["quarter"].min(), rows["quarter"].max()
            self.quarters = [parsing.shift_quarter(first, i) for i in range(parsing.quarters_between(first, last))]
        else:
            self.quarters = []
        counts = np.zeros((len(keys), len(self.quarters)), dtype=np.int64)
        if len(rows):
            # Each row's cell, numbered in order of first appearance as drop_duplicates keeps them, and quarter.
            cell = rows.groupby(["measure", "initiative_id", "institution_id", "place"], sort=False,
                                dropna=False).ngroup().to_numpy()
            column = rows["quarter"].map({q: j for j, q in enumerate(self.quarters)}).to_numpy(dtype=np.int64)
            np.add.at(counts, (cell, column), rows["people"].to_numpy(dtype=np.int64))
        running = counts.cumsum(axis=1)
        self.rounded = rule.round(running)
        self.ever = running[:, -1] if len(self.quarters) else np.zeros(len(keys), dtype=np.int64)

    def _column(self, quarter: str) -> int:
        """Index of the last quarter with a running total at or before `quarter`, -1 before the data."""
        return bisect.bisect_right(self.quarters, quarter) - 1

    def count(self, measure: str, first: str, last: str, *, initiative: str | None = None,
              institution: str | None = None, groups: Sequence[str] | None = None,
              places: Sequence[str] | None = None) -> int | str:
        """The count shown for a measure's people over the quarters first..last: the sum over its cells of the
        difference of rounded running totals; '<5' when that is 0 but the cells hold anyone at any time."""
        mask = self.measure == measure
        if initiative is not None:
            mask &= self.initiative == initiative
        if institution is not None:
            mask &= self.institution == institution
        if groups is not None:
            mask &= np.isin(self.group, list(groups))
        if places is not None:
            mask &= np.isin(self.place, list(places))
        end, start = self._column(last), self._column(_previous(first))
        at_end = self.rounded[mask, end].sum() if end >= 0 else 0
        at_start = self.rounded[mask, start].sum() if start >= 0 else 0
        shown = int(at_end - at_start)
        if shown:
            return shown
        return 0 if not self.ever[mask].any() else self.rule.primary_mark

    def institutions(self, initiative: str | None) -> list[str]:
        """Institutions with any starter at any time (in the initiative, if one)."""
        mask = (self.measure == "participants") & (self.ever > 0)
        if initiative is not None:
            mask &= self.initiative == initiative
        return sorted(set(self.institution[mask]))


class _Doc:
    """One selection's counts, read from the cells."""

    def __init__(self, cells: Cells, report: Mapping[str, Any]) -> None:
        self.cells, self.rule = cells, cells.rule
        self.first, self.last = report["from_quarter"], report["to_quarter"]
        self.filters = {"initiative": report.get("initiative_id"), "institution": report.get("institution_id")}

    def count(self, measure: str, first: str | None = None, last: str | None = None, **where: Any) -> int | str:
        return self.cells.count(measure, first or self.first, last or self.last, **{**self.filters, **where})

    def pct(self, part: Any, whole: Any, **kwargs: Any) -> Any:
        return self.rule.pct(part, whole, **kwargs)


def _rows(doc: _Doc, name: str, rows: Any, labels: set[str], columns: Sequence[str], where) -> list[dict[str, Any]]:
    _columns(name, rows, {*labels, *columns, *_money_columns(rows)})
    return [{**row, **{c: doc.count(c, **where(row)) for c in columns}} for row in rows]


def _by_decile(doc: _Doc, name: str, rows: Any) -> list[dict[str, Any]]:
    return _rows(doc, name, rows, {"group", "imd_decile"}, _COUNTS, lambda row: {"groups": [row["group"]]})


def _by_quintile(doc: _Doc, name: str, rows: Any) -> list[dict[str, Any]]:
    """A quintile is its two deciles' cells together (each other group, its own)."""
    def groups(row):
        deciles = row.get("imd_deciles") if row.get("imd_quintile") is not None else None
        return {"groups": [str(d) for d in deciles] if deciles else [row["group"]]}
    return _rows(doc, name, rows, {"group", "imd_quintile", "imd_deciles", "is_core20", "imd_decile"}, _COUNTS,
                 groups)


def _by_quarter(doc: _Doc, name: str, rows: Any) -> list[dict[str, Any]]:
    """Each quarter on its own; cumulative_* from the beginning of the data to the quarter's end."""
    cumulative = [f"cumulative_{c}" for c in _COUNTS]
    _columns(name, rows, {"quarter", *_COUNTS, *cumulative, *_money_columns(rows)})
    out = []
    for row in rows:
        q = row["quarter"]
        out.append({**row, **{c: doc.count(c, q, q) for c in _COUNTS},
                    **{f"cumulative_{c}": doc.count(c, _BEGINNING, q) for c in _COUNTS}})
    return out


def _cohort(doc: _Doc, row: Mapping[str, Any], **where: Any) -> dict[str, Any]:
    """A cohort row: its starters (the participants measure) and their outcomes, and the shares among them."""
    out = dict(row)
    for c in _COHORT:
        out[c] = doc.count("participants" if c == "starters" else c, **where)
    for pct, (num, den) in _COHORT_PCTS.items():
        if pct in out:
            out[pct] = doc.pct(out[num], out[den])
    return out


def _funnel(doc: _Doc, name: str, funnel: Any) -> dict[str, Any]:
    """The cohort (who started in the period) in total, by decile, by institution and by start quarter.

    Institutions are every one with a starter at any time, largest shown cohort first, so which are listed
    and in what order tells nothing the counts do not.
    """
    if not isinstance(funnel, Mapping):
        raise DisclosureError(f"'{name}' is not the section its disclosure rule expects")
    _columns(name, [funnel], {"cohort", "from_quarter", "to_quarter", "total", "by_decile", "by_institution",
                              "by_start_quarter"})
    columns = {*_COHORT, *_COHORT_PCTS}
    _columns(name, [funnel["total"]], columns)
    out = {**funnel, "total": _cohort(doc, funnel["total"])}
    if "by_decile" in funnel:
        _columns(name, funnel["by_decile"], {"group", "imd_decile", *columns})
        out["by_decile"] = [_cohort(doc, row, groups=[row["group"]]) for row in funnel["by_decile"]]
    if "by_institution" in funnel:
        _columns(name, funnel["by_institution"], {"institution_id", "institution_name", *columns})
        names = {row["institution_id"]: row["institution_name"] for row in funnel["by_institution"]}
        if doc.filters["institution"] is not None:
            listed = [doc.filters["institution"]]
        else:
            listed = doc.cells.institutions(doc.filters["initiative"])
        rows = [_cohort(doc, {"institution_id": k, "institution_name": names.get(k, k),
                              **dict.fromkeys(columns)}, institution=k) for k in listed]
        out["by_institution"] = sorted(rows, key=lambda r: (-(number(r["starters"]) or 0), r["institution_id"]))
    if "by_start_quarter" in funnel:
        _columns(name, funnel["by_start_quarter"], {"start_quarter", *columns})
        out["by_start_quarter"] = [_cohort(doc, row, first=row["start_quarter"], last=row["start_quarter"])
                                   for row in funnel["by_start_quarter"]]
    return out


def _nation_deciles(doc: _Doc, name: str, rows: Any) -> list[dict[str, Any]]:
    """A nation's own-index deciles: its people's cells by that decile (Wales), unranked otherwise."""
    def places(row):
        decile = "" if row["decile"] is None else str(row["decile"])
        return {"places": [f"{row['nation'].lower()}:{decile}"]}
    return _rows(doc, name, rows, {"nation", "index", "decile"}, _COUNTS, places)


def _representation(doc: _Doc, name: str, section: Any) -> dict[str, Any]:
    """People living in the area by decile (or quintile), their totals, and shares and ratios of shown counts."""
    if not isinstance(section, Mapping):
        raise DisclosureError(f"'{name}' is not the section its disclosure rule expects")
    _columns(name, [section], {"imd_release", "lsoa_vintage", "grouping", "rows", "participants_in_area",
                               "jobs_filled_in_area", "working_age_population", "numerator", "denominator",
                               "ratio_meaning"})
    label = {"decile": "imd_decile", "quintile": "imd_quintile"}.get(section.get("grouping"))
    if label is None:
        raise DisclosureError(f"'{name}' has the grouping {section.get('grouping')!r}, which has no disclosure rule")
    rows = section["rows"]
    _columns(name, rows, {label, "participants", "participants_share", "jobs_filled", "jobs_share",
                          "working_age_population", "population_share", "participants_ratio", "jobs_ratio"})
    measures = {"participants": "participants_in_area", "jobs_filled": "jobs_filled_in_area"}
    totals = {total: doc.count(total) for total in measures.values()}
    out_rows = []
    for row in rows:
        n = row[label]
        places = [str(n)] if label == "imd_decile" else [str(2 * n - 1), str(2 * n)]
        out = {**row, **{c: doc.count(m, places=places) for c, m in measures.items()}}
        for count, share, ratio in (("participants", "participants_share", "participants_ratio"),
                                    ("jobs_filled", "jobs_share", "jobs_ratio")):
            out[share] = doc.pct(out[count], totals[measures[count]], scale=1.0, digits=None)
            population = row.get("population_share")
            out[ratio] = (out[share] if out[share] is None or is_hidden(out[share])
                          else None if not population else out[share] / population)
        out_rows.append(out)
    return {**section, "rows": out_rows, **totals}


def _money(doc: _Doc, name: str, rows: Any) -> list[dict[str, Any]]:
    """Money only (with labels and yes/no flags): shown in full; a number that is not money is refused."""
    _columns(name, rows, set(_MONEY_LABELS) | _money_columns(rows))
    return [dict(row) for row in rows]


def _withheld(doc: _Doc, name: str, rows: Any) -> None:
    return None


# Every section of the report and its rule. A section with no rule here is refused.
SECTIONS: dict[str, Callable[[_Doc, str, Any], Any]] = {
    "by_decile": _by_decile,
    "by_quintile": _by_quintile,
    "by_quarter": _by_quarter,
    "funnel": _funnel,
    "equality": _withheld,
    "nation_deciles": _nation_deciles,
    "representation": _representation,
    "representation_by_quintile": _representation,
    "spend_by_institution": _money,
    "spend_by_category": _money,
    "top_suppliers": _money,
    "spend_by_source": _money,
}


def protect_report(report: Mapping[str, Any], cells: Cells) -> dict[str, Any]:
    """The report as funders and the public may see it; raises DisclosureError on any figure it cannot vouch for.

    report is the exact report of the selection (its labels, rows and money); every count of people in it is
    replaced by the sum of the cells' rounded running totals (see the module's docstring).
    """
    for key, value in report.items():
        known = (key in SECTIONS or key in PERCENTAGES or key in HEADLINE_COUNTS or key in METADATA_NUMBERS
                 or key == "disclosure" or _is_money(key))
        if not known and (isinstance(value, list | dict | tuple) or
                          (isinstance(value, int | float) and not isinstance(value, bool))):
            raise DisclosureError(f"The report figure '{key}' has no disclosure rule: add it to disclosure.py")
    doc = _Doc(cells, report)
    out = dict(report)
    for c in HEADLINE_COUNTS:
        if c in report:
            out[c] = doc.count(c)
    for name, protect in SECTIONS.items():
        if name in report:
            out[name] = protect(doc, name, report[name])
    if "conversion_rate_pct" in report:
        out["conversion_rate_pct"] = doc.pct(doc.count("starters_with_job"), doc.count("participants"))
    for key, measure in (("participants_most_deprived_20_pct", "participants"),
                         ("jobs_filled_most_deprived_20_pct", "jobs_filled")):
        if key in report:
            out[key] = doc.pct(doc.count(measure, groups=_MOST_DEPRIVED), doc.count(measure))
    withheld = [name for name in WITHHELD if name in report]
    out["disclosure"] = {"rule": cells.rule.as_dict(), "text": cells.rule.text(),
                         "withheld": {name: WITHHELD[name] for name in withheld}}
    return out
