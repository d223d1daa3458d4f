"""The C-speed reader of scenario files gives what ruamel's round-trip parser gives, or steps
aside: same values, same types as pydantic sees them, same lines for errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from budgetplan.yamlio.fast import read_plain
from budgetplan.yamlio.loader import default_scenario_path, load, node_line, read_yaml_round_trip

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [default_scenario_path(), *sorted((ROOT / "scenarios").glob("*.yaml"))]


def _plain(value: Any) -> Any:
    """ruamel's values as the plain types they subclass (ScalarInt is an int...)."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, dt.datetime):
        return value
    return value


def _typed(value: Any) -> Any:
    """A value with its type, so that 1 and 1.0 and True differ."""
    if isinstance(value, dict):
        return {_typed(k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*path, i))
    return out


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_reads_the_same_and_at_the_same_lines(path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = read_plain(text)
    slow = read_yaml_round_trip(text, str(path))
    assert fast is not None, "a shipped file takes the fast path"
    assert _typed(fast) == _typed(_plain(slow))
    for where in _paths(slow):
        assert node_line(fast, where) == node_line(slow, where), where


SCALARS = [
    "0216", "216", "-5", "+5", "1_000", "0o17", "0x1F", "1.5", "1.", ".5", "1e3", "1.5e3",
    "-1.5E-3", ".inf", "-.inf", ".nan", "yes", "no", "on", "off", "y", "n", "true", "True",
    "TRUE", "false", "null", "~", "", "2022-01-05", "2022-1-5", "2022-02-30",
    "2022-01-05T10:00:00", "2022-01-05 10:00", "1:30", "0.055", "00", "1e", "abc", "'quoted'",
    '"0216"', "'true'", "2022-13-01", "12.50", "-0", "+.5", "1e+3", "R&D", "a: b", "- x",
    "!!str 5", "!!int '7'", "&a 5", "[1, 2]", "{a: 1}", "|\n  block\n", ">\n  folded\n",
    "0.1e-2", "1__0", "_1", "0b101", "0o", "+", "-", ".", "12:30:00", "Null", "NULL", "FALSE",
]  # fmt: skip


@pytest.mark.parametrize("scalar", SCALARS)
def test_a_scalar_reads_as_ruamel_reads_it_or_goes_to_ruamel(scalar) -> None:
    text = f"k: {scalar}\nother: 1\n"
    fast = read_plain(text)
    try:
        slow = YAML(typ="rt").load(text)
    except Exception:  # noqa: BLE001 - ruamel refuses it: the fast reader must not accept it
        assert fast is None
        return
    if fast is not None:
        assert _typed(fast) == _typed(_plain(slow)), (fast, slow)


def test_aliases_duplicates_and_other_documents_go_to_ruamel() -> None:
    for text in (
        "a: &x 1\nb: *x\n",
        "a: 1\na: 2\n",
        "a: 1\n---\nb: 2\n",
        "<<: {a: 1}\nb: 2\n",
        "? [a, b]\n: 1\n",
        "- 1\n- 2\n",
        "",
        "a: [1, 2\n",
    ):
        assert read_plain(text) is None, text


_scalars = st.sampled_from(SCALARS[:48])
_keys = st.sampled_from(["id", "label", "2022-01-05", "1", "true", "a b", "x"])
_tree = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=12,
)


def _yaml(value: Any, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "".join(f"\n{pad}{k}: {_yaml(v, indent + 2)}" for k, v in value.items())
    if isinstance(value, list):
        if not value:
            return "[]"
        return "".join(f"\n{pad}- {_yaml(v, indent + 2).lstrip(chr(10)).lstrip()}" for v in value)
    return value


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _tree, min_size=1, max_size=4))
def test_any_document_reads_as_ruamel_reads_it_or_goes_to_ruamel(doc) -> None:
    text = _yaml(doc).lstrip("\n") + "\n"
    fast = read_plain(text)
    if fast is None:
        return
    slow = YAML(typ="rt").load(text)
    assert _typed(fast) == _typed(_plain(slow)), text


