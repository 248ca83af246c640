"""Readable tables for the notebooks: plain labels, left-aligned wrapped text, evidence
one click away.

Three functions, all deterministic (no random ids, no memory addresses in any output), so
a rerun gives byte-identical notebooks:

- :func:`show_table` displays a DataFrame for readers: meeting ids become their names from
  the manifest ("Washington, 10 Dec 2019"), speaker ids become names, issue ids the
  lexicon's labels, source files "outlet, kind" (not hashes), snake_case headers plain
  words; text columns are left-aligned and wrapped at word boundaries (never cut); a named
  index becomes ordinary columns and grouped headers one flat row; shares are shown in
  percent and differences of shares in points.
- :func:`use_for_dataframes` makes every DataFrame or Series a cell shows look the same.
- :func:`evidence_table` is an interactive, searchable, sortable table of the sentences
  behind each salience number, filterable by meeting, speaker and issue, with each
  sentence's source, character offsets and whether its issue was matched or inherited. It
  uses ``itables`` in offline mode: the DataTables library is embedded in the output, so
  the rendered page works with no network.

Usage in a notebook::

    from helpers import tables
    tables.show_table(salience[["meeting", "speaker", "issue", "share"]], lexicon=lexicon)
    tables.evidence_table(evidence, lexicon=lexicon)   # evidence = salience_evidence.csv

Both return an object that Jupyter shows as HTML (its ``to_html()`` gives the string);
:func:`relabel` returns the relabelled DataFrame itself.
"""

from __future__ import annotations

import hashlib
import html as _html
import re
import textwrap
from typing import Iterable, Mapping

import pandas as pd
from itables import options as itables_options
from itables import to_html_datatable
from itables.javascript import generate_init_offline_itables_html
from IPython import get_ipython

from .lexicon import load_lexicon
from .sources import load_manifest, meeting_label

#: Column headers with a better plain name than their id.
COLUMN_LABELS = {
    "n_sentences": "Sentences", "total_sentences": "All sentences", "n_words": "Words",
    "total_words": "All words", "share": "Share", "share_words": "Share (words)",
    "ci_low": "95% CI low", "ci_high": "95% CI high", "char_start": "Start",
    "char_end": "End", "via": "How coded", "text": "Sentence", "sentence_id": "Sentence id",
    "per_1000_words": "Per 1,000 words", "count_pompeo": "Count (Pompeo)",
    "count_lavrov": "Count (Lavrov)", "z": "z", "p_value": "p", "p_adjusted": "p (adjusted)",
    "q_fdr": "q (FDR)", "p_perm": "p (permutation)", "passes_fdr": "Passes FDR 5%",
    "npmi": "NPMI", "auc": "AUC", "auc_low": "AUC low", "auc_high": "AUC high",
    "speaker_auc": "Speaker AUC", "f1": "F1", "mde": "Smallest detectable (points)",
    "compare_meeting": "Compared with meeting", "compare_speaker": "Compared with",
    "estimate": "Estimate", "n_turns": "Turns",
}
#: Columns holding a share (0-1), shown in percent.
SHARE_COLUMNS = ("share", "share_words", "lexicon_share", "hand_share", "topic_share",
                 "second_share", "seed_min", "seed_max", "topic_low", "topic_high",
                 "hand_low", "hand_high")
MEETING_ID = re.compile(r"^[a-z][a-z-]*-\d{4}-\d\d-\d\d$")
#: How a sentence came to be coded with an issue, in plain words.
VIA_LABELS = {"direct": "matched", "matched": "matched", "inherited": "inherited"}
#: Columns holding these ids are relabelled.
ID_COLUMNS = ("meeting", "speaker", "issue", "source", "via", "compare_meeting",
              "compare_speaker")


def _issue_labels(lexicon) -> dict[str, str]:
    if lexicon is None:
        return {}
    if isinstance(lexicon, Mapping):
        return dict(lexicon)
    return {i.id: i.label for i in lexicon}


def source_label(file: str, manifest=None) -> str:
    """A raw file as "outlet, kind" (e.g. "Russian MFA, official transcript")."""
    if manifest is None:
        manifest = load_manifest()
    for s in manifest:
        if s.file == file:
            outlet = s.outlet.split(" (")[0].strip()
            return f"{outlet}, {s.source_kind}"
    return file


def _meeting_label(m: str) -> str:
    return meeting_label(m)


def _label_value(col: str, value, issues: dict[str, str], sources: dict[str, str]):
    if not isinstance(value, str):
        return value
    if col in ("meeting", "compare_meeting"):
        return _meeting_label(value) if MEETING_ID.search(value) else value
    if col in ("speaker", "compare_speaker"):
        return value.title()
    if col == "issue":
        return issues.get(value, value.replace("_", " ").capitalize())
    if col == "source":
        return sources.get(value, value)
    if col == "via":
        return VIA_LABELS.get(value, value)
    return value


