"""Methodology: what every measure means, how places are ranked, what 'local' is, the limits, and coverage."""

import streamlit as st

from dashboard import disclosure, figures, parsing
from dashboard.ui import cache, widgets
from dashboard.ui import formatting as fmt

PAGE = "methodology"
DEFINITIONS = (
    ("Participants", "People who *started* on an initiative in the period, counted by their start date."),
    ("Completions", "Completions dated in the period, counted by their own date, whenever the person started."),
    ("Jobs filled", "Job starts dated in the period, counted by their own date."),
    ("Conversion rate", "The share of the period's starters who have a recorded job start. Recent starters "
                        "have had less time to find work, so the latest quarters' rate rises as results come in."),
    ("Participant journey (funnel)", "A *cohort*: the people who started in the period, and how many of them "
                                     "have since completed, filled a job and, where the partner follows up, were "
                                     "still in post six months after starting the job. It therefore differs from "
                                     "the period counts above, which count each event by its own date."),
    ("Still in post at six months", "Reported by partners who follow up; people not followed up are left out "
                                    "of both the numerator and the denominator."),
    ("Cumulative totals", "Everything recorded from the network's first quarter of data to the end of each "
                          "quarter, whatever range is chosen."),
    ("Total spend", "Payments to suppliers dated in the period, credits included."),
    ("Local spend", "Spend with suppliers located in the network's own local authority districts (listed below)."),
    ("SME and VCSE shares", "Spend with suppliers flagged as small or medium-sized enterprises, or voluntary, "
                            "community and social enterprises, as a share of all spend. Unflagged spend counts as "
                            "neither; the share of spend that carries a flag is shown beside it."),
    ("Spend with a known location", "The share of spend whose supplier could be placed in an area, from the "
                                    "payment's postcode, the network's supplier list or an official register. Spend "
                                    "with no known location is counted in every total, never dropped; it cannot "
                                    "count as local or be given a decile."),
    ("20% most deprived areas (Core20)", "Areas in IMD deciles 1 and 2, which is quintile 1. If participants or "
                                          "spend were spread evenly across England's areas, their share would be "
                                          "20%."),
    ("Representation", "A decile's share of participants (or jobs filled) divided by its share of the network "
                       "area's working-age population. 1.0 means in proportion; 1.8 means 1.8 times its share."),
    ("Change (↑ ↓)", "The difference from the period of the same length just before: Jan–Jun 2025 is "
                     "compared with Jul–Dec 2024. Shares change in percentage points (pts)."),
)
LIMITS = (
    "**Deprivation is a property of areas, not of people.** Not everyone living in a deprived area is deprived, "
    "and many deprived people live elsewhere. The figures say where people live, not their circumstances.",
    "**A supplier's postcode is its registered or invoice address**, not where its staff live or where the work "
    "is done: a national firm's local branch may be counted as non-local, and a local firm's head office "
    "elsewhere as non-local too. A register match places a supplier at its **registered office** (a charity at "
    "its contact address): where it is registered, often an accountant's or a head office, not where it works or "
    "whom it employs.",
    "**Deciles are relative and belong to one release and one nation.** An area's IoD 2025 decile cannot be "
    "compared with its IoD 2019 decile (different ranks and different LSOA boundaries), and England's, Wales's "
    "and Scotland's deciles rank different areas against each other, so they are never pooled on one scale.",
    "**Postcodes are placed by the centre point of the postcode** inside generalised boundaries, which can put a "
    "postcode near an LSOA edge into its neighbour. An ONS postcode lookup (NSPL), when loaded, is used instead.",
    "**Figures are only as complete as the uploads.** A quarter a partner has not yet sent is missing, not zero: "
    "see the coverage below and the Submissions page.",
    "**Some payments are dated to the month or the quarter, not the day.** Finance exports that give only a "
    "month (`Sep 2014`) count each payment in that month; payments a partner's file gave no usable date for, and "
    "which the partner chose to date to the submission's quarter, count in that quarter. Rows a partner chose to "
    "leave out (no amount, no date) are not counted. Each choice is recorded with the submission and in the "
    "audit log.",
    "**Calendar quarters** are used throughout, not the financial year: Q1 = Jan–Mar, Q2 = Apr–Jun, "
    "Q3 = Jul–Sep, Q4 = Oct–Dec.",
)

