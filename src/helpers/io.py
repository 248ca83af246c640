"""Safe input and output: clear errors on bad input, atomic writes, stable CSV format."""

from __future__ import annotations

import csv
import io as _io
import os
import tempfile
from pathlib import Path

import pandas as pd


class InputError(ValueError):
    """Bad input data. The message names the file and, where it can, the line or row."""

    def __init__(self, path: os.PathLike | str, message: str, line: int | None = None,
                 row: int | None = None):
        self.path = Path(path)
        self.line = line
        self.row = row
        where = self.path.name
        if row is not None:
            where += f", row {row}" + (f" (line {line})" if line is not None else "")
        elif line is not None:
            where += f", line {line}"
        super().__init__(f"{where}: {message}")


class InputErrors(InputError):
    """Several input errors found at once (a row each), one a line; ``errors`` lists them."""

    def __init__(self, errors: list[InputError]):
        self.errors = [e for err in errors for e in getattr(err, "errors", [err])]
        first = self.errors[0]
        self.path, self.line, self.row = first.path, first.line, first.row
        ValueError.__init__(self, "\n".join(map(str, self.errors)))


def raise_all(errors: list[InputError]) -> None:
    """Raise the one error of ``errors``, or all of them as :class:`InputErrors`."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)


BOM = "\ufeff"


def read_bytes(path: os.PathLike | str) -> bytes:
    """A file's bytes; :class:`InputError` if it is missing or not a regular file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file is missing (or is not a regular file)")
    return path.read_bytes()


def read_text_utf8(path: os.PathLike | str, bom: str = "strip") -> str:
    """Read a text file as strict UTF-8, exactly as stored (no newline translation);
    see :func:`text_from_bytes`."""
    return text_from_bytes(path, read_bytes(path), bom)


def text_from_bytes(path: os.PathLike | str, data: bytes, bom: str = "strip") -> str:
    """The text of ``data``, the bytes of ``path``, decoded as strict UTF-8.

    A byte-order mark at the start is removed (``bom="strip"``: tables, YAML) or replaced
    by a space (``"blank"``: raw sources, so that every character offset is still the
    offset into the decoded file). :class:`InputError` names the line of an undecodable
    byte or of a BOM anywhere else, or says that the file is empty or only white space.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(path, f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset "
                               f"{err.start}); save the file as UTF-8", line=line) from None
    if text.startswith(BOM):
        text = (" " if bom == "blank" else "") + text[1:]
    if BOM in text:
        line = text[: text.index(BOM)].count("\n") + 1
        raise InputError(path, "a byte-order mark (U+FEFF) inside the text; remove it",
                         line=line)
    if not text.strip():
        raise InputError(path, "file is empty")
    return text


def read_csv_records(path: os.PathLike | str, required: list[str],
                     optional: list[str] | None = None,
                     allow_unknown: bool = True) -> list[tuple[int, int, dict[str, str]]]:
    """Read an input table strictly; return ``(row, line, record)`` for each data row.

    The one reader of every input CSV (manifest, annotations, hand codes, coding sheets).
    ``row`` counts data rows from 1 (the header is not a row); ``line`` is the file line
    where the row starts. Failures raise :class:`InputError` naming the file and the line:
    not UTF-8, a byte-order mark (stripped when at the start), a quote left open, a missing,
    repeated or (unless ``allow_unknown``) unknown column, and every row with more or
    fewer fields than the header (all such rows at once). Values are returned as stored.
    """
    path = Path(path)
    text = read_text_utf8(path, bom="strip")
    reader = csv.reader(_io.StringIO(text, newline=""), strict=True)
    records, errors, header = [], [], None
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            errors.append(InputError(path, _quoting_problem(err, line, reader.line_num),
                                     line=line))
            break
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue  # a blank line
        if header is None:
            header = [h.strip() for h in fields]
            _check_header(path, header, required, None if allow_unknown else optional or [])
        elif len(fields) != len(header):
            errors.append(InputError(path, f"{len(fields)} field{'s' * (len(fields) != 1)} "
                                           f"but the header has {len(header)}; quote values "
                                           "that contain commas", line=line,
                                     row=len(records) + 1))
            records.append(None)
        else:
            records.append((len(records) + 1, line, dict(zip(header, fields))))
    raise_all(errors)
    return records


def _quoting_problem(err: csv.Error, line: int, last: int) -> str:
    """What a CSV parsing error means, and what to do."""
    if last > line or "end of data" in str(err):
        return ("a quoted value opened on this line is never closed (the quote runs on to "
                f"line {last}); close the quote, or write a quote inside a quoted value "
                'as two ("")')
    return (f"malformed quoting ({err}); a quote inside a quoted value must be doubled "
            '(""), or the value quoted as a whole')


def _check_header(path: Path, header: list[str], required: list[str],
                  optional: list[str] | None) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(path, f"missing columns {missing}; the header must name "
                               f"{required}", line=1)
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise InputError(path, f"column(s) {dup} given twice in the header", line=1)
    unknown = [h for h in header if optional is not None and h not in required + optional]
    if unknown:
        raise InputError(path, f"unknown column(s) {unknown}; known columns are "
                               f"{required + optional}", line=1)


def write_bytes_atomic(path: os.PathLike | str, data: bytes) -> Path:
    """Write ``data`` through a temporary file beside ``path``, moved into place only when
    complete: an interrupted write leaves the old file as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: os.PathLike | str, text: str) -> Path:
    """Write text atomically as UTF-8, newlines as given."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def to_csv_text(df: pd.DataFrame) -> str:
    """A table as deterministic CSV text (6 significant digits, ``\\n`` endings)."""
    return df.to_csv(index=False, lineterminator="\n", float_format="%.6g")


def write_csv_atomic(df: pd.DataFrame, path: os.PathLike | str) -> Path:
    """Write :func:`to_csv_text` of ``df`` atomically."""
    return write_text_atomic(path, to_csv_text(df))
