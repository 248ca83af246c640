"""The corpus: every sentence of every source, attributed to a speaker and meeting.

``build_corpus`` reads the manifest, cleans each source, splits it into speaker turns by its
format, splits turns into sentences with raw-file offsets, and marks which sentences form
the canonical analysis corpus (see :func:`mark_repeats`).

Formats
-------
labelled  Transcripts with speaker labels at the start of a line ("SECRETARY POMPEO:").
          Labels come from ``data/annotations/speaker_labels.csv``; a label-like prefix that
          is not in that table is an error. Unlabelled lines continue the current speaker;
          text before the first label goes to the manifest's ``default_speaker``.
captions  Unlabelled captions; turns start at the anchors of
          ``data/annotations/caption_turns.csv``, each of which must match exactly once.
article   News prose is ``narrator``; direct quotes go to the speaker named in the
          attribution ('"…," Lavrov said').
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import cache, config
from .clean import (MappedText, find_inline_drops, match_line_rule, normalise,
                    split_sentences)
from .io import InputError
from .sources import Source, load_manifest

WORD = re.compile(r"[A-Za-z0-9]+(?:['.-][A-Za-z0-9]+)*")
LABEL = re.compile(r"[ \t]*(?P<label>[A-Z][A-Za-z.'’ -]{0,70}?)"
                   r"(?P<paren>[ \t]*\([^)\n]{0,80}\))?:(?=\s)")
LABEL_CONNECTORS = {"of", "the", "and", "de", "for", "to"}
QUOTE = re.compile(r"\"([^\"\n]+)\"|“([^”\n]+)”")
ATTRIBUTION_VERBS = (r"said|says|told|replied|added|noted|stated|stressed|explained|asked|"
                     r"announced|urged|warned|insisted|argued|declared")
LINE = re.compile(r"[^\n]*\n?")


@dataclass
class Segment:
    """A stretch of one paragraph spoken (or written) by one speaker."""

    start: int
    end: int
    speaker: str
    turn: int


def count_words_series(texts: pd.Series) -> pd.Series:
    """Words per text: letters/digits, with inner apostrophes, dots or hyphens."""
    return texts.str.count(WORD.pattern).astype(int)


# --------------------------------------------------------------------------- annotations
def load_speaker_names(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Return ({label: speaker}, {alias: speaker}) from ``speaker_labels.csv`` (validated)."""
    labels, aliases = {}, {}
    with open(path, newline="", encoding="utf-8") as fh:
        for i, rec in enumerate(csv.DictReader(fh), start=1):
            name, speaker, kind = (rec.get(k, "").strip() for k in ("name", "speaker", "kind"))
            if speaker not in config.SPEAKERS:
                raise InputError(path, f"unknown speaker id {speaker!r} for {name!r}", row=i)
            if kind not in {"label", "alias"} or not name:
                raise InputError(path, f"kind must be 'label' or 'alias' and name non-empty "
                                       f"(got {kind!r}, {name!r})", row=i)
            (labels if kind == "label" else aliases)[name.casefold()] = speaker
    return labels, aliases


def load_caption_anchors(path: Path, source: str, text: str) -> list[tuple[int, str]]:
    """Return sorted (position, speaker) turn starts for ``source``; each anchor must match once."""
    found = []
    with open(path, newline="", encoding="utf-8") as fh:
        for i, rec in enumerate(csv.DictReader(fh), start=1):
            if rec.get("source", "").strip() != source:
                continue
            anchor, speaker = rec.get("anchor", ""), rec.get("speaker", "").strip()
            if speaker not in config.SPEAKERS:
                raise InputError(path, f"unknown speaker {speaker!r} for anchor {anchor!r}",
                                 row=i)
            n = text.count(anchor) if anchor else 0
            if n != 1:
                problem = "is missing from" if n == 0 else f"matches {n} times in"
                raise InputError(path, f"anchor {anchor!r} {problem} {source}; an anchor "
                                       "must match exactly once", row=i)
            found.append((text.index(anchor), speaker))
    if not found:
        raise InputError(path, f"no turn anchors for captions source {source}")
    return sorted(found)


