"""Every figure of the notebooks, drawn as the notebooks draw it, from its committed data.

Used by tests/test_figures.py (layout, sizes, fonts) and handy for eyeballing:
``python tests/figure_cases.py OUT_DIR`` writes every figure at both widths.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FIG = ROOT / "reports" / "figures"
WASHINGTON = "washington-2019-12-10"


def cases() -> dict:
    """{figure name: (plot function, args, kwargs)} for each committed figure."""
    from helpers import corpus, features, lexicon as lex, salience_charts as charts, topics
    from helpers.schemas import read_table

    def csv(name):
        return pd.read_csv(FIG / f"{name}.csv", keep_default_na=True)

    salience = read_table("salience")
    lexicon = lex.load_lexicon()
    scores = csv("03-k-selection")
    chosen = {m: topics.choose_k(scores, m) for m in ("nmf", "lda")}
    nmf_prev = csv("03-topic-prevalence-heatmap")
    pooled = csv("02-keyness-scatter")
    return {
        "01-coverage": (corpus.plot_coverage, (read_table("coverage"),), {}),
        "02-tfidf-top-terms": (features.plot_top_terms, (csv("02-tfidf-top-terms"),),
                               {"n": 8, "title": "Each man's top-weighted words name his own "
                                                 "agenda"}),
        "02-keyness-scatter": (features.plot_keyness_scatter, (pooled,),
                               {"n_labels": 12, "title": "Pompeo's words are demands and "
                                                         "enforcement; Lavrov's, proposals"}),
        "02-keyness-bars": (features.plot_keyness_bars, (pooled,),
                            {"n": 15, "title": "Lavrov offers (proposal, ready); Pompeo "
                                               "presses (work, enforcement)"}),
        "03-k-selection": (topics.plot_k_selection, (scores, chosen),
                           {"title": "NMF topics are coherent and stable; LDA is weaker at "
                                     "every k"}),
        "03-topic-prevalence-heatmap": (topics.plot_prevalence_heatmap, (nmf_prev,),
                                        {"title": "Each speaker has topics of his own"}),
        "03-topic-prevalence-washington": (
            topics.plot_prevalence_dots, (nmf_prev, WASHINGTON),
            {"title": "At Washington, Lavrov leads on proposals and arms control; Pompeo on "
                      "enforcement"}),
        "04-washington-pompeo-vs-lavrov": (
            charts.plot_salience_dots, (salience, lexicon, WASHINGTON),
            {"title": "In Washington, Lavrov stressed arms control and election "
                      "interference; Pompeo, North Korea"}),
        "04-pompeo-sochi-to-washington": (
            charts.plot_pompeo_change, (salience, lexicon),
            {"title": "Pompeo's agenda moved from Iran and Venezuela (Sochi) to North Korea "
                      "(Washington)"}),
        "04-salience-heatmap": (charts.plot_salience_heatmap, (salience, lexicon),
                                {"title": "The relationship itself leads every agenda; the "
                                          "issues behind it differ"}),
        "04-agenda-overlap": (charts.plot_agenda_overlap, (csv("04-agenda-overlap"),),
                              {"title": "Pompeo's and Lavrov's Washington agendas only partly "
                                        "overlap"}),
    }


if __name__ == "__main__":
    import sys

    from helpers import figures

    figures.use_house_style()
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, (plot, args, kwargs) in cases().items():
        d = figures.Drawing.from_figure(plot(*args, **kwargs))
        c = d.at_width(figures.COLUMN_WIDTH)
        (out / f"{name}.png").write_bytes(d.png)
        (out / f"{name}-column.png").write_bytes(c.png)
        print(f"{name}: {d.width:g}x{d.height:.2f} in; problems: {list(d.problems)}; "
              f"column problems: {list(c.problems)}")
