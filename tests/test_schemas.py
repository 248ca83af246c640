"""Every processed table has a schema and passes it; the schema rejects bad rows."""

import pandas as pd
import pytest

from helpers.schemas import SCHEMAS, read_table, validate_table, write_table


def test_every_processed_table_has_a_schema_and_passes(project):
    tables = sorted(p.stem for p in (project / "data" / "processed").glob("*.csv"))
    assert set(tables) == set(SCHEMAS)
    for name in tables:
        read_table(name, project)  # validates


def test_every_column_is_described():
    for name, schema in SCHEMAS.items():
        for col, spec in schema.columns.items():
            assert spec.description, f"{name}.{col} has no description"


def test_schema_rejects_bad_rows_and_writes_nothing(root, tmp_path):
    good = read_table("sentences", root).head(3)
    bad = good.assign(speaker=["pompeo", "someone", "lavrov"])
    with pytest.raises(ValueError, match="sentences.*fails its schema"):
        validate_table(bad, "sentences")
    (tmp_path / "data" / "processed").mkdir(parents=True)
    with pytest.raises(ValueError):
        write_table(bad, "sentences", tmp_path)
    assert not list((tmp_path / "data" / "processed").iterdir())
    write_table(good, "sentences", tmp_path)
    assert read_table("sentences", tmp_path).shape == good.shape


def test_round_trip_keeps_missing_values(root):
    s = read_table("sentences", root)
    assert s["duplicate_of"].isna().sum() > 0 and s["duplicate_of"].notna().sum() > 0
    assert isinstance(s["canonical"].dtype, pd.BooleanDtype) or s["canonical"].dtype == bool
