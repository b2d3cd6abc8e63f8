"""Suppliers to classify: give a location to the suppliers whose spend cannot be placed on the map yet."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import ingest, matching, registers, suppliers
from dashboard.ui import cache, session, widgets
from dashboard.ui import formatting as fmt

PAGE = "suppliers"
SHOWN = 200  # the largest suppliers; the rest follow once these are done
PROPOSALS_SHOWN = 10  # suppliers with proposed register matches shown at once, largest spend first
EDITABLE = ["supplier_id", "supplier_postcode", "supplier_lsoa_code", "is_sme", "is_vcse"]
LABELS = {"supplier_name": "Supplier", "supplier_id": "Company/charity no.", "spend_gbp": "Spend £",
          "payments": "Payments", "supplier_postcode": "Postcode", "supplier_lsoa_code": "LSOA 2021 code",
          "is_sme": "SME", "is_vcse": "VCSE"}
FLAG_OPTIONS = ["Yes", "No"]


def problem_table(problems: list[ingest.Problem], names: list[str] | None = None) -> pd.DataFrame:
    """Problems for display: the row as the user sees it, the supplier, the column's label, the message."""
    return pd.DataFrame({
        "Row": [p.row for p in problems],
        **({"Supplier": [names[p.row - 1] if p.row else "" for p in problems]} if names else {}),
        "Column": [LABELS.get(p.column, p.column or "") for p in problems],
        "Problem": [p.message for p in problems],
    }).astype({"Row": "Int64"})


def changed(edited: pd.DataFrame, original: pd.DataFrame) -> pd.Series:
    """The rows the user filled in: any new cell, or a changed identifier."""
    def text(frame: pd.DataFrame, column: str) -> pd.Series:
        return frame[column].fillna("").astype(str).str.strip()

    return (text(edited, "supplier_id") != text(original, "supplier_id")) | pd.concat(
        [text(edited, c) != "" for c in EDITABLE if c != "supplier_id"], axis=1).any(axis=1)


def show_coverage(coverage: dict | None, before: float | None) -> None:
    """The share of spend with a known location, with the change since the last save on this page."""
    if coverage is None:
        st.info("No spend has been uploaded for this network yet.", icon=":material/hourglass_empty:")
        st.stop()
    known, unknown = st.columns(2)
    after = coverage["spend_known_location_pct"]
    delta = fmt.signed_points(after - before) if before is not None and after is not None else None
    known.metric("Spend with a known location", fmt.pct(after), delta, border=True,
                 delta_description=f"from {fmt.pct(before)} before your last save" if delta else None,
                 help="Share of all the network's spend, every quarter, whose supplier has a known location.")
    unknown.metric("Spend with no known location", fmt.money_short(coverage["spend_unknown_location_gbp"]),
                   border=True, help=f"{fmt.money(coverage['spend_unknown_location_gbp'])} of "
                   f"{fmt.money(coverage['spend_total_gbp'])}: it counts in every total but cannot be local "
                   "or have a decile until its supplier has a location.")


network = widgets.network_picker(PAGE)
if network is None:
    st.stop()
BEFORE_KEY = f"_{PAGE}_before_{network.network_id}"
DONE_KEY = f"_{PAGE}_done"

st.title("Suppliers to classify")
st.markdown(f"#### {network.name}")
st.caption("Payments exported without a supplier postcode cannot be placed in an area. Give each supplier's "
           "business postcode once here and every payment to it, past and future, is placed by it.")
if DONE_KEY in st.session_state:
    st.success(st.session_state.pop(DONE_KEY), icon=":material/check_circle:")

show_coverage(cache.spend_coverage(network.network_id), st.session_state.get(BEFORE_KEY))

scope = session.scope()
updated_by = scope.actor  # recorded against every supplier saved

