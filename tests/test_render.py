"""Rendered pages and the README's generated parts are current with the notebooks and code."""

import ast
import base64
import io
import re
import nbformat
import pandas as pd
import pytest
from PIL import Image

from helpers import tables, topics
from helpers.sources import load_meetings
from conftest import add_source
from workflow import readme, render
from workflow.notebooks import list_notebooks


def test_html_pages_are_current(project):
    notebooks = list_notebooks(project / "notebooks")
    stale = [nb.stem for nb in notebooks
             if (project / "reports" / "html" / f"{nb.stem}.html").read_text(encoding="utf-8")
             != render.render_notebook(nb)]
    assert not stale, f"stale: reports/html/{stale} — rerun `python3 tasks.py reproduce`"
    assert (project / "reports" / "html" / "index.html").read_text() == \
        render.render_index(project)


def test_workflow_modules_import_no_circle(root):
    imports = {}
    for path in (root / "src" / "workflow").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports[path.stem] = {n.module.split(".")[1] for n in ast.walk(tree)
                              if isinstance(n, ast.ImportFrom)
                              and (n.module or "").startswith("workflow.")}
    done: set[str] = set()
    while len(done) < len(imports):  # peel off modules whose imports are all done
        ready = {m for m, deps in imports.items() if m not in done and deps <= done}
        assert ready, f"a circle among {sorted(set(imports) - done)}"
        done |= ready


def test_rendered_pages_are_offline_and_have_a_toc(project):
    for page in (project / "reports" / "html").glob("0*.html"):
        html = page.read_text(encoding="utf-8")
        assert 'src="http' not in html and '<link href="http' not in html, page.name
        assert "https://cdn" not in html, page.name
        assert not re.search(r"""(from\s*|import\(\s*)["']https?://""", html), page.name
        assert '<nav class="toc">' in html and "data:image/png;base64" in html, page.name


def test_figure_catalogue_is_current_and_every_figure_has_a_caption(project):
    figures = project / "reports" / "figures"
    text = (figures / "README.md").read_text(encoding="utf-8")
    assert text == render.figure_catalogue(project)
    assert "(no caption)" not in text
    for png in figures.glob("*.png"):
        stem = png.stem.removesuffix("-column")
        assert png.name[:2].isdigit() and (figures / f"{stem}.csv").exists()
    page = (project / "reports" / "html" / "figures.html").read_text(encoding="utf-8")
    assert page == render.figure_catalogue(project, "figures.html.j2")


def test_readme_and_data_dictionary_are_current(project):
    text = (project / "README.md").read_text(encoding="utf-8")
    assert readme.render_readme(text) == text, "stale: README.md — rerun reproduce"
    dictionary = (project / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert dictionary == readme.data_dictionary_markdown(), "stale: docs/data-dictionary.md"
    assert "**`data/processed/salience.csv`**" in dictionary
    # the README stays a way in (details live in docs/): at most about 250 lines besides its
    # generated blocks (sources, findings), which grow with every transcript and meeting
    for start, end in (readme.SOURCES, readme.FINDINGS):
        text = text[:text.index(start)] + text[text.index(end):]
    assert len(text.splitlines()) <= 250


def test_index_lists_notebooks_in_order_with_summaries(project):
    html = (project / "reports" / "html" / "index.html").read_text()
    html = html[html.index('id="notebooks"'):]  # the list after the findings
    stems = [nb.stem for nb in list_notebooks(project / "notebooks")]
    positions = [html.index(f'href="{s}.html"') for s in stems]
    assert positions == sorted(positions)
    for nb in list_notebooks(project / "notebooks"):
        title, summary = render.notebook_summary(nbformat.read(nb, 4))
        assert title and summary, nb.name


# --------------------------------------------------------------------------- small fixtures
def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buf, format="PNG")
    return buf.getvalue()


def _figure_files(folder, stem, caption, column=False):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.png").write_bytes(_png())
    (folder / f"{stem}.txt").write_text(caption + "\n")
    (folder / f"{stem}.csv").write_text("a,b\n1,2\n")
    if column:
        (folder / f"{stem}-column.png").write_bytes(_png())


def _notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = cells
    nbformat.write(nb, path)
    return path


def _image_output(title):
    return nbformat.v4.new_output("display_data", data={
        "image/png": base64.b64encode(_png()).decode(), "text/plain": f"<Drawing: {title}>"})


