"""Place checked rows against the database: initiatives by name or code, people and suppliers on the map.

Postcodes and LSOA codes are looked up in the reference tables (OS Code-Point Open, ONS lookups),
so each row gains its LSOA 2021 and 2011 codes, nation and postcode district.
"""

from collections.abc import Mapping as MappingType

import duckdb
import numpy as np
import pandas as pd

from dashboard import checks, parsing, store
from dashboard.problems import Problem


def place(cur: duckdb.DuckDBPyConnection, network_id: str, kind: str, checked: checks.Checked,
          columns: MappingType[str, str]) -> tuple[list[Problem], list[Problem]]:
    """The place stage: initiatives and locations added to checked.rows; returns problems and notes."""
    typed = checked.rows
    problems = resolve_initiatives(cur, network_id, typed, columns.get("initiative", "initiative"))
    if kind == "participants":
        problems += locate(cur, typed, "home_postcode", "lsoa_code", checked.gave_location, columns)
        initiative = typed["initiative_id"].fillna(typed["initiative"].str.lower())
        repeated = typed["participant_ref"].notna() & pd.DataFrame(
            {"ref": typed["participant_ref"], "initiative": initiative}).duplicated()
        where = columns.get("participant_ref", "participant_ref")
        problems += checks.listed(typed.index[repeated.to_numpy(dtype=bool)], where, lambda r: (
            f"'{typed.at[r, 'participant_ref']}' appears more than once for this initiative"))
    else:
        problems += locate(cur, typed, "supplier_postcode", "supplier_lsoa_code", None, columns)
    notes = []
    for nation in ("Wales", "Scotland", "Northern Ireland"):
        count = int((typed["nation"] == nation).sum())
        if count:
            notes.append(Problem(None, None, f"{count:,} row(s) are located in {nation}: counted and labelled "
                                 f"{nation}, with no English deprivation decile"))
    if kind == "spend":
        unknown = typed["nation"].isna()
        if unknown.any():
            notes.append(Problem(None, None, f"{int(unknown.sum()):,} payment(s) totalling "
                                 f"{checks.money(int(typed.loc[unknown, 'amount_pence'].sum()))} have no supplier "
                                 "postcode or LSOA: each is placed by its supplier (the coordinator's supplier list, "
                                 "else Companies House or the charity registers) when it is known there, else "
                                 "counted as 'location unknown'"))
    return problems, notes


def resolve_initiatives(cur: duckdb.DuckDBPyConnection, network_id: str, typed: pd.DataFrame,
                        where: str) -> list[Problem]:
    """Add initiative_id to rows naming an initiative by its name or id; unknown ones are problems."""
    initiatives = store.run(cur, "network_initiatives", network_id=network_id)
    lookup = {**{n.lower(): i for n, i in zip(initiatives["name"], initiatives["initiative_id"], strict=True)},
              **{i.lower(): i for i in initiatives["initiative_id"]}}
    raw = typed["initiative"]
    # Read once per distinct cell: most files name a handful of initiatives, or none.
    typed["initiative_id"] = parsing.per_distinct(raw, lambda cells: (cells.str.lower().map(lookup).astype("str"),))[0]
    unknown = (raw.notna() & typed["initiative_id"].isna()).to_numpy(dtype=bool)
    names = ", ".join(f"'{n}'" for n in initiatives["name"]) or "none defined"
    return checks.listed(typed.index[unknown], where, lambda r: (
        f"'{raw[r]}' is not an initiative of this network ({names})"))