# --------------------------------------------------------------------------- segmenting
def _lines(text: str):
    """Yield (line number, start, end) of each line's stripped content."""
    for n, m in enumerate(LINE.finditer(text), start=1):
        if m.start() == m.end():
            break
        line = m.group(0)
        b = m.start() + len(line.rstrip())
        a = min(m.start() + (len(line) - len(line.lstrip())), b)
        yield n, a, b


def _label_like(label: str) -> bool:
    words = label.split()
    return 0 < len(words) <= 9 and all(w[0].isupper() or w.lower() in LABEL_CONNECTORS
                                       for w in words)


def segment_labelled(src: Source, text: str, labels: dict[str, str], dropped: list):
    """Split a labelled transcript into segments; log labels and furniture in ``dropped``."""
    segments: list[Segment] = []
    speaker, turn = src.default_speaker or None, -1
    for n, a, b in _lines(text):
        if a == b:
            continue
        rule = match_line_rule(text[a:b], src.format, src.title)
        if rule:
            dropped.append((a, b, rule))
            continue
        body = a
        m = LABEL.match(text, a, b)
        if m and _label_like(m.group("label")):
            name = m.group("label").strip().casefold()
            if name not in labels:
                raise InputError(src.path, f"unknown speaker label {m.group('label')!r}; add "
                                           "it to data/annotations/speaker_labels.csv", line=n)
            speaker, turn = labels[name], turn + 1
            body = m.end()
            while body < b and text[body].isspace():
                body += 1
            dropped.append((a, body, "speaker_label"))
        if speaker is None:
            raise InputError(src.path, "speech before the first speaker label, and the "
                                       "manifest gives no default_speaker", line=n)
        turn = max(turn, 0)
        if body < b:
            segments.append(Segment(body, b, speaker, turn))
    return segments


def segment_captions(src: Source, text: str, anchors: list[tuple[int, str]], dropped: list):
    """Split unlabelled captions at the annotated turn anchors."""
    segments: list[Segment] = []
    starts = [p for p, _ in anchors]
    for n, a, b in _lines(text):
        if a == b:
            continue
        rule = match_line_rule(text[a:b], src.format, src.title)
        if rule:
            dropped.append((a, b, rule))
            continue
        cuts = [a] + [p for p in starts if a < p < b] + [b]
        for s, e in zip(cuts, cuts[1:]):
            k = int(np.searchsorted(starts, s, side="right")) - 1
            if k < 0:  # before the first anchor: not part of the event
                for ds, de, r in find_inline_drops(text, s, e, src.format):
                    dropped.append((ds, de, r))
                rest = _subtract(s, e, find_inline_drops(text, s, e, src.format))
                dropped.extend((x, y, "preamble") for x, y in rest if text[x:y].strip())
                continue
            segments.append(Segment(s, e, anchors[k][1], k))
    return segments


def segment_article(src: Source, text: str, aliases: dict[str, str], dropped: list):
    """Split a news article into narrator prose and attributed direct quotes."""
    alias_re = re.compile(r"\b(" + "|".join(sorted(map(re.escape, aliases), key=len,
                                                    reverse=True)) + r")\b", re.I)
    attr_re = re.compile(alias_re.pattern + r"\s+(?:\w+\s+){0,2}?(?:" + ATTRIBUTION_VERBS
                         + r")\b|\b(?:" + ATTRIBUTION_VERBS + r")\s+" + alias_re.pattern, re.I)
    segments: list[Segment] = []
    last_quoted = None
    for n, a, b in _lines(text):
        if a == b:
            continue
        rule = match_line_rule(text[a:b], src.format, src.title)
        if rule:
            dropped.append((a, b, rule))
            continue
        quotes = list(QUOTE.finditer(text, a, b))
        if not quotes:
            segments.append(Segment(a, b, "narrator", 0))
            continue
        outside, pos = [], a  # the paragraph with its quotes blanked out
        for q in quotes:
            outside += [text[pos:q.start()], " " * (q.end() - q.start())]
            pos = q.end()
        outside = "".join(outside) + text[pos:b]
        m = attr_re.search(outside)
        if m:
            name = next(g for g in m.groups() if g)
            speaker = aliases[name.casefold()]
        elif quotes[0].start() == a and last_quoted:
            speaker = last_quoted  # a paragraph that only continues the previous quote
        else:
            raise InputError(src.path, "a direct quote with no attribution ('…,' NAME "
                                       "said); add the speaker's name to speaker_labels.csv "
                                       "as an alias", line=n)
        last_quoted = speaker
        pos = a
        for q in quotes:
            if text[pos:q.start()].strip(" ,.;:") != "":
                segments.append(Segment(pos, q.start(), "narrator", 0))
            segments.append(Segment(q.start() + 1, q.end() - 1, speaker, 0))
            pos = q.end()
        if any(c.isalpha() for c in text[pos:b]):
            segments.append(Segment(pos, b, "narrator", 0))
    return segments


