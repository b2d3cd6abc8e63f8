"""Accessibility statement, in the model form for public sector websites: how accessible the dashboard is, what is
not yet, how to report a problem, and the enforcement procedure."""

import streamlit as st

PAGE = "accessibility"
CHECKED_ON = "6 December 2026"
STANDARD = "Web Content Accessibility Guidelines version 2.2 AA standard"
REGULATIONS = "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018"
WCAG_URL = "https://www.w3.org/TR/WCAG22/"
EASS_URL = "https://www.equalityadvisoryservice.com/"
ECNI_URL = "https://www.equalityni.org/Home"
ABILITYNET_URL = "https://mcmw.abilitynet.org.uk/"
# What is not yet accessible: the WCAG 2.2 success criterion each fails, a short summary and what to use instead.
# tests/test_browser_accessibility.py keeps its allow-list of known failures in step with this list.
KNOWN_ISSUES = (
    ("2.1.1 Keyboard",
     "you cannot move, zoom or read the maps area by area without a mouse",
     "The maps can be moved, zoomed and read area by area (the hover details) with a mouse only. The figures of "
     "every area on the map are in the *Download the mapped values (CSV)* file below it, and the caption under the "
     "map gives the key figure in words."),
    ("1.1.1 Non-text content",
     "the charts on the Present slides have no table of their figures beside them",
     "The charts on the Present slides have no table of their figures beside them, so that each slide fits a "
     "screen. The same figures are on the results pages, where every chart has its figures as a table, and in the "
     "PowerPoint download, whose charts hold their figures."),
    ("4.1.2 Name, role, value",
     "the editable tables are hard to use with a screen reader",
     "The editable tables (institutions, initiatives and targets on the Network settings and Targets pages, and "
     "the supplier list) are drawn on a canvas with a hidden copy for screen readers: adding and changing rows "
     "with a screen reader has not been checked and is likely to be difficult. Ask your network's coordinator to "
     "make the change, or load the network from its YAML file."),
    ("1.3.1 Info and relationships",
     "the downloads (spreadsheets, PowerPoint and PDF slides) have not been checked",
     "The downloads (the funder pack spreadsheet and the PowerPoint and PDF slides) have not yet been checked "
     "against the standard: the PDF slides' charts are images without a text alternative. The same figures are in "
     "the funder pack and on the pages."),
)

st.title("Accessibility statement for Anchor Impact")
st.markdown(
    "This accessibility statement applies to this Anchor Impact dashboard: its results pages, its data and "
    "management pages, the sign-in page, the public view and the pages about the method and the data.\n\n"
    "This dashboard is run by the organisation that hosts it for your anchor network. We want as many people as "
    "possible to be able to use it. For example, that means you should be able to:\n\n"
    "- reach every page, filter, tab and button with a keyboard alone, and see where you are on the page\n"
    "- read every chart's figures as a table beneath it, with a screen reader or magnified\n"
    "- tell the IMD deciles apart by their labels, not only by their colours\n"
    "- read all text against its background at a contrast of at least 4.5 to 1\n\n"
    f"[AbilityNet]({ABILITYNET_URL}) has advice on making your device easier to use if you have a disability.")

st.header("How accessible this website is")
st.markdown("We know some parts of this website are not fully accessible:")
st.markdown("\n".join(f"- {summary}" for _, summary, _ in KNOWN_ISSUES))

st.header("Feedback and contact information")
st.markdown(
    "If you need information on this website in a different format, such as accessible PDF, large print, easy "
    "read, audio recording or braille, or the figures of a chart or map as a table, ask the organisation that "
    "runs this dashboard for your network: your network's coordinator, or the administrator who gave you your "
    "account. We'll consider your request and get back to you within 5 working days.")

st.header("Reporting accessibility problems with this website")
st.markdown(
    "We're always looking to improve the accessibility of this website. If you find any problems not listed on "
    "this page or think we're not meeting accessibility requirements, tell your network's coordinator or the "
    "administrator of this dashboard. Say which page, what you were trying to do and what happened.")

st.header("Enforcement procedure")
st.markdown(
    f"The Equality and Human Rights Commission (EHRC) is responsible for enforcing the {REGULATIONS} (the "
    "'accessibility regulations'). If you're not happy with how we respond to your complaint, contact the "
    f"[Equality Advisory and Support Service (EASS)]({EASS_URL}).\n\n"
    "If you are in Northern Ireland and are not happy with how we respond to your complaint, contact the "
    f"[Equality Commission for Northern Ireland (ECNI)]({ECNI_URL}), which is responsible for enforcing the "
    "accessibility regulations in Northern Ireland.")

st.header("Technical information about this website's accessibility")
st.markdown(
    "The organisation that runs this dashboard is committed to making its website accessible, in accordance with "
    f"the {REGULATIONS}.")
st.subheader("Compliance status")
st.markdown(
    f"This website is partially compliant with the [{STANDARD}]({WCAG_URL}), due to the non-compliances listed "
    "below.")

st.header("Non-accessible content")
st.markdown("The content listed below is non-accessible for the following reasons.")
st.subheader("Non-compliance with the accessibility regulations")
with st.container(key=f"{PAGE}_known_issues"):
    st.markdown("\n".join(f"- {detail} This fails WCAG 2.2 success criterion {criterion}."
                          for criterion, _, detail in KNOWN_ISSUES))
st.markdown("We plan to fix these where the parts of the website they are in allow it, and to check this "
            "statement again whenever the dashboard is upgraded.")
st.subheader("Disproportionate burden")
st.markdown("We are not claiming that any fix would be a disproportionate burden.")
st.subheader("Content that's not within the scope of the accessibility regulations")
st.markdown("The files partners upload are their own documents and are not published by this website.")

st.header("Preparation of this accessibility statement")
st.markdown(
    f"This statement was prepared on {CHECKED_ON}. It was last reviewed on {CHECKED_ON}.\n\n"
    f"This website was last tested on {CHECKED_ON} against the WCAG 2.2 AA standard. Every page was tested as "
    "each kind of user sees it (coordinator, administrator, partner, funder and the public view): with automated "
    "checks of the WCAG 2.0, 2.1 and 2.2 A and AA criteria, by keyboard alone, and by simulating red-green and "
    "blue-yellow colour blindness on the decile colours.")