def locate(cur: duckdb.DuckDBPyConnection, typed: pd.DataFrame, postcode_col: str, lsoa_col: str,
           required: pd.Series | None, columns: MappingType[str, str]) -> list[Problem]:
    """Add lsoa21_code, lsoa11_code, nation and postcode_district from the reference tables.

    required, when given, marks the rows that gave a location at all; the others are a problem.
    """
    postcode, lsoa = typed[postcode_col], typed[lsoa_col]
    cur.register("postcode_input", pd.DataFrame({"postcode": postcode.dropna().unique()}, dtype=str))
    by_postcode = store.run(cur, "postcode_lookup").set_index("postcode")
    cur.register("lsoa_input", pd.DataFrame({"lsoa21_code": lsoa.dropna().unique()}, dtype=str))
    by_lsoa = store.run(cur, "lsoa21_lookup").set_index("lsoa21_code")
    # A row's place depends on its postcode and LSOA alone, and few pairs repeat down a file: each pair is placed
    # once, at the row where it first appears, and every row takes its pair's answers.
    pair, first = _pairs(postcode, lsoa)
    postcode_once, lsoa_once = postcode.iloc[first], lsoa.iloc[first]
    # Positions in the lookups (-1: not found), found once and used for every column taken from them.
    at_postcode = by_postcode.index.get_indexer(postcode_once)
    at_lsoa = by_lsoa.index.get_indexer(lsoa_once)
    has_postcode = postcode_once.notna().to_numpy()
    known = at_postcode >= 0
    by_code = ~has_postcode & lsoa_once.notna().to_numpy()
    ireland = has_postcode & postcode_once.str.startswith("BT").fillna(False).to_numpy(dtype=bool) & ~known

    def pick(table: pd.DataFrame, column: str, at: np.ndarray) -> np.ndarray:
        # A trailing None makes position -1 (not found) pick nothing.
        return np.append(table[column].to_numpy(dtype=object), None)[at]

    def take(column: str, from_lsoa: np.ndarray) -> pd.Series:
        values = np.where(by_code, from_lsoa, pick(by_postcode, column, at_postcode))
        return pd.Series(values, dtype="str")

    def every_row(once: pd.Series) -> pd.Series:
        return pd.Series(once.array.take(pair), index=typed.index)

    typed["postcode_district"] = every_row(postcode_once.str.replace(r" .*", "", regex=True))
    typed["lsoa21_code"] = every_row(take("lsoa21_code", lsoa_once.to_numpy(dtype=object)))
    typed["lsoa11_code"] = every_row(take("lsoa11_code", pick(by_lsoa, "lsoa11_code", at_lsoa)))
    nation = take("nation", pick(by_lsoa, "nation", at_lsoa))
    typed["nation"] = every_row(nation.mask(ireland, "Northern Ireland"))
    has_postcode, known, by_code, ireland, at_lsoa = (has_postcode[pair], known[pair], by_code[pair], ireland[pair],
                                                      at_lsoa[pair])
    where_postcode = columns.get(postcode_col, postcode_col)
    problems = checks.listed(typed.index[has_postcode & ~known & ~ireland], where_postcode,
                       lambda r: f"{postcode[r]} is not a current postcode in OS Code-Point Open")
    problems += checks.listed(typed.index[by_code & (at_lsoa < 0)],
                        columns.get(lsoa_col, lsoa_col), lambda r: f"{lsoa[r]} is not an LSOA 2021 code")
    if required is not None:
        problems += checks.listed(typed.index[(~required).to_numpy(dtype=bool)], where_postcode,
                            lambda r: f"give a postcode or an {lsoa_col}")
    return problems


def _pairs(postcode: pd.Series, lsoa: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's (postcode, LSOA) pair as a number from 0 in order of first appearance, and the first row of each
    pair; a missing value is a value like any other."""
    postcode_code = postcode.factorize(use_na_sentinel=False)[0]
    lsoa_code, lsoa_distinct = lsoa.factorize(use_na_sentinel=False)
    pair, distinct = pd.factorize(postcode_code.astype(np.int64) * max(len(lsoa_distinct), 1) + lsoa_code)
    first = np.zeros(len(distinct), dtype=np.int64)
    first[pair[::-1]] = np.arange(len(pair) - 1, -1, -1)
    return pair, first
