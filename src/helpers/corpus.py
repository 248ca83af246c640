"""The corpus: every sentence of every source, attributed to a speaker and meeting.

``build_corpus`` reads the manifest, the annotation tables and each source once, attributes
the sentences (:mod:`helpers.attribution`) and marks which form the canonical corpus
(:mod:`helpers.repeats`). ``coverage`` counts words and sentences per cell, and
``plot_coverage`` draws them, missing cells shown as missing, never as zero.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import config
from .attribution import (ANCHOR_COLUMNS, SPEAKER_COLUMNS, STAGE_COLUMNS, caption_anchors,
                          check_caption_turns, sentences_from_source, speaker_names,
                          stage_direction_pattern)
from .clean import WORD
from .figures import MISSING_HATCH, add_source_note, figure_title
from .io import read_csv_records
from .repeats import mark_repeats
from .schemas import write_table
from .sources import load_manifest, meeting_label, order_meetings

#: Speakers whose words are in English in every source (the rest may be translated).
ENGLISH_SPEAKERS = {"pompeo", "narrator"}


def build_corpus(root: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read, clean and attribute every source; return (sentences, dropped_spans) tables."""
    p = config.paths(root)
    labels, aliases = load_speaker_names(p["annotations"] / "speaker_labels.csv")
    sources = load_manifest(p["raw"])
    turns_path = p["annotations"] / "caption_turns.csv"
    turns = _records(turns_path, ANCHOR_COLUMNS)
    check_caption_turns(turns, turns_path, sources)
    stage = load_stage_directions(p["annotations"] / "stage_directions.csv")
    all_rows, all_drops = [], []
    for src in sources:
        text = src.read_text()
        anchors = (caption_anchors(turns, turns_path, src.file, text)
                   if src.format == "captions" else [])
        rows, drops = sentences_from_source(src, text, labels, aliases, anchors, stage)
        for i, r in enumerate(rows):
            r["sentence"] = i
            r["sentence_id"] = f"{Path(src.file).stem}:{i}"
            r["source_rank"] = src.rank
            r["translation"] = ("original English" if r["speaker"] in ENGLISH_SPEAKERS
                                else src.translation)
        add_turn_context(rows, src.format)
        all_rows += rows
        all_drops += drops
    sentences = pd.DataFrame(all_rows)
    sentences["n_words"] = sentences["text"].str.count(WORD.pattern).astype(int)
    sentences = mark_repeats(sentences, {s.file: s.setting for s in sources})
    cols = ["sentence_id", "source", "meeting", "speaker", "turn", "sentence", "char_start",
            "char_end", "text", "n_words", "source_rank", "translation", "turn_type",
            "question", "canonical", "duplicate_of", "match_score"]
    dropped = pd.DataFrame(all_drops, columns=["source", "char_start", "char_end", "rule",
                                               "text"])
    return sentences[cols], dropped


def _records(path: Path, columns: list[str]) -> list:
    """The rows of an optional annotation table (none if the file is missing)."""
    return read_csv_records(path, columns) if path.exists() else []


