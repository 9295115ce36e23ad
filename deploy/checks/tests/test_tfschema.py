"""The Terraform schema check finds each deliberate mistake, and only those."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import tfschema  # noqa: E402
from hcl_outline import HclError, parse  # noqa: E402

SCHEMAS = pathlib.Path(os.environ.get("TF_SCHEMAS", tfschema.DEFAULT_SCHEMAS))
MISTAKES = HERE / "fixtures" / "tfschema_mistakes"

# (line, text) for every mistake in fixtures/tfschema_mistakes/main.tf.
EXPECTED = [
    (13, "provider.azurerm: unknown argument 'not_a_provider_setting'"),
    (17, "azurerm has no resource type 'azurerm_container_appp'"),
    (25, "unknown argument 'colour'"),
    (26, "unknown block 'tagz'"),
    (31, "missing required argument 'location'"),
    (41, "'principal_id' is computed-only"),
    (46, "at most 1 'identity' block(s)"),
    (46, "missing required block 'template'"),
    (61, "'storage_account_name' is deprecated"),
    (77, "template.container: unknown block 'envv'"),
    (85, "template.container.env: unknown argument 'valuee'"),
    (90, "ignore_changes names unknown 'template[0].container[0].imagee'"),
    (95, "azurerm has no data source 'azurerm_clientconfig'"),
    (99, "aws_s3_bucket.aws_unknown: unknown argument 'bucket_name'"),
    (103, "no schema for provider 'random'"),
    (107, "module.local: missing required variable 'needed'"),
    (109, "module.local: the module has no variable 'unknown'"),
    (98, "aws is used but not in required_providers"),
    (17, "required_providers azurerm '~> 3.0' does not admit the schema's 4.51.0"),
]


@pytest.fixture(scope="module")
def schemas() -> pathlib.Path:
    if not SCHEMAS.is_dir():
        pytest.fail(f"provider schemas not found at {SCHEMAS} (../shared beside the checkout)")
    return SCHEMAS


def test_every_deliberate_mistake_is_found_and_nothing_else(schemas):
    findings = tfschema.run([MISTAKES], schemas)
    found = [(int(re.match(r"[^:]+:(\d+):", f).group(1)), f) for f in findings]
    for line, text in EXPECTED:
        assert any(l == line and text in f for l, f in found), f"not reported: line {line}: {text}\n" + "\n".join(findings)
    assert len(findings) == len(EXPECTED), "\n".join(findings)


def test_valid_file_with_tricky_syntax_passes(schemas):
    assert tfschema.run([HERE / "fixtures" / "tfschema_good"], schemas) == []


def test_command_line_fails_on_mistakes(schemas):
    result = subprocess.run(
        [sys.executable, str(HERE.parent / "tfschema.py"), "--schemas", str(schemas), str(MISTAKES)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "finding(s)" in result.stderr


def test_missing_schemas_is_an_error(tmp_path):
    result = subprocess.run(
        [sys.executable, str(HERE.parent / "tfschema.py"), "--schemas", str(tmp_path / "none"), str(MISTAKES)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2


@pytest.mark.parametrize(
    "constraint, ok",
    [("~> 4.51", True), ("~> 4.52", False), ("~> 4.51.0", True), ("~> 4.50.0", False), (">= 4.0, < 5.0", True), ("~> 3.0", False), ("= 4.51.0", True), ("nonsense", False)],
)
def test_version_constraints(constraint, ok):
    assert tfschema.satisfies((4, 51, 0), constraint) is ok


def test_outline_tells_blocks_from_attributes():
    root = parse('a = { b = 1 }\nc "x" { d = [\n 1,\n 2]\n e {}\n}\nf = "${g("}")}"\n')
    assert [a.name for a in root.attributes] == ["a", "f"]
    (c,) = root.blocks
    assert (c.type, c.labels, [a.name for a in c.attributes], [b.type for b in c.blocks]) == ("c", ["x"], ["d"], ["e"])


def test_outline_rejects_broken_files():
    with pytest.raises(HclError):
        parse('resource "a" "b" {\n  x = 1\n')