def _header(col, issues: dict[str, str]) -> str:
    if isinstance(col, tuple):
        return ", ".join(str(_header(c, issues)) for c in col)
    if not isinstance(col, str):
        return col
    if col in COLUMN_LABELS:
        return COLUMN_LABELS[col]
    if col in issues:
        return issues[col]
    if col in ("pompeo", "lavrov", "putin", "moderator", "journalist", "narrator"):
        return col.title()
    if MEETING_ID.search(col):
        return _meeting_label(col)
    return col.replace("_", " ")[:1].upper() + col.replace("_", " ")[1:]


def relabel(df: pd.DataFrame, lexicon=None) -> pd.DataFrame:
    """Return ``df`` with plain labels: values of id columns (meeting, speaker, issue,
    source, via) and the headers (ids, snake_case, meeting ids in pivoted columns).
    ``lexicon`` is the list of issues (or a mapping id → label)."""
    issues = _issue_labels(lexicon)
    out = df.copy()
    sources: dict[str, str] = {}
    if "source" in out.columns or out.index.name == "source":
        manifest = load_manifest()
        values = out["source"] if "source" in out.columns else out.index
        sources = {f: source_label(f, manifest) for f in pd.unique(values.astype(str))}
    for col in out.columns:
        if col in ID_COLUMNS:
            out[col] = out[col].map(lambda v, c=col: _label_value(c, v, issues, sources))
    for level, name in enumerate(out.index.names):
        if name in ID_COLUMNS:
            if isinstance(out.index, pd.MultiIndex):
                out.index = out.index.set_levels(
                    [_label_value(name, v, issues, sources)
                     for v in out.index.levels[level]], level=level)
            else:
                out.index = out.index.map(lambda v, n=name: _label_value(n, v, issues,
                                                                         sources))
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [_header(c, issues) for c in out.columns]
    else:
        out.columns = [_header(c, issues) for c in out.columns]
    out.index.names = [_header(n, issues) if n else n for n in out.index.names]
    return out


def _text_columns(df: pd.DataFrame) -> list:
    return [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])]


def _uid(df: pd.DataFrame, prefix: str) -> str:
    """A stable id from the table's content (the same table gets the same id on a rerun)."""
    h = hashlib.sha256(pd.util.hash_pandas_object(df.astype(str), index=True).to_numpy()
                       .tobytes())
    h.update(repr(list(df.columns)).encode())
    return f"{prefix}{h.hexdigest()[:10]}"


class Table:
    """A table shown as HTML in Jupyter, with a deterministic plain-text form.

    ``frame`` is the relabelled DataFrame, ``styler`` the pandas Styler (for further
    styling), :meth:`to_html` the HTML.
    """

    def __init__(self, frame: pd.DataFrame, styler=None, html: str | None = None,
                 wrap: int = 80):
        self.frame, self.styler, self._html, self.wrap = frame, styler, html, wrap

    def to_html(self) -> str:
        return self._html if self._html is not None else self.styler.to_html()

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        text = self.frame.copy()
        for c in _text_columns(text):
            text[c] = text[c].map(lambda v: textwrap.shorten(str(v), self.wrap,
                                                             placeholder=" …")
                                  if isinstance(v, str) else v)
        with pd.option_context("display.max_colwidth", self.wrap + 5, "display.width", 200):
            return text.to_string()


def show_table(df: pd.DataFrame, lexicon=None, caption: str | None = None,
               precision: int = 3, percent: Iterable[str] | None = None,
               points: Iterable[str] = (), text_width: str = "40em",
               max_rows: int | None = None) -> Table:
    """Show ``df`` for readers: plain labels, text left-aligned and wrapped, numbers right.

    - ``lexicon``: the issues (list from :func:`helpers.lexicon.load_lexicon`, or a mapping
      id → label) for issue labels; meetings are named from the manifest
      (:func:`helpers.sources.meeting_label`), sources as "outlet, kind".
    - ``percent``: columns (by their original names) holding shares 0–1, shown as "12.3%"
      (default: those of :data:`SHARE_COLUMNS`, and ``ci_low``/``ci_high`` beside a
      ``share``); ``points``: differences of shares, shown as points ("+4.6").
    - A named index (e.g. from ``groupby``) becomes ordinary columns, and grouped column
      headers one flat row ("Pompeo, Sochi, 14 May 2019"); an anonymous index is hidden.
    - ``caption``: a line above the table; ``max_rows``: show only the first rows.
    - Long text wraps at word boundaries within ``text_width`` (CSS), never cut.

    Returns a :class:`Table` (Jupyter shows its HTML; ``.styler`` is the pandas Styler).
    The HTML has no random ids: the Styler's id is derived from the table's content.

    Example::

        show_table(salience.query("meeting == @WASHINGTON")[
            ["speaker", "issue", "n_sentences", "share", "ci_low", "ci_high"]],
            lexicon=lexicon)
    """
    issues = _issue_labels(lexicon)
    shown = df.head(max_rows) if max_rows is not None else df
    if any(n is not None for n in shown.index.names):
        shown = shown.reset_index()
    if percent is None:
        percent = [c for c in shown.columns if c in SHARE_COLUMNS or (
            c in ("ci_low", "ci_high") and "share" in shown.columns and not points)]
    percent_cols = [_header(c, issues) for c in percent if c in shown.columns]
    points_cols = [_header(c, issues) for c in points if c in shown.columns]
    frame = relabel(shown, lexicon).reset_index(drop=True)
    text_cols = _text_columns(frame)
    styler = frame.style
    styler.set_uuid(_uid(frame, ""))
    styler.cell_ids = False
    styler.format(precision=precision, thousands=",", na_rep="–")
    if percent_cols:
        styler.format("{:.1%}", subset=percent_cols, na_rep="–")
    for col in points_cols:  # signed only where a difference can be negative
        sign = "+" if (frame[col] < 0).any() else ""
        styler.format(lambda v, s=sign: f"{100 * v:{s}.1f}", subset=[col], na_rep="–")
    if text_cols:
        styler.set_properties(subset=text_cols, **{
            "text-align": "left", "white-space": "normal", "overflow-wrap": "normal",
            "word-break": "normal", "max-width": text_width, "min-width": "6em"})
    styles = [{"selector": "th", "props": "text-align: left; vertical-align: bottom;"},
              {"selector": "td", "props": "vertical-align: top;"}]
    styler.set_table_styles(styles)
    if caption:
        styler.set_caption(caption)
    styler.hide(axis="index")
    return Table(frame, styler)


