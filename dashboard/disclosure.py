"""Statistical disclosure control: which counts of people funders and the public may see."""

import copy
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PRIMARY, SECONDARY, SHOWN = "primary", "secondary", "shown"
# A withheld table's "<5", which may also be 0; and a figure the report never shows whose value a reader does not know.
WITHHELD, FREE = "withheld", "free"
# A hidden count that is not small: it is hidden so that a small one cannot be worked out.
SECONDARY_MARK = "[c]"
SUPPRESSED_PCT = "[c]"
_TOL = 1e-7


class DisclosureError(ValueError):
    """Figures the disclosure rule cannot protect (unknown, inconsistent or impossible); never shown."""


class Unprotectable(DisclosureError):
    """A table so small that hiding cells cannot stop a small count being worked out: withhold it whole."""


@dataclass(frozen=True)
class Rule:
    """Counts from 1 to threshold-1 are hidden; 0 is shown; money is never hidden."""

    threshold: int = 5

    def __post_init__(self) -> None:
        # With 2, a hidden count would be known to be exactly 1.
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, int) or not 3 <= self.threshold <= 100:
            raise DisclosureError(
                f"The disclosure threshold must be a whole number from 3 to 100, not {self.threshold!r}")

    @property
    def primary_mark(self) -> str:
        """How a small count is shown, e.g. '<5'."""
        return f"<{self.threshold}"

    def text(self) -> str:
        """The rule in force as one sentence for the methodology page."""
        t = self.threshold
        return (f"Counts of people from 1 to {t - 1} are shown as \"<{t}\" (zero is shown as 0), further counts are "
                f"hidden as \"{SECONDARY_MARK}\" wherever a hidden count could otherwise be worked out from a total "
                f"and the other figures, percentages built on a hidden count are hidden as \"{SUPPRESSED_PCT}\", "
                f"and money is shown in full; a table too small to protect this way shows every count, zeros "
                f"included, as \"<{t}\" or \"{SECONDARY_MARK}\".")

    def as_dict(self) -> dict[str, Any]:
        """The rule as JSON."""
        return {"threshold": self.threshold, "primary_mark": self.primary_mark, "secondary_mark": SECONDARY_MARK,
                "percentage_mark": SUPPRESSED_PCT}


DEFAULT_RULE = Rule()


def is_hidden(value: Any) -> bool:
    """True for a value a disclosure rule has hidden (shown as a mark such as '<5' or '[c]')."""
    return isinstance(value, str)


def number(value: Any) -> int | float | None:
    """The value as a number for charts, None where it is hidden."""
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


# --- cells and the sums between them ----------------------------------------------------------------------------

Equation = tuple[Hashable, Sequence[Hashable]]


def protect_cells(values: Mapping[Hashable, Any], equations: Sequence[Equation], rule: Rule = DEFAULT_RULE,
                  derived: frozenset = frozenset(), virtual: frozenset = frozenset(),
                  withheld: frozenset = frozenset()) -> dict[Hashable, str]:
    """Status (primary, secondary or shown; withheld, free) of each count, given which cells sum to which.

    Values may already be marks ('<5', '[c]'), so protecting a protected table changes nothing. A total in
    `derived` (a sum shown elsewhere, such as deciles 1 and 2) is hidden whenever any of its parts is. A `virtual`
    cell is never shown but a reader can work it out from a sum whose other cells are shown (e.g. starters who have
    not completed): it must not be small then, and is free (any value from 0) otherwise; None is one not known.
    A `withheld` cell's '<5' may be 0.
    """
    status = _initial_status(values, rule, withheld)
    for key in virtual:
        # Worked out from shown figures until a figure it needs is hidden (the first sweep sees to that).
        status[key] = FREE if values[key] is None else SHOWN
    equations = [(total, tuple(parts)) for total, parts in equations]
    for total, parts in equations:
        for key in (total, *parts):
            if key not in values:
                raise DisclosureError(f"A sum refers to the unknown cell {key!r}")
    _check_sums(values, equations)
    order = {key: i for i, key in enumerate(values)}
    cache: dict = {}  # the ranges of linked hidden cells that no new hiding has touched since the last look
    virtual = tuple(sorted(virtual, key=order.__getitem__))
    touching: dict[Hashable, list[Equation]] = {}
    for eq in equations:
        for key in (eq[0], *eq[1]):
            touching.setdefault(key, []).append(eq)
    while True:
        if _local_pass(values, status, equations, rule, derived, virtual, touching, order):
            continue
        pinned = _pinned(values, status, equations, rule, virtual, cache)
        if not pinned:
            return status
        key = min(pinned, key=order.__getitem__)
        candidate = _candidate(values, status, touching.get(key, []), order, virtual)
        if candidate is None:
            # Its own sums are hidden already; it is pinned through a wider chain of sums.
            candidate = _candidate(values, status, _component_equations(key, status, touching), order, virtual)
        if candidate is None:
            raise Unprotectable(f"Cannot protect the count {key!r}: every figure around it is hidden already")
        status[candidate] = SECONDARY


