"""The funder as attacker: on a random small network, ask for every period, initiative and institution through
the product's one door for figures (reports.view), then try to pin down any count of 1 to 4 people.

The attacker knows how the figures are protected (the methodology says so) and uses every answer at once: an
integer program (scipy's HiGHS) holding every answer finds the least and greatest value every small count can
take given all of them together. That covers differencing nested and
overlapping periods, adding quarters up and subtracting initiatives, institutions or deciles from a total, and any
mixture of them. A count is pinned down when only one value is left.

Written independently of dashboard.disclosure: the world's exact counts are worked out here from the people.
"""

import itertools
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csc_array

from dashboard import access, figures, parsing, reports, store, summaries
from tests import tiny

INITIATIVES = ("h2h", "ican")
INSTITUTIONS = ("trust", "council")
# tests/data/tiny's LSOAs and their IoD2025 deciles; None is a person with no known address.
PLACES = {"E01000001": "1", "E01000002": "2", "E01000005": "3", "E01000003": "10", None: "unknown"}
GROUPS = tuple(dict.fromkeys(PLACES.values()))
MEASURES = {"participants": "start", "completions": "completion", "jobs_filled": "job",
            # The cohort's: people who started in the quarters and have a job start (some of the participants).
            "starters_with_job": "start"}
COUNTS = ("participants", "completions", "jobs_filled")
# A count never shown but worked out as one shown count less another: starters who have no job.
WITHOUT_JOB = "starters_without_job"
FUNDER = access.Scope("funder@attack.example", "funder", grants=frozenset({("tiny", None)}))
BASE_HALF = 2  # a rounded running total of base 5 is the exact one to within 2 (the method, as published)


@dataclass(frozen=True)
class Person:
    initiative: str
    institution: str
    lsoa: str | None
    start: int             # index of the quarter
    completion: int | None
    job: int | None


@dataclass(frozen=True)
class Answer:
    """One count a reader was shown: of which people (measure, filter, groups) over which quarters."""

    measure: str
    initiatives: tuple[str, ...]
    institutions: tuple[str, ...]
    groups: tuple[str, ...]
    quarters: tuple[int, ...]
    shown: int | str


def quarters(n: int, first: str = "2025Q1") -> list[str]:
    return [parsing.shift_quarter(first, i) for i in range(n)]


def build(template: Path, path: Path, people: Iterable[Person], n_quarters: int) -> Path:
    """A copy of the tiny network holding these people, one active participants submission per institution."""
    shutil.copyfile(template, path)
    names = quarters(n_quarters)

    def day(index: int | None) -> str | None:
        return None if index is None else parsing.quarter_bounds(names[index])[0].replace(day=15).isoformat()

    rows = [{"submission_id": 1000 + INSTITUTIONS.index(p.institution), "network_id": "tiny",
             "institution_id": p.institution, "initiative_id": p.initiative, "participant_ref": f"P{i}",
             "lsoa21_code": p.lsoa, "lsoa11_code": None, "postcode_district": None,
             "nation": "England" if p.lsoa else None, "start_date": day(p.start),
             "completion_date": day(p.completion), "job_start_date": day(p.job)} for i, p in enumerate(people)]
    with store.connect(path) as con:
        cur = con.cursor()
        for k, institution in enumerate(INSTITUTIONS):
            cur.execute("insert into submission (submission_id, network_id, institution_id, kind, quarter, "
                        "file_name, sha256, submitted_by, submitted_at, row_count, status) values "
                        "(?, 'tiny', ?, 'participants', ?, 'attack.csv', ?, 'attack', now(), 0, 'active')",
                        [1000 + k, institution, names[0], f"{k:064d}"])
        if rows:
            cur.register("attack_rows", pd.DataFrame(rows))
            cur.execute("insert into participant by name select * replace (cast(start_date as date) as start_date, "
                        "cast(completion_date as date) as completion_date, "
                        "cast(job_start_date as date) as job_start_date) from attack_rows")
        summaries.rebuild(cur, ["tiny"])  # as a commit writes them
    return path


def tiny_template(directory: Path) -> Path:
    return tiny.build(directory / "tiny_template.duckdb")


def filters(institutions: bool = True, crossed: bool = False) -> list[tuple[str | None, str | None]]:
    """(initiative, institution) selections a funder of the whole network may ask for."""
    out = [(None, None), *((i, None) for i in INITIATIVES)]
    if institutions:
        out += [(None, k) for k in INSTITUTIONS]
    if crossed:
        out += list(itertools.product(INITIATIVES, INSTITUTIONS))
    return out