def _subtract(start: int, end: int, drops) -> list[tuple[int, int]]:
    pieces, pos = [], start
    for s, e, _ in drops:
        if s > pos:
            pieces.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _number_turns(segments: list[Segment]) -> None:
    """Renumber turns: a new turn at every change of speaker or of the format's turn mark."""
    turn, prev = -1, None
    for seg in segments:
        key = (seg.speaker, seg.turn)
        if key != prev:
            turn += 1
            prev = key
        seg.turn = turn


# --------------------------------------------------------------------------- sentences
def sentences_from_source(src: Source, text: str, labels, aliases, anchors_path: Path):
    """Return (sentence rows, dropped rows) for one source."""
    dropped: list[tuple[int, int, str]] = []
    if src.format == "labelled":
        segments = segment_labelled(src, text, labels, dropped)
    elif src.format == "captions":
        anchors = load_caption_anchors(anchors_path, src.file, text)
        segments = segment_captions(src, text, anchors, dropped)
    else:
        segments = segment_article(src, text, aliases, dropped)
    _number_turns(segments)
    rows = []
    for seg in segments:
        drops = find_inline_drops(text, seg.start, seg.end, src.format)
        dropped.extend(drops)
        pieces = [(s, e) for s, e in _subtract(seg.start, seg.end, drops) if text[s:e].strip()]
        if not pieces:
            continue
        mt = normalise(MappedText.from_pieces(text, pieces))
        for a, b in split_sentences(mt.text):
            s, e = mt.raw_span(a, b)
            sent = mt.text[a:b]
            if not WORD.search(sent):
                continue
            rows.append({"source": src.file, "meeting": src.meeting, "speaker": seg.speaker,
                         "turn": seg.turn, "char_start": s, "char_end": e, "text": sent})
    drop_rows = [{"source": src.file, "char_start": s, "char_end": e, "rule": r,
                  "text": text[s:e]} for s, e, r in sorted(set(dropped))]
    return rows, drop_rows


