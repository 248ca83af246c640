"""Benchmark: the notebook rerun against its floor, and helper throughput as the corpus grows.

``python -m workflow.bench`` prints figures and asserts nothing about time.

1. **Rerun vs floor.** Executes every notebook in a temporary copy of the project, then the
   same number of "floor" notebooks that start a kernel and import exactly the modules the
   real notebook imported (the stack, as it is used), and nothing else.
   The rerun is what an analyst does after a first run: the disk cache
   (:mod:`helpers.cache`) is warm, so only what changed is recomputed. The first run (empty
   cache) is printed too.
2. **Scaling.** Builds synthetic corpora from the seeds at 1×, 10×, 100× and 1000× their size
   (real canonical sentences of the principals shuffled, with a fixed seed, into labelled
   transcripts of synthetic meetings; each sentence keeps its speaker) and runs the whole
   helper chain on each in a fresh process with the cache off: clean and attribute,
   tokenise, TF-IDF and keyness, one NMF fit, issue coding and salience with bootstrap
   intervals. Prints wall time per stage, words per second, peak resident memory, and the
   growth exponent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import config

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
    from helpers.schemas import read_table

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


def run_chain(root: Path) -> dict:
    """Run the whole helper chain on the project at ``root``; return stage timings."""
    from helpers import corpus

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
    return times


def _stage_tokens(state: dict, root: Path) -> None:
    from helpers import tokens

    s = state["sentences"]
    state["canonical"] = s[s["canonical"] & s["speaker"].isin(["pompeo", "lavrov", "putin"])]
    state["tokens"] = tokens.tokenize_sentences(state["canonical"])


def _stage_tfidf_keyness(state: dict, root: Path) -> None:
    from helpers import features, tokens

    tok = state["tokens"]
    display = tokens.display_forms(tok)
    x, docs, vocab = features.document_term_matrix(tok, ["speaker", "meeting"])
    features.top_terms(x, docs, vocab, display, n=10)
    features.keyness(tok, "pooled", display=display)


def _stage_nmf(state: dict, root: Path) -> None:
    from helpers import features, topics

    x, docs, vocab = features.document_term_matrix(state["tokens"],
                                                   ["meeting", "speaker", "source", "turn"])
    topics.fit_nmf(features.tfidf(x), k=NMF_K, seed=config.SEED, max_iter=NMF_ITER)


def _stage_salience(state: dict, root: Path) -> None:
    from helpers import coding, salience
    from helpers import lexicon as lex

    lexicon = lex.load_lexicon(config.paths(root)["lexicons"] / "issues.yml")
    coded = coding.code_sentences(state["canonical"], lexicon, inherit="previous")
    salience.compute_salience(coded, lexicon)


#: The NMF fit of the benchmark: fixed topics and iterations.
NMF_K, NMF_ITER = 8, 100
STAGES = [("tokenise", _stage_tokens), ("tfidf_keyness", _stage_tfidf_keyness),
          ("nmf", _stage_nmf), ("salience", _stage_salience)]


def _child(root: str) -> None:
    out = run_chain(Path(root))
    print("BENCH-RESULT " + json.dumps(out))


def measure_scaling(sizes=SIZES) -> pd.DataFrame:
    """Run the chain at each size in a fresh process; return one row per size."""
    rows = []
    for scale in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            make_synthetic_project(Path(tmp), scale)
            gen = time.perf_counter() - t
            # the chain is measured computing, never served from the cache
            env = dict(os.environ, HELPERS_PROJECT_ROOT=tmp, HELPERS_CACHE="off")
            t = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "workflow.bench", "--child", tmp],
                                  env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t
            if proc.returncode:
                raise RuntimeError(f"bench at {scale}× failed:\n{proc.stderr[-3000:]}")
            res = json.loads(proc.stdout.split("BENCH-RESULT ", 1)[1])
        chain = sum(v for k, v in res.items() if k not in {"words", "peak_rss_mb"})
        rows.append({"scale": scale, "words": res["words"], "generate_s": round(gen, 2),
                     "chain_s": round(chain, 2), "process_s": round(wall, 2),
                     "words_per_s": round(res["words"] / chain),
                     "peak_rss_mb": round(res["peak_rss_mb"]),
                     **{f"{k}_s": round(v, 2) for k, v in res.items()
                        if k not in {"words", "peak_rss_mb"}}})
        print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
    return pd.DataFrame(rows)


def growth_exponent(df: pd.DataFrame) -> float:
    """Slope of log(chain time) against log(words)."""
    return float(np.polyfit(np.log(df["words"]), np.log(df["chain_s"]), 1)[0])


#: Appended to each timed notebook: record every module the notebook imported.
_RECORD_MODULES = ("import sys as _sys, pathlib as _pl\n"
                   "_pl.Path({path!r}).write_text('\\n'.join(sorted(_sys.modules)))")
#: The floor notebook: import those modules (the stack, as the notebook uses it), nothing else.
_FLOOR = ("import importlib\n"
          "for _name in {modules!r}:\n"
          "    try:\n"
          "        importlib.import_module(_name)\n"
          "    except Exception:\n"
          "        pass")


def _time_notebooks(paths: list[Path], scratch: Path) -> float:
    from workflow.notebooks import execute_notebook

    t = time.perf_counter()
    for path in paths:
        execute_notebook(path, out_path=scratch / path.name)
    return time.perf_counter() - t


def measure_rerun(repeats: int = 2) -> dict:
    """Time the notebooks' first run (empty cache), their rerun (warm cache), and the floor.

    Runs in a temporary copy of the project. Each notebook gets a last cell that records
    the modules it imported. The floor notebooks import exactly the modules the *rerun*
    imported, in a fresh kernel, and do nothing else. The rerun and the floor are timed
    ``repeats`` times, alternating, and the fastest time of each is kept.
    """
    import nbformat

    from helpers import cache
    from workflow.notebooks import list_notebooks

    root = config.project_root()
    notebooks = list_notebooks(root / "notebooks")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for sub in ("data", "notebooks"):
            shutil.copytree(root / sub, tmp / sub)
        (tmp / "reports" / "figures").mkdir(parents=True)
        (tmp / "pyproject.toml").write_text("")
        scratch, floor_dir, run_dir = tmp / "scratch", tmp / "floor", tmp / "run"
        for d in (scratch, floor_dir, run_dir):
            d.mkdir()
        runs = []
        for nb_path in notebooks:  # the notebook, plus a last cell recording its imports
            nb = nbformat.read(tmp / "notebooks" / nb_path.name, as_version=4)
            nb.cells.append(nbformat.v4.new_code_cell(
                _RECORD_MODULES.format(path=str(tmp / f"{nb_path.stem}.modules"))))
            nbformat.write(nb, run_dir / nb_path.name)
            runs.append(run_dir / nb_path.name)
        floors = [floor_dir / nb_path.name for nb_path in notebooks]
        old = os.environ.get("HELPERS_PROJECT_ROOT")
        os.environ["HELPERS_PROJECT_ROOT"] = str(tmp)
        try:
            cold = _time_notebooks(runs, scratch)
            entries = sum(1 for _ in cache.cache_dir(tmp).rglob("*.pkl"))
            rerun_times, floor_times = [], []
            for i in range(repeats):
                rerun_times.append(_time_notebooks(runs, scratch))
                if i == 0:
                    for run, floor_path in zip(runs, floors):
                        modules = (tmp / f"{run.stem}.modules").read_text().split()
                        floor = nbformat.v4.new_notebook()
                        floor.cells = [nbformat.v4.new_code_cell(_FLOOR.format(modules=modules))]
                        nbformat.write(floor, floor_path)
                floor_times.append(_time_notebooks(floors, scratch))
            recomputed = sum(1 for _ in cache.cache_dir(tmp).rglob("*.pkl")) - entries
        finally:
            if old is None:
                os.environ.pop("HELPERS_PROJECT_ROOT", None)
            else:
                os.environ["HELPERS_PROJECT_ROOT"] = old
    rerun, floor_s = min(rerun_times), min(floor_times)
    return {"notebooks": len(notebooks), "cold_s": round(cold, 2), "rerun_s": round(rerun, 2),
            "floor_s": round(floor_s, 2), "ratio": round(rerun / floor_s, 2),
            "cold_ratio": round(cold / floor_s, 2), "cache_entries": entries,
            "recomputed_on_rerun": recomputed,
            "rerun_times": [round(t, 2) for t in rerun_times],
            "floor_times": [round(t, 2) for t in floor_times]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflow.bench", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--skip-rerun", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    if not args.skip_rerun:
        r = measure_rerun()
        print(f"{r['notebooks']} notebooks, fresh kernels, in a temporary copy:\n"
              f"  floor (start a kernel, import what the notebook imports): {r['floor_s']} s\n"
              f"  rerun (cache warm, {r['cache_entries']} entries, "
              f"{r['recomputed_on_rerun']} recomputed): {r['rerun_s']} s = "
              f"{r['ratio']}x the floor\n"
              f"  first run (cache empty): {r['cold_s']} s = {r['cold_ratio']}x the floor\n"
              f"  every timing: rerun {r['rerun_times']} s, floor {r['floor_times']} s",
              flush=True)
    if not args.skip_scaling:
        df = measure_scaling(args.sizes)
        print("\n" + df.to_string(index=False))
        if len(df) > 1:
            print(f"\ngrowth exponent (slope of log time on log words): "
                  f"{growth_exponent(df):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
