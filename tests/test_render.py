"""Rendered pages and the README's generated parts are current with the notebooks and code."""


from workflow import readme, render
from workflow.notebooks import list_notebooks


def test_html_pages_are_current(root):
    notebooks = list_notebooks(root / "notebooks")
    stale = [nb.stem for nb in notebooks
             if (root / "reports" / "html" / f"{nb.stem}.html").read_text(encoding="utf-8")
             != render.render_notebook(nb)]
    assert not stale, f"stale: reports/html/{stale} — rerun `python3 tasks.py reproduce`"
    assert (root / "reports" / "html" / "index.html").read_text() == \
        render.render_index(notebooks)


def test_rendered_pages_are_offline_and_have_a_toc(root):
    for page in (root / "reports" / "html").glob("0*.html"):
        html = page.read_text(encoding="utf-8")
        assert 'src="http' not in html and '<link href="http' not in html, page.name
        assert "https://cdn" not in html and "import(" not in html, page.name
        assert '<nav class="toc">' in html and "data:image/png;base64" in html, page.name


def test_figure_catalogue_is_current_and_every_figure_has_a_caption(root):
    figures = root / "reports" / "figures"
    text = (figures / "README.md").read_text(encoding="utf-8")
    assert text == render.figure_catalogue(figures, list_notebooks(root / "notebooks"))
    assert "(no caption)" not in text
    for png in figures.glob("*.png"):
        assert png.name[:2].isdigit() and (figures / f"{png.stem}.csv").exists()


def test_readme_data_dictionary_is_current(root):
    text = (root / "README.md").read_text(encoding="utf-8")
    assert readme.render_readme(text) == text, "stale: README.md — rerun reproduce"


def test_index_lists_notebooks_in_order_with_summaries(root):
    html = (root / "reports" / "html" / "index.html").read_text()
    stems = [nb.stem for nb in list_notebooks(root / "notebooks")]
    positions = [html.index(f'href="{s}.html"') for s in stems]
    assert positions == sorted(positions)
    for nb in list_notebooks(root / "notebooks"):
        title, summary = render.notebook_summary(__import__("nbformat").read(nb, 4))
        assert title and summary, nb.name
