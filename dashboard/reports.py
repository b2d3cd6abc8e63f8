"""Everything the pages show for a selection, in one JSON document: what `report --json` prints.

view() is the one door to figures: it checks the reader's scope and, for funders and the public,
applies the network's disclosure rule to the whole document before anything leaves the core.
"""

from collections.abc import Callable, Iterable
from typing import Any

import duckdb

from dashboard import access, breakdowns, deprivation, disclosure, figures, networks, store, summaries, targets

# Each section the pages draw, and the core function that makes it. A page reads only the sections it shows.
SECTIONS: dict[str, Callable[[duckdb.DuckDBPyConnection, figures.Selection], Any]] = {
    "by_quarter": breakdowns.by_quarter,
    "funnel": breakdowns.funnel,
    "equality": breakdowns.equality,
    "spend_by_institution": breakdowns.spend_by_institution,
    "spend_by_category": breakdowns.spend_by_category,
    "top_suppliers": breakdowns.top_suppliers,
    "spend_by_source": breakdowns.spend_by_source,
    "nation_deciles": deprivation.nation_deciles,
    "representation": deprivation.representation,
    "representation_by_quintile": lambda con, sel: deprivation.representation(con, sel, "quintile"),
}
# The targets' progress: asked of view() like a section, but read as the reader may see each target's own quarters.
TARGETS = "targets"
ALL_SECTIONS = (*SECTIONS, TARGETS)


def full(con: duckdb.DuckDBPyConnection, selection: figures.Selection,
         sections: Iterable[str] = tuple(SECTIONS)) -> dict[str, Any]:
    """figures.report for the selection plus the chosen sections (all by default) and the quintile fold; exact."""
    result = figures.report(con, selection)
    result["by_quintile"] = deprivation.quintiles(result["by_decile"])
    wanted = list(sections)
    for name in wanted:
        if name not in SECTIONS:
            raise ValueError(f"Unknown report section '{name}': use one of {', '.join(SECTIONS)}")
    for name in wanted:
        if name not in result:
            result[name] = SECTIONS[name](con, selection)
    return result


def is_exact(scope: access.Scope, selection: figures.Selection) -> bool:
    """Whether this reader sees the selection's exact figures (else disclosure-controlled ones)."""
    return access.exact_figures(scope, selection.network_id, selection.institution_id)


def view(con: duckdb.DuckDBPyConnection, scope: access.Scope, selection: figures.Selection,
         sections: Iterable[str] = tuple(SECTIONS)) -> dict[str, Any]:
    """full() as this reader may see it: Denied outside their scope; disclosure-controlled unless exact_figures.

    A disclosure-controlled reader gets the protected document's headline and the sections asked for. Each count
    in it depends only on the network's cells and the selection, never on which other sections were asked for,
    so every page, tab, download and export of a selection shows the same counts.
    """
    access.require_read(scope, selection.network_id, selection.institution_id, selection.initiative_id)
    wanted = set(sections)
    parts = [name for name in sections if name != TARGETS]
    result = full(con, selection, parts) if is_exact(scope, selection) else protected(con, selection, parts)
    if TARGETS in wanted:
        result[TARGETS] = target_progress(con, scope, selection)
    return result


def target_progress(con: duckdb.DuckDBPyConnection, scope: access.Scope,
                    selection: figures.Selection) -> list[dict[str, Any]]:
    """The progress of the selection's targets (the network's and its initiatives', or one initiative's; none for
    one institution), each figure read through view() for the target's own quarters, so a funder's is the
    disclosure-controlled one. A target of what this reader may not see is left out."""
    if selection.institution_id is not None:
        return []
    span = figures.data_quarters(con, selection.network_id)
    year_start = networks.year_start(con, selection.network_id)

    def figures_for(first: str, last: str, initiative_id: str | None) -> dict[str, Any]:
        return view(con, scope, figures.Selection(selection.network_id, first, last, initiative_id=initiative_id,
                                                  imd_release=selection.imd_release), ())

    shown = []
    for target in networks.network_targets(con, selection.network_id):
        if selection.initiative_id is not None and target.initiative_id != selection.initiative_id:
            continue
        if not access.can_read(scope, selection.network_id, None, target.initiative_id):
            continue
        shown.append(targets.progress(target, span[1] if span else None, year_start, figures_for))
    return shown


def protected(con: duckdb.DuckDBPyConnection, selection: figures.Selection,
              sections: Iterable[str] = tuple(SECTIONS)) -> dict[str, Any]:
    """full() with the chosen sections (all by default) under the network's disclosure rule: every count of people
    a sum of the network's finest cells' rounded running totals. Checks no scope: view() is the door for readers.

    What is withheld (equality monitoring) is always named, whichever sections were asked for."""
    wanted = list(sections)
    report = full(con, selection, wanted)
    report.update({name: SECTIONS[name](con, selection) for name in disclosure.WITHHELD if name not in report})
    out = disclosure.protect_report(report, _cells(con, selection))
    return {key: value for key, value in out.items() if key not in SECTIONS or key in wanted}


def _cells(con: duckdb.DuckDBPyConnection, selection: figures.Selection) -> disclosure.Cells:
    """The network's disclosure cells, read once for every page, section and selection until its figures change."""
    rule = networks.disclosure_rule(con, selection.network_id)

    def read() -> disclosure.Cells:
        rows = store.run(con, "disclosure_cells", network_id=selection.network_id, imd_release=selection.imd_release)
        return disclosure.Cells(rows, rule)

    return summaries.kept(con, selection.network_id, ("disclosure cells", selection.imd_release, rule), read)


def section(con: duckdb.DuckDBPyConnection, scope: access.Scope, selection: figures.Selection, name: str) -> Any:
    """One section as this reader may see it, read on its own (a page reads the parts it shows, one by one):
    exact, or for a disclosure-controlled reader the same section as in their whole protected document."""
    access.require_read(scope, selection.network_id, selection.institution_id, selection.initiative_id)
    if name not in SECTIONS:
        raise ValueError(f"Unknown report section '{name}': use one of {', '.join(SECTIONS)}")
    if is_exact(scope, selection):
        return SECTIONS[name](con, selection)
    # The selection's own fields are all the protection reads of the document besides the section.
    alone = {**figures.selection_dict(selection), name: SECTIONS[name](con, selection)}
    return disclosure.protect_report(alone, _cells(con, selection))[name]
