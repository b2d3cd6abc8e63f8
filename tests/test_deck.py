"""The deck, as PowerPoint and as PDF: native charts whose data are exactly the reader's `report --json`, the same
slides, texts and numbers in the PDF, the Present page's map as an image in both, notes on the slides, a funder's
deck disclosure-controlled; from the command line and the Present page."""

import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from streamlit.testing.v1 import AppTest

from dashboard import access, deck, figures, notes, reports, store
from dashboard.ui import formatting
from tests.apptest import signed_in

REPO = Path(__file__).resolve().parent.parent
SELECTION = figures.Selection("birmingham", "2025Q4", "2026Q3")
FUNDER = access.Scope("funder@birmingham.example", "funder", grants=frozenset({("birmingham", None)}))
COORDINATOR = access.Scope("coordinator@birmingham.example", "coordinator", "birmingham")
NOTE = "First cohort of 10 started."
MAP_SLIDE = 7  # after local spend, as on the Present page (the demo has a slide of targets)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@pytest.fixture(scope="module")
def decks(tmp_path_factory, demo_db_template) -> dict[str, dict]:
    """Each reader's slides, drawn once, as .pptx and as .pdf (written out for poppler), with the reports."""
    folder = tmp_path_factory.mktemp("deck")
    db = folder / "anchor.duckdb"
    shutil.copyfile(demo_db_template, db)
    notes.write(COORDINATOR, "birmingham", None, "2026Q3", NOTE, db=db)
    built = {}
    with store.connect(db) as con:
        for role, scope in (("coordinator", COORDINATOR), ("funder", FUNDER)):
            slides = deck.slides(con.cursor(), scope, SELECTION)
            pdf = folder / f"{role}.pdf"
            pdf.write_bytes(deck.render_pdf(slides, "Birmingham"))
            built[role] = {
                "slides": slides, "pptx": deck.render_pptx(slides), "pdf": pdf,
                "report": reports.view(con.cursor(), scope, SELECTION, reports.ALL_SECTIONS),
                "by_initiative": {i: reports.view(con.cursor(), scope, figures.Selection(
                    "birmingham", "2025Q4", "2026Q3", initiative_id=i)) for i in ("hospitality-to-health", "i-can")}}
    return built


def _charts(data: bytes) -> dict[str, dict]:
    return {f"{c['slide']}:{c['title']}": c for c in deck.chart_values(data)}


def _poppler(*args) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


def _page_text(pdf: Path, page: int) -> str:
    """The page's text, every run of white space one space."""
    return " ".join(_poppler("pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-").split())


def _value_labels(pdf: Path, page: int, box: deck.Box) -> list[str]:
    """The labels over a count chart's bars, left to right: the numbers and marks level above its axis's 0 and right
    of it (the axis's numbers stand right-aligned left of the bars, the categories below the 0)."""
    words = [(float(x0), float(y0), float(x1), float(y1), html.unescape(text)) for x0, y0, x1, y1, text in
             WORD.findall(_poppler("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"))]
    left, top = box.left * 72, box.top * 72
    numbers = [w for w in words if left <= w[0] and w[2] <= left + box.width * 72 and top <= w[1]
               and w[3] <= top + box.height * 72 and re.fullmatch(r"<?\d[\d,]*", w[4])]
    zero = min((w for w in numbers if w[4] == "0"), key=lambda w: w[0])
    level = [w for w in numbers if w[0] > zero[2] and w[3] < zero[3] and 13 <= w[3] - w[1] <= 17]
    return [w[4] for w in sorted(level, key=lambda w: w[0])]


@pytest.mark.parametrize("role", ["coordinator", "funder"])
def test_each_charts_data_is_the_readers_report(decks, role):
    data, report, by_initiative = decks[role]["pptx"], decks[role]["report"], decks[role]["by_initiative"]
    presentation = Presentation(io.BytesIO(data))
    assert (presentation.slide_width, presentation.slide_height) == (deck.WIDE, deck.HIGH)
    charts = _charts(data)

    def shown(values):  # a count hidden by disclosure control is no bar
        return [None if isinstance(v, str) else float(v) for v in values]

    assert charts["4:Participants by IMD decile"]["series"]["Participants"] == shown(
        r["participants"] for r in report["by_decile"])
    assert charts["4:Jobs filled by IMD decile"]["series"]["Jobs filled"] == shown(
        r["jobs_filled"] for r in report["by_decile"])
    assert charts["6:Spend by IMD decile of the supplier's area"]["series"]["Spend (£)"] == shown(
        r["spend_gbp"] for r in report["by_decile"])
    ratios = charts["5:Participants: share ÷ working-age population share"]["series"]["Participants"]
    assert ratios == pytest.approx(shown(r["participants_ratio"] for r in report["representation"]["rows"]),
                                   nan_ok=True)
    journeys = [c for c in charts.values() if c["title"] == "The journey of the people who started in the period"]
    assert [c["series"]["People"] for c in journeys[:2]] == [
        shown([v["funnel"]["total"][k] for k in ("starters", "starters_completed", "starters_with_job")])
        for v in by_initiative.values()]
    assert min(c["slide"] for c in journeys) == MAP_SLIDE + 1
    # The quarter's note is on the title slide and in its speaker notes.
    title = presentation.slides[0]
    assert NOTE in title.notes_slide.notes_text_frame.text
    assert any(NOTE in s.text_frame.text for s in title.shapes if s.has_text_frame)
    if role == "funder":
        counts = [v for c in charts.values() if "share" not in c["title"] and "Spend" not in c["title"]
                  for values in c["series"].values() for v in values if v is not None]
        assert counts and all(v % 5 == 0 for v in counts), counts  # rounded: never an exact 1 to 4
        texts = " ".join(s.text_frame.text for slide in presentation.slides for s in slide.shapes if s.has_text_frame)
        assert "Counts of people are rounded" in texts
        assert json.dumps(report["participants"]) in texts.replace(",", "")


