"""Benchmark: the notebook rerun against its floor, and helper throughput as the corpus grows.

``python3 tasks.py bench`` (or ``.venv/bin/python benchmarks/bench.py``) prints figures and
asserts nothing about time; ``docs/performance.md`` records them. Stage timings cover
computing only (every module is imported when the process starts); ``process_s`` is the
whole fresh process, start-up and imports included.

1. **Rerun vs floor** (``floor.py``). Executes every notebook in a temporary
   copy of the project, then the
   same number of "floor" notebooks that start a kernel and import exactly the modules the
   real notebook imported (the stack, as it is used), and nothing else.
   The rerun is what an analyst does after a first run: the disk cache
   (:mod:`helpers.cache`) is warm, so only what changed is recomputed. The first run (empty
   cache) is printed too.
2. **Scaling.** Builds synthetic corpora from the seeds at 1×, 10×, 100× and 1000× their size
   (real canonical sentences of the principals shuffled, with a fixed seed, into labelled
   transcripts of synthetic meetings; each sentence keeps its speaker) and runs the whole
   helper chain on each in a fresh process with the cache off: clean and attribute,
   tokenise, TF-IDF and keyness, one NMF fit, issue coding, and salience with bootstrap
   intervals. Prints wall time per stage, words per second, peak resident memory, and the
   growth exponent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from floor import measure_rerun
from sklearn.feature_extraction.text import CountVectorizer

from helpers import (coding, config, corpus, features, findings, keyness, salience, tokens,
                     topics, validation)
from helpers import lexicon as lex
from helpers.schemas import read_table
from helpers.sources import load_manifest, manifest_rows

LABELS = {"pompeo": "SECRETARY POMPEO", "lavrov": "Sergey Lavrov", "putin": "Vladimir Putin"}
SIZES = (1, 10, 100, 1000)
#: Words in one synthetic transcript (about the size of one real press conference).
DOC_WORDS = 2_000


def _letters(k: int) -> str:
    out = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        out = chr(97 + r) + out
    return out


def make_synthetic_project(dest: Path, scale: int, seed: int = config.SEED) -> int:
    """Write a synthetic project (raw files, manifest, annotations) of ``scale`` × the seeds.

    Returns the number of words written. Each synthetic transcript is a labelled
    press conference of a synthetic meeting, made of real canonical sentences of the
    principals in shuffled order; consecutive sentences of one speaker form a turn.
    """

    root = config.project_root()
    sentences = read_table("sentences", root)
    base = sentences[sentences["speaker"].isin(list(LABELS))]
    target_words = scale * int(sentences["n_words"].sum())
    rng = np.random.default_rng(seed)
    texts = base["text"].to_numpy()
    speakers = base["speaker"].to_numpy()
    words = base["n_words"].to_numpy()
    raw = dest / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    shutil.copytree(root / "data" / "annotations", dest / "data" / "annotations")
    if (root / "data" / "lexicons").exists():
        shutil.copytree(root / "data" / "lexicons", dest / "data" / "lexicons")
    # the synthetic corpus has no captions sources: keep the turn-anchor table, no rows
    anchors = dest / "data" / "annotations" / "caption_turns.csv"
    anchors.write_text(anchors.read_text(encoding="utf-8").splitlines()[0] + "\n",
                       encoding="utf-8")
    (dest / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (dest / "pyproject.toml").write_text("")
    rows, written, k = [], 0, 0
    while written < target_words:
        n = max(1, int(DOC_WORDS / max(1, words.mean())))
        pick = rng.integers(0, len(texts), size=n)
        order = pick[np.argsort(speakers[pick], kind="stable")]  # group speakers into turns
        lines, prev = [f"Synthetic transcript {k}", ""], None
        for i in order:
            if speakers[i] != prev:
                lines.append(f"\n{LABELS[speakers[i]]}: {texts[i]}")
                prev = speakers[i]
            else:
                lines.append(texts[i])
        body = " ".join(lines).replace(" \n", "\n") + "\n"
        name = f"{k:06d}_synthetic.txt"
        (raw / name).write_text(body, encoding="utf-8")
        rows.append({"file": name, "sha256": hashlib.sha256(body.encode()).hexdigest(),
                     "outlet": "synthetic", "title": f"Synthetic transcript {k}",
                     "source_kind": "official transcript",
                     "translation": "official translation", "format": "labelled",
                     "default_speaker": "", "meeting": f"synth{_letters(k)}-2019-12-10",
                     "event_date": "2019-12-10", "published": "2019-12-10", "note": ""})
        written += int(words[pick].sum())
        k += 1
    pd.DataFrame(rows).to_csv(raw / "sources.csv", index=False, lineterminator="\n")
    return written


def run_chain(root: Path, topic_seeds: bool = False) -> dict:
    """Run the whole helper chain on the project at ``root``; return stage timings.

    With ``topic_seeds``, the seed-averaged topic step (:func:`run_topic_seeds`) is timed
    after the chain, as a separate figure (``topic_seeds_s``), not part of the chain.
    """

    times = {}
    t = time.perf_counter()
    sentences, _ = corpus.build_corpus(root)
    times["clean_attribute"] = time.perf_counter() - t
    times["words"] = int(sentences["n_words"].sum())
    state = {"sentences": sentences}
    for name, stage in STAGES:
        t = time.perf_counter()
        stage(state, root)
        times[name] = time.perf_counter() - t
    times["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if topic_seeds:
        times["topic_seeds_s"] = run_topic_seeds(state["tokens"])
    return times


def _stage_tokens(state: dict, root: Path) -> None:

    s = state["sentences"]
    state["canonical"] = s[s["canonical"] & s["speaker"].isin(["pompeo", "lavrov", "putin"])]
    state["tokens"] = tokens.tokenize_sentences(state["canonical"])


def _stage_tfidf_keyness(state: dict, root: Path) -> None:

    tok = state["tokens"]
    display = tokens.display_forms(tok)
    x, docs, vocab = features.document_term_matrix(tok, ["speaker", "meeting"])
    features.top_terms(x, docs, vocab, display, n=10)
    n = int(tok["speaker"].isin(["pompeo", "lavrov"]).sum())  # α0 = N, as notebook 02
    keyness.keyness_table(tok, "pooled", alpha0=n, display=display, n_perm=0)


def _stage_nmf(state: dict, root: Path) -> None:

    x, docs, vocab = features.document_term_matrix(state["tokens"],
                                                   ["meeting", "speaker", "source", "turn"])
    topics.fit_nmf(features.tfidf(x), k=NMF_K, seed=config.SEED, max_iter=NMF_ITER)


def _stage_coding(state: dict, root: Path) -> None:

    state["lexicon"] = lex.load_lexicon(config.paths(root)["lexicons"] / "issues.yml")
    state["coded"] = coding.code_sentences(state["canonical"], state["lexicon"],
                                           inherit="previous")


def _stage_salience(state: dict, root: Path) -> None:

    salience.compute_salience(state["coded"], state["lexicon"])


#: The NMF fit of the benchmark: fixed topics and iterations.
NMF_K, NMF_ITER = 8, 100
STAGES = [("tokenise", _stage_tokens), ("tfidf_keyness", _stage_tfidf_keyness),
          ("nmf", _stage_nmf), ("coding", _stage_coding), ("salience", _stage_salience)]




def run_baseline(root: Path, a: str = "pompeo", b: str = "lavrov") -> dict:
    """The simplest thing that computes keyness, on the same raw files as the chain.

    Reads every transcript, gives each labelled line to its speaker, counts words with a
    plain scikit-learn ``CountVectorizer`` (its default tokenizer, no stop words) and
    computes the log-odds ratio with the pooled counts as Dirichlet prior (Monroe et al.
    2008, eq. 22) for ``a`` against ``b``. Needs only scikit-learn and NumPy.
    """
    t = time.perf_counter()
    label = re.compile("^(" + "|".join(map(re.escape, LABELS.values())) + "): ")
    speaker_of = {v: k for k, v in LABELS.items()}
    texts, who = [], []
    for path in sorted((root / "data" / "raw").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = label.match(line)
            if m and speaker_of[m.group(1)] in (a, b):
                texts.append(line[m.end():])
                who.append(speaker_of[m.group(1)])
    cv = CountVectorizer()
    x = cv.fit_transform(texts)
    is_a = np.asarray(who) == a
    ya = np.asarray(x[is_a].sum(axis=0), dtype=float).ravel()
    yb = np.asarray(x[~is_a].sum(axis=0), dtype=float).ravel()
    pooled = ya + yb
    alpha = pooled  # prior: pooled counts, alpha_0 = their total
    a0, na, nb = pooled.sum(), ya.sum(), yb.sum()
    delta = (np.log(ya + alpha) - np.log(na + a0 - ya - alpha)
             - np.log(yb + alpha) + np.log(nb + a0 - yb - alpha))
    z = delta / np.sqrt(1 / (ya + alpha) + 1 / (yb + alpha))
    top = np.argsort(-z, kind="stable")[:5]
    seconds = time.perf_counter() - t
    vocab = np.empty(len(z), dtype=object)
    for term, j in cv.vocabulary_.items():
        vocab[j] = term
    return {"baseline_s": seconds, "baseline_terms": int(len(z)),
            "baseline_tokens": int(pooled.sum()), "baseline_top": vocab[top].tolist()}


def run_topic_seeds(tokens_table: pd.DataFrame, seeds: int = 10, k: int = 8,
                    n_boot: int = 2000) -> float:
    """Seconds of the seed-averaged topic step: ``seeds`` NMF refits at ``k``, matched to
    their medoid, and the consensus prevalence with its bootstrap (as notebook 03 does)."""

    t = time.perf_counter()
    by = ["meeting", "speaker", "source", "turn"]
    x, docs, _ = features.document_term_matrix(tokens_table, by)
    xt = features.tfidf(x)
    fits = [topics.fit_nmf(xt, k, config.SEED + s, NMF_ITER) for s in range(seeds)]
    medoid, orders, _ = topics.align_refits(fits)
    shares = topics.aligned_shares(fits, orders)
    topics.consensus_prevalence(shares, docs, "nmf", {}, n_boot=n_boot)
    return time.perf_counter() - t


def run_inference(root: Path) -> dict:
    """Time the inference steps on a project with hand codes (the real one).

    ``salience_gold``: :func:`helpers.salience.compute_salience` with the hand codes
    (block bootstrap of every cell, lexicon and hand measures); ``findings``:
    :func:`helpers.findings.compute_findings` (contrasts, permutation tests, overlaps);
    ``topic_seeds``: :func:`run_topic_seeds`. Each includes nothing else.
    """

    sentences, _ = corpus.build_corpus(root)
    canonical = sentences[sentences["canonical"]]
    lexicon = lex.load_lexicon(config.paths(root)["lexicons"] / "issues.yml")
    ids = lex.issue_ids(lexicon)
    gold_all = validation.gold_matrix(validation.load_validation(lexicon=lexicon,
                                                                 sentences=sentences), ids)
    gold = gold_all[gold_all.index.isin(canonical["sentence_id"])]
    coded = coding.code_sentences(canonical, lexicon, inherit="previous")
    manifest = manifest_rows(load_manifest(config.paths(root)["raw"]))
    out = {}
    t = time.perf_counter()
    sal = salience.compute_salience(coded, lexicon, gold, speakers=("pompeo", "lavrov", "putin"))
    out["salience_gold_s"] = time.perf_counter() - t
    t = time.perf_counter()
    findings.compute_findings(coded, lexicon, sal, gold, manifest=manifest)
    out["findings_s"] = time.perf_counter() - t
    principals = canonical[canonical["speaker"].isin(["pompeo", "lavrov", "putin"])]
    out["topic_seeds_s"] = run_topic_seeds(tokens.tokenize_sentences(principals))
    out["cells"] = int(len(sal[["meeting", "speaker"]].drop_duplicates()))
    return out


def run_scattertext(root: Path, python: str) -> dict:
    """Scattertext's keyness alone on the project at ``root``, run by ``python`` (an
    interpreter with Scattertext; see ``benchmarks/scattertext_peer.py``)."""
    script = Path(__file__).with_name("scattertext_peer.py")
    proc = subprocess.run([python, str(script), str(root)], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"scattertext peer failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _child(root: str, mode: str = "chain") -> None:
    if mode == "baseline":
        out = run_baseline(Path(root))
    elif mode == "inference":
        out = run_inference(Path(root))
    else:
        out = run_chain(Path(root), topic_seeds=mode == "chain+topics")
    print("BENCH-RESULT " + json.dumps(out))


def _run_child(root: str, mode: str) -> dict:
    env = dict(os.environ, HELPERS_PROJECT_ROOT=root, HELPERS_CACHE="off")
    proc = subprocess.run([sys.executable, __file__, "--child", root,
                           "--mode", mode], env=env, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"bench ({mode}) failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.split("BENCH-RESULT ", 1)[1])


#: Figures of a chain run that are not stage seconds.
_NOT_STAGES = {"words", "peak_rss_mb", "topic_seeds_s"}


def measure_scaling(sizes=SIZES, topic_sizes=(1, 10, 100), baseline: bool = True,
                    scattertext: str | None = None) -> pd.DataFrame:
    """Run the chain at each size in a fresh process; return one row per size.

    With ``baseline``, the CountVectorizer baseline (:func:`run_baseline`) runs on the same
    files in its own fresh process, just before the chain. With ``scattertext`` (a Python
    interpreter that has it), Scattertext's keyness alone runs on them too
    (:func:`run_scattertext`). At the sizes in ``topic_sizes`` the seed-averaged topic step
    is timed after the chain (its own figure).
    """
    rows = []
    for scale in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            make_synthetic_project(Path(tmp), scale)
            gen = time.perf_counter() - t
            base = _run_child(tmp, "baseline") if baseline else {}
            peer = run_scattertext(Path(tmp), scattertext) if scattertext else {}
            # the chain is measured computing, never served from the cache
            t = time.perf_counter()
            res = _run_child(tmp, "chain+topics" if scale in topic_sizes else "chain")
            wall = time.perf_counter() - t
        chain = sum(v for k, v in res.items() if k not in _NOT_STAGES)
        row = {"scale": scale, "words": res["words"], "generate_s": round(gen, 2),
               "chain_s": round(chain, 2), "process_s": round(wall, 2),
               "words_per_s": round(res["words"] / chain),
               "peak_rss_mb": round(res["peak_rss_mb"]),
               **{f"{k}_s": round(v, 2) for k, v in res.items() if k not in _NOT_STAGES}}
        if base:
            row.update({"baseline_s": round(base["baseline_s"], 2),
                        "baseline_words_per_s": round(res["words"] / base["baseline_s"]),
                        "chain_vs_baseline": round(base["baseline_s"] / chain, 2)})
        if peer:
            row.update({"scattertext_s": round(peer["seconds"], 2),
                        "scattertext_words": peer["words"],
                        "scattertext_words_per_s": round(peer["words"] / peer["seconds"]),
                        "chain_vs_scattertext": round(row["words_per_s"] * peer["seconds"]
                                                      / peer["words"], 2)})
        if "topic_seeds_s" in res:
            row["topic_seeds_s"] = round(res["topic_seeds_s"], 2)
        rows.append(row)
        print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
    return pd.DataFrame(rows)


def growth_exponent(df: pd.DataFrame) -> float:
    """Slope of log(chain time) against log(words), over every row of ``df``."""
    return float(np.polyfit(np.log(df["words"]), np.log(df["chain_s"]), 1)[0])


def top_growth_exponent(df: pd.DataFrame) -> float:
    """Slope of log(chain time) against log(words) between the two largest sizes."""
    a, b = df.nlargest(2, "words").sort_values("words").itertuples()
    return float(np.log(b.chain_s / a.chain_s) / np.log(b.words / a.words))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench.py", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--topic-sizes", type=int, nargs="*", default=[1, 10, 100],
                        help="sizes at which the seed-averaged topic step is timed")
    parser.add_argument("--skip-rerun", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--skip-inference", action="store_true")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--scattertext", metavar="PYTHON",
                        help="an interpreter with Scattertext: time its keyness alone beside "
                             "the chain (see benchmarks/scattertext_peer.py)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="chain", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.mode)
        return 0
    if not args.skip_rerun:
        r = measure_rerun()
        print(f"{r['notebooks']} notebooks, fresh kernels, in a temporary copy:\n"
              f"  floor (start a kernel, import what the notebook imports): {r['floor_s']} s\n"
              f"  rerun (cache warm, {r['cache_entries']} entries, "
              f"{r['recomputed_on_rerun']} recomputed): {r['rerun_s']} s = "
              f"{r['ratio']}x the floor\n"
              f"  first run (cache empty): {r['cold_s']} s = {r['cold_ratio']}x the floor\n"
              f"  every timing: rerun {r['rerun_times']} s, floor {r['floor_times']} s\n"
              "  slowest cells of the first run:", flush=True)
        for c in r["slowest_cold_cells"]:
            print(f"    {c['seconds']:7.2f} s  {c['notebook']} cell {c['cell']}: "
                  f"{c['first_line']}")
        print("  slowest cells of the (fastest) rerun:")
        for c in r["slowest_rerun_cells"]:
            print(f"    {c['seconds']:7.2f} s  {c['notebook']} cell {c['cell']}: "
                  f"{c['first_line']}")
    if not args.skip_inference:
        r = _run_child(str(config.project_root()), "inference")
        print(f"\ninference steps on the project's own corpus ({r['cells']} speaker-meeting "
              "cells, hand codes included), fresh process, cache off:\n"
              f"  block-bootstrap shares of every cell (compute_salience with hand codes): "
              f"{r['salience_gold_s']:.2f} s\n"
              f"  contrasts, permutation tests and overlaps (compute_findings): "
              f"{r['findings_s']:.2f} s\n"
              f"  seed-averaged topics (10 NMF refits at k = 8, matched, consensus "
              f"prevalence): {r['topic_seeds_s']:.2f} s", flush=True)
    if not args.skip_scaling:
        df = measure_scaling(args.sizes, args.topic_sizes, baseline=not args.skip_baseline,
                             scattertext=args.scattertext)
        print("\n" + df.to_string(index=False))
        if len(df) > 1:
            print(f"\ngrowth exponent (slope of log time on log words): "
                  f"{growth_exponent(df):.2f} over all sizes, "
                  f"{top_growth_exponent(df):.2f} between the two largest")
        if "baseline_s" in df:
            for r in df.itertuples():
                print(f"{r.scale}x: chain {r.words_per_s:,} words/s; plain CountVectorizer + "
                      f"log-odds keyness {r.baseline_words_per_s:,} words/s; the chain does "
                      f"everything at {r.chain_vs_baseline:.2f}x the baseline's speed")
        if "scattertext_s" in df:
            for r in df.itertuples():
                print(f"{r.scale}x: Scattertext's keyness alone {r.scattertext_words_per_s:,} "
                      f"words/s ({r.scattertext_words:,} words of Pompeo and Lavrov in "
                      f"{r.scattertext_s} s); the whole chain runs at "
                      f"{r.chain_vs_scattertext:.2f}x its words per second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