MATCHING = """
Each payment is placed by the first of these that knows its supplier, and the local-spend page shows how much
spend each one placed:
1. **The partner's own file**: a supplier postcode (or LSOA) in the payment's row.
2. **The coordinator's supplier list** (*Suppliers to classify*): an entry for the supplier's name or number.
3. **The official registers**: Companies House, the Charity Commission for England and Wales, the Scottish
   Charity Regulator and the FCA Mutuals Public Register, each as of the date shown on the *Data sources* page.
   - *By number*: a supplier id that is a register entry's number (a company number however padded, a charity
     number) is used when one of the entry's names agrees with the supplier's name; otherwise it is only proposed.
   - *By name*: the supplier's name, with case, punctuation, "Ltd"/"Limited", "PLC", "LLP", "&"/"and", a leading
     "The", "(UK)" and a trading-as tail ignored, is compared with every current and previous name. When exactly
     one entry carries it (a live entry preferred over a dissolved or removed one) it is used.
   - *Near names* (word-by-word similarity of at least 80 out of 100) and names shared by several live entries
     are **proposed**, never used, until a coordinator confirms one. A rejected entry is never proposed again.
   - Redacted payees ("REDACTED", "personal data", "private individual", "name withheld") are never matched;
     their spend is shown as *redacted*.

What a register match gives:
- **Place**: the registered office's postcode (a charity's contact postcode), then its LSOA, decile and district.
- **VCSE**: a registered charity, a charitable incorporated organisation, a community interest company, a
  co-operative or community benefit society, or a company the Charity Commission lists as a charity's.
  Other companies are not VCSEs.
- **SME evidence**: a company filing micro-entity, small, medium, total-exemption or abridged accounts is an SME
  (only small and medium companies may file them). Full or group accounts, dormant companies and those with no
  accounts filed are *not known*, never "not an SME".
"""

widgets.require_reference()

st.title("Methodology")
network = widgets.network_picker(PAGE)
if network is None:
    st.stop()
release = widgets.url_release(PAGE)
title = figures.IMD_RELEASES[release]["title"]
release_label = widgets.release_label(release)
vintage = figures.IMD_RELEASES[release]["lsoa_vintage"]

st.header("What the figures mean")
st.markdown("| Measure | Definition |\n|---|---|\n"
            + "\n".join(f"| **{name}** | {text} |" for name, text in DEFINITIONS))

st.header("How places are ranked")
st.markdown(
    f"- Figures are ranked by the **{title}** (IoD {release[3:]}): Index of Multiple Deprivation deciles of "
    f"**LSOA {vintage}** areas (Lower-layer Super Output Areas, neighbourhoods of about 1,500 residents). "
    "Decile 1 is the 10% most deprived LSOAs in England, decile 10 the 10% least deprived. Choose the release "
    "in the sidebar of any page.\n"
    "- Participants are placed by their **home postcode** (or the LSOA code the partner gives), suppliers by "
    "**their own postcode** or the network's supplier register. Only the LSOA and the postcode district are "
    "stored, never the full home postcode.\n"
    "- **Quintiles** fold deciles in pairs: quintile 1 (deciles 1–2) is the NHS England *Core20*, the 20% most "
    "deprived areas.")
facts = cache.methodology_facts()
st.subheader("Wales and Scotland: their own indices")
nation_lines = [facts["never_pooled"]]
for index in facts["nation_indices"]:
    if index["loaded"]:
        nation_lines.append(f"**{index['title']}** ({index['label']}): {index['area_count']:,} {index['areas']} "
                            f"ranked; {index['decile_rule']}.")
    else:
        nation_lines.append(f"**{index['title']}** is not loaded, so places in {index['nation']} are shown "
                            "without a decile.")
nation_lines += [facts["wales_assignment"], facts["scotland_assignment"],
                 "Northern Ireland's index is not loaded: places there are shown without a decile."]
st.markdown("\n".join(f"- {line}" for line in nation_lines))

st.header(f"What “local” means for {network.name}")
districts = cache.network_members(network.network_id)["districts"]
if districts.empty:
    st.markdown("This network lists no local authority districts, so no spend counts as local.")