def load_speaker_names(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({label: speaker}, {alias: speaker}) from ``speaker_labels.csv``, checked."""
    return speaker_names(read_csv_records(path, SPEAKER_COLUMNS), path)


def load_stage_directions(path: Path):
    """The pattern of the stage directions in ``path`` (None if it is missing or empty)."""
    return stage_direction_pattern(_records(path, STAGE_COLUMNS), path)


def anchor_table(path: Path, sentences: pd.DataFrame) -> pd.DataFrame:
    """Each turn anchor of ``caption_turns.csv`` with the first sentence of its turn."""
    rows = []
    by_source: dict[str, list[dict]] = {}
    for _, _, rec in read_csv_records(path, ANCHOR_COLUMNS):
        by_source.setdefault(rec["source"].strip(), []).append(rec)
    for source, recs in by_source.items():
        firsts = (sentences[sentences["source"] == source].sort_values("sentence")
                  .groupby("turn")["text"].first().tolist())
        for k, rec in enumerate(recs):
            rows.append({"source": source, "speaker": rec["speaker"], "anchor": rec["anchor"],
                         "first_sentence": firsts[k][:70] if k < len(firsts) else "",
                         "note": rec.get("note", "")})
    return pd.DataFrame(rows, columns=["source", "speaker", "anchor", "first_sentence", "note"])


def add_turn_context(rows: list[dict], source_format: str) -> None:
    """Mark each sentence row of one source with its turn type and the question it answers.

    ``turn_type`` is "answer" when the turn before it was a journalist's, "quoted" for quotes
    in a news article (their context is unknown), and "statement" otherwise (opening remarks,
    follow-ups, the moderator's words). ``question`` is the sentence id of the first sentence
    of the question an answer follows, and empty otherwise.
    """
    first = {}
    for r in rows:
        first.setdefault(r["turn"], r)
    for r in rows:
        before = first.get(r["turn"] - 1)
        if source_format == "article":
            r["turn_type"], r["question"] = "quoted", ""
        elif before is not None and before["speaker"] == "journalist":
            r["turn_type"], r["question"] = "answer", before["sentence_id"]
        else:
            r["turn_type"], r["question"] = "statement", ""


def coverage(sentences: pd.DataFrame) -> pd.DataFrame:
    """Return words and sentences per meeting, speaker and source, canonical and all."""
    parts = []
    for corpus, d in (("canonical", sentences[sentences["canonical"]]), ("all", sentences)):
        by_source = d.groupby(["meeting", "speaker", "source"], as_index=False).agg(
            n_sentences=("text", "size"), n_words=("n_words", "sum"))
        total = d.groupby(["meeting", "speaker"], as_index=False).agg(
            n_sentences=("text", "size"), n_words=("n_words", "sum"))
        total["source"] = "all"
        both = pd.concat([by_source, total], ignore_index=True)
        both.insert(0, "corpus", corpus)
        parts.append(both)
    out = pd.concat(parts, ignore_index=True)
    out = out[["corpus", "meeting", "speaker", "source", "n_sentences", "n_words"]]
    return out.sort_values(["corpus", "meeting", "speaker", "source"],
                           ignore_index=True, key=lambda s: s.map(_sort_key))


def _sort_key(value):
    return value if not isinstance(value, str) else ("~" if value == "all" else value)


# --------------------------------------------------------------------------- coverage chart
def coverage_grid(cov: pd.DataFrame, corpus_name: str, speakers=("pompeo", "lavrov", "putin"),
                  meetings: list[str] | None = None) -> pd.DataFrame:
    """Return words per speaker (rows) × meeting (columns); missing cells are NaN, not 0."""
    d = cov[(cov["corpus"] == corpus_name) & (cov["source"] == "all")]
    meetings = meetings or order_meetings(cov["meeting"].unique())
    grid = d.pivot(index="speaker", columns="meeting", values="n_words")
    return grid.reindex(index=list(speakers), columns=meetings).astype(float)


def heard_where(cov: pd.DataFrame, speakers=("pompeo", "lavrov", "putin")) -> str:
    """One line saying at which meetings each speaker is heard in the canonical corpus."""
    d = cov[(cov["corpus"] == "canonical") & (cov["source"] == "all")]
    meetings = order_meetings(cov["meeting"].unique())
    parts = []
    for sp in speakers:
        at = [m for m in meetings if ((d["meeting"] == m) & (d["speaker"] == sp)).any()]
        if not at:
            parts.append(f"{sp.title()} nowhere")
            continue
        where = " and ".join(meeting_label(m).split(",")[0] for m in at)
        parts.append(f"{sp.title()} at {'every meeting' if len(at) == len(meetings) > 1 else where}"
                     + (" only" if len(at) < len(meetings) else ""))
    return "Who is heard where: " + "; ".join(parts)


def plot_coverage(cov: pd.DataFrame, speakers=("pompeo", "lavrov", "putin"),
                  width: float = 6.5):
    """Heatmaps of words per speaker and meeting, canonical corpus and all sources: side by
    side, or one above the other when two panels of ``width`` inches would not leave each
    meeting about 0.9 in.

    Cells with no data are hatched and labelled 'no data', never drawn as zero.
    """
    meetings = order_meetings(cov["meeting"].unique())
    grids = {name: coverage_grid(cov, name, speakers, meetings) for name in ("canonical", "all")}
    vmax = max(np.nanmax(g.to_numpy()) for g in grids.values())
    side_by_side = width / 2 >= 0.9 * len(meetings) + 0.8
    fig, axes = plt.subplots(1 if side_by_side else 2, 2 if side_by_side else 1, sharey=True,
                             figsize=(width, 2.6 if side_by_side else 4.6))
    for ax, (name, grid) in zip(axes, grids.items()):
        values = grid.to_numpy()
        ax.imshow(np.ma.masked_invalid(values), cmap="cividis", vmin=0, vmax=vmax,
                  aspect="auto")
        for (r, c), v in np.ndenumerate(values):
            if np.isnan(v):
                ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False,
                                           hatch=MISSING_HATCH, edgecolor="#888888", lw=0))
                ax.text(c, r, "no data", ha="center", va="center", fontsize=7,
                        color="#333333")
            else:
                ax.text(c, r, f"{int(v):,}", ha="center", va="center", fontsize=7,
                        color="white" if v < 0.6 * vmax else "black")
        ax.set_xticks(range(len(meetings)), [meeting_label(m).replace(", ", "\n") for m in meetings])
        ax.set_yticks(range(len(grid.index)), [s.title() for s in grid.index])
        ax.set_title(f"{'Canonical' if name == 'canonical' else 'All sources'} (words)",
                     fontsize=8)
        ax.grid(False)
    figure_title(fig, heard_where(cov, speakers))
    add_source_note(fig)
    return fig


def write_corpus_tables(sentences: pd.DataFrame, dropped: pd.DataFrame, root=None) -> dict:
    """Validate and write sentences, dropped_spans and coverage to data/processed/."""
    cov = coverage(sentences)
    return {"sentences": write_table(sentences, "sentences", root),
            "dropped_spans": write_table(dropped, "dropped_spans", root),
            "coverage": write_table(cov, "coverage", root)}