def test_a_large_programme_loads_the_same_by_either_reader(tmp_path) -> None:
    """The programme pydantic builds is the same whichever reader read the file."""
    from budgetplan.core.model import Programme

    text = default_scenario_path().read_text(encoding="utf-8")
    fast = Programme.model_validate(read_plain(text))
    slow = Programme.model_validate(read_yaml_round_trip(text, "default"))
    assert fast == slow == load().programme


@pytest.mark.slow
def test_a_bad_line_among_thousands_is_found_at_its_line(tmp_path) -> None:
    """Lines validated one by one (memory) still give every error at its place in the file."""
    import copy

    from budgetplan.yamlio.loader import LoadError
    from tests.conftest import edit_scenario

    def many(doc):  # type: ignore[no-untyped-def]
        first = doc["cost_lines"][0]
        for i in range(1200):
            line = copy.deepcopy(first)
            line["id"] = f"X{i:04d}"
            doc["cost_lines"].append(line)
        doc["cost_lines"][700]["quantity"] = "beaucoup"
        doc["cost_lines"][900]["titre"] = 4

    path = edit_scenario(tmp_path, "many.yaml", many)
    with pytest.raises(LoadError) as caught:
        load(path)
    found = {(f.path[:2], f.line) for f in caught.value.findings}
    text = path.read_text(encoding="utf-8").splitlines()
    assert {p for p, _ in found} == {("cost_lines", 700), ("cost_lines", 900)}
    for (_, i), line in found:
        assert line is not None and text[line - 1].strip().startswith(
            "quantity:" if i == 700 else "titre:"
        ), (i, text[line - 1])


def test_a_number_too_long_for_python_is_a_finding_not_a_traceback(tmp_path) -> None:
    """An integer of 5,000 digits: Python refuses to convert it; the C reader steps aside and the
    file is refused with a located YAML error naming the fix."""
    from budgetplan.yamlio.loader import LoadError

    path = tmp_path / "big.yaml"
    path.write_text("id: X\nquantity: " + "9" * 5000 + "\n", encoding="utf-8")
    assert read_plain(path.read_text()) is None
    with pytest.raises(LoadError) as caught:
        load(path)
    (finding,) = caught.value.findings
    assert finding.code == "YAML" and "4300 digits" in finding.message
    assert "at most 15 digits" in finding.hint


def test_lines_made_models_as_read_share_what_they_hold(tmp_path) -> None:
    """Cost lines are made models as the reader reads them and share their sets of fields and
    short texts (memory): the programme is the one the round-trip reader gives, every line's
    fields as given, and a copy of one line with a change changes no other."""
    from budgetplan.core.model import Programme
    from budgetplan.yamlio.loader import parse_programme

    text = default_scenario_path().read_text(encoding="utf-8")
    loaded = parse_programme(text.encode(), "default.yaml")
    slow = Programme.model_validate(read_yaml_round_trip(text, "default"))
    assert loaded.programme == slow
    lines = loaded.programme.cost_lines
    for fast_line, slow_line in zip(lines, slow.cost_lines, strict=True):
        assert fast_line.model_fields_set == slow_line.model_fields_set
        assert fast_line.model_dump(exclude_unset=True) == slow_line.model_dump(exclude_unset=True)
    alike = [x for x in lines if x.model_fields_set == lines[0].model_fields_set]
    assert len(alike) > 1 and alike[0].__pydantic_fields_set__ is alike[1].__pydantic_fields_set__
    assert lines[0].pilot is next(x.pilot for x in lines[1:] if x.pilot == lines[0].pilot)
    before = set(alike[1].model_fields_set)
    unset = next(f for f in type(alike[0]).model_fields if f not in before)
    changed = alike[0].model_copy(update={unset: getattr(alike[0], unset)})
    assert unset in changed.model_fields_set
    assert alike[0].model_fields_set == alike[1].model_fields_set == before
