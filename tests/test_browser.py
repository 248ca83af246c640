"""Rendered pages load in a real browser: images show, no error text, nothing from a network,
titles, viewport, alt text, no horizontal overflow on a phone, evidence tables work offline,
and figures have their physical width."""

import os

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest

import browser_check as browser
from workflow import render
from workflow.notebooks import execute_notebook

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def need_chromium():
    if browser.chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: `python tests/browser_check.py ensure` "
                        "must run")
        pytest.skip("chromium not installed (run `python tests/browser_check.py ensure`)")


def test_a_rendered_notebook_with_a_figure_passes(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A question\n\nOne line of summary."),
                nbformat.v4.new_code_cell(
                    "import matplotlib.pyplot as plt\nfrom helpers import figures\n"
                    "figures.use_house_style()\nfig, ax = plt.subplots()\n"
                    "ax.plot([1, 2], [3, 4])\nax.set_title('A line')\n"
                    "figures.Drawing.from_figure(fig)")]
    path = tmp_path / "01-test-page.ipynb"
    nbformat.write(nb, path)
    execute_notebook(path)
    html = render.render_notebook(path, tmp_path)
    assert 'src="https://' not in html
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "01-test-page.html").write_text(html)
    res = browser.check_pages(tmp_path / "out", tmp_path / "shots")
    assert res == {"01-test-page.html": []}
    assert 'width="650"' in html  # the 2x preview is shown at 6.5 in
    for width in (1280, 390):
        assert (tmp_path / "shots" / f"01-test-page-{width}.png").stat().st_size > 0


def test_broken_image_and_network_request_are_caught(tmp_path):
    (tmp_path / "bad.html").write_text(
        '<html><body><img src="missing.png" alt="gone">'
        '<img src="https://example.invalid/x.png" alt="remote"></body></html>')
    problems = browser.check_pages(tmp_path)["bad.html"]
    assert any("image did not load: gone" in p for p in problems)
    assert any("network request blocked" in p for p in problems)


def test_title_viewport_alt_text_and_phone_overflow_are_checked(tmp_path):
    from PIL import Image

    Image.new("RGB", (10, 10), "white").save(tmp_path / "x.png")
    (tmp_path / "bad.html").write_text(
        "<html><head><title>Notebook</title></head><body>"
        f'<img src="x.png" alt="{browser.DEFAULT_ALT}"><img src="x.png">'
        '<div style="width:900px">wide</div>'
        '<div style="overflow-x:auto"><table style="width:2000px"><tr><td>ok</td></tr>'
        "</table></div></body></html>")
    problems = browser.check_pages(tmp_path)["bad.html"]
    assert any("generic or missing <title>" in p for p in problems)
    assert any("no viewport" in p for p in problems)
    assert sum("without alt text" in p for p in problems) == 2
    overflow = [p for p in problems if "horizontal overflow at 390" in p]
    assert overflow and "div" in overflow[0] and "table" not in overflow[0]
    (tmp_path / "bad.html").unlink()
    (tmp_path / "good.html").write_text(
        '<html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>A real title</title></head><body><img src="x.png" alt="A caption.">'
        '<div style="overflow-x:auto"><table style="width:2000px"><tr><td>ok</td></tr>'
        "</table></div></body></html>")
    assert browser.check_pages(tmp_path) == {"good.html": []}


def _evidence():
    return pd.DataFrame({
        "meeting": ["sochi-2019-05-14", "washington-2019-12-10"],
        "speaker": ["pompeo", "lavrov"], "issue": ["arms_control", "north_korea"],
        "sentence_id": ["a:1", "b:2"], "source": ["a.txt", "b.txt"], "char_start": [1, 2],
        "char_end": [3, 4], "via": ["direct", "inherited"],
        "text": ["Arms control matters.", "Korea too."]})


def test_an_evidence_table_loads_offline_and_a_broken_one_is_caught(tmp_path):
    from helpers import tables

    head = ('<html><head><meta name="viewport" content="width=device-width">'
            "<title>Evidence</title></head><body>")
    ok = tables.evidence_table(_evidence(), include_library=True).to_html()
    (tmp_path / "ok.html").write_text(head + ok + "</body></html>")
    broken = tables.evidence_table(_evidence(), include_library=False).to_html()
    (tmp_path / "broken.html").write_text(head + broken + "</body></html>")
    res = browser.check_pages(tmp_path)
    assert res["ok.html"] == []  # labelled, the sentence column first and readable
    assert any("evidence table did not load" in p for p in res["broken.html"])


def test_figure_files_have_their_physical_width(tmp_path):
    from helpers import figures

    figures.use_house_style()
    fig, ax = plt.subplots()
    ax.set_title("A title much wider than the figure would be if it were not wrapped, "
                 "since it just goes on and on and on")
    figures.save_figure(fig, "04-good", data=pd.DataFrame({"a": [1]}), folder=tmp_path)
    fig.savefig(tmp_path / "04-bad.png", dpi=300, bbox_inches="tight")
    plt.close(fig)
    res = browser.check_figures(tmp_path)
    assert res["04-good.png"] == res["04-good.pdf"] == res["04-good-column.png"] == []
    assert res["04-good-column.pdf"] == []
    assert "not 6.5 in" in res["04-bad.png"][0]
    shot = browser.screenshot_figure_at_column(tmp_path / "04-good.png",
                                               tmp_path / "shots" / "04-good-3.5in.png")
    from PIL import Image

    with Image.open(shot) as im:
        assert abs(im.size[0] - 3.5 * 96 * 2) <= 2  # 3.5 CSS inches at 2x