@cache.memoize
def build_corpus(root: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read, clean and attribute every source; return (sentences, dropped_spans) tables.

    Cached (:mod:`helpers.cache`) on the bytes of the raw files, manifest and annotations:
    any change to them recomputes, and so re-verifies the checksums.
    """
    p = config.paths(root)
    labels, aliases = load_speaker_names(p["annotations"] / "speaker_labels.csv")
    all_rows, all_drops = [], []
    sources = load_manifest(p["raw"])
    for src in sources:
        text = src.read_text()
        rows, drops = sentences_from_source(src, text, labels, aliases,
                                            p["annotations"] / "caption_turns.csv")
        stem = src.stem
        for i, r in enumerate(rows):
            r["sentence"] = i
            r["sentence_id"] = f"{stem}:{i}"
            r["source_rank"] = src.rank
            r["translation"] = ("original English" if r["speaker"] in ENGLISH_SPEAKERS
                                else src.translation)
        all_rows += rows
        all_drops += drops
    sentences = pd.DataFrame(all_rows)
    sentences["n_words"] = count_words_series(sentences["text"])
    sentences = mark_repeats(sentences)
    cols = ["sentence_id", "source", "meeting", "speaker", "turn", "sentence", "char_start",
            "char_end", "text", "n_words", "source_rank", "translation", "canonical",
            "duplicate_of", "match_score"]
    dropped = pd.DataFrame(all_drops, columns=["source", "char_start", "char_end", "rule",
                                               "text"])
    return sentences[cols], dropped


#: Speakers whose words are in English in every source (the rest may be translated).
ENGLISH_SPEAKERS = {"pompeo", "narrator"}


# --------------------------------------------------------------------------- repeats
#: Cosine similarity that makes a sentence an alignment anchor (if in order within its turn).
ANCHOR_THRESHOLD = 0.30
#: A turn is a rendering of a canonical passage when it has at least this many sentences and
#: at least this share of them reach ANCHOR_THRESHOLD; only then do the window rules apply.
PASSAGE_MIN_SENTENCES = 3
PASSAGE_MIN_SHARE = 0.5
#: A repeat on its own (out of order, or outside a passage): cosine and shared content words.
STANDALONE_THRESHOLD = 0.40
STANDALONE_MIN_SHARED = 3
#: Near-verbatim: a repeat whatever its length.
VERBATIM_THRESHOLD = 0.90
#: Anchors whose targets are at most this many reference sentences apart enclose one passage:
#: the sentences between them repeat that passage, whatever their own similarity.
CONTEXT_GAP = 8
#: Sentences before the first / after the last anchor of a passage: similarity needed within
#: CONTEXT_GAP reference sentences of that anchor.
EDGE_THRESHOLD = 0.15
#: Speakers never de-duplicated across sources: each outlet's prose is its own.
NOT_DEDUPLICATED = {"narrator"}
_SPELLING = [(re.compile(r"is(ation|e|ed|es|ing)\b"), r"iz\1"), (re.compile(r"our\b"), "or"),
             (re.compile(r"mme\b"), "m")]


def _matching_text(texts: pd.Series) -> pd.Series:
    """Lower-case, spelling-neutral text for cross-source matching (organise ~ organize)."""
    out = texts.str.lower()
    for pattern, repl in _SPELLING:
        out = out.str.replace(pattern, repl, regex=True)
    return out


def sentence_similarity(lower: pd.Series, reference: pd.Series):
    """Return sparse (cosine, shared content words) matrices, lower × reference.

    Cosine is over TF-IDF vectors of content words (stop words removed, spelling
    neutralised); both products are sparse, so the cost grows with shared content words,
    not with the product of the two sizes.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True,
                          token_pattern=r"(?u)\b[a-z][a-z0-9]+\b")
    both = pd.concat([_matching_text(lower), _matching_text(reference)], ignore_index=True)
    try:
        x = vec.fit_transform(both)
    except ValueError:  # no content words at all
        empty = sparse.csr_matrix((len(lower), len(reference)))
        return empty, empty
    n = len(lower)
    binary = (x > 0).astype(np.float32)
    cos = (x[:n] @ x[n:].T).tocsr()
    shared = (binary[:n] @ binary[n:].T).tocsr()
    return cos, shared


def _monotonic(positions: list[int], targets: list[int]) -> set[int]:
    """Return the subset of ``positions`` whose ``targets`` form the longest non-decreasing run."""
    import bisect

    tails, tails_idx, prev = [], [], [-1] * len(targets)
    for i, t in enumerate(targets):
        k = bisect.bisect_right(tails, t)
        if k == len(tails):
            tails.append(t)
            tails_idx.append(i)
        else:
            tails[k], tails_idx[k] = t, i
        prev[i] = tails_idx[k - 1] if k else -1
    keep, i = set(), tails_idx[-1] if tails_idx else -1
    while i >= 0:
        keep.add(positions[i])
        i = prev[i]
    return keep


