"""Repeats across sources: the canonical-source policy (:func:`mark_repeats`), so that
words that reach us through several sources are counted once."""

from __future__ import annotations

import bisect
import re

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .io import InputError, raise_all, read_csv_records
from .parameters import (ANCHOR_THRESHOLD, CONTEXT_GAP, EDGE_THRESHOLD, PASSAGE_MIN_SENTENCES,
                         PASSAGE_MIN_SHARE, QUOTE_MIN_SHARED, QUOTE_SOURCE_RANK, QUOTE_THRESHOLD,
                         STANDALONE_MIN_SHARED, STANDALONE_THRESHOLD, VERBATIM_THRESHOLD)

#: Square-bracketed editorial insertions ("[arms control conditions]"): the outlet's words.
_EDITORIAL = re.compile(r"\[[^\]]*\]")
#: Speakers never de-duplicated across sources: each outlet's prose is its own.
NOT_DEDUPLICATED = {"narrator"}
_SPELLING = [(re.compile(r"is(ation|e|ed|es|ing)\b"), r"iz\1"), (re.compile(r"our\b"), "or"),
             (re.compile(r"mme\b"), "m")]


def _matching_text(texts: pd.Series) -> pd.Series:
    """Lower-case, spelling-neutral text for cross-source matching (organise ~ organize)."""
    out = texts.str.replace(_EDITORIAL, " ", regex=True).str.lower()
    for pattern, repl in _SPELLING:
        out = out.str.replace(pattern, repl, regex=True)
    return out


def sentence_similarity(lower: pd.Series, reference: pd.Series, distinctive: bool = False):
    """Sparse (cosine, shared content words) matrices, lower × reference: cosine of TF-IDF
    vectors of content words (stop words removed, spelling neutralised). With
    ``distinctive=True``, a third matrix counts the shared content words that occur in
    exactly one reference sentence."""
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True,
                          token_pattern=r"(?u)\b[a-z][a-z0-9]+\b")
    both = pd.concat([_matching_text(lower), _matching_text(reference)], ignore_index=True)
    try:
        x = vec.fit_transform(both)
    except ValueError:  # no content words at all
        empty = sparse.csr_matrix((len(lower), len(reference)))
        return (empty, empty, empty) if distinctive else (empty, empty)
    n = len(lower)
    binary = (x > 0).astype(np.float32)
    cos = (x[:n] @ x[n:].T).tocsr()
    shared = (binary[:n] @ binary[n:].T).tocsr()
    if not distinctive:
        return cos, shared
    unique = np.asarray(binary[n:].sum(axis=0)).ravel() == 1
    keep = sparse.diags(unique.astype(np.float32))
    return cos, shared, (binary[:n] @ keep @ binary[n:].T).tocsr()


def _monotonic(positions: list[int], targets: list[int]) -> set[int]:
    """The ``positions`` whose ``targets`` form the longest non-decreasing subsequence."""
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


def align_to_reference(sims, shared, turns: np.ndarray, ref_source: np.ndarray,
                       distinct=None):
    """Align lower-ranked sentences to reference sentences; return (target, score).

    ``target[i]`` is the index of the reference sentence that sentence ``i`` repeats, or -1.
    A sentence repeats its best match when that match is near-verbatim, or strong
    (``STANDALONE_THRESHOLD``) with at least ``STANDALONE_MIN_SHARED`` content words in
    common. A turn that renders a canonical passage (see ``PASSAGE_*``) is aligned as a
    whole: its in-order anchors repeat their matches; a sentence between two anchors whose
    targets lie in one reference source at most ``CONTEXT_GAP`` apart repeats the best match
    in that window; a sentence at the passage's edge needs ``EDGE_THRESHOLD`` within
    ``CONTEXT_GAP`` of the nearest anchor. A sentence still unaligned repeats its best match
    when it is a paraphrased quote (``QUOTE_*``; needs ``distinct``, the shared words found in
    one reference sentence only).
    """
    n, m = sims.shape
    target = np.full(n, -1)
    score = np.zeros(n)
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
    if distinct is not None:
        best_distinct = np.asarray(distinct[np.arange(n), best]).ravel()
        quote = (target < 0) & (best_score >= QUOTE_THRESHOLD) & \
            (best_shared >= QUOTE_MIN_SHARED) & (best_distinct >= 1)
        target[quote], score[quote] = best[quote], best_score[quote]
    return target, score