@pytest.mark.parametrize("role", ["coordinator", "funder"])
def test_the_targets_slide_is_the_readers_progress_in_both(decks, role):
    progress = decks[role]["report"]["targets"]
    presentation = Presentation(io.BytesIO(decks[role]["pptx"]))
    slide = presentation.slides[2]
    texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    assert texts[0] == "Progress against targets"
    for target in progress:
        assert target["description"] in texts
        assert formatting.target_progress_text(target) in texts
        assert any(t.startswith(target["status_text"] + " · ") for t in texts)
    page = " ".join(_page_text(decks[role]["pdf"], 3).split())
    for target in progress:
        assert " ".join(target["description"].split()) in page


@pytest.mark.parametrize("role", ["coordinator", "funder"])
def test_the_map_slide_shows_the_present_pages_map_as_an_image_in_both(decks, role):
    presentation = Presentation(io.BytesIO(decks[role]["pptx"]))
    slide = presentation.slides[MAP_SLIDE - 1]
    title = "Where participants live" if role == "coordinator" else "The network's neighbourhoods by deprivation"
    assert slide.shapes[0].text_frame.text == title
    [picture] = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    image = Image.open(io.BytesIO(picture.image.blob)).convert("RGB")
    assert image.size == (deck.MAP_WIDTH * deck.MAP_SCALE, deck.MAP_HEIGHT * deck.MAP_SCALE)  # for a projector
    colours = image.getcolors(maxcolors=image.width * image.height)
    assert len(colours) > 20, "the map is blank"
    assert picture.width / picture.height == pytest.approx(deck.MAP_WIDTH / deck.MAP_HEIGHT, rel=0.01)
    # The PDF has the same picture on the same page.
    listed = _poppler("pdfimages", "-list", "-f", str(MAP_SLIDE), "-l", str(MAP_SLIDE), str(decks[role]["pdf"]))
    assert re.search(rf"^\s*{MAP_SLIDE}\s+\d+\s+image\s+{image.width}\s+{image.height}\s", listed, re.MULTILINE), listed
    assert title in _page_text(decks[role]["pdf"], MAP_SLIDE)


@pytest.mark.parametrize("role", ["coordinator", "funder"])
def test_the_pdf_is_the_same_slides_one_16_9_page_each_its_font_embedded(decks, role, tmp_path):
    pdf = decks[role]["pdf"]
    presentation = Presentation(io.BytesIO(decks[role]["pptx"]))
    count = len(presentation.slides)
    info = _poppler("pdfinfo", "-f", "1", "-l", str(count), str(pdf))
    assert re.search(r"^Pages: +(\d+)$", info, re.MULTILINE)[1] == str(count)
    assert set(re.findall(r"Page +\d+ size: +([\d.]+ x [\d.]+) pts", info)) == {"960 x 540"}
    fonts = _poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(re.search(r"\s+yes\s+yes\s+yes\s+\d+\s+\d+$", f) for f in fonts), fonts  # emb sub uni
    assert b"/FontFile2" in pdf.read_bytes()
    # Every page drawn is more than white.
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == count
    for page in pages:
        image = Image.open(page).convert("L")
        ink = sum(n for n, level in image.getcolors(1 << 16) if level < 200)
        assert ink > image.width * image.height * 0.002, f"{page.name} is blank"
    # Each slide's title, and every text of the .pptx's slides (the headline figures among them), on its page.
    for number, slide in enumerate(presentation.slides, start=1):
        text = _page_text(pdf, number)
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text:
                assert " ".join(shape.text_frame.text.split()) in text, (number, shape.text_frame.text)
            if shape.has_chart:
                assert " ".join(shape.chart.chart_title.text_frame.text.split()) in text
    report = decks[role]["report"]
    assert {f"{report[key]:,}" for key in ("participants", "completions", "jobs_filled")} <= set(
        _page_text(pdf, 2).split())