def ask(path: Path, n_quarters: int, selections: list[tuple[str | None, str | None]]) -> list[Answer]:
    """Every count of people the funder is shown, over every contiguous range of quarters and every filter."""
    names = quarters(n_quarters)
    answers = []
    with store.connect(path) as con:
        cur = con.cursor()
        for (a, b), (initiative, institution) in itertools.product(
                itertools.combinations_with_replacement(range(n_quarters), 2), selections):
            doc = reports.view(cur, FUNDER, figures.Selection("tiny", names[a], names[b], initiative, institution))
            answers += list(_answers(doc, initiative, institution, range(a, b + 1), names))
    return answers


def _answers(doc: dict, initiative: str | None, institution: str | None, span: range,
             names: list[str]) -> Iterator[Answer]:
    inits = (initiative,) if initiative else INITIATIVES
    insts = (institution,) if institution else INSTITUTIONS
    period = tuple(span)

    def answer(measure, groups, quarters_, shown, insts_=insts):
        return Answer(measure, inits, insts_, tuple(groups), tuple(quarters_), shown)

    for m in COUNTS:
        yield answer(m, GROUPS, period, doc[m])
        for row in doc["by_decile"]:
            if row["group"] in GROUPS:
                yield answer(m, [row["group"]], period, row[m])
        for row in doc["by_quintile"]:
            groups = [str(d) for d in row["imd_deciles"]] if row.get("imd_quintile") else [row["group"]]
            if any(g in GROUPS for g in groups):
                yield answer(m, [g for g in groups if g in GROUPS], period, row[m])
        for row in doc["by_quarter"]:
            q = names.index(row["quarter"])
            yield answer(m, GROUPS, [q], row[m])
            yield answer(m, GROUPS, range(q + 1), row[f"cumulative_{m}"])
    funnel = doc["funnel"]
    for measure, field in (("participants", "starters"), ("starters_with_job", "starters_with_job")):
        yield answer(measure, GROUPS, period, funnel["total"][field])
        for row in funnel["by_decile"]:
            if row["group"] in GROUPS:
                yield answer(measure, [row["group"]], period, row[field])
        for row in funnel["by_institution"]:
            yield answer(measure, GROUPS, period, row[field], insts_=(row["institution_id"],))
        for row in funnel["by_start_quarter"]:
            yield answer(measure, GROUPS, [names.index(row["start_quarter"])], row[field])


def exact(people: Iterable[Person], answer: Answer) -> int:
    """The true count of an answer's people, worked out from the people themselves."""
    field = MEASURES.get(answer.measure, "start")
    job = {"starters_with_job": True, WITHOUT_JOB: False}.get(answer.measure)
    return sum(1 for p in people if getattr(p, field) in answer.quarters and p.initiative in answer.initiatives
               and p.institution in answer.institutions and PLACES[p.lsoa] in answer.groups
               and (job is None or (p.job is not None) == job))