def test_the_projects_rendered_pages(root):
    pages = sorted((root / "reports" / "html").glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "figures.html"} | {
        f"{p.stem}.html" for p in (root / "notebooks").glob("*.ipynb")}
    shots = root / "reports" / "screenshots"
    res = browser.check_pages(root / "reports" / "html", shots)
    assert {k: v for k, v in res.items() if v} == {}
    for name in ("index", "04-measure-issue-salience"):
        for width in (1280, 390):
            assert (shots / f"{name}-{width}.png").exists()


def test_the_projects_figures_have_their_physical_width(root):
    figs = root / "reports" / "figures"
    res = browser.check_figures(figs)
    assert {k: v for k, v in res.items() if v} == {}
    head = browser.headline_figure(figs, root / "data" / "processed" / "findings.csv")
    shot = browser.screenshot_figure_at_column(
        head, root / "reports" / "screenshots" / f"{head.stem}-3.5in.png")
    assert shot.stat().st_size > 0


def _png_of_width(path, width):
    from PIL import Image

    Image.new("RGB", (width, width // 2), "white").save(path)


def test_shared_or_file_name_alt_text_and_the_phone_figure_are_caught(tmp_path):
    """Two images with one alt text, a file name as alt text, and a phone shown the 6.5-in
    figure when a 3.5-in version exists: each is a problem; <picture> serving the column
    version, with the caption as alt text, is not."""
    figs, html = tmp_path / "figures", tmp_path / "html"
    figs.mkdir(), html.mkdir()
    _png_of_width(figs / "04-x.png", 1300)
    _png_of_width(figs / "04-x-column.png", 1050)
    (figs / "04-x.txt").write_text("Share of sentences, Washington.\n")
    head = ('<html><head><meta name="viewport" content="width=device-width">'
            "<title>Figures</title><style>img {max-width: 100%}</style></head><body>")
    (html / "bad.html").write_text(
        head + '<img src="../figures/04-x.png" alt="Share of sentences, Washington.">'
        '<img src="../figures/04-x.png" alt="Share of sentences, Washington.">'
        '<img src="../figures/04-x.png" alt="04-x"></body></html>')
    problems = browser.check_pages(html)["bad.html"]
    assert any("2 images share the alt text: Share of sentences" in p for p in problems)
    assert any("alt text is a file name: 04-x" in p for p in problems)
    assert any("phone shows the 6.5-in figure (1300 px)" in p for p in problems)
    (html / "bad.html").unlink()
    (html / "good.html").write_text(
        head + '<picture><source media="(max-width: 600px)" srcset="../figures/04-x-column.png">'
        '<img src="../figures/04-x.png" alt="Share of sentences, Washington."></picture>'
        "</body></html>")
    assert browser.check_pages(html) == {"good.html": []}


def test_a_notebook_page_needs_neighbour_links_and_a_reading_column(tmp_path):
    head = ('<html><head><meta name="viewport" content="width=device-width">'
            "<title>A page</title></head><body>")
    prose = '<div class="jp-RenderedMarkdown"><p{}>' + "A sentence of prose. " * 60 + "</p></div>"
    nav = '<nav><a rel="prev" href="01-a.html">prev</a><a rel="next" href="03-c.html">next</a></nav>'
    for name in ("01-a", "03-c"):
        (tmp_path / f"{name}.html").write_text(head + "</body></html>")
    (tmp_path / "02-b.html").write_text(head + prose.format("") + "</body></html>")
    problems = browser.check_pages(tmp_path, widths=(1280,))["02-b.html"]
    assert "no 'prev' link at top and bottom (0 found)" in problems
    assert "no 'next' link at top and bottom (0 found)" in problems
    assert any(p.startswith("prose lines of about") for p in problems)
    (tmp_path / "02-b.html").write_text(head + nav + prose.format(' style="max-width:70ch"')
                                        + nav + "</body></html>")
    assert browser.check_pages(tmp_path, widths=(1280,))["02-b.html"] == []


def test_an_evidence_table_without_labels_or_with_a_narrow_sentence_column_is_caught(tmp_path):
    from itables import to_html_datatable

    from helpers import tables

    head = ('<html><head><meta name="viewport" content="width=device-width">'
            "<title>Evidence</title></head><body>")
    rows = tables.evidence_rows(_evidence())
    rows = rows[["Meeting", "Speaker", "Issue", "Source", "Characters", "How coded",
                 "Sentence id", "Sentence"]]  # the sentence last, labels only as filters
    rows["Sentence"] = rows["Sentence"] * 5
    old = to_html_datatable(rows, connected=False, table_id="evidence-0123456789",
                            showIndex=False, maxBytes=0, column_filters="header",
                            style={"width": "100%"}, display_logo_when_loading=False)
    lib = tables.evidence_table(_evidence(), include_library=True).to_html().split("<p ")[0]
    (tmp_path / "old.html").write_text(head + lib + old + "</body></html>")
    problems = browser.check_pages(tmp_path, widths=(390,))["old.html"]
    assert any("columns without a visible label" in p for p in problems)
    assert any("evidence table at 390 px: the sentence column" in p for p in problems)
