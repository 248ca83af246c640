"""Notebook 04's readings of the coding and its checks, one function per reading."""

from __future__ import annotations

import pandas as pd

from .sources import meeting_label
from .story import contrast_title, listing, missing_cells, plural, turn_counts


def lexicon_reading(lexicon_table: pd.DataFrame) -> str:
    """How many issues, and the range of their pattern counts."""
    widest = lexicon_table.sort_values("patterns", ascending=False).iloc[0]
    return (f"{len(lexicon_table)} issues with {lexicon_table['patterns'].min()} to "
            f"{lexicon_table['patterns'].max()} patterns each; {widest['label']} needs the most "
            f"({widest['patterns']}), because it is talked about in the most varied words.")


def inheritance_reading(via: pd.DataFrame, n_canonical: int) -> str:
    """What direct matches code, and what each inheriting rule adds (``via``: rows by rule)."""
    return (f"Direct matches code {via.loc['direct', 'none']} of {n_canonical} canonical "
            "sentences. " + "; ".join(f"`{r}` adds {via.loc['inherited', r]}"
                                       for r in via.columns if r != "none")
            + ". The rule is chosen below by how well it agrees with the hand coding.")


def rule_reading(n_hand: int, n_gold: int, rule_folds: pd.DataFrame, rule_test: dict,
                 inherit: str) -> str:
    """The held-out choice of the context rule: per fold, pooled gain and its interval."""
    dropped = n_hand - n_gold
    head = ("" if dropped <= 0 else f"{dropped} hand-coded sentence is no longer canonical (it "
            "repeats a better source) and is left out. " if dropped == 1 else
            f"{dropped} hand-coded sentences are no longer canonical (they repeat a better "
            "source) and are left out. ")
    t = rule_test
    return (head + "Held out one at a time, each source is coded with "
            + listing(f"`{r}` ({n} of {len(rule_folds)} sources)"
                      for r, n in rule_folds["chosen_rule"].value_counts().items())
            + f", the rule chosen on the others. Pooled, these held-out codings reach micro-F1 "
            f"{t['f1']:.2f}, against {t['f1_base']:.2f} with no inheritance: a gain of "
            f"{t['gain']:+.2f} (95% interval {t['gain_low']:+.2f} to {t['gain_high']:+.2f}, "
            "whole turns resampled). "
            + (f"The gain is larger than its interval, so `{inherit}` (best on all sources) is "
               "used from here on." if inherit != "none" else
               "The gain is not more than its interval, so no inheritance (`none`) is used from "
               "here on.")
            + " The hand coders gave a sentence that continues its turn's topic the issue of "
              "that topic, as the coding guide asks, and that is what an inheriting rule copies; "
              "how well it does on transcripts unlike these only a held-out coding can tell.")


def scores_reading(scores: pd.DataFrame, scores_out: pd.DataFrame, n_gold: int,
                   labels: dict[str, str], few: int = 10) -> str:
    """Micro-F1 in and out of sample, the weakest precision, and issues with few positives."""
    micro = scores.set_index("issue").loc["micro avg"]
    scored = scores[scores["issue"] != "micro avg"].dropna(subset=["f1"])
    weak = scored.sort_values("precision").iloc[0]
    return (f"Micro-F1 is {micro['f1']:.2f} (interval {micro['f1_low']:.2f}–"
            f"{micro['f1_high']:.2f}) over {n_gold} sentences, in-sample; out of sample for the "
            f"context rule only, {scores_out.set_index('issue').loc['micro avg', 'f1']:.2f}. The "
            f"lowest precision is {labels[weak['issue']]} ({weak['precision']:.2f}: the lexicon "
            f"codes {weak['predicted']} sentences, the hand coding {weak['support']}). Issues "
            "with few positives have wide intervals: "
            + ", ".join(f"{labels[r.issue]} ({r.support})" for r in scored.itertuples()
                        if r.support < few) + ".")


def sheets_reading(unchecked: list[str], sheets: list, root, sheet_codes: pd.DataFrame,
                   held: pd.DataFrame, scores_held: pd.DataFrame | None) -> str:
    """Sources without hand codes, their coding sheets (paths shown relative to ``root``),
    and the held-out score of the complete sheets' rows ``held`` (``scores_held``) if any."""
    pending = sheet_codes[~sheet_codes["complete"]].groupby("sheet")["coded"].agg(["sum", "size"])
    if len(held):
        micro = scores_held.set_index("issue").loc["micro avg"]
        score = (f" Held out: on {len(held)} sentences of "
                 f"{plural(held['source'].nunique(), 'source')} coded on coding sheets, micro-F1 "
                 f"is {micro['f1']:.2f} (95% interval {micro['f1_low']:.2f}–"
                 f"{micro['f1_high']:.2f}): the accuracy to expect on new text.")
    elif len(sheet_codes):
        score = " No coding sheet is complete yet, so there is no held-out score."
    else:
        score = (" So there is no held-out coding, and no held-out score; adding a transcript "
                 "writes a coding sheet for it.")
    n = len(unchecked)
    return (("Every source of the measured speakers is in the hand coding: no coding sheet is "
             "needed." if not n else
             f"{n} source{'s have' if n != 1 else ' has'} no hand codes ("
             + listing(f"`{s}`" for s in unchecked) + "); coding sheets: "
             + listing(f"`{p.relative_to(root)}`" for p in sheets) + ".")
            + "".join(f" `{name}`: {r['sum']} of {r['size']} rows coded; it is scored once every "
                      "row is coded." for name, r in pending.iterrows())
            + score)