def show_proposals(network_id: str) -> None:
    """Proposed register matches, one click to confirm or reject each; never used until confirmed."""
    loaded = cache.registers_loaded()
    st.subheader("Proposed matches from the official registers")
    if not loaded:
        st.caption("No official registers are loaded, so suppliers are not matched to Companies House or the "
                   "charity registers. An administrator loads them with `python -m dashboard registers fetch` "
                   "(or `registers load FILE`).")
        return
    names = [f"{item['title']} of {fmt.long_date(dt.date.fromisoformat(item['release_date']))}"
             + (" (synthetic demo data)" if item["synthetic"] else "") for item in loaded]
    st.caption("Registers loaded: " + "; ".join(names) + ". A supplier whose name is exactly one register entry's "
               "is placed by it automatically; these are near or shared names, used only once you confirm them. "
               "The place is the registered office (or the charity's contact address).")
    proposals = cache.register_proposals(network_id)
    if proposals.empty:
        st.caption("No proposed matches are waiting.")
        return
    keys = list(dict.fromkeys(proposals["supplier_key"]))
    st.caption(f"{len(keys):,} suppliers with proposed matches, largest spend first"
               + (f" (the {PROPOSALS_SHOWN} largest shown)" if len(keys) > PROPOSALS_SHOWN else "") + ".")
    for n, key in enumerate(keys[:PROPOSALS_SHOWN]):
        rows = proposals[proposals["supplier_key"] == key]
        first = rows.iloc[0]
        with st.container(border=True, key=f"{PAGE}_proposal_{n}"):
            st.markdown(f"**{fmt.plain(first['supplier_name'])}** · {fmt.money(first['spend_gbp'])} in "
                        f"{int(first['payments']):,} payment{'s' if first['payments'] != 1 else ''} with no location")
            for m, row in enumerate(rows.itertuples()):
                text, confirm, reject = st.columns([6, 1, 1], vertical_alignment="center")
                where = ", ".join(str(v) for v in (row.address, row.postcode) if isinstance(v, str) and v)
                text.markdown(
                    f"{fmt.plain(row.entity_name)} — {registers.TITLES.get(row.register, row.register)} "
                    f"{row.entity_id}, {fmt.plain(row.entity_status or 'status not given')}"
                    f"{', ' + fmt.plain(row.legal_form) if isinstance(row.legal_form, str) else ''}  \n"
                    f":small[{fmt.plain(where) or 'no address'} · match: {row.method}, score {row.score:.0f}/100]")
                for column, decision, label, icon in ((confirm, "confirmed", "Confirm", ":material/check:"),
                                                      (reject, "rejected", "Reject", ":material/close:")):
                    if column.button(label, key=f"{PAGE}_{decision}_{n}_{m}", icon=icon,
                                     help=f"{label} that '{first['supplier_name']}' is {row.entity_name} "
                                          f"({row.entity_id})"):
                        before = cache.spend_coverage(network_id)["spend_known_location_pct"]
                        matching.decide(network_id, key, row.register, row.entity_id, decision, scope=session.scope())
                        st.session_state[BEFORE_KEY] = before
                        st.session_state[DONE_KEY] = (
                            f"**{label}ed:** '{first['supplier_name']}' is {'' if decision == 'confirmed' else 'not '}"
                            f"{row.entity_name} ({row.entity_id})." + (" Its spend is placed by the register entry "
                                                                      "on every page." if decision == "confirmed"
                                                                      else ""))
                        cache.clear()
                        st.rerun()


show_proposals(network.network_id)

st.subheader("Suppliers with no known location")
unclassified_df = cache.unclassified_suppliers(network.network_id)
if unclassified_df.empty:
    st.success("**Every supplier with spend has a location.**", icon=":material/task_alt:")
else:
    shown = unclassified_df.head(SHOWN)
    st.caption(f"{len(unclassified_df):,} suppliers, largest spend first"
               + (f" (the {SHOWN} largest shown)" if len(unclassified_df) > SHOWN else "")
               + ". Fill in a postcode (or an LSOA 2021 code), and SME and VCSE if you know them, then Save.")
    table = pd.DataFrame({
        "supplier_name": shown["supplier_name"].astype(object),
        "supplier_id": shown["supplier_id"].astype(object).where(shown["supplier_id"].notna(), None),
        "spend_gbp": shown["spend_gbp"].astype(float),
        "payments": shown["payments"].astype(int),
        "supplier_postcode": None, "supplier_lsoa_code": None, "is_sme": None, "is_vcse": None,
    }).astype({c: object for c in EDITABLE}).reset_index(drop=True)
    table.index = table.index + 1
    edited = st.data_editor(
        table, key=f"{PAGE}_editor", num_rows="fixed", disabled=["supplier_name", "spend_gbp", "payments"],
        placeholder="",
        column_config={
            "_index": st.column_config.NumberColumn("Row", format="%d", width=50),
            "supplier_name": st.column_config.TextColumn(LABELS["supplier_name"], width=300),
            "supplier_id": st.column_config.TextColumn(LABELS["supplier_id"], width=165,
                                                       help="Companies House or charity number, if known."),
            "spend_gbp": st.column_config.NumberColumn(LABELS["spend_gbp"], format="£%.2f", width=120,
                                                       help="All the network's payments to it, every quarter."),
            "payments": st.column_config.NumberColumn(LABELS["payments"], format="%d", width=85),
            "supplier_postcode": st.column_config.TextColumn(LABELS["supplier_postcode"], width=110,
                                                             help="The supplier's business postcode."),
            "supplier_lsoa_code": st.column_config.TextColumn(LABELS["supplier_lsoa_code"], width=130,
                                                              help="Instead of a postcode, if that is what you have."),
            "is_sme": st.column_config.SelectboxColumn(LABELS["is_sme"], options=FLAG_OPTIONS, width=75,
                                                       help="Small or medium-sized enterprise."),
            "is_vcse": st.column_config.SelectboxColumn(LABELS["is_vcse"], options=FLAG_OPTIONS, width=75,
                                                        help="Voluntary, community or social enterprise."),
        })
    filled = edited[changed(edited, table)]
    save = st.button(f"Save {len(filled)} supplier{'s' if len(filled) != 1 else ''}" if len(filled) else "Save",
                     key=f"{PAGE}_save", type="primary", disabled=filled.empty,
                     icon=":material/save:")
    if filled.empty:
        st.caption("Nothing to save yet: fill in at least one supplier's postcode.")
    if save:
        rows = filled[["supplier_name", *EDITABLE]]
        try:
            summary = suppliers.upsert(network.network_id, rows.reset_index(drop=True), updated_by,
                                       source="the table", scope=scope)
        except ingest.IngestError as exc:
            # upsert numbers the saved rows 2, 3, ...: map them back to the rows of the table above.
            positions = list(rows.index)
            problems = [ingest.Problem(positions[p.row - 2] if p.row else None, p.column, p.message)
                        for p in exc.problems]
            st.error(f"**Nothing was saved.** {len(problems)} problem{'s' if len(problems) != 1 else ''} "
                     "to fix in the table above:", icon=":material/error:")
            st.dataframe(problem_table(problems, list(table["supplier_name"])), hide_index=True,
                         key=f"{PAGE}_problems")
        else:
            st.session_state[BEFORE_KEY] = cache.spend_coverage(network.network_id)["spend_known_location_pct"]
            st.session_state[DONE_KEY] = (f"**Saved {summary.rows} supplier{'s' if summary.rows != 1 else ''}** "
                                          f"({summary.added} new, {summary.updated} updated). The figures on every "
                                          "page now place their spend.")
            del st.session_state[f"{PAGE}_editor"]
            cache.clear()
            st.rerun()

