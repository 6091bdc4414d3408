"""The record schema is declared once (records.FIELDS): the extractor's records, the flat rows,
the Parquet and cache schemas and the column sets that name record columns all agree with it."""
import json
import re

import pytest

from citycoop import meetings, records
from citycoop.dataset import Settings, iter_corpus
from citycoop.extract.dates import find_event_date, year_known, years_known
from citycoop.extract.topics import load_taxonomy
from citycoop.models import Reject
from conftest import SEEDS


@pytest.fixture(scope="module")
def seed_records():
    return [r for r in iter_corpus([SEEDS], Settings()) if not isinstance(r, Reject)]


def test_the_extractor_returns_the_declared_fields_in_their_order():
    from citycoop.clean import clean_document, load_rules
    from citycoop.extract import Extractor
    from citycoop.load import discover, read_file

    [raw] = [d for f in discover([SEEDS / "000_77aec2281c3530ce.txt"]) for d in read_file(f)]
    record = Extractor().extract(clean_document(raw, load_rules()))
    assert tuple(record) == records.EXTRACTED_FIELDS


def test_a_record_the_pipeline_gives_has_every_declared_field_in_order(seed_records):
    assert seed_records and all(tuple(r) == records.FIELD_NAMES for r in seed_records)


def test_flat_rows_and_both_schemas_have_the_declared_columns(seed_records):
    taxonomy = load_taxonomy()
    columns = records.flat_columns(taxonomy)
    assert all(list(records.flat_row(r, taxonomy.ids)) == columns for r in seed_records)
    assert records.parquet_schema(taxonomy).names == columns
    assert records.cache_schema(taxonomy).names == columns + ["_sig"]
    # every field's columns, and nothing else: scalars, readable lists, topics, JSON, the text
    by_field = [c for f in records.FIELDS for c in records.columns_of(f, taxonomy.ids)]
    assert sorted(by_field) == sorted(columns) and len(set(columns)) == len(columns)
    types = {f.name: str(f.type) for f in records.parquet_schema(taxonomy)}
    assert types["n_chars"] == "int64" and types[f"topic_{taxonomy.ids[0]}"] == "int32"
    assert types["not_a_meeting"] == "bool"
    assert {t for c, t in types.items() if c not in ("n_chars", "not_a_meeting") and not c.startswith("topic_")} \
        == {"string"}


def test_a_flat_row_gives_back_the_record_it_was_made_from(seed_records):
    ids = load_taxonomy().ids
    for record in seed_records:
        again = records.record_from_row(records.flat_row(record, ids), ids)
        assert json.dumps(again, ensure_ascii=False) == json.dumps(record, ensure_ascii=False)


def test_the_batches_workers_hand_back_have_the_cache_schema():
    from citycoop.load import discover
    from citycoop.pipeline.worker import process_batch

    batch = process_batch(list(discover([SEEDS])), Settings())
    assert batch.table.schema.equals(records.cache_schema(load_taxonomy()))


def test_column_sets_name_columns_of_the_flat_row():
    columns = set(records.flat_columns(load_taxonomy()))
    for named in (records.REPORT_COLUMNS, records.HEAVY_COLUMNS, meetings.ROW_COLUMNS):
        assert set(named) <= columns
    assert set(records.HEAVY_COLUMNS) == {"text", "evidence_json", "mentions_json"}
    with pytest.raises(ValueError, match="not columns"):
        records._declared("id", "partner")


@pytest.mark.parametrize("value,known", [("2024-05-12", True), ("0999-01-01", True), ("--09-26", False),
                                         (None, False), ("", False)])
def test_year_known_is_one_rule_for_scalars_and_series(value, known):
    import pandas as pd

    assert year_known(value) is known
    assert years_known(pd.Series([value], dtype=object)).tolist() == [known]


@pytest.mark.parametrize("lead,published", [("Ngày 12/5/2024, Hà Nội đón đoàn.", None),
                                            ("Ngày 26/9, Hà Nội đón đoàn.", None),
                                            ("Ngày 26/9, Hà Nội đón đoàn.", "2025-09-27"),
                                            ("Hà Nội đón đoàn.", None)])
def test_the_event_dates_the_extractor_writes_are_of_the_forms_the_rule_reads(lead, published):
    """The rules the places that ask "is the year known?" used (a date beginning with four digits
    and a dash; one beginning with a digit; one not beginning with "--") agree on these forms."""
    value = find_event_date(lead, published).value
    assert value is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}|--\d{2}-\d{2}", value)
    rules = {year_known(value), bool(value) and value[:1].isdigit(), bool(value) and not value.startswith("--")}
    assert len(rules) == 1