def _initial_status(values: Mapping[Hashable, Any], rule: Rule,
                    withheld: frozenset = frozenset()) -> dict[Hashable, str]:
    status = {}
    for key, value in values.items():
        if value is None:
            status[key] = FREE
        elif value == rule.primary_mark:
            status[key] = WITHHELD if key in withheld else PRIMARY
        elif value == SECONDARY_MARK:
            status[key] = SECONDARY
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DisclosureError(f"The count {key!r} is {value!r}, not a whole number of people")
        elif key in withheld:
            status[key] = WITHHELD if value < rule.threshold else SECONDARY
        else:
            status[key] = PRIMARY if 1 <= value < rule.threshold else SHOWN
    return status


def _check_sums(values, equations) -> None:
    # A sum that does not add up would make every deduction below unsound: refuse rather than guess.
    for total, parts in equations:
        members = (total, *parts)
        if not any(is_hidden(values[k]) or values[k] is None for k in members):
            if values[total] != sum(values[p] for p in parts):
                raise DisclosureError(f"{total!r} is {values[total]} but its parts add up to "
                                      f"{sum(values[p] for p in parts)}")


def _local_pass(values, status, equations, rule, derived, virtual, touching, order) -> bool:
    """One sweep of the row/column rules; True if it hid anything."""
    changed = False
    for key in virtual:
        # A reader works a virtual cell out only from a sum whose other cells are all shown.
        if status[key] == SHOWN and all(any(status[k] != SHOWN for k in (t, *p) if k != key)
                                        for t, p in touching.get(key, [])):
            status[key] = FREE
            changed = True
    for total, parts in equations:
        hidden = [k for k in (total, *parts) if status[k] != SHOWN]
        if not hidden:
            if any(k in virtual and 1 <= values[k] < rule.threshold for k in (total, *parts)):
                candidate = _candidate(values, status, [(total, parts)], order, virtual)
                if candidate is not None:
                    status[candidate] = SECONDARY
                    changed = True
            continue
        if total in derived and status[total] == SHOWN and any(status[p] != SHOWN for p in parts):
            status[total] = SECONDARY
            changed = True
            continue
        unsafe = len(hidden) == 1 and hidden[0] not in virtual
        if not unsafe and status[total] == SHOWN:
            # The hidden cells' sum is known; it is itself a count of people and must not be small.
            rest = values[total] - sum(values[p] for p in parts if status[p] == SHOWN)
            unsafe = 0 < rest < rule.threshold if all(k in virtual for k in hidden) else rest < rule.threshold
        if unsafe:
            candidate = _candidate(values, status, [(total, parts)], order, virtual)
            if candidate is not None:
                status[candidate] = SECONDARY
                changed = True
    return changed


def _candidate(values, status, equations, order, virtual=frozenset()) -> Hashable | None:
    """The smallest shown non-zero cell of these sums, parts before totals, then first in order."""
    options = []
    for total, parts in equations:
        for is_total, key in [(False, p) for p in parts] + [(True, total)]:
            if status[key] == SHOWN and key not in virtual and values[key] > 0:
                options.append((is_total, values[key], order[key], key))
    return min(options)[3] if options else None


def _component_equations(key, status, touching) -> list[Equation]:
    """The sums linking `key` to other hidden cells, through hidden cells only: hiding a cell elsewhere cannot help."""
    seen, todo, found = {key}, [key], {}
    while todo:
        for eq in touching.get(todo.pop(), []):
            found[id(eq)] = eq
            for k in (eq[0], *eq[1]):
                if status[k] != SHOWN and k not in seen:
                    seen.add(k)
                    todo.append(k)
    return list(found.values())


def _pinned(values, status, equations, rule, virtual=frozenset(), cache=None) -> list[Hashable]:
    """Hidden cells whose value a reader could work out exactly from everything shown and the rule.

    A free virtual cell matters only when it is small: a worked-out count of 5 or more people hides nothing.
    """
    check = [k for k, s in status.items() if s not in (SHOWN, FREE)
             or (s == FREE and values[k] is not None and 1 <= values[k] < rule.threshold)]
    ranges = feasible_ranges(values, status, equations, rule, exact=False, keys=check, cache=cache)
    # Worked out as exactly 0 (a withheld zero, say) tells no more than a zero shown as 0.
    return [key for key, (lo, hi) in ranges.items() if hi < math.ceil(lo - _TOL) + 1 - _TOL and hi > _TOL]