st.subheader("Upload a supplier list")
st.caption("A CSV or Excel file with one row per supplier: a supplier already in the register is replaced by "
           "the new row. Nothing is saved unless every row is right.")
with st.expander("Columns of the supplier list"):
    st.table(pd.DataFrame([{"column": c.name, "required": "yes" if c.required else "no",
                            "description": c.description, "example": c.example} for c in suppliers.COLUMNS]),
             hide_index=True)
    st.download_button("Blank supplier list (CSV)", (",".join(c.name for c in suppliers.COLUMNS) + "\n").encode(),
                       file_name="supplier_list.csv", mime="text/csv", key=f"{PAGE}_template",
                       icon=":material/download:")
upload = st.file_uploader("Supplier list", type=["csv", "xlsx", "xls"], key=f"{PAGE}_file",
                          max_upload_size=ingest.MAX_FILE_BYTES // 2**20,
                          help=f"CSV or Excel, up to {ingest.MAX_FILE_BYTES // 2**20} MB.")
if upload is not None:
    if st.button("Add to the register", key=f"{PAGE}_load", icon=":material/upload:"):
        try:
            summary = suppliers.load_file(network.network_id, upload.getvalue(), upload.name, updated_by,
                                          scope=scope)
        except ingest.IngestError as exc:
            st.error(f"**Nothing was saved.** {len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} "
                     "in the file (rows numbered as in the spreadsheet):", icon=":material/error:")
            st.dataframe(problem_table(exc.problems), hide_index=True, key=f"{PAGE}_file_problems")
        else:
            st.session_state[BEFORE_KEY] = cache.spend_coverage(network.network_id)["spend_known_location_pct"]
            st.session_state[DONE_KEY] = (f"**Added the supplier list:** {summary.added} new and {summary.updated} "
                                          "updated suppliers. The figures on every page now place their spend.")
            cache.clear()
            st.rerun()

st.subheader("The supplier register")
register_df = cache.supplier_register(network.network_id)
if register_df.empty:
    st.caption("The register is empty.")
else:
    st.dataframe(register_df[["supplier_name", "supplier_id", "supplier_postcode", "lsoa21_code", "nation", "is_sme",
                              "is_vcse", "updated_at", "updated_by"]],
                 hide_index=True, key=f"{PAGE}_register", placeholder="–",
                 column_config={
                     **{name: label for name, label in LABELS.items() if name in register_df.columns},
                     "lsoa21_code": "LSOA 2021", "nation": "Nation", "updated_by": "Updated by",
                     "updated_at": st.column_config.DatetimeColumn("Updated", format="D MMM YYYY, HH:mm"),
                 })

placed = cache.register_matches_used(network.network_id)
if not placed.empty:
    st.subheader("Suppliers placed by the official registers")
    st.caption("Every register match in use, with how it was made. A wrong one can be rejected from the command "
               "line: `python -m dashboard suppliers reject --network ID --supplier KEY --register R --entity N`.")
    st.dataframe(pd.DataFrame({
        "Supplier (as matched)": placed["supplier_key"],
        "Register entry": placed["entity_name"],
        "Register": placed["register"].map(registers.TITLES),
        "Number": placed["entity_id"],
        "How": [("confirmed by " + str(by)) if status == "confirmed" else f"automatic, by {method}"
                for status, method, by in placed[["status", "method", "decided_by"]].itertuples(index=False)],
        "Postcode": placed["postcode"],
        "SME evidence": placed["accounts_category"],
        "VCSE": placed["is_vcse"].map({True: "Yes", False: "No"}),
    }), hide_index=True, key=f"{PAGE}_placed", placeholder="–")
