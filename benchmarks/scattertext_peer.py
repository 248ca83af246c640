"""Scattertext's log-odds keyness alone, timed on a synthetic project: the bench's peer.

Run by another interpreter that has Scattertext (it cannot share this project's
environment: it needs older NumPy and SciPy)::

    python3 -m venv /tmp/st && /tmp/st/bin/pip install scattertext==0.2.2 future six
    .venv/bin/python benchmarks/bench.py --scattertext /tmp/st/bin/python

Reads every transcript of the project at the path given, gives each labelled line to
Pompeo or Lavrov, builds a Scattertext corpus with its whitespace tokeniser and scores
log-odds with an uninformative Dirichlet prior. Prints one JSON line: seconds (computing
only, as the chain's stages), words (white-space separated, of the lines it scored) and
terms. Imports nothing from this project.
"""

import json
import re
import sys
import time
from pathlib import Path

import pandas as pd
import scattertext as st

LABELS = {"SECRETARY POMPEO": "pompeo", "Sergey Lavrov": "lavrov"}


def main(root: Path) -> dict:
    start = time.perf_counter()

    label = re.compile("^(" + "|".join(map(re.escape, LABELS)) + "): ")
    texts, who = [], []
    for path in sorted((root / "data" / "raw").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = label.match(line)
            if m:
                texts.append(line[m.end():])
                who.append(LABELS[m.group(1)])
    frame = pd.DataFrame({"speaker": who, "text": texts})
    corpus = st.CorpusFromPandas(frame, category_col="speaker", text_col="text",
                                 nlp=st.whitespace_nlp).build()
    freq = corpus.get_term_freq_df()
    st.LogOddsRatioUninformativeDirichletPrior().get_scores(freq["pompeo freq"],
                                                            freq["lavrov freq"])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "words": int(frame["text"].str.split().str.len().sum()),
            "terms": len(freq)}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