def _events(df: pd.DataFrame, events: dict[str, str] | None) -> pd.Series:
    """Each row's event: ``events`` of its source, "" (the meeting's main event) if none."""
    events = events or {}
    return pd.Series([events.get(f) or "" for f in df["source"]], index=df.index, dtype=str)


def _by_rank(g: pd.DataFrame) -> list[str]:
    """The sources of ``g`` in order of rank, then file name."""
    return g.sort_values(["source_rank", "source"])["source"].unique().tolist()


def mark_repeats(df: pd.DataFrame, events: dict[str, str] | None = None) -> pd.DataFrame:
    """Apply the canonical-source policy; add ``canonical``, ``duplicate_of``, ``match_score``.

    For each event of a meeting and each speaker but the narrator, the sources are taken in
    order of rank, then file name. ``events`` maps a source file to its event (the
    manifest's ``setting``; none or empty: the meeting's main event); sources of different
    events never repeat each other. The best source is canonical as a whole. Each
    lower-ranked source is aligned (:func:`align_to_reference`) with every sentence of the
    better sources; a sentence that repeats one is not canonical and names the canonical
    sentence at the root of its repeats. Anything else joins the canonical corpus.
    """
    df = df.copy()
    dup = np.full(len(df), None, dtype=object)
    score = np.full(len(df), np.nan)
    canonical = np.ones(len(df), dtype=bool)
    pos_of = pd.Series(np.arange(len(df)), index=df.index)
    sid = df["sentence_id"].to_numpy()
    event = _events(df, events)
    n_sources = df.groupby([df["meeting"], event, df["speaker"]])["source"].transform("nunique")
    multi = df[(n_sources > 1) & ~df["speaker"].isin(NOT_DEDUPLICATED)]
    for _, g in multi.groupby([multi["meeting"], event[multi.index], multi["speaker"]],
                              sort=True):
        order = _by_rank(g)
        ref = g[g["source"] == order[0]].sort_values("sentence")
        for src in order[1:]:
            low = g[g["source"] == src].sort_values("sentence")
            quotes = bool((low["source_rank"] == QUOTE_SOURCE_RANK).all())
            sims, shared, distinct = sentence_similarity(low["text"], ref["text"],
                                                         distinctive=True)
            target, sc = align_to_reference(sims, shared, low["turn"].to_numpy(),
                                            ref["source"].to_numpy(),
                                            distinct if quotes else None)
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


# --------------------------------------------------------------------------- checking the policy
KNOWN_COLUMNS = ["source", "speaker", "known", "sentence_starts"]


def read_known_repeats(path, sources=None, speakers=None) -> list[tuple[int, int, dict]]:
    """The rows of ``known_repeats.csv`` (row, line, record), every bad one reported at
    once: ``known`` is ``repeat`` or ``new``; the source is one of ``sources`` and the
    speaker one of ``speakers`` (when given)."""
    records, errors = read_csv_records(path, KNOWN_COLUMNS, ["note"]), []
    for i, line, rec in records:
        known, source, speaker = (rec[c].strip() for c in ("known", "source", "speaker"))
        problems = []
        if known not in {"repeat", "new"}:
            problems.append(f"known must be 'repeat' or 'new' (got {known!r})")
        if sources is not None and source not in sources:
            problems.append(f"source {source!r} is not a file of the manifest (sources.csv); "
                            "fix the name or delete the row")
        if speakers is not None and speaker not in speakers:
            problems.append(f"speaker {speaker!r} is not a speaker id ({', '.join(speakers)})")
        errors += [InputError(path, msg, row=i, line=line) for msg in problems]
    raise_all(errors)
    return records