def align_to_reference(sims, shared, turns: np.ndarray, ref_source: np.ndarray):
    """Align lower-ranked sentences to reference sentences; return (target, score).

    ``target[i]`` is the index of the reference sentence that sentence ``i`` repeats, or -1.
    A sentence repeats its best match when that match is near-verbatim, or strong
    (``STANDALONE_THRESHOLD``) with at least ``STANDALONE_MIN_SHARED`` content words in
    common. A turn that renders a canonical passage (see ``PASSAGE_*``) is aligned as a
    whole: its in-order anchors repeat their matches; a sentence between two anchors whose
    targets lie in one reference source at most ``CONTEXT_GAP`` apart repeats the best match
    in that window; a sentence at the passage's edge needs ``EDGE_THRESHOLD`` within
    ``CONTEXT_GAP`` of the nearest anchor.
    """
    n, m = sims.shape
    target = np.full(n, -1)
    score = np.zeros(n)
    if n == 0 or m == 0:
        return target, score
    best = np.asarray(sims.argmax(axis=1)).ravel()
    best_score = sims.max(axis=1).toarray().ravel()
    best_shared = np.asarray(shared[np.arange(n), best]).ravel()
    alone = (best_score >= VERBATIM_THRESHOLD) | (
        (best_score >= STANDALONE_THRESHOLD) & (best_shared >= STANDALONE_MIN_SHARED))
    target[alone], score[alone] = best[alone], best_score[alone]

    def window(i, a, b):
        row = sims[i, a:b + 1].toarray().ravel()
        j = int(row.argmax())
        return a + j, float(row[j])


    # Neighbour rule: a sentence right after (before) a repeat of reference sentence t that
    # best matches t+1..t+2 (t-2..t-1) with ANCHOR_THRESHOLD continues the same passage.
    for i in range(n):
        if target[i] >= 0:
            continue
        for k, lo, hi in ((i - 1, 1, 2), (i + 1, -2, -1)):
            if 0 <= k < n and turns[k] == turns[i] and target[k] >= 0:
                a, b = max(0, target[k] + lo), min(m - 1, target[k] + hi)
                if a <= b:
                    j, sc = window(i, a, b)
                    if sc >= ANCHOR_THRESHOLD and ref_source[j] == ref_source[target[k]]:
                        target[i], score[i] = j, sc
                        break
    for turn in np.unique(turns):
        idx = np.flatnonzero(turns == turn)
        strong = best_score[idx] >= ANCHOR_THRESHOLD
        if len(idx) < PASSAGE_MIN_SENTENCES or strong.mean() < PASSAGE_MIN_SHARE:
            continue
        cand = idx[strong].tolist()
        anchors = sorted(_monotonic(cand, [int(best[i]) for i in cand]))
        for i in idx:
            target[i], score[i] = -1, 0.0
        for i in anchors:
            target[i], score[i] = best[i], best_score[i]
        for i in idx:
            if target[i] >= 0:
                continue
            k = int(np.searchsorted(anchors, i))
            before = anchors[k - 1] if k > 0 else None
            after = anchors[k] if k < len(anchors) else None
            if before is not None and after is not None:
                a, b = target[before], target[after]
                if 0 <= b - a <= CONTEXT_GAP and ref_source[a] == ref_source[b]:
                    target[i], score[i] = window(i, a, b)
                    continue
            elif before is not None or after is not None:
                t = target[before] if before is not None else target[after]
                lo, hi = (t, min(m - 1, t + CONTEXT_GAP)) if before is not None else \
                    (max(0, t - CONTEXT_GAP), t)
                j, sc = window(i, lo, hi)
                if sims[i].nnz == 0:  # no content words ("Thank you."): part of the passage
                    j, sc = t, 0.0
                if (sc >= EDGE_THRESHOLD or sims[i].nnz == 0) and ref_source[j] == ref_source[t]:
                    target[i], score[i] = j, sc
                    continue
            if alone[i]:
                target[i], score[i] = best[i], best_score[i]
    return target, score


