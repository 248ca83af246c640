"""The cache's entry format: data only, never code (see :mod:`helpers.cache`).

An entry is one file: :data:`MAGIC`, a JSON header (the key and the encoded value) and raw
byte blobs (arrays in NumPy's ``.npy`` format, read with ``allow_pickle=False``). Only plain
values, tuples, lists, dicts, bytes, NumPy arrays, pandas frames, series and indexes, and
the helpers' own dataclasses can be stored (:class:`UnsupportedValue` otherwise), and the
key is checked before anything is decoded.
"""

from __future__ import annotations

import dataclasses
import io as _io
import json
import struct
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: The first bytes of every entry.
MAGIC = b"HELPERS-CACHE-1\n"

class UnsupportedValue(TypeError):
    """A value the data-only cache format cannot store."""


_SCALARS = (type(None), bool, int, float, str)


def _encode(obj: Any, blobs: list[bytes]) -> Any:
    """Encode ``obj`` as JSON-able, type-tagged data; large binary parts go to ``blobs``."""
    def blob(data: bytes) -> int:
        blobs.append(data)
        return len(blobs) - 1

    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return {"t": "int", "v": str(obj)}
    if isinstance(obj, float):
        return {"t": "float", "v": obj.hex()}
    if isinstance(obj, np.generic):
        return {"t": "npscalar", "a": _encode(np.asarray(obj), blobs)}
    if isinstance(obj, bytes):
        return {"t": "bytes", "b": blob(obj)}
    if isinstance(obj, (list, tuple)):
        return {"t": type(obj).__name__, "v": [_encode(x, blobs) for x in obj]}
    if isinstance(obj, dict):
        return {"t": "dict", "v": [[_encode(k, blobs), _encode(x, blobs)]
                                   for k, x in obj.items()]}
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "O":
            return {"t": "objarray", "shape": list(obj.shape),
                    "v": [_encode(x, blobs) for x in obj.ravel().tolist()]}
        buf = _io.BytesIO()
        np.save(buf, obj, allow_pickle=False)
        return {"t": "ndarray", "b": blob(buf.getvalue())}
    if isinstance(obj, pd.DataFrame):
        if not isinstance(obj.columns, pd.Index) or isinstance(obj.columns, pd.MultiIndex):
            raise UnsupportedValue("MultiIndex columns")
        return {"t": "frame", "index": _encode(obj.index, blobs),
                "columns": _encode(obj.columns, blobs),
                "data": [_encode_values(obj.iloc[:, j].array, obj.dtypes.iloc[j], blobs)
                         for j in range(obj.shape[1])],
                "attrs": _encode(dict(obj.attrs), blobs)}
    if isinstance(obj, pd.Series):
        return {"t": "series", "name": _encode(obj.name, blobs), "index": _encode(obj.index,
                                                                                   blobs),
                **_encode_values(obj.array, obj.dtype, blobs)}
    if isinstance(obj, pd.MultiIndex):
        raise UnsupportedValue("MultiIndex")
    if isinstance(obj, pd.RangeIndex):
        return {"t": "range_index", "v": [obj.start, obj.stop, obj.step],
                "name": _encode(obj.name, blobs)}
    if isinstance(obj, pd.Index):
        return {"t": "index", "name": _encode(obj.name, blobs),
                **_encode_values(obj.array, obj.dtype, blobs)}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        cls = type(obj)
        if not cls.__module__.startswith("helpers."):
            raise UnsupportedValue(f"dataclass {cls.__module__}.{cls.__qualname__}")
        return {"t": "dataclass", "cls": f"{cls.__module__}:{cls.__qualname__}",
                "v": {f.name: _encode(getattr(obj, f.name), blobs)
                      for f in dataclasses.fields(obj)}}
    raise UnsupportedValue(f"{type(obj).__module__}.{type(obj).__qualname__}")


def _encode_values(values, dtype, blobs: list[bytes]) -> dict:
    """A column's values: NumPy dtypes as .npy bytes, others cell by cell with their dtype."""
    if isinstance(dtype, np.dtype) and dtype.kind != "O":
        return {"dtype": dtype.str, "values": _encode(np.asarray(values), blobs)}
    cells = []
    for x in values:
        cells.append({"t": "na"} if x is pd.NA else _encode(x, blobs))
    spec: Any = str(dtype)
    if isinstance(dtype, pd.StringDtype):  # keep storage and missing-value marker exactly
        spec = ["string", dtype.storage, "NA" if dtype.na_value is pd.NA else "nan"]
    return {"dtype": spec, "values": {"t": "cells", "v": cells}}


