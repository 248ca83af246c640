"""Validation of the issue coding against sentences coded by hand.

``load_validation`` reads a hand coding (``validation.csv``), ``load_second_coding`` a
second coder's (``second_coding.csv``), ``gold_matrix`` turns either into a boolean
sentence × issue frame (scored in :mod:`helpers.reliability`). Also the lexicon's sanity
warnings and the coding sheets of sources without hand codes.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .inference import rng_for
from .io import InputError, raise_all, read_csv_records, read_text_utf8, write_csv_atomic
from .coding import match_issues
from .lexicon import Issue, issue_ids
from .parameters import (PATTERN_SHARE_LIMIT, SHARE_EXCESS_LIMIT, SHARE_RATIO_LIMIT,
                         SHEET_CONTEXT, SHEET_SIZE)
from .schemas import read_table

VALIDATION_COLUMNS = ["sentence_id", "source", "speaker", "split", "issues", "text"]


def _code_errors(path: Path, records, known: set[str] | None,
                 sheet: bool = False) -> list[InputError]:
    """Errors of hand-coded rows (``(row, line, record)`` of :func:`read_csv_records`): an
    empty or repeated sentence_id, an issue id not in ``known`` (None: unchecked). On a
    coding ``sheet`` the ids may have spaces around them, and 'none' codes no issue."""
    errors, first = [], {}
    for row, line, rec in records:
        sid = rec["sentence_id"].strip()
        bad = [] if sid else ["empty sentence_id"]
        if sid in first:
            bad.append(f"sentence_id {sid!r} listed twice (also row {first[sid]}); keep one "
                       "row per sentence")
        first.setdefault(sid, row)
        for iid in filter(None, rec["issues"].split(";")):
            iid = iid.strip() if sheet else iid
            if known is not None and iid not in known and not (sheet and iid in ("", "none")):
                bad.append(f"unknown issue id {iid!r}; use ids from data/lexicons/issues.yml"
                           + (", or 'none'" if sheet else ""))
        errors += [InputError(path, msg, row=row, line=line) for msg in bad]
    return errors


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
    errors = _code_errors(path, records, known)
    errors += [InputError(path, f"split must be 'tune' or 'test', got {split!r}", row=row,
                          line=line)
               for row, (split, line) in enumerate(zip(v["split"], lines), start=1)
               if split not in {"tune", "test"}]
    raise_all(sorted(errors, key=lambda e: e.row))
    if sentences is None and default:
        table = config.paths()["processed"] / "sentences.csv"
        if table.exists():
            sentences = read_table("sentences")
    if sentences is not None:
        check_against_corpus(v, sentences, path)
    return v


def check_against_corpus(validation: pd.DataFrame, sentences: pd.DataFrame,
                         path: Path | str = "validation.csv") -> None:
    """Check that each coded row is the corpus sentence at its id (text, source, speaker),
    so that a hand coding never silently points at other sentences (as when a changed raw
    file shifts the ids); :class:`InputError` names each row at fault."""
    path = Path(path)
    lines = validation.attrs.get("lines") or [None] * len(validation)
    by_id = sentences.set_index("sentence_id")
    errors = []
    for row, rec in enumerate(validation.itertuples(index=False), start=1):
        line = lines[row - 1] if row - 1 < len(lines) else None
        sid = rec.sentence_id
        if sid not in by_id.index:
            errors.append(InputError(
                path, f"sentence_id {sid!r} is not in the corpus (data/processed/sentences.csv)"
                "; the sentence ids may have shifted after a raw file or a cleaning rule "
                "changed. Fix the id or recode the sentence", row=row, line=line))
            continue
        found = by_id.loc[sid]
        for col in ("text", "source", "speaker"):
            want, got = str(getattr(rec, col)), str(found[col])
            if want != got:
                errors.append(InputError(
                    path, f"{col} differs from the corpus sentence {sid}: coded {want[:60]!r}, "
                    f"corpus has {got[:60]!r}. The sentence ids have shifted or the source "
                    "changed; re-link the coded row to the right sentence_id",
                    row=row, line=line))
                break
    raise_all(errors)


def load_second_coding(path: Path, known_issues: set[str],
                       sentence_ids: set[str] | None) -> pd.DataFrame:
    """Read an independent coding (sentence_id, issues, note); errors name every bad row.
    ``sentence_ids`` None skips the check against the corpus."""
    path = Path(path)
    records = read_csv_records(path, ["sentence_id", "issues"], ["note"])
    errors = [InputError(path, f"unknown sentence_id {r['sentence_id']!r}; it must be a "
                               "sentence of data/processed/sentences.csv", row=i, line=line)
              for i, line, r in records
              if sentence_ids is not None and r["sentence_id"].strip() not in sentence_ids]
    errors += _code_errors(path, records, known_issues)
    raise_all(errors)
    return pd.DataFrame([r for _, _, r in records], columns=["sentence_id", "issues", "note"],
                        dtype=str).fillna("")


def gold_matrix(validation: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Boolean frame (sentence_id × issue) from the ';'-joined gold codes."""
    sets = validation["issues"].str.split(";")
    return pd.DataFrame({i: sets.map(lambda s, i=i: i in s).to_numpy() for i in ids},
                        index=validation["sentence_id"].to_numpy())


def check_coding_guide(lexicon: list[Issue], path: Path | None = None) -> None:
    """The coding guide (strict UTF-8) must give every issue of the lexicon a row of its
    table (`` | `id` | ``) and no row for an issue the lexicon lacks; errors name the line."""
    path = Path(path) if path is not None else config.paths()["root"] / CODING_GUIDE
    text = read_text_utf8(path)
    rows = {m.group(1): text[:m.start()].count("\n") + 1
            for m in re.finditer(r"^\| `([a-z][a-z0-9_]*)` \|", text, re.M)}
    ids = issue_ids(lexicon)
    raise_all([InputError(path, f"issue {i!r} of issues.yml has no row in the guide's table; "
                                "add one saying when to code it") for i in ids if i not in rows]
              + [InputError(path, f"issue {i!r} is not in issues.yml; rename or delete the row",
                            line=line) for i, line in rows.items() if i not in ids])


