"""Records to and from Arrow columns: how the embedded store keeps a table of records.

A table is cut into chunks of at most :data:`CHUNK_ROWS` rows. A chunk is one Arrow IPC
stream (zstd compressed) with one column per field of the record class, in field order, so
that writing and reading it are native bulk conversions rather than a JSON text per row.
A column takes the Arrow type of its field (string, float64, bool, date32; null for None).
A string column whose values repeat (a relationship type, a country, an entity that many
relationships name) is dictionary-encoded: the chunk is smaller, and reading hands out one
``str`` per distinct value instead of one per row, which matters for a million parties.

The round trip is exact. A column any of whose values is not of its field's Python type (an
``int`` in a float field, which the version hash tells from a float) is kept as JSON text
instead, marked so in its field metadata, each value with its kind (``["json", 5]``,
``["date", "2024-02-29"]``), so that text in a date field stays text. ``extra`` is JSON text
of the mapping, null when it is empty.

A chunk written before a field was added to its record class (``Entity.rating``,
``Facility.category``: DESIGN 3b) has no column for it; reading it gives that field its
default, so older store files stay readable. A column for no field, or a missing field
without a default, makes the chunk unreadable.

Chunks bound the memory a load or a read needs beside the records themselves (a column of
Python values per field for one chunk, not for the whole table), and keep every blob far
below SQLite's limit of 1 GB per value.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import MISSING, Field, fields
from datetime import date, datetime
from itertools import repeat
from operator import attrgetter
from types import NoneType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schema.records import NO_EXTRA, RECORD_CLASSES, collector_paused

__all__ = ["CHUNK_ROWS", "construct", "decode_chunk", "encode_chunks"]

CHUNK_ROWS = 1 << 18

# A field's annotation (a string: the records module uses postponed annotations) -> the
# Arrow type of its column and the Python types its values may have to be stored so.
_TYPES: dict[str, tuple[pa.DataType, frozenset[type]]] = {
    "str": (pa.string(), frozenset({str, NoneType})),
    "str | None": (pa.string(), frozenset({str, NoneType})),
    "float": (pa.float64(), frozenset({float, NoneType})),
    "float | None": (pa.float64(), frozenset({float, NoneType})),
    "bool": (pa.bool_(), frozenset({bool, NoneType})),
    "date | None": (pa.date32(), frozenset({date, NoneType})),
}
_JSON = {b"encoding": b"json"}
_WRITE_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


def encode_chunks(kind: str, records: Sequence[Any]) -> Iterator[pa.Buffer]:
    """The records of class ``kind``, in order, as Arrow IPC streams of at most
    :data:`CHUNK_ROWS` rows each (none for no records)."""
    names = [f.name for f in fields(RECORD_CLASSES[kind])]
    annotations = {f.name: str(f.type) for f in fields(RECORD_CLASSES[kind])}
    for start in range(0, len(records), CHUNK_ROWS):
        rows = records[start:start + CHUNK_ROWS]
        columns = [_encode_column(name, annotations[name], list(map(attrgetter(name), rows)))
                   for name in names]
        batch = pa.RecordBatch.from_arrays([array for _, array in columns],
                                           schema=pa.schema([f for f, _ in columns]))
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema, options=_WRITE_OPTIONS) as writer:
            writer.write_batch(batch)
        yield sink.getvalue()


def _encode_column(name: str, annotation: str, values: Sequence[Any]) -> tuple[pa.Field, pa.Array]:
    if name == "extra":
        texts = [json.dumps(dict(v), ensure_ascii=False) if v else None for v in values]
        return pa.field(name, pa.string()), pa.array(texts, pa.string())
    arrow_type, allowed = _TYPES.get(annotation, (None, frozenset()))
    if arrow_type is None or not set(map(type, values)) <= allowed:
        texts = [json.dumps(_tagged(v), ensure_ascii=False) for v in values]
        return pa.field(name, pa.string(), metadata=_JSON), pa.array(texts, pa.string())
    array = pa.array(values, arrow_type)
    if arrow_type == pa.string():
        encoded = array.dictionary_encode()
        if 2 * len(encoded.dictionary) <= len(array):
            array = encoded
    return pa.field(name, array.type), array


def _tagged(value: Any) -> list[Any]:
    """A value of a JSON column as JSON can hold it: ``[kind, value]``, where dates (and
    datetimes) are ISO text, so that neither is confused with a string."""
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    return ["json", value]


def _untagged(tagged: list[Any]) -> Any:
    """Inverse of :func:`_tagged`."""
    kind, value = tagged
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    return value


def decode_chunk(kind: str, blob: bytes | memoryview, canonical: Mapping[str, str] | None = None
                 ) -> list[Any]:
    """The records of one chunk written by :func:`encode_chunks`. Dictionary-encoded
    strings that are keys of ``canonical`` become its values (the entity ids, so that
    relationships share their ids' objects). A field the chunk has no column for (one
    added to the class since it was written) takes its default.

    Raises ValueError when the chunk's columns are not fields of ``kind`` in field order,
    or a field without a default has no column."""
    cls = RECORD_CLASSES[kind]
    names = [f.name for f in fields(cls)]
    table = pa.ipc.open_stream(pa.py_buffer(blob)).read_all()
    present = set(table.column_names)
    if ([n for n in names if n in present] != table.column_names
            or any(_default(f) is MISSING for f in fields(cls) if f.name not in present)):
        raise ValueError(f"expected the columns {names} of {kind} (those with a default may "
                         f"be missing), found {table.column_names}")
    columns = [_decode_column(f.name, table.schema.field(f.name), table.column(f.name), canonical)
               if f.name in present else [_default(f)] * table.num_rows
               for f in fields(cls)]
    return construct(cls, columns, table.num_rows)


def _default(f: Field) -> Any:
    """The value a record gets for field ``f`` when it is not given (MISSING: none)."""
    if f.default_factory is not MISSING:
        return f.default_factory()
    return f.default


def _decode_column(name: str, field: pa.Field, column: pa.ChunkedArray,
                   canonical: Mapping[str, str] | None) -> list[Any]:
    if name == "extra":
        if column.null_count == len(column):
            return [NO_EXTRA] * len(column)
        return [NO_EXTRA if text is None else json.loads(text) for text in column.to_pylist()]
    if field.metadata == _JSON:
        return [_untagged(json.loads(text)) for text in column.to_pylist()]
    array = column.combine_chunks()
    if pa.types.is_dictionary(array.type):
        distinct = array.dictionary.to_pylist()
        if canonical is not None:
            distinct = [canonical.get(v, v) for v in distinct]
        # one more entry, None, for the null rows
        objects = np.array([*distinct, None], dtype=object)
        return objects[pc.fill_null(array.indices, len(distinct)).to_numpy()].tolist()
    if pa.types.is_date32(array.type):
        # NumPy turns days into datetime.date (and NaT into None) far faster than Arrow
        return array.to_numpy(zero_copy_only=False).tolist()
    return array.to_pylist()


def construct(cls: type, columns: list[list[Any]], rows: int) -> list[Any]:
    """Records of ``cls`` from one list of values per field, in field order.

    The record classes are frozen dataclasses with slots whose ``__init__`` only assigns
    the fields; setting each slot for a whole column at once does the same in about two
    thirds of the time. A class with a ``__post_init__`` (a check) is built by its
    ``__init__``."""
    with collector_paused():
        if hasattr(cls, "__post_init__"):
            return [cls(*row) for row in zip(*columns, strict=True)]
        records = list(map(object.__new__, repeat(cls, rows)))
        for f, values in zip(fields(cls), columns, strict=True):
            setter = getattr(cls, f.name).__set__   # the slot's descriptor
            deque(map(setter, records, values), maxlen=0)   # runs the map, keeps nothing
        return records