def feasible_ranges(values: Mapping[Hashable, Any], status: Mapping[Hashable, str], equations: Sequence[Equation],
                    rule: Rule = DEFAULT_RULE, exact: bool = True,
                    keys: Sequence[Hashable] | None = None, cache: dict | None = None
                    ) -> dict[Hashable, tuple[float, float]]:
    """Least and greatest value of each hidden cell (or of `keys`) consistent with the shown cells, sums and marks.

    With exact=False a range is only widened until it holds two whole numbers (enough to know the cell is safe).
    Cells linked by no sum through hidden cells are solved apart, which keeps a whole report quick.
    """
    hidden = [k for k in values if status[k] != SHOWN]
    if not hidden:
        return {}
    index = {k: i for i, k in enumerate(hidden)}
    parent = list(range(len(hidden)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows = []
    for total, parts in equations:
        coef: dict[Hashable, float] = {}
        known = 0.0
        for key, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if status[key] == SHOWN:
                known += sign * values[key]
            else:
                coef[key] = coef.get(key, 0.0) + sign
        coef = {k: c for k, c in coef.items() if c}
        if coef:
            rows.append((coef, -known))
            first, *rest = coef
            for k in rest:
                parent[root(index[k])] = root(index[first])
        elif abs(known) > _TOL:
            raise Unprotectable("The shown figures contradict each other")
    wanted = set(hidden if keys is None else keys)
    groups: dict[int, list[int]] = {}
    for i in range(len(hidden)):
        groups.setdefault(root(i), []).append(i)
    group_rows: dict[int, list] = {}
    for coef, rhs in rows:
        group_rows.setdefault(root(index[next(iter(coef))]), []).append((coef, rhs))
    result = {}
    for r, members in groups.items():
        cells = [hidden[i] for i in members]
        if any(k in wanted for k in cells):
            own_rows = group_rows.get(r, [])
            signature = (tuple((k, status[k], k in wanted) for k in cells), exact,
                         tuple((tuple(coef.items()), rhs) for coef, rhs in own_rows))
            if cache is None or signature not in cache:
                found = _component_ranges(cells, own_rows, status, rule, exact, wanted)
                if cache is None:
                    result.update(found)
                    continue
                cache[signature] = found
            result.update(cache[signature])
    return result


def _component_ranges(cells, rows, status, rule, exact, wanted) -> dict[Hashable, tuple[float, float]]:
    """feasible_ranges for one set of hidden cells linked by sums; rows are ({cell: coefficient}, right-hand side)."""
    local = {k: j for j, k in enumerate(cells)}
    n = len(cells)
    # A reader knows a '<5' cell is 1..4 (0..4 if withheld), a '[c]' cell at least 5 (zeros are always shown).
    lower = np.array([{PRIMARY: 1.0, SECONDARY: float(rule.threshold)}.get(status[k], 0.0) for k in cells])
    capped = [i for i, k in enumerate(cells) if status[k] in (PRIMARY, WITHHELD)]
    # Variables: y = x - lower >= 0, then one slack per capped (small) cell: y + s = threshold - 1 - lower.
    a = np.zeros((len(rows) + len(capped), n + len(capped)))
    b = np.zeros(len(rows) + len(capped))
    for r, (coef, value) in enumerate(rows):
        for key, c in coef.items():
            a[r, local[key]] = c
        b[r] = value - a[r, :n] @ lower
    for j, i in enumerate(capped):
        a[len(rows) + j, i] = 1.0
        a[len(rows) + j, n + j] = 1.0
        b[len(rows) + j] = rule.threshold - 1 - lower[i]
    lp = _Simplex(a, b)
    seen_lo, seen_hi = lp.point[:n].copy(), lp.point[:n].copy()
    result = {}
    for i, key in enumerate(cells):
        if key not in wanted:
            continue
        for sign in (1.0, -1.0):
            if not exact and seen_hi[i] - seen_lo[i] >= 1 - _TOL:
                break  # already known not to be pinned
            value, point = lp.optimise(i, sign)
            if point is None:
                seen_hi[i] = math.inf
            else:
                seen_lo, seen_hi = np.minimum(seen_lo, point[:n]), np.maximum(seen_hi, point[:n])
        result[key] = (float(seen_lo[i] + lower[i]), float(seen_hi[i] + lower[i]))
    return result


class _Simplex:
    """Dense two-phase simplex (Bland's rule) for y >= 0, a y = b: one feasible basis, many objectives."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        a, b = a.copy(), b.copy()
        flip = b < 0
        a[flip], b[flip] = -a[flip], -b[flip]
        m, n = a.shape
        self.n = n
        tab = np.zeros((m + 1, n + m + 1))
        tab[:m, :n], tab[:m, n:n + m], tab[:m, -1] = a, np.eye(m), b
        tab[m, :n] = -a.sum(axis=0)
        tab[m, -1] = -b.sum()
        basis = list(range(n, n + m))
        self._run(tab, basis, n + m)
        if tab[m, -1] < -1e-6:
            # Re-protecting a withheld table: its '<5' zeros cannot be read as 1..4.
            raise Unprotectable("The shown figures contradict each other")
        keep = []
        for r in range(m):
            if basis[r] >= n:
                cols = [j for j in range(n) if abs(tab[r, j]) > _TOL]
                if not cols:
                    continue  # a sum implied by the others
                self._pivot(tab, basis, r, cols[0])
            keep.append(r)
        self.tab = np.hstack([tab[keep, :n], tab[keep, -1:]])
        self.basis = [basis[r] for r in keep]
        self.point = self._solution(self.tab, self.basis)

    def _solution(self, tab, basis) -> np.ndarray:
        point = np.zeros(self.n)
        for r, j in enumerate(basis):
            point[j] = tab[r, -1]
        return point

    @staticmethod
    def _pivot(tab, basis, r, c) -> None:
        tab[r] /= tab[r, c]
        factors = tab[:, c].copy()
        factors[r] = 0.0
        tab -= np.outer(factors, tab[r])
        basis[r] = c

    def _run(self, tab, basis, ncols) -> bool:
        """Maximise the objective row; False if unbounded."""
        m = tab.shape[0] - 1
        while True:
            negative = np.flatnonzero(tab[m, :ncols] < -_TOL)
            if not len(negative):
                return True
            entering = int(negative[0])
            best = None
            for r in range(m):
                if tab[r, entering] > _TOL:
                    ratio = tab[r, -1] / tab[r, entering]
                    if best is None or ratio < best[0] - _TOL or (abs(ratio - best[0]) <= _TOL
                                                                  and basis[r] < basis[best[1]]):
                        best = (ratio, r)
            if best is None:
                return False
            self._pivot(tab, basis, best[1], entering)

    def optimise(self, var: int, sign: float) -> tuple[float, np.ndarray | None]:
        """Maximise sign * y[var]: (value, a point reaching it), or (inf, None) if unbounded."""
        tab, basis = self.tab.copy(), list(self.basis)
        m = tab.shape[0]
        cost = np.zeros(self.n)
        cost[var] = sign
        obj = -np.append(cost, 0.0)
        for r, j in enumerate(basis):
            obj += cost[j] * tab[r]
        tab = np.vstack([tab, obj])
        if not self._run(tab, basis, self.n):
            return math.inf, None
        return float(tab[m, -1]), self._solution(tab[:m], basis)


# --- tables -------------------------------------------------------------------------------------------------------


@dataclass
class Protected:
    """A protected table: its rows, the totals shown elsewhere, and derived sums (name -> column -> value)."""

    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    derived: dict[str, dict[str, Any]] = field(default_factory=dict)
    # True when every count is hidden, zeros too (a '<5' may then be 0).
    withheld: bool = False


def protect_table(rows: Sequence[Mapping[str, Any]], count_columns: Sequence[str], rule: Rule = DEFAULT_RULE, *,
                  totals: Mapping[str, Any] | None = None, row_sums: Sequence[tuple[int, Sequence[int]]] = (),
                  column_sums: Sequence[tuple[str, Sequence[str]]] = (),
                  derived: Mapping[str, Sequence[int]] | None = None, withhold: bool = False) -> Protected:
    """Hide small counts and whatever would reveal them in a table of count columns.

    totals: column -> its sum over the rows that are not themselves row totals (shown elsewhere);
    row_sums: (total row index, part row indices), e.g. quarters summing to a range row;
    column_sums: (total column, part columns) within every row (and the totals), for two-way tables;
    derived: name -> row indices whose sum is shown elsewhere, per column (e.g. deciles 1 and 2);
    withhold: hide every count outright (a table withheld before stays withheld).
    """
    totals = dict(totals or {})
    derived = dict(derived or {})
    values: dict[Hashable, Any] = {}
    for i, row in enumerate(rows):
        for col in count_columns:
            values[(i, col)] = row[col]
    for col, value in totals.items():
        values[("total", col)] = value
    # Re-protecting: a derived sum over an already hidden cell stays hidden and tells a reader nothing.
    unknown = {(name, col) for name, idx in derived.items() for col in count_columns
               if any(is_hidden(rows[j][col]) for j in idx)}
    for name, idx in derived.items():
        for col in count_columns:
            if (name, col) not in unknown:
                values[("derived", name, col)] = sum(rows[j][col] for j in idx)
    row_totals = {t for t, _ in row_sums}
    leaves = [i for i in range(len(rows)) if i not in row_totals]
    equations: list[Equation] = []
    for col in count_columns:
        if col in totals:
            equations.append((("total", col), [(i, col) for i in leaves]))
        for t, parts in row_sums:
            equations.append(((t, col), [(j, col) for j in parts]))
        for name, idx in derived.items():
            if (name, col) not in unknown:
                equations.append((("derived", name, col), [(j, col) for j in idx]))
    for total_col, part_cols in column_sums:
        for i in range(len(rows)):
            equations.append(((i, total_col), [(i, c) for c in part_cols]))
        if total_col in totals and all(c in totals for c in part_cols):
            equations.append((("total", total_col), [("total", c) for c in part_cols]))
    try:
        if withhold:
            raise Unprotectable("withheld before")
        status = protect_cells(values, equations, rule, derived=frozenset(k for k in values if k[0] == "derived"))
        withheld = False
    except Unprotectable:
        status = _initial_status(values, rule)
        status = {k: s if s != SHOWN else PRIMARY if values[k] < rule.threshold else SECONDARY
                  for k, s in status.items()}
        withheld = True

    def shown(key: Hashable) -> Any:
        if key not in status:
            return SECONDARY_MARK
        if status[key] == SHOWN:
            return values[key]
        return rule.primary_mark if status[key] == PRIMARY else SECONDARY_MARK

    out_rows = []
    for i, row in enumerate(rows):
        out = dict(row)
        for col in count_columns:
            out[col] = shown((i, col))
        out_rows.append(out)
    return Protected(rows=out_rows, totals={col: shown(("total", col)) for col in totals},
                     derived={name: {col: shown(("derived", name, col)) for col in count_columns}
                              for name in derived}, withheld=withheld)


def protect_percentage(pct: Any, numerator: Any, denominator: Any, rule: Rule = DEFAULT_RULE) -> Any:
    """A percentage of people, hidden if its count or base is hidden or it (or its complement) reveals a small count.

    numerator is the protected count when the report shows it somewhere, None when it does not (then the
    counts a reader could recover from the percentage, rounded to 2 places, and the base are checked).
    """
    if pct is None or is_hidden(pct):
        return pct
    if is_hidden(denominator) or (numerator is not None and is_hidden(numerator)):
        return SUPPRESSED_PCT
    low = max(0, math.ceil((pct - 0.005) * denominator / 100 - _TOL))
    high = min(denominator, math.floor((pct + 0.005) * denominator / 100 + _TOL))
    small = range(1, rule.threshold)
    for count in range(low, high + 1):
        if count in small or denominator - count in small:
            return SUPPRESSED_PCT
    return pct


# --- the report ---------------------------------------------------------------------------------------------------
#
# The whole report is one set of cells and sums, protected at once: the same people are counted in many sections
# (by decile, by quarter, in the funnel, by equality characteristic), so a count hidden in one section and shown in
# another, or a total hidden here and shown there, would undo the hiding. Each section's rule adds its counts and
# the sums a reader can check to the model, and writes the section back with the marks.

_COUNTS = ("participants", "completions", "jobs_filled")
_COHORT = ("starters", "starters_completed", "starters_with_job", "starters_in_post_6_months_reported",
           "starters_in_post_6_months")
# percentage -> (numerator, denominator) within a funnel row
_COHORT_PCTS = {"completed_pct": ("starters_completed", "starters"), "with_job_pct": ("starters_with_job", "starters"),
                "in_post_6_months_reported_pct": ("starters_in_post_6_months_reported", "starters_with_job"),
                "in_post_6_months_pct": ("starters_in_post_6_months", "starters_in_post_6_months_reported")}
# (larger, smaller): a cohort's outcomes are counts of some of its people, so the difference is a count too.
_COHORT_NESTING = (("starters", "starters_completed"), ("starters", "starters_with_job"),
                   ("starters_with_job", "starters_in_post_6_months_reported"),
                   ("starters_in_post_6_months_reported", "starters_in_post_6_months"))
_NATION_GROUPS = {"Wales": "wales", "Scotland": "scotland"}
# Labels and flags in money-only sections (everything else there must be money).
_MONEY_LABELS = frozenset({"institution_id", "institution_name", "category", "supplier_name", "is_local",
                           "area_group", "imd_decile", "is_sme", "is_vcse"})
# Numbers that are not counts of people.
METADATA_NUMBERS = frozenset({"lsoa_vintage"})


def _is_money(key: str) -> bool:
    return key.endswith("_gbp") or key.startswith("spend_")


class _Model:
    """The report's counts as cells, the sums between them, and which section owns each."""

    def __init__(self, report: Mapping[str, Any]) -> None:
        self.report = report
        self.values: dict[Hashable, Any] = {}
        self.equations: list[Equation] = []
        self.derived: set[Hashable] = set()
        self.virtual: set[Hashable] = set()
        self.owner: dict[Hashable, str] = {}
        self.status: dict[Hashable, str] = {}
        self.rule = DEFAULT_RULE

    def cell(self, key: Hashable, value: Any, owner: str, *, derived: bool = False) -> Hashable:
        """A count the report shows."""
        if key in self.values:
            raise DisclosureError(f"The count {key!r} appears twice")
        self.values[key] = value
        self.owner[key] = owner
        if derived:
            self.derived.add(key)
        return key

    def virtual_cell(self, key: Hashable, owner: str, total: Hashable, part: Hashable) -> Hashable:
        """A count the report never shows but a reader can work out as total - part."""
        known = [self.values[total], self.values[part]]
        self.values[key] = None if any(is_hidden(v) for v in known) else known[0] - known[1]
        self.owner[key] = owner
        self.virtual.add(key)
        self.add_sum(total, [part, key])
        return key

    def add_sum(self, total: Hashable, parts: Sequence[Hashable]) -> None:
        """total = sum of parts, as a reader can check it."""
        self.equations.append((total, tuple(parts)))

    def shown(self, key: Hashable) -> Any:
        """The cell as the protected report shows it."""
        state = self.status[key]
        if state == SHOWN:
            return self.values[key]
        return self.rule.primary_mark if state in (PRIMARY, WITHHELD) else SECONDARY_MARK

    def hidden(self, key: Hashable) -> bool:
        return self.status[key] != SHOWN

    def pct(self, value: Any, *keys: Hashable) -> Any:
        """A percentage, share or ratio built on these counts: hidden if any of them is."""
        if value is None or is_hidden(value):
            return value
        return SUPPRESSED_PCT if any(self.hidden(k) for k in keys) else value

    def top(self, col: str) -> Hashable | None:
        """The report's headline count, or None if the report has none."""
        return ("report", col) if col in self.report and col in HEADLINE_COUNTS else None

    def decile_row(self, group: str) -> int | None:
        """Index of the by_decile row of this group, or None."""
        for i, row in enumerate(self.report.get("by_decile") or []):
            if row.get("group") == group:
                return i
        return None


Writer = Callable[[_Model], Any]


def _columns(name: str, rows: Sequence[Mapping[str, Any]], known: set[str]) -> None:
    for row in rows:
        if not isinstance(row, Mapping):
            raise DisclosureError(f"'{name}' holds {row!r}, not rows of figures")
        unknown = set(row) - known
        if unknown:
            raise DisclosureError(f"'{name}' has columns with no disclosure rule: {', '.join(sorted(unknown))}")


def _keys(name: str, section: Any, known: set[str]) -> None:
    if not isinstance(section, Mapping):
        raise DisclosureError(f"'{name}' is not the section its disclosure rule expects")
    _columns(name, [section], known)


def _count_rows(m: _Model, name: str, rows: Sequence[Mapping[str, Any]], prefix: tuple, columns: Sequence[str],
                derived: bool = False) -> list[dict[str, Hashable]]:
    """Add each row's count columns as cells; returns row -> column -> cell key."""
    for i, row in enumerate(rows):
        missing = [c for c in columns if c not in row]
        if missing:
            raise DisclosureError(f"'{name}' row {i} lacks {', '.join(missing)}: its sums cannot be checked")
    return [{c: m.cell((*prefix, i, c), row[c], name, derived=derived) for c in columns} for i, row in enumerate(rows)]


def _write_rows(m: _Model, rows: Sequence[Mapping[str, Any]], keys: Sequence[Mapping[str, Hashable]]
                ) -> list[dict[str, Any]]:
    return [{**row, **{c: m.shown(k) for c, k in cells.items()}} for row, cells in zip(rows, keys, strict=True)]


def _by_decile(m: _Model, name: str, rows: Any) -> Writer:
    """Deciles and nations partition the headline counts (shown at the top of the report)."""
    _columns(name, rows, {"group", "imd_decile", *_COUNTS, "spend_gbp", "spend_local_gbp"})
    keys = _count_rows(m, name, rows, (name,), _COUNTS)
    for c in _COUNTS:
        if c in m.report:
            m.add_sum(("report", c), [k[c] for k in keys])
    return lambda m: _write_rows(m, rows, keys)


def _by_quintile(m: _Model, name: str, rows: Any) -> Writer:
    """A quintile is the sum of two deciles (hidden if either is); other groups copy their by_decile row."""
    _columns(name, rows, {"group", "imd_quintile", "imd_deciles", "is_core20", "imd_decile", *_COUNTS,
                          "spend_gbp", "spend_local_gbp"})
    keys = _count_rows(m, name, rows, (name,), _COUNTS, derived=True)
    deciles = {row.get("imd_decile"): i for i, row in enumerate(m.report.get("by_decile") or [])}
    for row, cells in zip(rows, keys, strict=True):
        sources = ([deciles.get(d) for d in row["imd_deciles"]] if row.get("imd_quintile") is not None
                   else [m.decile_row(row.get("group"))])
        if None in sources:
            raise DisclosureError(f"'{name}' row {row.get('group')!r} has no by_decile rows behind it")
        for c, key in cells.items():
            m.add_sum(key, [("by_decile", j, c) for j in sources])
    return lambda m: _write_rows(m, rows, keys)


def _by_quarter(m: _Model, name: str, rows: Any) -> Writer:
    """Quarters partition the headline counts; each running total is the one before plus the quarter.

    The first running total also holds the quarters before the range (never shown): a count a reader can work out
    from it and the first quarter, protected as any other.
    """
    cumulative = [f"cumulative_{c}" for c in _COUNTS]
    money = {k for row in rows for k in row if _is_money(k)}
    _columns(name, rows, {"quarter", *_COUNTS, *cumulative, *money})
    keys = _count_rows(m, name, rows, (name,), [*_COUNTS, *cumulative])
    for c in _COUNTS:
        if c in m.report and keys:
            m.add_sum(("report", c), [k[c] for k in keys])
        for i, cells in enumerate(keys):
            if i == 0:
                m.virtual_cell((name, "before", c), name, cells[f"cumulative_{c}"], cells[c])
            else:
                m.add_sum(cells[f"cumulative_{c}"], [keys[i - 1][f"cumulative_{c}"], cells[c]])
    return lambda m: _write_rows(m, rows, keys)


def _cohort_rows(m: _Model, name: str, rows: Sequence[Mapping[str, Any]], path: str, labels: set[str]
                 ) -> list[dict[str, Hashable]]:
    _columns(name, rows, {*labels, *_COHORT, *_COHORT_PCTS})
    keys = _count_rows(m, name, rows, (name, path), _COHORT)
    for i, cells in enumerate(keys):
        for larger, smaller in _COHORT_NESTING:
            m.virtual_cell((name, path, i, f"{larger}-{smaller}"), name, cells[larger], cells[smaller])
    return keys


def _funnel(m: _Model, name: str, funnel: Any) -> Writer:
    """A cohort: its total, and its partitions by decile, institution and start quarter, each summing to the total.

    Outcomes are nested (completed and with a job are some of the starters): the differences are counts too.
    Starters are the headline participants, by decile the by_decile participants, by quarter by_quarter's.
    """
    groups = {"by_decile": {"group", "imd_decile"}, "by_institution": {"institution_id", "institution_name"},
              "by_start_quarter": {"start_quarter"}}
    _keys(name, funnel, {"cohort", "from_quarter", "to_quarter", "total", *groups})
    total = _cohort_rows(m, name, [funnel["total"]], "total", set())[0]
    parts = {g: _cohort_rows(m, name, funnel.get(g) or [], g, labels) for g, labels in groups.items()}
    for g, keys in parts.items():
        if g in funnel:
            for c in _COHORT:
                m.add_sum(total[c], [k[c] for k in keys])
    if m.top("participants"):
        m.add_sum(("report", "participants"), [total["starters"]])
    for row, cells in zip(funnel.get("by_decile") or [], parts["by_decile"], strict=True):
        j = m.decile_row(row.get("group"))
        if j is not None:
            m.add_sum(("by_decile", j, "participants"), [cells["starters"]])
    quarters = {row.get("quarter"): i for i, row in enumerate(m.report.get("by_quarter") or [])}
    for row, cells in zip(funnel.get("by_start_quarter") or [], parts["by_start_quarter"], strict=True):
        if row.get("start_quarter") in quarters:
            m.add_sum(("by_quarter", quarters[row["start_quarter"]], "participants"), [cells["starters"]])

    def rows(m: _Model, source: Sequence[Mapping[str, Any]], keys) -> list[dict[str, Any]]:
        out = _write_rows(m, source, keys)
        for row, cells in zip(out, keys, strict=True):
            for pct, (num, den) in _COHORT_PCTS.items():
                if pct in row:
                    row[pct] = m.pct(row[pct], cells[num], cells[den])
        return out

    def write(m: _Model) -> dict[str, Any]:
        out = {**funnel, "total": rows(m, [funnel["total"]], [total])[0]}
        for g in groups:
            if g in funnel:
                out[g] = rows(m, funnel[g], parts[g])
        return out
    return write


def _equality(m: _Model, name: str, rows: Any) -> Writer:
    """Each characteristic's values partition the headline participants and jobs filled (the percentages' base)."""
    _columns(name, rows, {"characteristic", "value", "participants", "participants_pct", "jobs_filled",
                          "jobs_filled_pct"})
    columns = ("participants", "jobs_filled")
    for c in columns:
        if rows and not m.top(c):
            raise DisclosureError(f"'{name}' needs the report's '{c}': its rows add up to it")
    keys = _count_rows(m, name, rows, (name,), columns)
    for characteristic in dict.fromkeys(row["characteristic"] for row in rows):
        members = [k for row, k in zip(rows, keys, strict=True) if row["characteristic"] == characteristic]
        for c in columns:
            m.add_sum(("report", c), [k[c] for k in members])

    def write(m: _Model) -> list[dict[str, Any]]:
        out = _write_rows(m, rows, keys)
        for row, cells in zip(out, keys, strict=True):
            for c in columns:
                row[f"{c}_pct"] = m.pct(row[f"{c}_pct"], cells[c], ("report", c))
        return out
    return write


def _nation_deciles(m: _Model, name: str, rows: Any) -> Writer:
    """A nation's own-index deciles partition its by_decile group (Wales, Scotland)."""
    _columns(name, rows, {"nation", "index", "decile", *_COUNTS, "spend_gbp"})
    keys = _count_rows(m, name, rows, (name,), _COUNTS)
    for nation in dict.fromkeys(row["nation"] for row in rows):
        if nation not in _NATION_GROUPS:
            raise DisclosureError(f"'{name}' has the nation {nation!r}, which has no disclosure rule")
        j = m.decile_row(_NATION_GROUPS[nation])
        if j is not None:
            for c in _COUNTS:
                m.add_sum(("by_decile", j, c), [k[c] for row, k in zip(rows, keys, strict=True)
                                                if row["nation"] == nation])
    return lambda m: _write_rows(m, rows, keys)


def _representation(m: _Model, name: str, section: Any) -> Writer:
    """Groups partition the in-area totals; each is some of by_decile's (or by_quintile's) people.

    Shares and ratios are of hidden counts hidden; populations are published statistics and stay.
    """
    _keys(name, section, {"imd_release", "lsoa_vintage", "grouping", "rows", "participants_in_area",
                          "jobs_filled_in_area", "working_age_population", "numerator", "denominator",
                          "ratio_meaning"})
    rows = section["rows"]
    grouping = section.get("grouping")
    label = {"decile": "imd_decile", "quintile": "imd_quintile"}.get(grouping)
    if label is None:
        raise DisclosureError(f"'{name}' has the grouping {grouping!r}, which has no disclosure rule")
    _columns(name, rows, {label, "participants", "participants_share", "jobs_filled", "jobs_share",
                          "working_age_population", "population_share", "participants_ratio", "jobs_ratio"})
    columns = {"participants": "participants_in_area", "jobs_filled": "jobs_filled_in_area"}
    decile_rep = next((k for k, v in m.report.items() if k in SECTIONS and isinstance(v, Mapping)
                       and v.get("grouping") == "decile" and k != name), None) if grouping == "quintile" else None
    keys = _count_rows(m, name, rows, (name, "rows"), list(columns), derived=decile_rep is not None)
    totals = {c: m.cell((name, total), section[total], name) for c, total in columns.items()}
    for c, total in totals.items():
        m.add_sum(total, [k[c] for k in keys])
        if decile_rep:
            m.add_sum(total, [(decile_rep, columns[c])])
    by_group = {("by_decile" if grouping == "decile" else "by_quintile", i): row.get(label)
                for i, row in enumerate(m.report.get("by_decile" if grouping == "decile" else "by_quintile") or [])}
    source = {group: key for key, group in by_group.items() if group is not None}
    rep_deciles = {row["imd_decile"]: i for i, row in enumerate((m.report.get(decile_rep) or {}).get("rows") or [])}
    for row, cells in zip(rows, keys, strict=True):
        group = row[label]
        for c, key in cells.items():
            if decile_rep:
                parts = [rep_deciles.get(d) for d in (2 * group - 1, 2 * group)]
                if None in parts:
                    raise DisclosureError(f"'{name}' quintile {group} has no decile rows behind it")
                m.add_sum(key, [(decile_rep, "rows", j, c) for j in parts])
            elif group in source:
                section_name, j = source[group]
                m.virtual_cell((name, "outside", group, c), name, (section_name, j, c), key)

    def write(m: _Model) -> dict[str, Any]:
        out_rows = _write_rows(m, rows, keys)
        for row, cells in zip(out_rows, keys, strict=True):
            row["participants_share"] = m.pct(row["participants_share"], cells["participants"],
                                              totals["participants"])
            row["jobs_share"] = m.pct(row["jobs_share"], cells["jobs_filled"], totals["jobs_filled"])
            row["participants_ratio"] = m.pct(row["participants_ratio"], cells["participants"],
                                              totals["participants"])
            row["jobs_ratio"] = m.pct(row["jobs_ratio"], cells["jobs_filled"], totals["jobs_filled"])
        return {**section, "rows": out_rows, **{t: m.shown(totals[c]) for c, t in columns.items()}}
    return write


def _money(m: _Model, name: str, rows: Any) -> Writer:
    """Money only (with labels and yes/no flags): shown in full; a number that is not money is refused."""
    _columns(name, rows, set(_MONEY_LABELS) | {k for row in rows for k in row if _is_money(k)})
    return lambda m: copy.deepcopy(rows)


# Every section of the report and its rule, in the order the model is built (a section's sums may name the cells
# of any section before it). A section with no rule here is refused.
SECTIONS: dict[str, Callable[[_Model, str, Any], Writer]] = {
    "by_decile": _by_decile,
    "by_quintile": _by_quintile,
    "by_quarter": _by_quarter,
    "funnel": _funnel,
    "equality": _equality,
    "nation_deciles": _nation_deciles,
    "representation": _representation,
    "representation_by_quintile": _representation,
    "spend_by_institution": _money,
    "spend_by_category": _money,
    "top_suppliers": _money,
}
# percentage key -> denominator key; its numerator is the counts read by _headline_numerator
PERCENTAGES: dict[str, str] = {
    "conversion_rate_pct": "participants",
    "participants_most_deprived_20_pct": "participants",
    "jobs_filled_most_deprived_20_pct": "jobs_filled",
}
HEADLINE_COUNTS = _COUNTS


def _headline_numerator(m: _Model, key: str) -> Any:
    """The protected count a headline percentage is of, None if the report does not show it."""
    if key == "conversion_rate_pct":
        cell = ("funnel", "total", 0, "starters_with_job")
        return m.shown(cell) if cell in m.values else None
    col = "participants" if key.startswith("participants") else "jobs_filled"
    cells = [("by_decile", m.decile_row(g), col) for g in ("1", "2")]
    if any(c not in m.values for c in cells):
        return SECONDARY_MARK
    shown = [m.shown(c) for c in cells]
    return SECONDARY_MARK if any(is_hidden(v) for v in shown) else sum(shown)


def _build(report: Mapping[str, Any], rule: Rule, withheld: bool) -> tuple[_Model, dict[str, Writer]]:
    m = _Model(report)
    m.rule = rule
    writers = {name: build(m, name, report[name]) for name, build in SECTIONS.items() if name in report}
    for c in HEADLINE_COUNTS:
        if c in report:
            m.cell(("report", c), report[c], "by_decile")
    m.status = protect_cells(m.values, m.equations, rule, derived=frozenset(m.derived),
                             virtual=frozenset(m.virtual),
                             withheld=frozenset(k for k in m.values if k not in m.virtual) if withheld else frozenset())
    return m, writers


def protect_report(report: Mapping[str, Any], rule: Rule = DEFAULT_RULE) -> dict[str, Any]:
    """The report as funders and the public may see it; raises DisclosureError on any figure it cannot vouch for.

    Every count of people in every section is protected together; a report too small to protect has every count
    hidden, zeros too, and names its count sections under disclosure.withheld.
    """
    for key, value in report.items():
        known = (key in SECTIONS or key in PERCENTAGES or key in HEADLINE_COUNTS or key in METADATA_NUMBERS
                 or key == "disclosure" or _is_money(key))
        if not known and (isinstance(value, list | dict | tuple) or
                          (isinstance(value, int | float) and not isinstance(value, bool))):
            raise DisclosureError(f"The report figure '{key}' has no disclosure rule: add it to disclosure.py")
    withheld_before = bool((report.get("disclosure") or {}).get("withheld"))
    try:
        m, writers = _build(report, rule, withheld_before)
        withheld = withheld_before
    except Unprotectable:
        m, writers = _build(report, rule, True)
        withheld = True
    out = dict(report)
    for name, write in writers.items():
        out[name] = write(m)
    for c in HEADLINE_COUNTS:
        if c in report:
            out[c] = m.shown(("report", c))
    for key, denominator in PERCENTAGES.items():
        if key in report:
            if denominator not in out:
                raise DisclosureError(f"The percentage '{key}' has no base '{denominator}' in the report")
            out[key] = protect_percentage(report[key], _headline_numerator(m, key), out[denominator], rule)
    sections = [name for name in writers if any(owner == name for owner in m.owner.values())]
    out["disclosure"] = {"rule": rule.as_dict(), "text": rule.text(), "withheld": sections if withheld else []}
    return out