def agreement_reading(agreement: pd.DataFrame, n_both: int, n_disagree: int,
                      labels: dict[str, str]) -> str:
    """The range of Krippendorff's alpha across issues between the two hand coders."""
    worst = agreement.dropna(subset=["alpha"]).sort_values("alpha").iloc[0]
    return (f"On {n_both} sentences, alpha ranges from {agreement['alpha'].min():.2f} "
            f"({labels[worst['issue']]}, {worst['disagreements']} disagreements) to "
            f"{agreement['alpha'].max():.2f}. The coders disagree on {n_disagree} sentences; "
            "they are listed below with the second coder's note, which says why.")


def share_error_reading(err: pd.DataFrame, errors_out: pd.DataFrame, inherit: str,
                        labels: dict[str, str]) -> str:
    """How far the lexicon shares are from the hand coding, in and out of sample."""
    top = err.sort_values("abs_corrected", ascending=False).iloc[0]
    gaps = errors_out["error_corrected"].abs()
    return (f"Corrected, the lexicon is {err['abs_corrected'].mean():.1f} points from the hand "
            f"coding on average (uncorrected: {err['abs_uncorrected'].mean():.1f}); the largest "
            f"gap is {top['abs_corrected']:.1f} points, for {labels[top['issue']]} of "
            f"{top['speaker'].title()} at {meeting_label(top['meeting'])} (uncorrected "
            f"{abs(top['error_uncorrected']):.1f}). "
            + ("With the context rule also chosen without each cell's sources, every cell keeps "
               f"`{inherit}`, so these gaps are out of sample for both choices."
               if errors_out["rule"].eq(inherit).all() else
               "With the context rule also chosen without each cell's sources (out of sample "
               f"for both choices), the gap is {gaps.mean():.1f} points on average and "
               f"{gaps.max():.1f} at most."))


def coverage_reading(coverage: pd.DataFrame) -> str:
    """Per measure, how many intervals contain the second coder's share."""
    cover = coverage.groupby("measure").agg(cells=("inside", "size"), inside=("inside", "sum"),
                                            mean_abs_error=("error", lambda e: e.abs().mean()))
    return "; ".join(
        f"{m} measure: {int(r.inside)} of {int(r.cells)} cell-issue intervals "
        f"({r.inside / r.cells:.0%}) contain the second coder's share, {r.mean_abs_error:.1f} "
        "points from it on average" for m, r in cover.iterrows()) + "."


def missing_cells_reading(salience: pd.DataFrame, speakers) -> str:
    """The speaker-meeting cells with no data (hatched in the grid)."""
    return ("Hatched cells (no data, not zero): " + (", ".join(
        f"{sp.title()} at {meeting_label(m)}" for m, sp in missing_cells(salience, speakers))
        or "none") + ".")


def turn_type_reading(shift: pd.DataFrame, labels: dict[str, str], k: int = 3) -> str:
    """How much setting answers apart moves the contrasts, and the ``k`` that move most."""
    moved = shift["change"].abs().sort_values(ascending=False).head(k)
    return ("Setting answers apart moves the contrasts by "
            f"{shift['change'].abs().mean() * 100:.1f} points on average; most for "
            + "; ".join(f"{labels[i[-1]]}, {i[0]} ({shift.loc[i, 'cell only'] * 100:+.0f} → "
                        f"{shift.loc[i, 'cell + turn type'] * 100:+.0f} points)"
                        for i in moved.index)
            + ". With few turns per cell, the clustered errors of this model are themselves "
              "unreliable, so the turn-level tests above stay the primary test.")


def translation_reading(summary: pd.DataFrame) -> str:
    """Gaps between two renderings of the same passages (``summary`` from notebook 04)."""
    t = summary.reset_index()
    t = t[t["rendering"] != t["canonical_rendering"]]
    if not len(t):
        return "No passage is available in two translations."
    return "; ".join(f"{r.speaker.title()} at {meeting_label(r.meeting)}, {r.rendering} against "
                     f"{r.canonical_rendering} ({r.sentences} sentences): {r.mean_abs_gap:.1f} "
                     f"points apart on average, {r.largest_gap:.1f} at most"
                     for r in t.itertuples()) + "."


def methods_reading(methods: pd.DataFrame) -> str:
    """For how many mapped topics the topic model and the lexicon peak in the same cell."""
    if not len(methods):
        return "No topic maps to an issue, so there is nothing to compare."
    agree = methods.groupby("topic").apply(
        lambda g: g["lexicon_share"].idxmax() == g["topic_share"].idxmax(), include_groups=False)
    return (f"For {int(agree.sum())} of {len(agree)} mapped topics, the speaker-meeting cell "
            "where the topic is most prevalent is also where the lexicon finds its issues most "
            "often.")


def overlap_table(ov: pd.DataFrame) -> pd.DataFrame:
    """The overlap rows with a readable ``comparison`` name, as the overlap figure draws them."""
    return ov.assign(comparison=[
        f"{r.speaker.title()} vs {r.compare_speaker.title()}, {meeting_label(r.meeting)}"
        if r.compare_speaker != r.speaker else
        f"{r.speaker.title()}, {meeting_label(r.compare_meeting)} vs {meeting_label(r.meeting)}"
        for r in ov.itertuples()])[["comparison", "measure", "estimate", "ci_low", "ci_high",
                                    "ceiling", "ceiling_low", "ceiling_high", "p_value"]]


def contrast_caption(rows: pd.DataFrame, labels: dict[str, str]) -> str:
    """The caption of one comparison's table of tested contrasts."""
    return (f"{contrast_title(rows, labels)}: differences in points ({rows['measure'].iloc[0]} "
            f"coding, {turn_counts(rows.iloc[0])}), most evident first")