class Attacker:
    """Integer unknowns, as the published method describes the figures: for each finest cell (measure,
    initiative, institution, place) and quarter, the exact running total C and its rounded value B = 5k, with
    C - 2 <= B <= C + 2 and C never falling. Each shown count is the sum over its cells of B at the period's end
    minus B at the end of the quarter before; '<5' is a sum of 0 over cells holding someone at some time; 0 is
    cells holding no one at any time."""

    def __init__(self, answers: list[Answer], n_quarters: int, half: int = BASE_HALF) -> None:
        self.n_quarters = n_quarters
        self.scale = 5 if half else 1  # exact figures: B = C
        self.cells = list(itertools.product(MEASURES, INITIATIVES, INSTITUTIONS, GROUPS))
        self.index = {c: i for i, c in enumerate(self.cells)}
        self.size = len(self.cells) * n_quarters
        rows, lows, highs = [], [], []

        def add(row, low, high):
            rows.append(row)
            lows.append(low)
            highs.append(high)

        for i in range(len(self.cells)):
            for t in range(n_quarters):
                rounding = np.zeros(2 * self.size)
                rounding[self.var(i, t)] = 1
                rounding[self.size + self.var(i, t)] = -self.scale
                add(rounding, -half, half)
                if t:
                    growth = np.zeros(2 * self.size)
                    growth[self.var(i, t)], growth[self.var(i, t - 1)] = 1, -1
                    add(growth, 0, np.inf)
        # Starters with a job are some of the participants (same start quarter): never more, and the others (without
        # a job) a running total that never falls either.
        for _, i, k, g in self.cells:
            part, job = self.index[("participants", i, k, g)], self.index[("starters_with_job", i, k, g)]
            for t in range(n_quarters):
                nested = np.zeros(2 * self.size)
                nested[self.var(part, t)], nested[self.var(job, t)] = 1, -1
                add(nested, 0, np.inf)
                if t:
                    others = nested.copy()
                    others[self.var(part, t - 1)], others[self.var(job, t - 1)] = -1, 1
                    add(others, 0, np.inf)
        for answer in answers:
            cells = self.cells_of(answer)
            ever = np.zeros(2 * self.size)
            for i in cells:
                ever[self.var(i, n_quarters - 1)] = 1
            if answer.shown == 0:
                add(ever, 0, 0)
                continue
            if isinstance(answer.shown, str):
                add(ever, 1, np.inf)
            add(self.period(cells, answer.quarters, rounded=True), 0 if isinstance(answer.shown, str) else answer.shown,
                0 if isinstance(answer.shown, str) else answer.shown)
        # Sparse once, not converted again for each of the many programs.
        self.constraint = LinearConstraint(csc_array(np.array(rows)), np.array(lows), np.array(highs))

    def var(self, cell: int, quarter: int) -> int:
        return cell * self.n_quarters + quarter

    def cells_of(self, answer: Answer) -> list[int]:
        return [self.index[c] for c in itertools.product([answer.measure], answer.initiatives, answer.institutions,
                                                          answer.groups)]

    def period(self, cells: list[int], quarters: tuple[int, ...], rounded: bool = False) -> np.ndarray:
        """The sum over cells of the running total at the period's end less that before it (C, or B if rounded)."""
        out = np.zeros(2 * self.size)
        offset = self.size if rounded else 0
        for i in cells:
            out[offset + self.var(i, quarters[-1])] += self.scale if rounded else 1
            if quarters[0] > 0:
                out[offset + self.var(i, quarters[0] - 1)] -= self.scale if rounded else 1
        return out

    def range_of(self, target: Answer) -> tuple[int, int]:
        """The least and greatest whole number of people the target can hold, given every answer."""
        if target.measure == WITHOUT_JOB:
            def of(measure):
                return self.period(self.cells_of(Answer(measure, *astuple(target)[1:])), target.quarters)
            c = of("participants") - of("starters_with_job")
        else:
            c = self.period(self.cells_of(target), target.quarters)
        found = []
        for sign in (1, -1):
            result = milp(sign * c, constraints=[self.constraint], integrality=np.ones(len(c)),
                          bounds=Bounds(0, np.inf))
            if result.status != 0:
                raise AssertionError(f"the attacker's program failed: {result.message}")
            found.append(round(sign * result.fun))
        return found[0], found[1]


def small_targets(people: list[Person], answers: list[Answer], n_quarters: int) -> list[tuple[Answer, int]]:
    """Every count of 1 to 4 people the funder might want: the people of any answer, and each measure's people of
    one initiative, institution and group, over any contiguous range of quarters."""
    shapes = {(a.measure, a.initiatives, a.institutions, a.groups) for a in answers}
    shapes |= {(m, (i,), (k,), (g,)) for m, i, k, g in itertools.product(MEASURES, INITIATIVES, INSTITUTIONS, GROUPS)}
    shapes |= {(WITHOUT_JOB, *shape[1:]) for shape in shapes if shape[0] == "starters_with_job"}
    out = []
    for shape, (a, b) in itertools.product(sorted(shapes),
                                           itertools.combinations_with_replacement(range(n_quarters), 2)):
        target = Answer(*shape, tuple(range(a, b + 1)), "")
        count = exact(people, target)
        if 1 <= count <= 4:
            out.append((target, count))
    return out


def pinned(people: list[Person], answers: list[Answer], n_quarters: int, half: int = BASE_HALF) -> list[str]:
    """The small counts the attacker pins down, described; [] when none. half: how far a shown running total
    may be from the exact one (0 for exact figures)."""
    attacker = Attacker(answers, n_quarters, half)
    found = []
    for target, count in small_targets(people, answers, n_quarters):
        low, high = attacker.range_of(target)
        assert low <= count <= high, f"the attacker ruled out the truth for {target}: {low}..{high}, true {count}"
        if low == high:
            found.append(f"{target.measure} of {target.initiatives}/{target.institutions}, groups {target.groups}, "
                         f"quarters {target.quarters}: exactly {count}")
    return found
