"""Safe input and output: clear errors on bad input, atomic writes, stable CSV format."""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd


class InputError(ValueError):
    """Bad input data. The message names the file and, where it can, the line or row."""

    def __init__(self, path: os.PathLike | str, message: str, line: int | None = None,
                 row: int | None = None):
        self.path = Path(path)
        self.line = line
        self.row = row
        where = f"{self.path.name}"
        if line is not None:
            where += f", line {line}"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {message}")


def sha256_file(path: os.PathLike | str) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_text_utf8(path: os.PathLike | str) -> str:
    """Read a text file as strict UTF-8, exactly as stored (no newline translation).

    Raises :class:`InputError` naming the line of the first undecodable byte, or if the
    file is empty or only white space.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(path, f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset "
                               f"{err.start})", line=line) from None
    if not text.strip():
        raise InputError(path, "file is empty")
    return text


@contextmanager
def atomic_path(target: os.PathLike | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_text_atomic(path: os.PathLike | str, text: str) -> Path:
    """Write text (UTF-8, ``\\n`` newlines) atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


def write_bytes_atomic(path: os.PathLike | str, data: bytes) -> Path:
    """Write bytes atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def to_csv_text(df: pd.DataFrame) -> str:
    """Render a table as deterministic CSV text (fixed float precision, ``\\n`` endings)."""
    return df.to_csv(index=False, lineterminator="\n", float_format="%.6g")


def write_csv_atomic(df: pd.DataFrame, path: os.PathLike | str) -> Path:
    """Write a table as CSV atomically with a stable float format."""
    return write_text_atomic(path, to_csv_text(df))
