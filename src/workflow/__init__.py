"""The repository's own machinery, beside the analysis package.

``notebooks`` runs the numbered notebooks (papermill, all or nothing), ``render`` writes the
HTML pages (nbconvert) and ``index`` the index page and figure catalogue, ``browser`` checks
the pages in headless Chromium, ``readme`` writes the README's generated sections and the
data dictionary, ``environment`` keeps ``environment.yml`` in step with the lock. Notebooks
never import this package; it imports :mod:`helpers`. The benchmark is ``benchmarks/``.
"""
