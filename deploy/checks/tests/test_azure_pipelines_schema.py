"""azure-pipelines.yml validates against the schema, and a misspelt task input fails."""

from __future__ import annotations

import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import azure_pipelines_schema as aps  # noqa: E402

PIPELINE = aps.REPO / "azure-pipelines.yml"


@pytest.fixture(scope="module")
def schema() -> pathlib.Path:
    if not aps.SCHEMA.is_file():
        pytest.fail(f"schema not found at {aps.SCHEMA} (../shared beside the checkout)")
    return aps.SCHEMA


def test_the_pipeline_is_valid(schema):
    assert aps.errors(PIPELINE, schema) == []


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("scriptType: bash", "scriptTyp: bash", "'scriptTyp' was unexpected"),
        ("vmImage: ubuntu-24.04\n        steps:", "vmImage: ubuntu-24.04\n        stepz:", "stepz"),
        ("runOnce:", "runOnceMore:", "runOnceMore"),
    ],
)
def test_mistakes_are_reported(schema, tmp_path, old, new, expected):
    text = PIPELINE.read_text()
    assert old in text
    broken = tmp_path / "azure-pipelines.yml"
    broken.write_text(text.replace(old, new, 1))
    found = aps.errors(broken, schema)
    assert any(expected in f for f in found), found