def mark_repeats(df: pd.DataFrame) -> pd.DataFrame:
    """Apply the canonical-source policy; add ``canonical``, ``duplicate_of``, ``match_score``.

    For each meeting and speaker (narrator excluded: each outlet's prose is its own), the
    sources are taken in order of authority: official transcript, third-party copy,
    captions, news article, then file name. The best source is canonical as a whole. Each
    lower-ranked source is aligned (:func:`align_to_reference`) with every sentence of the
    better sources; a sentence that repeats one is not canonical and names the canonical
    sentence it repeats (following repeats of repeats to their root). Anything else is
    content no better source has, and joins the canonical corpus.
    """
    df = df.copy()
    dup = np.full(len(df), None, dtype=object)
    score = np.full(len(df), np.nan)
    canonical = np.ones(len(df), dtype=bool)
    pos_of = pd.Series(np.arange(len(df)), index=df.index)
    sid = df["sentence_id"].to_numpy()
    n_sources = df.groupby(["meeting", "speaker"])["source"].transform("nunique")
    multi = df[(n_sources > 1) & ~df["speaker"].isin(NOT_DEDUPLICATED)]
    for _, g in multi.groupby(["meeting", "speaker"], sort=True):
        order = (g[["source_rank", "source"]].drop_duplicates()
                 .sort_values(["source_rank", "source"]))["source"].tolist()
        ref = g[g["source"] == order[0]].sort_values("sentence")
        for src in order[1:]:
            low = g[g["source"] == src].sort_values("sentence")
            sims, shared = sentence_similarity(low["text"], ref["text"])
            target, sc = align_to_reference(sims, shared, low["turn"].to_numpy(),
                                            ref["source"].to_numpy())
            ref_pos = pos_of[ref.index].to_numpy()
            for k, p in enumerate(pos_of[low.index].to_numpy()):
                if target[k] < 0:
                    continue
                root = ref_pos[target[k]]
                canonical[p] = False
                dup[p] = dup[root] if dup[root] is not None else sid[root]
                score[p] = round(float(sc[k]), 4)
            ref = pd.concat([ref, low])
    df["canonical"] = canonical
    df["duplicate_of"] = pd.array(dup, dtype="string")
    df["match_score"] = score
    return df


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
    meetings = meetings or sorted(cov["meeting"].unique())
    grid = d.pivot(index="speaker", columns="meeting", values="n_words")
    return grid.reindex(index=list(speakers), columns=meetings).astype(float)


def plot_coverage(cov: pd.DataFrame, speakers=("pompeo", "lavrov", "putin")):
    """Heatmaps of words per speaker and meeting, canonical corpus and all sources.

    Cells with no data are hatched and labelled 'no data', never drawn as zero.
    """
    import matplotlib.pyplot as plt

    from .figures import MISSING_HATCH, add_source_note
    from .sources import meeting_label

    meetings = sorted(cov["meeting"].unique())
    grids = {name: coverage_grid(cov, name, speakers, meetings) for name in ("canonical", "all")}
    vmax = max(np.nanmax(g.to_numpy()) for g in grids.values())
    fig, axes = plt.subplots(1, 2, figsize=(6.5, 2.6), sharey=True)
    for ax, (name, grid) in zip(axes, grids.items()):
        values = grid.to_numpy()
        ax.imshow(np.ma.masked_invalid(values), cmap="cividis", vmin=0, vmax=vmax,
                  aspect="auto")
        for (r, c), v in np.ndenumerate(values):
            if np.isnan(v):
                ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False,
                                           hatch=MISSING_HATCH, edgecolor="#888888", lw=0))
                ax.text(c, r, "no data", ha="center", va="center", fontsize=8,
                        color="#333333")
            else:
                ax.text(c, r, f"{int(v):,}", ha="center", va="center", fontsize=8,
                        color="white" if v < 0.6 * vmax else "black")
        ax.set_xticks(range(len(meetings)), [meeting_label(m).replace(", ", "\n") for m in meetings])
        ax.set_yticks(range(len(grid.index)), [s.title() for s in grid.index])
        ax.set_title(f"{'Canonical corpus' if name == 'canonical' else 'All sources'} (words)",
                     fontsize=9)
        ax.grid(False)
    fig.suptitle("Lavrov is heard only in Washington; Pompeo at both meetings",
                 x=0.0, ha="left", fontsize=10, fontweight="bold")
    fig.tight_layout()
    add_source_note(fig)
    return fig


def write_corpus_tables(sentences: pd.DataFrame, dropped: pd.DataFrame, root=None) -> dict:
    """Validate and write sentences, dropped_spans and coverage to data/processed/."""
    from .schemas import write_table

    cov = coverage(sentences)
    return {"sentences": write_table(sentences, "sentences", root),
            "dropped_spans": write_table(dropped, "dropped_spans", root),
            "coverage": write_table(cov, "coverage", root)}
