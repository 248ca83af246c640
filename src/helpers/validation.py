"""Validation of the issue coding against sentences coded by hand.

``load_validation`` reads a hand coding (``validation.csv``), ``gold_matrix`` turns it into a
boolean sentence × issue frame, and ``score_coding`` gives precision, recall and F1 per issue
(the lexicon's shares against the hand-coded ones are compared in :mod:`helpers.reliability`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .io import InputError, read_csv_records
from .lexicon import Issue, issue_ids
from .parameters import SHEET_CONTEXT, SHEET_SIZE
from .schemas import read_table

VALIDATION_COLUMNS = ["sentence_id", "source", "speaker", "split", "issues", "text"]


def load_validation(path: Path | None = None, lexicon: list[Issue] | None = None,
                    sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read the hand-coded sample; every problem is an error naming the row and line.

    Checks: strict UTF-8 CSV with the expected columns, splits, issue ids (against
    ``lexicon``), duplicate sentence ids. The sample is then checked against the corpus
    (:func:`check_against_corpus`): against ``sentences`` if given, and otherwise, when
    reading the project's own sample, against ``data/processed/sentences.csv`` if it exists.
    """
    default = path is None
    path = Path(path) if path is not None else config.paths()["lexicons"] / "validation.csv"
    records = read_csv_records(path, VALIDATION_COLUMNS)
    if not records:
        raise InputError(path, "the hand-coded sample has no rows")
    lines = [line for _, line, _ in records]
    cols = list(records[0][2])
    v = pd.DataFrame([rec for _, _, rec in records], columns=cols, dtype=str)
    v.attrs["lines"] = lines
    known = set(issue_ids(lexicon)) if lexicon else None
    first: dict[str, int] = {}
    for row, (sid, split, issues) in enumerate(zip(v["sentence_id"], v["split"],
                                                   v["issues"]), start=1):
        line = lines[row - 1]
        if not sid.strip():
            raise InputError(path, "empty sentence_id", row=row, line=line)
        if sid in first:
            raise InputError(path, f"sentence_id {sid!r} listed twice (also row "
                                   f"{first[sid]}); keep one coding per sentence",
                             row=row, line=line)
        first[sid] = row
        if split not in {"tune", "test"}:
            raise InputError(path, f"split must be 'tune' or 'test', got {split!r}",
                             row=row, line=line)
        for iid in filter(None, issues.split(";")):
            if known is not None and iid not in known:
                raise InputError(path, f"unknown issue id {iid!r}; use ids from "
                                       "data/lexicons/issues.yml", row=row, line=line)
    if sentences is None and default:
        table = config.paths()["processed"] / "sentences.csv"
        if table.exists():
            sentences = read_table("sentences")
    if sentences is not None:
        check_against_corpus(v, sentences, path)
    return v


def check_against_corpus(validation: pd.DataFrame, sentences: pd.DataFrame,
                         path: Path | str = "validation.csv") -> None:
    """Check that each coded row is the corpus sentence at its id (text, source, speaker).

    Raises :class:`InputError` naming the row of ``path`` whose id is unknown or whose
    sentence differs, so a hand coding can never silently point at other sentences
    (as when a changed raw file shifts the sentence ids).
    """
    path = Path(path)
    lines = validation.attrs.get("lines") or [None] * len(validation)
    by_id = sentences.set_index("sentence_id")
    for row, rec in enumerate(validation.itertuples(index=False), start=1):
        line = lines[row - 1] if row - 1 < len(lines) else None
        sid = rec.sentence_id
        if sid not in by_id.index:
            raise InputError(path, f"sentence_id {sid!r} is not in the corpus "
                                   "(data/processed/sentences.csv); the sentence ids may have "
                                   "shifted after a raw file or a cleaning rule changed. "
                                   "Fix the id or recode the sentence", row=row, line=line)
        found = by_id.loc[sid]
        for col in ("text", "source", "speaker"):
            want, got = str(getattr(rec, col)), str(found[col])
            if want != got:
                raise InputError(path, f"{col} differs from the corpus sentence {sid}: coded "
                                       f"{want[:60]!r}, corpus has {got[:60]!r}. The sentence "
                                       "ids have shifted or the source changed; re-link the "
                                       "coded row to the right sentence_id",
                                 row=row, line=line)


