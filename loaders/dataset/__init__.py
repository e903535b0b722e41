"""Read and validate a dataset folder into a :class:`schema.records.Dataset`.

A dataset folder holds ``bank.toml`` and the tables ``entities``, ``relationships``,
``facilities`` and, optionally, ``groups`` (each ``.csv``, ``.xlsx`` or ``.parquet``); see
DESIGN section 2. The optional tables of the exposure model (DESIGN 3b), ``underlyings``,
``collateral`` and ``product_parties``, hang off facilities and are validated the same way
(:func:`validate_facility_table`). Validation collects every problem of every file before it
raises, so a user fixes a file in one go: :class:`schema.errors.InvalidDataset` lists them
all, each with file, line (or row), column and what was expected. Nothing is returned
unless everything is valid.

The validation works on columns (:class:`loaders.tables.ColumnTable`), because a dict per
line and a parser call per cell took 8 s for 100,000 parties, 80 s for a million. Each
column is parsed at once (:mod:`loaders.columns`), and the checks that span a row or the
tables (required values, references to valid rows, the kinds at each end, dates in order,
a facility owed by the guaranteed party, exchange rates) are numpy masks over all rows.
The masks mark every row that may be wrong, and perhaps a few more; those rows, and only
those, go through the row-by-row validation (:func:`parse_row`, :func:`_relationship_row`),
which decides and words each problem as it always has. So the problems are those of the
row-by-row read, and a row the masks doubt needlessly is still read right. Every other row
becomes its record straight from the columns. Rows given twice are found last, over the
valid rows in order, since the first valid row of a key is the one kept.
"""

from loaders.dataset.bank import BANK_FILE, read_bank
from loaders.dataset.exposure_tables import LOOK_THROUGH_TOLERANCE
from loaders.dataset.read import read_dataset
from loaders.dataset.relationships import SHARE_TOLERANCE

__all__ = ["BANK_FILE", "LOOK_THROUGH_TOLERANCE", "SHARE_TOLERANCE", "read_bank", "read_dataset"]
