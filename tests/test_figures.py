import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers.figures import OKABE_ITO, save_figure, use_house_style


def _fig():
    use_house_style()
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    ax.set_title("A title with text")
    return fig


def test_save_figure_writes_all_formats_deterministically(tmp_path):
    data = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    fig = _fig()
    first = save_figure(fig, "01-test", data=data, folder=tmp_path / "one", caption="Cap.")
    second = save_figure(fig, "01-test", data=data, folder=tmp_path / "two", caption="Cap.")
    plt.close(fig)
    assert set(first) == {"png", "svg", "pdf", "csv", "txt"}
    for ext in first:
        assert first[ext].read_bytes() == second[ext].read_bytes(), ext
    png, pdf, svg = (first[e].read_bytes() for e in ("png", "pdf", "svg"))
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    assert b"CreationDate" not in pdf and b"/FontFile2" in pdf and b"/Type3" not in pdf
    assert b"<dc:date>" not in svg
    assert first["csv"].read_text() == "x,y\na,1\nb,2\n"


def test_png_is_300_dpi(tmp_path):
    fig = _fig()
    out = save_figure(fig, "01-dpi", data=pd.DataFrame({"a": [1]}), folder=tmp_path)
    plt.close(fig)
    from PIL import Image

    with Image.open(out["png"]) as im:
        assert round(im.info["dpi"][0]) == 300


def test_save_figure_requires_number_prefix_and_data(tmp_path):
    fig = _fig()
    with pytest.raises(ValueError, match="notebook number"):
        save_figure(fig, "test", data=pd.DataFrame({"a": [1]}), folder=tmp_path)
    with pytest.raises(ValueError, match="plotted data"):
        save_figure(fig, "01-test", folder=tmp_path)
    plt.close(fig)
    assert not list(tmp_path.iterdir())


def test_house_style_is_colour_blind_palette():
    use_house_style()
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    assert [c.upper() for c in colours] == OKABE_ITO
    assert plt.rcParams["pdf.fonttype"] == 42


def _coverage() -> pd.DataFrame:
    return pd.DataFrame({"corpus": ["canonical", "all"] * 2, "source": ["all"] * 4,
                         "speaker": ["pompeo", "pompeo", "lavrov", "lavrov"],
                         "meeting": ["sochi-2019-05-14"] * 2 + ["washington-2019-12-10"] * 2,
                         "n_words": [10, 12, 20, 30], "n_sentences": [1, 2, 2, 3]})


def test_draw_renders_once_and_saves_the_same_bytes_as_the_figure(tmp_project, tmp_path,
                                                                   cache_on):
    from helpers import cache, corpus, figures

    use_house_style()
    cov = _coverage()
    before = cache.STATS["figures.draw:miss"], cache.STATS["figures.draw:hit"]
    drawing = figures.draw(corpus.plot_coverage, cov)
    again = figures.draw(corpus.plot_coverage, cov)
    assert (cache.STATS["figures.draw:miss"], cache.STATS["figures.draw:hit"]) == (
        before[0] + 1, before[1] + 1)
    assert again == drawing and drawing.preview.startswith(b"\x89PNG")
    assert drawing._repr_png_() == drawing.preview
    data = pd.DataFrame({"a": [1]})
    from_drawing = save_figure(drawing, "01-drawn", data=data, folder=tmp_path / "a")
    live = corpus.plot_coverage(cov)
    from_figure = save_figure(live, "01-drawn", data=data, folder=tmp_path / "b")
    plt.close(live)
    for ext in ("png", "svg", "pdf"):
        assert from_drawing[ext].read_bytes() == from_figure[ext].read_bytes(), ext


def test_draw_redraws_when_the_style_changes(tmp_project, cache_on):
    from helpers import corpus, figures

    use_house_style()
    cov = _coverage()
    first = figures.draw(corpus.plot_coverage, cov)
    with plt.rc_context({"font.size": 14}):
        bigger = figures.draw(corpus.plot_coverage, cov)
    assert bigger.png != first.png


def test_draw_takes_only_helpers_plot_functions(tmp_project):
    from helpers import figures

    with pytest.raises(TypeError, match="helpers plot function"):
        figures.draw(_fig)
