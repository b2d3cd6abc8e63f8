"""The Compare and Methodology pages, driven by AppTest against a private copy of the demo database."""

from tests.test_app import expected, run_app


def test_compare_networks_side_by_side_agree_with_report(demo_db):
    at = run_app()
    at.switch_page("views/compare.py")
    at.query_params.update({"kind": "networks", "items_networks": "birmingham,london", "from": "2025Q1",
                            "to": "2025Q4", "release": "IoD2019"})
    at.run()
    assert not at.exception
    table = at.table[0].value
    assert list(table.columns) == ["Birmingham Anchor Network", "London Anchor Institutions' Network"]
    for network_id, column in (("birmingham", table.columns[0]), ("london", table.columns[1])):
        report = expected(demo_db, network_id=network_id, from_quarter="2025Q1", to_quarter="2025Q4",
                          imd_release="IoD2019")
        assert table.loc["Participants", column] == f"{report['participants']:,}"
        assert table.loc["Jobs filled", column] == f"{report['jobs_filled']:,}"
        assert table.loc["Total spend", column] == f"£{report['spend_total_gbp']:,.0f}"
        assert table.loc["Local share of spend", column] == f"{report['spend_local_pct']:.1f}%"


def test_compare_institutions_of_a_network_and_url_round_trip(demo_db):
    at = run_app()
    at.switch_page("views/compare.py")
    at.query_params.update({"kind": "institutions", "network": "birmingham", "items_institutions": "uhb,bcc,nope"})
    at.run()
    assert not at.exception
    assert at.multiselect(key="compare_items_institutions").value == ["uhb", "bcc"]
    first, last = at.select_slider(key="compare_quarters").value
    table = at.table[0].value
    uhb = expected(demo_db, network_id="birmingham", institution_id="uhb", from_quarter=first, to_quarter=last)
    assert table.loc["Participants", "University Hospitals Birmingham NHS Foundation Trust"] == (
        f"{uhb['participants']:,}")
    assert at.query_params["items_institutions"] == "uhb,bcc"
    assert len(at.get("plotly_chart")) == 2


def test_compare_with_nothing_chosen_says_so(demo_db):
    at = run_app()
    at.switch_page("views/compare.py").run()
    at.multiselect(key="compare_items_networks").set_value([]).run()
    assert not at.exception
    assert any("Choose at least one" in i.value for i in at.info)


def test_funder_sees_hidden_counts_marked_and_quintiles_fold(demo_db):
    from streamlit.testing.v1 import AppTest

    from tests.apptest import funder, signed_in
    from tests.test_app import APP

    at = signed_in(AppTest.from_file(str(APP), default_timeout=60), funder(("birmingham", None)))
    at.query_params.update({"network": "birmingham", "initiative": "hospitality-to-health", "institution": "uhb",
                            "from": "2025Q3", "to": "2025Q3", "group": "quintile"})
    at.run()
    assert not at.exception
    assert any("Disclosure-controlled figures" in i.value for i in at.sidebar.info) or any(
        "Not shown, to protect" in i.value for i in at.info)
