"""The Schemathesis hook keeps generated /rates ranges valid, and nothing else."""

import importlib.util
import pathlib
import sys
import types

# The hook module imports schemathesis only for its decorator.
sys.modules.setdefault("schemathesis", types.SimpleNamespace(hook=lambda f: f))
_path = pathlib.Path(__file__).resolve().parent.parent / "schemathesis_hooks.py"
_spec = importlib.util.spec_from_file_location("schemathesis_hooks", _path)
hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hooks)


def context(path):
    return types.SimpleNamespace(operation=types.SimpleNamespace(path=path))


def test_orders_and_shortens_ranges():
    q = {"date_from": "2021-03-01", "date_to": "2021-01-01", "orig_code": "X"}
    assert hooks.map_query(context("/rates"), q) == {
        "date_from": "2021-01-01",
        "date_to": "2021-03-01",
        "orig_code": "X",
    }
    q = {"date_from": "0001-01-01", "date_to": "9999-12-31"}
    assert hooks.map_query(context("/rates"), q)["date_to"] == "0002-01-01"
    q = {"date_from": "2020-01-01", "date_to": "2020-12-31"}
    assert hooks.map_query(context("/rates"), q) == q


def test_leaves_other_operations_and_odd_values_alone():
    q = {"date_from": "2021-03-01", "date_to": "2021-01-01"}
    assert hooks.map_query(context("/locations"), q) == q
    odd = {"date_from": "2021-02-30", "date_to": "2021-01-01"}
    assert hooks.map_query(context("/rates"), odd) == odd
    assert hooks.map_query(context("/rates"), None) is None