# --------------------------------------------------------------------------- lexicon sanity


def lexicon_warnings(lexicon: list[Issue], validation: pd.DataFrame) -> list[str]:
    """Warnings for a lexicon that would wreck the measure, judged on the hand-coded
    sentences (``validation``, as :func:`load_validation` reads it): each pattern that codes
    more than :data:`PATTERN_SHARE_LIMIT` of them, and each issue whose lexicon share
    exceeds its hand-coded share by more than :data:`SHARE_EXCESS_LIMIT` and
    :data:`SHARE_RATIO_LIMIT` times. Empty when nothing is amiss."""
    texts = validation["text"].reset_index(drop=True)
    out = []
    for issue in lexicon:
        one_each = [Issue(f"{issue.id}:{k}", "", "", re.compile(p, re.I), None, ())
                    for k, p in enumerate(issue.patterns)]
        shares = match_issues(texts, one_each).mean()
        out += [f"issues.yml: issue {issue.id!r}: pattern '{p}' codes {share:.0%} of the "
                f"hand-coded sentences (limit {PATTERN_SHARE_LIMIT:.0%}); make it more "
                "specific" for p, share in zip(issue.patterns, shares)
                if share > PATTERN_SHARE_LIMIT]
    lexicon_share = match_issues(texts, lexicon).mean()
    hand_share = gold_matrix(validation, issue_ids(lexicon)).mean()
    for iid in issue_ids(lexicon):
        lex_, hand = lexicon_share[iid], hand_share[iid]
        if lex_ - hand > SHARE_EXCESS_LIMIT and lex_ > SHARE_RATIO_LIMIT * hand:
            out.append(f"issues.yml: issue {iid!r}: the lexicon codes {lex_:.0%} of the "
                       f"hand-coded sentences, the hand coding {hand:.0%}; check the "
                       "patterns changed last")
    return out


def lexicon_sanity_note(warnings: list[str]) -> str:
    """One sentence for notebook 04: the warnings of :func:`lexicon_warnings`, or that the
    lexicon passed its sanity check."""
    if warnings:
        return "**Lexicon warning:** " + " ".join(w.removeprefix("issues.yml: ") + "."
                                                  for w in warnings)
    return (f"The lexicon passes its sanity check: no pattern codes more than "
            f"{PATTERN_SHARE_LIMIT:.0%} of the hand-coded sentences, and no issue's lexicon share "
            f"is both more than {SHARE_EXCESS_LIMIT * 100:g} points above and more than "
            f"{SHARE_RATIO_LIMIT:g} times its hand-coded share.")


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
    """A coding sheet for ``source``: a sample of its speakers' sentences (of ``coded``, the
    lexicon coding in source order), stratified by speaker × (the lexicon codes an issue or
    not) in proportion (largest remainders), so that its scores need no weights. Rows keep
    source order, with the turn's preceding sentences as ``context`` and an empty ``issues``
    column for the analyst."""
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
    """Write ``<folder>/<source stem>.csv`` for each source of ``speakers`` without hand
    codes, never over an existing sheet (an analyst may be filling it in); returns the paths
    of all of them, written now or before."""
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
                       sentences: pd.DataFrame | None) -> pd.DataFrame:
    """Read every sheet in ``folder``: one row per sampled sentence, with ``coded`` (the
    analyst filled in ``issues``), ``issues`` ('' for none) and ``complete`` (every row of
    its sheet is coded). Errors name the sheet, its row and what to do, all at once.
    ``sentences`` None checks the sheets alone (not against the corpus) and returns none."""
    known = set(issue_ids(lexicon))
    frames, errors = [], []
    for path in sorted(Path(folder).glob("*.csv")):
        try:
            records = read_csv_records(path, ["sentence_id", "text", "issues"])
        except InputError as err:
            errors.append(err)
            continue
        rows = pd.DataFrame([rec for _, _, rec in records],
                            columns=list(records[0][2]) if records else SHEET_COLUMNS,
                            dtype=str)
        if rows.empty:
            continue
        rows.attrs["lines"] = [line for _, line, _ in records]
        rows["issues"] = rows["issues"].str.strip()
        n = len(errors)
        errors += _code_errors(path, records, known, sheet=True)
        if len(errors) > n or sentences is None:
            continue
        by_id = sentences.set_index("sentence_id")
        rows["source"] = by_id["source"].reindex(rows["sentence_id"]).to_numpy()
        rows["speaker"] = by_id["speaker"].reindex(rows["sentence_id"]).to_numpy()
        try:
            check_against_corpus(rows, sentences, path)
        except InputError as err:
            errors.append(err)
            continue
        coded = rows["issues"] != ""
        frames.append(pd.DataFrame({
            "sentence_id": rows["sentence_id"], "source": rows["source"],
            "sheet": path.name, "coded": coded, "complete": bool(coded.all()),
            "issues": rows["issues"].map(lambda s: ";".join(
                i.strip() for i in s.split(";") if i.strip() not in ("", "none")))}))
    empty = pd.DataFrame({c: pd.Series(dtype=bool if c in ("coded", "complete") else str)
                          for c in ("sentence_id", "source", "sheet", "coded", "complete",
                                    "issues")})
    raise_all(errors)
    return pd.concat(frames, ignore_index=True) if frames else empty