else:
    st.markdown("A supplier is **local** when its location falls in one of these local authority districts "
                "(May 2024 boundaries): "
                + ", ".join(f"**{name}**" for name in districts["lad24_name"]) + ".")

st.header("How suppliers are placed")
st.markdown(MATCHING)

st.header("Representation: the population it is compared with")
st.markdown(f"- **Who is counted.** {facts['representation_numerator']}\n"
            f"- **The population ({release_label}).** {facts['representation_denominators'][release]}")

st.header("Quarters and years")
st.markdown(
    "- A quarter is three calendar months. Every event counts in the quarter of its own date (a start, a "
    "completion, a job start, a payment), whichever quarter's file brought it.\n"
    + ("- **This network's year starts in April**, as UK public bodies plan and report: quarter 1 is April to June, "
       "quarter 4 January to March of the next calendar year, so *2025/26 Q1 (Apr–Jun 2025)*."
       if network.year_start == "april" else
       "- This network's quarters are named by the calendar: *Apr–Jun 2025* is the second quarter of 2025. A "
       "network can choose financial years (April to March) on its settings page."))

st.header("Targets: how progress is measured")
st.markdown(
    "- A target is one headline figure (for example the local share of spend, or jobs filled) that the network or "
    "an initiative should reach (*at least*) or stay under (*at most*) by a deadline, over the quarters from its "
    "first quarter to the one its deadline falls in. The coordinator sets them on the Targets page.\n"
    "- **Its figure** is the figure for those quarters as far as the data go, exactly as the same selection on "
    "the Overview shows it (for funders and the public, disclosure-controlled).\n"
    "- **Counts and pounds** add up over time: *on track* when the figure so far is at least a straight line from "
    "nothing at the start to the target at the deadline (half the quarters in, half the target), *behind* when "
    "it is less, *met* once reached. **Shares** can rise and fall: *on track* while the share so far meets the "
    "target, *behind* when it does not; once the deadline's quarter has data, *met* or *missed*.\n"
    "- A figure hidden by disclosure control (`<5`) gives no status, rather than a guess.")

st.header("Disclosure control")
st.markdown(cache.disclosure_text(network.network_id))

st.header("How long participants' records are kept")
st.markdown(cache.retention_text(network.network_id))

st.header("Known limits")
st.markdown("\n".join(f"- {text}" for text in LIMITS))

st.header(f"Data coverage for {network.name}")
quarters = cache.network_quarters(network.network_id)
if not cache.can_read(network.network_id):
    st.caption("The network's coverage figures are shown to those who may see the whole network.")
    st.stop()
if not quarters:
    st.info("**No data yet.** No partner has uploaded participants or spend.", icon=":material/hourglass_empty:")
    st.stop()
whole = cache.report(figures.Selection(network_id=network.network_id, from_quarter=quarters[0],
                                       to_quarter=quarters[-1], imd_release=release))
unknown = next((row for row in whole["by_decile"] if row["group"] == "unknown"), None)
# Under disclosure control a count may be a mark ('<5'): then the share is not worked out.
people = disclosure.number(whole["participants"])
unplaced = disclosure.number(unknown["participants"] if unknown else 0)
placed_pct = (people - unplaced) * 100 / people if people and unplaced is not None else None
st.markdown(
    f"- Data from **{parsing.quarter_span(quarters[0], quarters[-1], network.year_start)}** "
    f"({len(quarters)} quarters).\n"
    f"- **{fmt.pct(placed_pct)}** of participants "
    "who started in that time could be placed in an area.\n"
    f"- **{fmt.pct(whole['spend_known_location_pct'])}** of spend has a known supplier location "
    f"({fmt.money(whole['spend_unknown_location_gbp'])} does not).\n"
    f"- **{fmt.pct(whole['spend_sme_flagged_pct'])}** of spend carries an SME flag and "
    f"**{fmt.pct(whole['spend_vcse_flagged_pct'])}** a VCSE flag.")
if not cache.can_manage(network.network_id):
    st.stop()
board = cache.submission_board(network.network_id, quarters).dropna(subset=["submission_id"])
by_kind = board.groupby("kind").size()
st.markdown(f"- **{len(board):,}** quarterly files are counted ("
            + ", ".join(f"{kind}: {n:,}" for kind, n in by_kind.items())
            + "); the Submissions page shows who has sent what.")
