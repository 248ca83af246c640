"""The repository's own machinery, beside the analysis package.

``check`` checks the inputs, ``notebooks`` runs the notebooks (papermill, all or nothing),
``readme`` writes the README's generated blocks and docs, ``render`` the HTML pages (nbconvert),
the index and the figure catalogue (the pages are checked in headless Chromium by the tests).
Notebooks never import this package; it imports :mod:`helpers`.
"""
