"""The repository's own machinery, beside the analysis package.

``notebooks`` runs the numbered notebooks, ``render`` writes the HTML pages, ``browser``
checks them in headless Chromium, ``readme`` writes the README's generated sections,
``environment`` keeps ``environment.yml`` in step with the lock, and ``bench`` times the
whole chain. Notebooks never import this package; it imports :mod:`helpers`.
"""