def test_each_count_charts_labels_in_the_pdf_are_its_values_and_a_funder_sees_no_count_of_1_to_4(decks):
    shown = {}
    for role in ("coordinator", "funder"):
        labels = []
        for number, slide in enumerate(decks[role]["slides"], start=1):
            for chart in (p for p in slide.parts if isinstance(p, deck.Chart) and p.kind == "count"):
                found = _value_labels(decks[role]["pdf"], number, chart.box)
                assert found == [v if isinstance(v, str) else f"{v:,}" for v in chart.values], (role, chart.title)
                labels += found
        shown[role] = labels
    assert any(label in {"1", "2", "3", "4"} for label in shown["coordinator"])
    assert "<5" in shown["funder"]
    assert all(label == "<5" or int(label.replace(",", "")) % 5 == 0 for label in shown["funder"]), shown["funder"]
    # The notes and the disclosure rule are on the funder's pages too.
    funder = decks["funder"]["pdf"]
    assert NOTE in _page_text(funder, 1)
    assert "Counts of people are rounded" in _page_text(funder, len(decks["funder"]["slides"]))


def test_without_a_browser_the_deck_is_made_and_its_map_slide_says_why(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-browser"))
    monkeypatch.setattr(deck, "_drawn", {})
    figure = go.Figure(go.Bar(x=["a"], y=[1]))
    [slide] = deck.draw_pictures([deck.Slide("Where participants live",
                                             [deck.Picture(figure, deck.Box(0.67, 1.3, 12, 6), 400, 200)])])
    assert slide.parts[0].png is None and "no Chromium or Chrome browser was found" in slide.parts[0].missing
    presentation = Presentation(io.BytesIO(deck.render_pptx([slide])))
    assert any("The map could not be drawn" in s.text_frame.text for s in presentation.slides[0].shapes
               if s.has_text_frame)
    pdf = tmp_path / "slides.pdf"
    pdf.write_bytes(deck.render_pdf([slide], "No browser"))
    assert "The map could not be drawn here: no Chromium" in _page_text(pdf, 1)


def test_the_pdf_font_is_found_chosen_or_named_as_missing(monkeypatch, tmp_path):
    monkeypatch.delenv("ANCHOR_PDF_FONT", raising=False)
    regular, bold = deck.pdf_font()
    assert regular.suffix == ".ttf" and "Bold" in bold.name and regular.parent == bold.parent
    monkeypatch.setenv("ANCHOR_PDF_FONT", str(regular))
    assert deck.pdf_font() == (regular, bold)
    monkeypatch.setenv("ANCHOR_PDF_FONT", str(tmp_path / "none.ttf"))
    with pytest.raises(deck.FontNotFound, match="not a file"):
        deck.pdf_font()
    monkeypatch.delenv("ANCHOR_PDF_FONT")
    monkeypatch.setattr(deck, "FONT_DIRS", (tmp_path,))
    deck._system_fonts.cache_clear()
    try:
        with pytest.raises(deck.FontNotFound, match="fonts-dejavu-core"):
            deck.pdf_font()
    finally:
        deck._system_fonts.cache_clear()


def test_the_present_page_offers_its_slides_as_powerpoint_and_beside_it_as_pdf(demo_db):
    at = signed_in(AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120), COORDINATOR)
    at.run()
    at.switch_page("views/present.py").run()
    assert not at.exception
    buttons = at.get("download_button")
    assert [(b.key, b.proto.label) for b in buttons] == [("present_pptx", "PowerPoint"), ("present_pdf", "PDF")]


def test_the_deck_module_does_not_import_streamlit():
    code = "import sys, dashboard.deck, dashboard.exports; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _run_deck(db: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", "deck", "--network", "birmingham", *args],
                          capture_output=True, text=True, cwd=REPO, env={**os.environ, "ANCHOR_DB": str(db)})


def _exports_audited(db: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select actor_email, detail from audit_log where action = 'export'").fetchall()


def test_deck_command_writes_the_funders_deck_and_audits_it(tmp_path, demo_db_template):
    db = tmp_path / "anchor.duckdb"
    shutil.copyfile(demo_db_template, db)
    out = tmp_path / "birmingham.pptx"
    done = _run_deck(db, "--from", "2025Q4", "--to", "2026Q3", "--as-role", "funder", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Wrote {out}") and "as a funder" in done.stdout
    assert len(Presentation(str(out)).slides) >= 8
    refused = _run_deck(db, "--out", str(tmp_path / "slides.odp"))
    assert refused.returncode != 0 and "--out must name a .pptx or .pdf file, not 'slides.odp'" in refused.stderr
    [(actor, detail)] = _exports_audited(db)
    assert actor == "cli:as-funder" and "slides (pptx)" in detail


def test_deck_command_writes_the_funders_pdf_and_audits_it(tmp_path, demo_db_template):
    db = tmp_path / "anchor.duckdb"
    shutil.copyfile(demo_db_template, db)
    out = tmp_path / "birmingham.pdf"
    done = _run_deck(db, "--from", "2025Q4", "--to", "2026Q3", "--as-role", "funder", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Wrote {out}") and "as a funder" in done.stdout
    assert out.read_bytes().startswith(b"%PDF-")
    pages = int(re.search(r"Pages: +(\d+)", _poppler("pdfinfo", str(out)))[1])
    assert pages >= 8
    assert "Counts of people are rounded" in _page_text(out, pages)
    [(actor, detail)] = _exports_audited(db)
    assert actor == "cli:as-funder" and "slides (pdf)" in detail
