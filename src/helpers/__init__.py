"""Shared logic for the Pompeo–Lavrov 2019 notebooks.

The pipeline nouns follow quanteda's chain: ``sources`` (the raw files and their manifest)
→ ``clean`` → ``corpus`` (speaker-attributed sentences) → ``tokens`` → ``features``
(document-term matrices, TF-IDF, keyness) → ``topics`` / ``salience`` → ``figures``.
Paths live in ``config``; table schemas in ``schemas``; safe file output in ``io``.
"""

__version__ = "0.1.0"
