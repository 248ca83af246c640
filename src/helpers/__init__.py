"""Shared logic for the Pompeo–Lavrov 2019 notebooks: the analysis, and nothing else.

The pipeline nouns follow quanteda's chain: ``sources`` (the raw files and their manifest)
→ ``clean`` → ``attribution`` (speaker turns and sentences by source format) → ``repeats``
(the canonical-source policy) → ``corpus`` (the sentence table and its coverage) →
``tokens`` → ``features`` (document-term matrices, TF-IDF, keyness) → ``topics``; and
``lexicon`` → ``coding`` → ``validation`` / ``salience`` → ``salience_charts``.
Paths live in ``config``; table schemas in ``schemas``; safe file output in ``io``; the
on-disk memo of expensive steps in ``cache``; the house style and figure saving in
``figures``. The repository's machinery (running notebooks, rendering pages, benchmarks)
is the separate ``workflow`` package.
"""

__version__ = "0.1.0"