def use_for_dataframes(lexicon=None) -> None:
    """In a notebook, show every DataFrame or Series a cell returns through
    :func:`show_table` (``lexicon`` defaults to the project's), so every table has one
    style. Does nothing outside IPython."""
    shell = get_ipython()
    if shell is None:
        return
    lexicon = load_lexicon() if lexicon is None else lexicon
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(pd.DataFrame, lambda df: show_table(df, lexicon).to_html())
    formatter.for_type(pd.Series, lambda s: show_table(
        s.rename_axis(s.index.name or " ").to_frame(), lexicon).to_html())


def evidence_rows(evidence: pd.DataFrame, lexicon=None) -> pd.DataFrame:
    """The evidence table's rows in plain words: the sentence first, then meeting, speaker,
    issue, via (matched or inherited), source ("outlet, kind"), offsets ("start–end" in
    the raw file) and the sentence id."""
    e = evidence.copy()
    e["offsets"] = [f"{a}–{b}" for a, b in zip(e["char_start"], e["char_end"])]
    e = e[["text", "meeting", "speaker", "issue", "via", "source", "offsets", "sentence_id"]]
    out = relabel(e, lexicon)
    return out.rename(columns={"Offsets": "Characters"})


def evidence_table(evidence: pd.DataFrame, lexicon=None, table_id: str | None = None,
                   page_length: int = 10, include_library: bool | None = None) -> Table:
    """An interactive, searchable, sortable table of the sentences behind each number.

    ``evidence`` has the columns of ``data/processed/salience_evidence.csv`` (meeting,
    speaker, issue, sentence_id, source, char_start, char_end, via, text). Each column has
    its own search box under the table, so a reader filters by meeting, speaker and issue
    (e.g. type "Lavrov" and "Arms"), and the box above the table searches everything.
    Works offline: the DataTables library (from ``itables``) is embedded in the output the
    first time this is called in a kernel (``include_library=None``), or always/never.
    ``table_id`` defaults to an id derived from the content (stable across reruns).

    Example::

        evidence = read_table("salience_evidence")
        tables.evidence_table(evidence, lexicon=lexicon)
    """
    global _LIBRARY_SENT
    rows = evidence_rows(evidence, lexicon)
    table_id = table_id or _uid(rows, "evidence-")
    table = to_html_datatable(
        rows, connected=False, table_id=table_id, showIndex=False, maxBytes=0,
        column_filters="footer", pageLength=page_length,
        lengthMenu=[10, 25, 100, -1], classes="display compact",
        layout={"topStart": "pageLength", "topEnd": "search", "bottomStart": "info",
                "bottomEnd": "paging"},
        columnDefs=[{"targets": "_all", "className": "dt-left"}],
        style={"width": "100%", "table-layout": "auto", "caption-side": "bottom"},
        order=[], display_logo_when_loading=False, allow_html=False)
    library = ""
    if include_library or (include_library is None and not _LIBRARY_SENT):
        library = generate_init_offline_itables_html(itables_options.dt_bundle)
        _LIBRARY_SENT = True
    note = ("<p style=\"font-size:0.9em\">Evidence: {n} sentences. Search all columns "
            "above the table, or one column in the boxes under it (meeting, speaker, issue …); "
            "click a header to sort. <em>Matched</em>: the lexicon matched the sentence; "
            "<em>inherited</em>: coded from its turn's context. Characters are offsets in "
            "the raw file.</p>").format(n=f"{len(rows):,}")
    wide = (f"<style>#{table_id} td:first-child, #{table_id} th:first-child "
            "{min-width: min(28em, 80vw);}</style>")  # the sentence: readable on a phone
    html = f'<div class="evidence-table">{library}{wide}{note}{table}</div>'
    return Table(rows, html=html)


_LIBRARY_SENT = False


def escape(text: str) -> str:
    """HTML-escape ``text`` (for captions built by hand)."""
    return _html.escape(text)
