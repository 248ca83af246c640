"""Features: document-term matrices, TF-IDF top terms, keyword in context.

Documents are groups of token rows (by speaker and meeting, by speaker, or by turn), built as
one sparse matrix. Keyness is in :mod:`helpers.keyness`.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from .figures import SPEAKER_COLOURS, add_source_note, figure_title
from .parameters import TOP_K, TOP_N
from .sources import meeting_label


def document_term_matrix(tokens: pd.DataFrame, by: list[str], term: str = "term"):
    """(X, documents, vocabulary): CSR counts (documents × terms) per group of token rows,
    the groups' ``by`` columns with ``n_tokens``, and the sorted terms."""
    grouped = tokens.groupby(by, sort=True)
    doc_codes, documents = grouped.ngroup().to_numpy(), grouped.size().reset_index()[by]
    term_codes, vocab = pd.factorize(tokens[term], sort=True)
    x = sparse.csr_matrix((np.ones(len(tokens), dtype=np.int64), (doc_codes, term_codes)),
                          shape=(len(documents), len(vocab)))
    x.sum_duplicates()
    documents["n_tokens"] = np.asarray(x.sum(axis=1)).ravel()
    return x, documents, np.asarray(vocab, dtype=object)


def tfidf(x) -> sparse.csr_matrix:
    """TF-IDF with scikit-learn defaults: raw counts × smoothed IDF, rows L2-normalised."""
    return TfidfTransformer(smooth_idf=True, sublinear_tf=False).fit_transform(x).tocsr()


def mean_by(x, documents: pd.DataFrame, by: list[str]):
    """Average the rows of ``x`` within groups of documents; return (matrix, groups)."""
    grouped = documents.groupby(by, sort=True)
    codes = grouped.ngroup().to_numpy()
    groups = grouped.size().reset_index()[by]
    sizes = np.bincount(codes, minlength=len(groups)).astype(float)
    g = sparse.csr_matrix((1.0 / sizes[codes], (codes, np.arange(len(codes)))),
                          shape=(len(groups), len(codes)))
    return (g @ x).tocsr(), groups


def top_terms(x, documents: pd.DataFrame, vocabulary, display: dict, n: int = TOP_N,
              weights=None) -> pd.DataFrame:
    """Tidy table of each document's top ``n`` terms by weight (TF-IDF by default).

    Ties are broken by count, then alphabetically, so the table is deterministic.
    """
    w = sparse.csr_matrix(tfidf(x) if weights is None else weights)
    w.sum_duplicates()
    row = np.repeat(np.arange(w.shape[0]), np.diff(w.indptr))
    nonzero = w.data != 0
    row, col, weight = row[nonzero], w.indices[nonzero].astype(np.int64), w.data[nonzero]
    if not len(row) or n < 1:
        return pd.DataFrame([])
    count = sparse.csr_array(x)[row, col].astype(np.int64)  # 0 where x has no entry
    vocabulary = np.asarray(vocabulary, dtype=object)
    alphabetical = np.empty(len(vocabulary), dtype=np.int64)
    alphabetical[np.argsort(vocabulary, kind="stable")] = np.arange(len(vocabulary))
    order = np.lexsort((alphabetical[col], -count, -weight, row))
    row, col, weight, count = row[order], col[order], weight[order], count[order]
    rank = np.arange(len(row)) - np.searchsorted(row, row) + 1
    top = rank <= n
    row, col, weight, count, rank = row[top], col[top], weight[top], count[top], rank[top]
    out = documents.iloc[row].reset_index(drop=True)
    out["rank"] = rank
    out["term"] = [display.get(v, v) for v in vocabulary[col]]
    out["tfidf"] = [round(float(v), 4) for v in weight]
    out["count"] = count
    return out.set_axis(pd.Index(out.columns.tolist()), axis=1)  # labels typed as pandas infers


def overlap_at_k(a: list[str], b: list[str], k: int = TOP_K) -> int:
    """How many of the top ``k`` items of ``a`` are also in the top ``k`` of ``b``."""
    return len(set(a[:k]) & set(b[:k]))


def keyword_in_context(sentences: pd.DataFrame, pattern: str, speaker: str, n: int = 3,
                       width: int = 45) -> pd.DataFrame:
    """Up to ``n`` keyword-in-context lines (first in source order) for a speaker."""
    rx = re.compile(pattern, re.I)
    d = sentences[sentences["speaker"] == speaker].sort_values(["source", "sentence"])
    rows = []
    for sid, text in zip(d["sentence_id"], d["text"]):
        m = rx.search(text)
        if m:
            left = text[max(0, m.start() - width):m.start()]
            right = text[m.end():m.end() + width]
            rows.append({"speaker": speaker, "sentence_id": sid,
                         "left": ("…" if m.start() > width else "") + left,
                         "keyword": m.group(0),
                         "right": right + ("…" if m.end() + width < len(text) else "")})
        if len(rows) == n:
            break
    return pd.DataFrame(rows, columns=["speaker", "sentence_id", "left", "keyword", "right"])


def term_pattern(term: str) -> str:
    """A regex that finds a displayed term (or its inflections) in cleaned text."""
    words = term.split()
    stem = [re.escape(w[:-1] if len(w) > 4 else w) for w in words]
    return r"\b" + r"[\s-]+".join(s + r"\w*" for s in stem)


# --------------------------------------------------------------------------- charts
def plot_top_terms(table: pd.DataFrame, n: int = 8, title: str | None = None,
                   width: float = 6.5):
    """Small multiples: top TF-IDF terms for each speaker-meeting document, in rows of as
    many panels as fit ``width`` inches (about 1.6 in each)."""
    docs = table[["speaker", "meeting"]].drop_duplicates().to_numpy().tolist()
    ncols = max(1, min(len(docs), int(width // 1.6)))
    nrows = -(-len(docs) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, 0.2 * n * nrows + 1.4),
                             squeeze=False)
    for ax in axes.flat[len(docs):]:
        ax.set_visible(False)
    for ax, (sp, m) in zip(axes.flat, docs):
        d = table[(table["speaker"] == sp) & (table["meeting"] == m)].nsmallest(n, "rank")
        ax.barh(range(len(d))[::-1], d["tfidf"], color=SPEAKER_COLOURS.get(sp, "#999999"))
        ax.set_yticks(range(len(d))[::-1], d["term"])
        ax.set_title(f"{sp.title()}\n{meeting_label(m).split(',')[0]}", fontsize=7,
                     loc="center")
        ax.tick_params(axis="x", labelsize=6)
        ax.xaxis.set_major_locator(plt.MaxNLocator(2))
    figure_title(fig, title or "Top TF-IDF terms")
    add_source_note(fig)
    return fig