def known_repeats(sentences: pd.DataFrame, path) -> pd.Series:
    """Whether each sentence is known (by reading) to repeat a better source of its event.

    ``path`` (``data/annotations/known_repeats.csv``) gives, for a source and speaker,
    ``known`` = ``repeat`` or ``new``; a row with ``sentence_starts`` sets the sentences
    that start with that text, and overrides the row without. Returns a boolean Series for
    the sentences the file covers (indexed like ``sentences``).
    """
    default, starts = {}, []
    for i, line, rec in read_known_repeats(path):
        key, known = (rec["source"].strip(), rec["speaker"].strip()), rec["known"].strip()
        prefix = rec["sentence_starts"].strip()
        cell = sentences[(sentences["source"] == key[0]) & (sentences["speaker"] == key[1])]
        if cell.empty:
            raise InputError(path, f"no sentence of {key[1]!r} in {key[0]!r}; fix the source "
                                   "or speaker, or delete the row", row=i, line=line)
        if prefix:
            hit = cell.index[cell["text"].str.startswith(prefix)]
            if len(hit) != 1:
                raise InputError(path, f"{len(hit)} sentences of {key[1]} in {key[0]} start "
                                       f"with {prefix!r}; give a start that matches one",
                                 row=i, line=line)
            starts.append((hit[0], known == "repeat"))
        else:
            default[key] = known == "repeat"
    keys = list(zip(sentences["source"], sentences["speaker"]))
    out = pd.Series([default.get(k) for k in keys], index=sentences.index, dtype=object)
    for idx, value in starts:
        out[idx] = value
    return out.dropna().astype(bool)


def best_match_scores(sentences: pd.DataFrame, events: dict[str, str] | None = None):
    """Each lower-ranked sentence's best cosine with the better sources of its speaker.

    Returns a DataFrame (indexed like ``sentences``) with ``same_event`` (the better sources
    of its event, which the policy compares) and ``same_meeting`` (of its whole meeting,
    every event); NaN where there is no better source.
    """
    ev = _events(sentences, events)
    out = pd.DataFrame(np.nan, index=sentences.index, columns=["same_event", "same_meeting"])
    d = sentences[~sentences["speaker"].isin(NOT_DEDUPLICATED)]
    for _, g in d.groupby(["meeting", "speaker"], sort=True):
        order = _by_rank(g)
        for k, src in enumerate(order[1:], start=1):
            low = g[g["source"] == src]
            for col, better in (("same_meeting", order[:k]),
                                ("same_event", [b for b in order[:k]
                                                if ev[g.index[g["source"] == b][0]]
                                                == ev[low.index[0]]])):
                ref = g[g["source"].isin(better)]
                if ref.empty:
                    continue
                sims, _ = sentence_similarity(low["text"], ref["text"])
                out.loc[low.index, col] = sims.max(axis=1).toarray().ravel()
    return out


def repeat_detection(sentences: pd.DataFrame, known: pd.Series, events=None,
                     thresholds=(0.15, 0.3, STANDALONE_THRESHOLD, 0.5, 0.7, VERBATIM_THRESHOLD)):
    """Precision and recall of repeat detection against the known repeats.

    One row for the policy as run (``canonical`` False = found as a repeat), then, for
    each threshold, the rule "the best match reaches it" within the event (as the policy
    compares) and within the whole meeting (every event of the day, as before events were
    told apart).
    """
    scores = best_match_scores(sentences, events).loc[known.index]
    truth = known.to_numpy()

    def row(rule, threshold, found):
        tp = int((found & truth).sum())
        return {"rule": rule, "threshold": threshold, "sentences": len(truth),
                "known_repeats": int(truth.sum()), "found": int(found.sum()),
                "found_correctly": tp,
                "precision": tp / found.sum() if found.sum() else np.nan,
                "recall": tp / truth.sum() if truth.sum() else np.nan}

    rows = [row("policy as run", np.nan, ~sentences.loc[known.index, "canonical"].to_numpy())]
    for col, name in (("same_event", "best match, same event"),
                      ("same_meeting", "best match, same meeting")):
        s = scores[col].fillna(-1).to_numpy()
        rows += [row(name, t, s >= t) for t in thresholds]
    return pd.DataFrame(rows)