def gold_matrix(validation: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Boolean frame (sentence_id × issue) from the ';'-joined gold codes."""
    sets = validation["issues"].str.split(";")
    return pd.DataFrame({i: sets.map(lambda s, i=i: i in s).to_numpy() for i in ids},
                        index=validation["sentence_id"].to_numpy())


def precision_recall_f1(tp, fp, fn):
    """Precision, recall and F1 from confusion counts (arrays or numbers); NaN if undefined."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        r = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        f = np.where((p + r) > 0, 2 * p * r / (p + r), np.nan)
    return p, r, f


def score_coding(predicted: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall, F1 and support per issue, plus micro and macro averages.

    Both inputs are boolean frames with the same index (sentence ids) and issue columns.
    An issue with no predicted or no gold positives gets NaN for the undefined measure.
    """
    predicted = predicted.loc[gold.index, gold.columns].to_numpy(dtype=bool)
    g = gold.to_numpy(dtype=bool)
    tp = (predicted & g).sum(axis=0)
    fp = (predicted & ~g).sum(axis=0)
    fn = (~predicted & g).sum(axis=0)

    p, r, f = precision_recall_f1(tp, fp, fn)
    out = pd.DataFrame({"issue": list(gold.columns), "precision": p, "recall": r, "f1": f,
                        "support": g.sum(axis=0), "predicted": predicted.sum(axis=0)})
    mp, mr, mf = precision_recall_f1(tp.sum(), fp.sum(), fn.sum())
    micro = {"issue": "micro avg", "precision": float(mp), "recall": float(mr),
             "f1": float(mf), "support": int(g.sum()), "predicted": int(predicted.sum())}
    macro = {"issue": "macro avg", "precision": np.nanmean(p), "recall": np.nanmean(r),
             "f1": np.nanmean(f), "support": int(g.sum()), "predicted": int(predicted.sum())}
    return pd.concat([out, pd.DataFrame([micro, macro])], ignore_index=True)


# --------------------------------------------------------------------------- coding sheets
CODING_GUIDE = "data/lexicons/coding_guide.md"
SHEET_COLUMNS = ["sentence_id", "source", "meeting", "speaker", "context", "text", "issues",
                 "note", "coding_guide"]
HOW_TO_CODE = (f"code by {CODING_GUIDE}: issue ids from data/lexicons/issues.yml separated by "
               "';', or 'none' for a sentence about no issue")


def sheet_folder(root: Path | None = None) -> Path:
    """``data/validation/``: one coding sheet per source without hand codes."""
    return config.paths(root)["root"] / "data" / "validation"


def coding_sheet(coded: pd.DataFrame, source: str, speakers, size: int = SHEET_SIZE,
                 seed: int = config.SEED) -> pd.DataFrame:
    """A coding sheet for ``source``: a stratified sample of its speakers' canonical sentences.

    ``coded`` is the lexicon coding of the canonical sentences (``via`` column), in source
    order. Strata are speaker × (the lexicon codes an issue or not), each sampled in
    proportion to its size (largest remainders), so the sheet's scores need no weights.
    Rows keep source order, with the preceding sentences of the turn as ``context`` and an
    empty ``issues`` column for the analyst.
    """
    from .inference import rng_for

    src = coded[coded["source"] == source]
    pool = src[src["speaker"].isin(list(speakers))]
    strata = pool.groupby([pool["speaker"], pool["via"] != ""], sort=True).groups
    quota = {k: len(v) * min(size, len(pool)) / max(len(pool), 1) for k, v in strata.items()}
    take = {k: int(q) for k, q in quota.items()}
    for k in sorted(quota, key=lambda k: (int(quota[k]) - quota[k], k))[
            :min(size, len(pool)) - sum(take.values())]:
        take[k] += 1
    rng = rng_for(seed, "coding sheet", source)
    pos = {i: k for k, i in enumerate(src.index)}
    chosen = sorted((i for k, idx in strata.items() for i in
                     rng.choice(np.asarray(idx), size=take[k], replace=False)), key=pos.get)
    texts, turn = src["text"].tolist(), src["turn"].tolist()
    context = [" ".join(texts[j] for j in range(max(0, pos[i] - SHEET_CONTEXT), pos[i])
                        if turn[j] == turn[pos[i]]) for i in chosen]
    sheet = src.loc[chosen, ["sentence_id", "source", "meeting", "speaker", "text"]]
    return sheet.assign(context=context, issues="", note="", coding_guide=HOW_TO_CODE)[
        SHEET_COLUMNS].reset_index(drop=True)


def write_coding_sheets(coded: pd.DataFrame, hand_sources, speakers,
                        folder: Path | None = None, size: int = SHEET_SIZE,
                        seed: int = config.SEED) -> list[Path]:
    """Write ``<folder>/<source stem>.csv`` for each source of ``speakers`` without hand codes.

    A sheet that exists is never overwritten (an analyst may be filling it in). Returns
    the paths of all sheets of sources without hand codes, written now or before.
    """
    from .io import write_csv_atomic

    folder = sheet_folder() if folder is None else Path(folder)
    measured = coded[coded["speaker"].isin(list(speakers))]["source"]
    out = []
    for source in sorted(set(measured) - set(hand_sources)):
        path = folder / f"{Path(source).stem}.csv"
        if not path.exists():
            write_csv_atomic(coding_sheet(coded, source, speakers, size, seed), path)
        out.append(path)
    return out


def load_coding_sheets(folder: Path, lexicon: list[Issue],
                       sentences: pd.DataFrame) -> pd.DataFrame:
    """Read every sheet in ``folder``: one row per sampled sentence, with ``coded`` (the
    analyst filled in ``issues``), ``issues`` ('' for none) and ``complete`` (every row of
    its sheet is coded). Errors name the sheet, its row and what to do."""
    known = set(issue_ids(lexicon))
    frames = []
    for path in sorted(Path(folder).glob("*.csv")):
        records = read_csv_records(path, ["sentence_id", "text", "issues"])
        rows = pd.DataFrame([rec for _, _, rec in records],
                            columns=list(records[0][2]) if records else SHEET_COLUMNS,
                            dtype=str)
        if rows.empty:
            continue
        rows.attrs["lines"] = [line for _, line, _ in records]
        rows["issues"] = rows["issues"].str.strip()
        twice = rows["sentence_id"].duplicated().to_numpy()
        for row, (issues, line) in enumerate(zip(rows["issues"], rows.attrs["lines"]), 1):
            if twice[row - 1]:
                raise InputError(path, "sentence listed twice; keep one row per sentence",
                                 row=row, line=line)
            for iid in filter(None, issues.split(";")):
                if iid.strip() != "none" and iid.strip() not in known:
                    raise InputError(path, f"unknown issue id {iid!r}; use ids from "
                                           "data/lexicons/issues.yml, or 'none'",
                                     row=row, line=line)
        by_id = sentences.set_index("sentence_id")
        rows["source"] = by_id["source"].reindex(rows["sentence_id"]).to_numpy()
        rows["speaker"] = by_id["speaker"].reindex(rows["sentence_id"]).to_numpy()
        check_against_corpus(rows, sentences, path)
        coded = rows["issues"] != ""
        frames.append(pd.DataFrame({
            "sentence_id": rows["sentence_id"], "source": rows["source"],
            "sheet": path.name, "coded": coded, "complete": bool(coded.all()),
            "issues": rows["issues"].map(lambda s: ";".join(
                i.strip() for i in s.split(";") if i.strip() not in ("", "none")))}))
    empty = pd.DataFrame({c: pd.Series(dtype=bool if c in ("coded", "complete") else str)
                          for c in ("sentence_id", "source", "sheet", "coded", "complete",
                                    "issues")})
    return pd.concat(frames, ignore_index=True) if frames else empty
