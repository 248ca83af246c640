"""Readable tables: plain labels, wrapped left-aligned text, an offline evidence table."""

import re

import pandas as pd
import pytest

from helpers import tables

LONG = ("Our actions on the INF Treaty have demonstrated that we're committed to effective "
        "arms control that advances U.S. allied and partner security that is verifiable and "
        "enforceable.")
LEXICON = {"arms_control": "Arms control", "north_korea": "North Korea"}


@pytest.fixture
def evidence():
    return pd.DataFrame({
        "meeting": ["sochi-2019-05-14", "washington-2019-12-10"],
        "speaker": ["pompeo", "lavrov"], "issue": ["arms_control", "north_korea"],
        "sentence_id": ["001_7735bcb4b27e75de:34", "002_9b2d3718502c6310:5"],
        "source": ["001_7735bcb4b27e75de.txt", "002_9b2d3718502c6310.txt"],
        "char_start": [3317, 120], "char_end": [3494, 180], "via": ["direct", "inherited"],
        "text": [LONG, "We discussed the Korean peninsula."]})


def test_show_table_uses_plain_labels_and_keeps_whole_sentences(evidence):
    t = tables.show_table(evidence[["meeting", "speaker", "issue", "source", "via", "text"]],
                          lexicon=LEXICON)
    html = t.to_html()
    for label in ("Sochi, 14 May 2019", "Washington, 10 Dec 2019", "Pompeo", "Lavrov",
                  "Arms control", "North Korea", "matched", "inherited", "Sentence"):
        assert label in html, label
    assert "washington-2019-12-10" not in html and "arms_control" not in html
    assert "001_7735bcb4b27e75de.txt" not in html  # sources by outlet and kind
    assert "Voltaire Network, third-party copy of a transcript" in html
    assert "Russian MFA" in html or "official transcript" in html
    assert LONG.replace("'", "&#x27;") in html or LONG in html  # never cut
    assert "..." not in html and "…" not in html


def test_show_table_aligns_text_left_numbers_right_and_wraps_at_words():
    df = pd.DataFrame({"issue": ["arms_control"], "text": [LONG], "n_sentences": [3],
                       "share": [0.1234]})
    t = tables.show_table(df, lexicon=LEXICON, percent=["share"])
    css = t.to_html().split("</style>", 1)[0]
    block = css[css.index("text-align: left;\n  white-space"):]
    assert "white-space: normal" in block and "word-break: normal" in block
    cols = re.findall(r"_row0_(col\d)", css.split("text-align: left;\n  white-space")[0])
    assert set(cols) == {"col0", "col1"}  # the two text columns, not the numbers
    assert "12.3%" in t.to_html() and "All sentences" not in t.to_html()
    assert "<th" in t.to_html() and "Sentences" in t.to_html()


def test_show_table_is_deterministic_and_has_no_random_ids():
    df = pd.DataFrame({"speaker": ["pompeo"], "share": [0.5]})
    first, second = tables.show_table(df).to_html(), tables.show_table(df).to_html()
    assert first == second
    other = tables.show_table(pd.DataFrame({"speaker": ["lavrov"], "share": [0.5]}))
    assert other.to_html() != first  # ids come from the content
    assert "0x" not in repr(tables.show_table(df))


def test_pivoted_meeting_columns_and_dicts_get_plain_headers():
    grid = pd.DataFrame({("pompeo", "washington-2019-12-10"): [0.1]}, index=["arms_control"])
    grid.index.name = "issue"
    out = tables.relabel(grid, LEXICON)
    assert list(out.columns) == ["Pompeo, Washington, 10 Dec 2019"]
    assert list(out.index) == ["Arms control"] and out.index.name == "Issue"


def test_evidence_table_is_offline_filterable_and_deterministic(evidence):
    t = tables.evidence_table(evidence, lexicon=LEXICON, include_library=True)
    html = t.to_html()
    assert html == tables.evidence_table(evidence, lexicon=LEXICON,
                                         include_library=True).to_html()
    assert "window._itables_" in html and "injectModule" in html  # the library, inline
    assert not re.search(r"""(from\s*|import\()\s*["']https?://""", html)
    assert "https://cdn" not in html
    table_id = re.search(r'<table id="(evidence-[0-9a-f]{10})"', html).group(1)
    assert html.count(f'id="{table_id}"') == 1
    assert '"column_filters": "footer"' in html  # the header keeps the column labels
    rows = tables.evidence_rows(evidence, LEXICON)
    assert list(rows.columns) == ["Sentence", "Meeting", "Speaker", "Issue", "How coded",
                                  "Source", "Characters", "Sentence id"]  # sentence first
    assert rows.iloc[0].tolist()[1:4] == ["Sochi, 14 May 2019", "Pompeo", "Arms control"]
    assert rows["Characters"].tolist() == ["3317–3494", "120–180"]
    assert rows["How coded"].tolist() == ["matched", "inherited"]
    without = tables.evidence_table(evidence, lexicon=LEXICON, include_library=False)
    assert "injectModule" not in without.to_html()


def test_show_table_accepts_rows_with_a_repeated_anonymous_index():
    df = pd.concat([pd.DataFrame({"text": ["a b"]}), pd.DataFrame({"text": ["c d"]})])
    assert not df.index.is_unique
    assert "c d" in tables.show_table(df).to_html()


def test_one_style_for_grouped_indexed_and_share_tables():
    """A groupby result: the named index becomes plain columns, grouped headers one flat
    row, shares in percent and differences in points, no 0..N column."""
    df = pd.DataFrame({"meeting": ["sochi-2019-05-14"], "issue": ["arms_control"],
                       "share": [0.1234], "ci_low": [0.05], "ci_high": [0.2]}
                      ).set_index(["meeting", "issue"])
    html = tables.show_table(df, lexicon=LEXICON).to_html()
    assert "Sochi, 14 May 2019" in html and "Arms control" in html
    assert "12.3%" in html and "5.0%" in html and "0.123" not in html
    assert 'class="row_heading' not in html and "index_name" not in html  # no index column
    grid = pd.DataFrame({("q_fdr", "pompeo"): [0.5]})
    t = tables.show_table(grid)
    assert list(t.frame.columns) == ["q (FDR), Pompeo"] and "level1" not in t.to_html()
    diff = tables.show_table(pd.DataFrame({"estimate": [-0.046], "ci_low": [-0.1]}),
                             points=["estimate", "ci_low"]).to_html()
    assert ">-4.6<" in diff and ">-10.0<" in diff and "%<" not in diff


def test_every_dataframe_a_notebook_shows_gets_the_table_style():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        tables.use_for_dataframes(LEXICON)
        data, _ = shell.display_formatter.format(
            pd.Series({"rows": 3}, name="sentences"))
        assert "Sentences" in data["text/html"] and "dtype" not in data["text/html"]
        data, _ = shell.display_formatter.format(pd.DataFrame({"issue": ["north_korea"]}))
        assert "North Korea" in data["text/html"]
    finally:
        InteractiveShell.clear_instance()
