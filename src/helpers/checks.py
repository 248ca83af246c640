"""The closing checks of each notebook: each function raises an AssertionError that says
what is wrong and where to look, or returns None."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import config


def _fail(problems: list[str], what: str, hint: str = "") -> None:
    if problems:
        raise AssertionError(f"{what}: " + "; ".join(problems) + hint)


def check(ok, message: str) -> None:
    """Raise ``AssertionError(message)`` unless ``ok``."""
    if not ok:
        raise AssertionError(message)


def corpus_checks(sentences: pd.DataFrame, manifest, texts: dict[str, str], n_checked: int,
                  seed: int) -> None:
    """Notebook 01: every source yields sentences of known speakers; repeats name their
    canonical sentence; a sample of sentences ends where its raw offsets say."""
    check(sentences["source"].nunique() == len(manifest),
          "every manifest source must yield sentences; look for a source with no speech")
    check(sentences["speaker"].isin(config.SPEAKERS).all(),
          "every sentence needs a known speaker; see data/annotations/speaker_labels.csv")
    check(sentences.loc[~sentences["canonical"], "duplicate_of"].notna().all(),
          "every repeat must name the canonical sentence it repeats")
    check((sentences.groupby(["meeting", "speaker"]).size() > 0).all(),
          "a speaker-meeting cell is either absent or has sentences, never an empty row")
    for row in sentences.sample(min(n_checked, len(sentences)), random_state=seed).itertuples():
        raw = texts[row.source][row.char_start:row.char_end]
        check(raw.split()[-1].lower().strip(".,?!\"'") in row.text.lower(),
              f"{row.sentence_id}: the sentence does not end where its raw offsets say")


def keyness_checks(keyness: pd.DataFrame, parts, a: str, b: str, min_tokens: int) -> None:
    """Notebook 02: one row per term and comparison, surface words, and only tested, frequent
    and unequally used terms pass."""
    problems = []
    if set(keyness["comparison"]) != set(parts):
        problems.append(f"comparisons {sorted(set(keyness['comparison']))}, "
                        f"expected {sorted(parts)}")
    by = keyness.groupby("comparison")
    if not (by["term"].nunique() == by.size()).all():
        problems.append("a term is listed twice in one comparison: two stems share a display word")
    if any(t.endswith(("nuclea", "treati")) for t in keyness["term"]):
        problems.append("stems shown instead of surface words")
    if (keyness["passes_fdr"] & keyness["p_perm"].isna()).any():
        problems.append("an untested term is marked as passing")
    if (keyness["passes_fdr"] & (keyness[f"count_{a}"] + keyness[f"count_{b}"] < min_tokens)).any():
        problems.append("a rarely used term is marked as passing")
    with np.errstate(divide="ignore"):  # terms at similar rates are never at the extreme
        similar = np.abs(np.log(keyness[f"per_1000_{a}"] / keyness[f"per_1000_{b}"])) < 0.5
    if (similar & (keyness["p_perm"] <= keyness["p_min"])).any():
        problems.append("a term used at similar rates by both men has the smallest attainable p")
    _fail(problems, "keyness table", " (check tokens and helpers.keyness)")


def topic_checks(prevalence: pd.DataFrame, used: pd.DataFrame, docs: pd.DataFrame,
                 topic_table: pd.DataFrame, check_table: pd.DataFrame, same_seed_same_topics: bool
                 ) -> None:
    """Notebook 03: shares sum to one and lie in their intervals, cells match the documents,
    ids are unique, a seed repeats its topics, and no topic carries an unearned issue."""
    problems = []
    if prevalence.groupby(["model", "meeting", "speaker"])["share"].sum().sub(1).abs().max() > 1e-6:
        problems.append("topic shares of a cell do not sum to one")
    if not prevalence["share"].between(prevalence["ci_low"], prevalence["ci_high"]).all():
        problems.append("a share lies outside its interval")
    cells = [set(map(tuple, d[["meeting", "speaker"]].drop_duplicates().to_numpy()))
             for d in (used, prevalence)]
    if cells[0] != cells[1]:
        problems.append("prevalence cells differ from the cells with documents")
    if docs["document"].duplicated().any():
        problems.append("two documents share an id")
    if not same_seed_same_topics:
        problems.append("the same seed gave different topics")
    bad = topic_table.merge(check_table.query("earned")[["model", "topic"]].drop_duplicates(),
                            how="left", on=["model", "topic"], indicator=True)
    if ((bad["_merge"] == "left_only") & (bad["issues"] != "")).any():
        problems.append("a topic carries an issue it did not earn")
    _fail(problems, "topics")


def salience_checks(canonical: pd.DataFrame, salience: pd.DataFrame, evidence: pd.DataFrame,
                    findings: pd.DataFrame, contrasts: pd.DataFrame, speakers) -> None:
    """Notebook 04: salience rows exactly for cells with sentences, evidence on canonical
    sentences, unique findings, and contrasts whose interval, test and support agree."""
    cells = canonical[canonical["speaker"].isin(speakers)].groupby(["meeting", "speaker"]).size()
    lex_rows = salience[salience["measure"] == "lexicon"]
    check(set(zip(lex_rows["meeting"], lex_rows["speaker"])) == set(cells.index),
          "salience.csv must have rows exactly for the speaker-meeting cells with canonical "
          "sentences (a cell without sentences has no rows, never zeros)")
    check((lex_rows.groupby(["meeting", "speaker"])["total_sentences"].first() == cells).all(),
          "each lexicon cell must count all of its canonical sentences; rerun notebook 01")
    check(set(evidence["sentence_id"]) <= set(canonical["sentence_id"]),
          "evidence must point at canonical sentences")
    check(findings["finding"].is_unique, "finding ids must be unique")
    check(((contrasts["supported"] == False) | (contrasts["p_adjusted"] < 0.05)).all(),  # noqa: E712
          "a supported contrast must pass the adjusted test")
    tested = contrasts.dropna(subset=["estimate"])
    excludes = (tested["ci_low"] > 0) | (tested["ci_high"] < 0)
    check((excludes == (tested["p_value"] < 0.05)).mean() >= 0.95,
          "interval and test must agree (the interval is the test inverted)")
    check(tested["n_turns"].notna().all() and tested["n_turns_compare"].notna().all(),
          "every contrast must say how many turns it rests on")