def _dtype(spec):
    if isinstance(spec, list) and spec[0] == "string":
        return pd.StringDtype(spec[1], na_value=pd.NA if spec[2] == "NA" else np.nan)
    return spec


def _decode_values(d: dict, blobs: list[bytes]):
    values = d["values"]
    if isinstance(values, dict) and values.get("t") == "cells":
        cells = [pd.NA if isinstance(c, dict) and c.get("t") == "na" else _decode(c, blobs)
                 for c in values["v"]]
        if d["dtype"] == "object":
            arr = np.empty(len(cells), dtype=object)
            arr[:] = cells
            return arr
        return pd.array(cells, dtype=_dtype(d["dtype"]))
    arr = _decode(values, blobs)
    if arr.dtype.str != d["dtype"]:
        raise ValueError("dtype mismatch in cache entry")
    return arr


def _decode(obj: Any, blobs: list[bytes]) -> Any:
    """Inverse of :func:`_encode`; builds only data (no code is looked up or run)."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if not isinstance(obj, dict):
        raise ValueError(f"unexpected {type(obj).__name__} in cache entry")
    t = obj["t"]
    if t == "int":
        return int(obj["v"])
    if t == "float":
        return float.fromhex(obj["v"])
    if t == "npscalar":
        return _decode(obj["a"], blobs)[()]
    if t == "bytes":
        return blobs[obj["b"]]
    if t == "list":
        return [_decode(x, blobs) for x in obj["v"]]
    if t == "tuple":
        return tuple(_decode(x, blobs) for x in obj["v"])
    if t == "dict":
        return {_decode(k, blobs): _decode(x, blobs) for k, x in obj["v"]}
    if t == "ndarray":
        return np.load(_io.BytesIO(blobs[obj["b"]]), allow_pickle=False)
    if t == "objarray":
        arr = np.empty(len(obj["v"]), dtype=object)
        arr[:] = [_decode(x, blobs) for x in obj["v"]]
        return arr.reshape(obj["shape"])
    if t == "range_index":
        return pd.RangeIndex(*obj["v"], name=_decode(obj["name"], blobs))
    if t == "index":
        return pd.Index(_decode_values(obj, blobs), name=_decode(obj["name"], blobs),
                        dtype=_dtype(obj["dtype"]) if obj["dtype"] != "object" else object)
    if t == "series":
        return pd.Series(_decode_values(obj, blobs), index=_decode(obj["index"], blobs),
                         name=_decode(obj["name"], blobs), copy=False)
    if t == "frame":
        index = _decode(obj["index"], blobs)
        columns = _decode(obj["columns"], blobs)
        data = {j: _decode_values(c, blobs) for j, c in enumerate(obj["data"])}
        frame = pd.DataFrame(data, index=index, copy=False)
        frame.columns = columns
        frame.attrs.update(_decode(obj["attrs"], blobs))
        return frame
    if t == "dataclass":
        module, qualname = obj["cls"].split(":")
        cls = getattr(sys.modules.get(module), qualname, None) if module.startswith(
            "helpers.") and "." not in qualname else None
        if cls is None or not dataclasses.is_dataclass(cls):
            raise ValueError(f"unknown dataclass {obj['cls']} in cache entry")
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: _decode(v, blobs) for k, v in obj["v"].items()}
        if set(values) != fields:
            raise ValueError(f"fields of {obj['cls']} changed")
        return cls(**values)
    raise ValueError(f"unknown type tag {t!r} in cache entry")


def dump_entry(fh, key: str, value: Any) -> None:
    """Write ``(key, value)`` in the data-only format (raises :class:`UnsupportedValue`)."""
    blobs: list[bytes] = []
    tree = _encode(value, blobs)
    header = json.dumps({"key": key, "value": tree, "blobs": [len(b) for b in blobs]},
                        allow_nan=False, separators=(",", ":")).encode()
    fh.write(MAGIC)
    fh.write(struct.pack("<Q", len(header)))
    fh.write(header)
    for b in blobs:
        fh.write(b)


def load_entry(path: Path, key: str) -> tuple[bool, Any]:
    """Read an entry; return (True, value) if its stored key is ``key``, else (False, None).

    The key is compared before any value is decoded; decoding builds data only.
    """
    with open(path, "rb") as fh:
        if fh.read(len(MAGIC)) != MAGIC:
            raise ValueError("not a cache entry of this format")
        (n,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(n).decode("utf-8"))
        if header.get("key") != key:
            return False, None
        blobs = []
        for size in header["blobs"]:
            data = fh.read(size)
            if len(data) != size:
                raise ValueError("truncated cache entry")
            blobs.append(data)
        if fh.read(1):
            raise ValueError("trailing bytes in cache entry")
    return True, _decode(header["value"], blobs)