@pytest.fixture
def small_site(tmp_path):
    """A project of two notebooks and two figures, without data."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    (tmp_path / "data" / "processed").mkdir(parents=True)
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    shown = code('fig = figures.draw(plot)\nfigures.save_figure(fig, "04-headline", data=d)\nfig')
    shown.outputs = [_image_output("The drawing's title")]
    unsaved = code("fig2 = figures.draw(other)\nfig2")
    unsaved.outputs = [_image_output("Only a title")]
    wide = code("table")
    wide.outputs = [nbformat.v4.new_output("execute_result", data={
        "text/html": "<table class=\"dataframe\"><tr><td>" + "x" * 400 + "</td></tr></table>",
        "text/plain": "x"}, execution_count=1)]
    checks = code("assert True")
    _notebook(nbs / "01-first.ipynb", [md("# First step\n\nCleans things. More.")])
    _notebook(nbs / "04-measure.ipynb", [
        md("# Which issues, and how did they change?\n\nMeasures salience."),
        md("## Results"), md("### The headline figure"), shown, unsaved, wide,
        md("## Sanity checks\n\n"), checks,
        md("## Caveats\n\nRead the intervals.")])
    figs = tmp_path / "reports" / "figures"
    _figure_files(figs, "04-headline", "Share of each man's sentences, with intervals.",
                  column=True)
    _figure_files(figs, "04-other", "Another figure.")
    readme = tmp_path / "README.md"
    readme.write_text("# T\n\n**Question.** Which issues do they stress?\n\nMore.\n")
    return tmp_path


FINDINGS_HEADER = ("finding,kind,meeting,speaker,issue,compare_meeting,compare_speaker,"
                   "measure,estimate,ci_low,ci_high,p_value,p_adjusted,supported,text,figure")


def _findings(root, rows):
    path = root / "data" / "processed" / "findings.csv"
    path.write_text(FINDINGS_HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def test_notebook_page_has_title_viewport_alt_toc_and_no_empty_sections(small_site):
    page = render.render_notebook(small_site / "notebooks" / "04-measure.ipynb",
                                  small_site / "reports" / "figures")
    assert "<title>Which issues, and how did they change?</title>" in page
    assert 'name="viewport"' in page
    assert 'alt="Share of each man\'s sentences, with intervals."' in page
    assert 'alt="Only a title"' in page  # no saved figure: the drawing's title
    assert "No description has been provided" not in page
    toc = page.split('<nav class="toc">', 1)[1].split("</nav>", 1)[0]
    assert 'class="h3"' in toc and "The headline figure" in toc
    assert "Sanity checks" not in page  # hidden code, no output: the section is dropped
    assert "Caveats" in toc
    assert 'class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output' in page
    assert ".jp-OutputArea-output {overflow-x: auto;" in page  # wide tables scroll


def test_drop_empty_sections_keeps_sections_whose_subsections_have_content():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook()
    filled = code("print(1)")
    filled.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb.cells = [md("# T"), md("## Parent"), md("### Child"), filled, md("## Empty"),
                code("x = 1"), md("### Empty child")]
    out = render.drop_empty_sections(nb)
    text = "\n".join(c.source for c in out.cells)
    assert "## Parent" in text and "### Child" in text
    assert "Empty" not in text and "x = 1" not in text
    assert len(nb.cells) == 7  # the input is not changed


def test_index_leads_with_the_question_then_supported_findings_and_figures(small_site):
    rows = ['f1,difference,w,pompeo,arms,w,lavrov,lexicon,0.1,0.05,0.15,0.001,0.01,True,'
            '"Lavrov stressed arms control more than Pompeo.",04-headline',
            'f2,change,w,pompeo,iran,s,pompeo,lexicon,-0.2,-0.3,-0.1,0.001,0.01,True,'
            '"Pompeo spoke less of Iran in Washington.",04-headline',
            'f3,difference,w,pompeo,syria,w,lavrov,lexicon,0.0,-0.1,0.1,0.9,1.0,False,'
            '"Not supported: Syria.",04-other',
            'f4,share,w,pompeo,syria,,,lexicon,0.3,0.2,0.4,,,True,"A share, not shown.",',
            'f5,overlap,w,pompeo,,w,lavrov,lexicon,0.57,0.44,0.61,,,,"Overlap.",04-other']
    _findings(small_site, rows)
    page = render.render_index(small_site)
    assert 'name="viewport"' in page
    q = page.index("Which issues do they stress?")
    first, second = page.index("Lavrov stressed arms"), page.index("Pompeo spoke less")
    nbs = page.index('href="01-first.html"')
    assert q < first < second < nbs < page.index('href="04-measure.html"', nbs)
    assert "Not supported" not in page and "A share" not in page and "Overlap." not in page
    assert page.count('src="../figures/04-headline.png"') == 1  # one figure, shown once
    assert 'alt="Share of each man&#39;s sentences, with intervals."' in page
    assert 'srcset="../figures/04-headline-column.png"' in page
    assert "04-other.png" not in page
    assert 'Start here:</strong> <a href="04-measure.html"' in page
    assert 'href="readme.html"' in page and 'href="figures.html"' in page
    assert "../../README.md" not in page  # the README page is beside the index


def test_index_without_findings_says_they_are_not_computed(small_site):
    page = render.render_index(small_site)
    assert "Findings are not yet computed" in page and "<img" not in page
    assert 'href="04-measure.html"' in page


def test_index_without_supported_findings_says_so(small_site):
    rows = ['f3,difference,w,pompeo,syria,w,lavrov,lexicon,0.0,-0.1,0.1,0.9,1.0,False,'
            '"Not supported: Syria.",04-other']
    _findings(small_site, rows)
    page = render.render_index(small_site)
    assert "No difference or change is supported" in page
    assert "Not supported: Syria." not in page and "<img" not in page


def test_figure_catalogue_page_is_html_with_alt_text(small_site):
    page = render.figure_catalogue(small_site, "figures.html.j2")
    assert page.startswith("<!DOCTYPE html>") and "![" not in page
    assert page.count("<figure") == 2  # the column variant is not a figure of its own
    assert 'alt="Another figure."' in page and 'href="04-measure.html"' in page
    md = render.figure_catalogue(small_site)
    assert "## 04-headline-column" not in md and "04-headline-column.png" in md


def test_render_all_writes_the_pages(small_site):
    pages = render.render_all(small_site)
    assert sorted(p.name for p in pages) == ["01-first.html", "04-measure.html",
                                             "figures.html", "index.html", "readme.html"]
    assert (small_site / "reports" / "figures" / "README.md").exists()
    again = render.render_all(small_site)
    assert [p.read_text() for p in pages] == [p.read_text() for p in again]


def test_an_offline_evidence_table_survives_rendering(small_site):
    ev = pd.DataFrame({"meeting": ["m-2019-01-01"], "speaker": ["pompeo"], "issue": ["x"],
                       "sentence_id": ["s:1"], "source": ["f.txt"], "char_start": [1],
                       "char_end": [5], "via": ["direct"], "text": ["See https://x.org."]})
    html = tables.evidence_table(ev, include_library=True).to_html()
    cell = nbformat.v4.new_code_cell("tables.evidence_table(ev)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html,
                                                                 "text/plain": "table"})]
    path = _notebook(small_site / "notebooks" / "05-evidence.ipynb",
                     [nbformat.v4.new_markdown_cell("# Evidence\n\nAll of it."), cell])
    page = render.render_notebook(path, small_site / "reports" / "figures")
    assert "injectModule" in page and "new ITable(" in page  # library and table kept
    assert re.search(r'<table[^>]*id="evidence-', page)


def test_readme_sources_table_follows_the_manifest(tmp_project):
    before = readme.sources_markdown(tmp_project)
    add_source(tmp_project, "005_test.txt", "A test transcript\n\nSECRETARY POMPEO: Hi.\n",
               meeting="moscow-2020-06-01", event_date="2020-06-01", meeting_name="",
               note="a test note")
    after = readme.sources_markdown(tmp_project)
    assert after.startswith(before)
    assert after.splitlines()[-1].startswith("| `005_test.txt` |")
    assert "Moscow, 1 Jun 2020" in after and "a test note" in after


def test_readme_corpus_sentence_follows_the_manifest(tmp_project):
    assert readme.corpus_markdown(tmp_project).startswith(
        "The sources are 5 public records of 2 meetings: Sochi, 14 May 2019 (2 sources) and "
        "Washington, 10 Dec 2019 (3 sources).")
    add_source(tmp_project, "002_test.txt", "A test transcript\n\nSECRETARY POMPEO: Hi.\n",
               meeting="moscow-2020-06-01", event_date="2020-06-01", meeting_name="")
    assert "6 public records of 3 meetings: Sochi, 14 May 2019 (2 sources), Washington, " \
           "10 Dec 2019 (3 sources) and Moscow, 1 Jun 2020 (1 source)" in \
        readme.corpus_markdown(tmp_project)


def test_fixed_prose_names_no_meeting(root, seed_root):
    """Text about the corpus is generated: outside the generated blocks and the research
    question, the README and the data dictionary name neither meeting of the seeds."""
    text = (root / "README.md").read_text(encoding="utf-8")
    for start, end in (readme.CORPUS, readme.FINDINGS, readme.SOURCES):
        text = text[:text.index(start)] + text[text.index(end):]
    text = text[text.index("\n\n", text.index("**Question.**")):]  # the question stays
    text += readme.data_dictionary_markdown()
    for m in load_meetings(seed_root / "data" / "raw"):
        place = m["name"].split(",")[0]
        for name in (m["meeting"], m["name"], f"{place} meeting", f"at {place}",
                     "their two meetings", "both meetings"):
            assert name not in text, name


def test_alt_text_of_figures_saved_in_a_loop_is_each_figures_caption(small_site):
    """A loop that saves under a variable: each image gets the caption of the figure whose
    drawn text holds its title (not the next cell's figure), and the column version."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    figs = small_site / "reports" / "figures"
    for stem, title in (("04-a", "Washington: no difference"), ("04-b", "Pompeo: no change")):
        (figs / f"{stem}.svg").write_text(f"<svg><!-- {title.split(': ')[0]}: -->"
                                          f"<!-- {title.split(': ')[1]} --></svg>")
        _figure_files(figs, stem, f"Caption of {stem}.", column=stem == "04-b")
    (figs / "04-heat.svg").write_text("<svg><!-- A heatmap --></svg>")
    _figure_files(figs, "04-heat", "Caption of the heatmap.")
    loop = code('for stem in stems:\n    figures.save_figure(fig, stem, data=d)\n'
                '    display(fig)')
    loop.outputs = [_image_output("Washington: no difference"),
                    _image_output("Pompeo: no change")]
    heat = code('figures.save_figure(fig, "04-heat", data=d)\nfig')
    heat.outputs = [_image_output("A heatmap")]
    path = _notebook(small_site / "notebooks" / "04-measure.ipynb",
                     [md("# Loop\n\nFigures."), loop, heat])
    page = render.render_notebook(path, figs)
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', page)
    assert alts == ["Caption of 04-a.", "Caption of 04-b.", "Caption of the heatmap."]
    pictures = re.findall(r"<picture>.*?</picture>", page, re.S)
    assert len(pictures) == 1 and 'alt="Caption of 04-b."' in pictures[0]
    column = base64.b64encode((figs / "04-b-column.png").read_bytes()).decode()
    assert f'media="(max-width: 600px)" srcset="data:image/png;base64,{column}"' in pictures[0]


def test_pages_link_to_their_neighbours_and_say_what_they_were_built_from(small_site):
    (small_site / "notebooks" / "02-middle.ipynb").write_text(
        (small_site / "notebooks" / "01-first.ipynb").read_text())
    pages = {p.stem: render.render_notebook(p, small_site / "reports" / "figures")
             for p in list_notebooks(small_site / "notebooks")}
    first, middle, last = pages["01-first"], pages["02-middle"], pages["04-measure"]
    assert 'rel="prev"' not in first and first.count('href="02-middle.html" rel="next"') == 2
    assert middle.count('href="01-first.html" rel="prev"') == 2
    assert middle.count('href="04-measure.html" rel="next"') == 2
    assert 'rel="next"' not in last
    stamp = re.search(r'<footer class="build">(.*?)</footer>', last, re.S).group(1)
    assert "content hash" in stamp and stamp == render.build_stamp(small_site)
    assert render.render_notebook(small_site / "notebooks" / "04-measure.ipynb",
                                  small_site / "reports" / "figures") == last  # a rerun is identical
    (small_site / "data" / "raw").mkdir(parents=True)
    (small_site / "data" / "raw" / "new.txt").write_text("a new input")
    assert render.build_stamp(small_site) != stamp  # an input changes the hash


def test_a_parameter_run_says_which_values_differ_from_the_defaults(small_site):
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    params = code("N_BOOT = 2000  # resamples\nSEED = 1")
    params.metadata["tags"] = ["parameters"]
    injected = code("# Parameters\nN_BOOT = 500\nSEED = 1\n")
    injected.metadata["tags"] = ["injected-parameters"]
    path = _notebook(small_site / "notebooks" / "04-measure.ipynb",
                     [md("# Run\n\nWith values."), params, injected])
    page = render.render_notebook(path, small_site / "reports" / "figures")
    note = re.search(r"<blockquote>(.*?)</blockquote>", page, re.S).group(1)
    assert "<code>N_BOOT = 500</code> (default <code>2000</code>)" in note
    assert "SEED" not in note  # the same as the default
    injected.source = "# Parameters\nSEED = 1\n"
    _notebook(path, [md("# Run\n\nWith values."), params, injected])
    assert "default parameters" in render.render_notebook(path, small_site / "reports" / "figures")


def test_constants_named_in_prose_show_their_values():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    params = code("from helpers import topics as tp\nN_SEEDS = 10  # refits")
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [params, md("We fit `N_SEEDS` seeds; stable means `tp.STABLE_COSINE`; "
                           "`UNKNOWN_NAME` and `tp.NO_SUCH` stay as they are.")]
    render.show_constants(nb)
    assert nb.cells[1].source == (
        f"We fit `N_SEEDS` (= 10) seeds; stable means `tp.STABLE_COSINE` "
        f"(= {topics.STABLE_COSINE!r}); `UNKNOWN_NAME` and `tp.NO_SUCH` stay as they are.")
