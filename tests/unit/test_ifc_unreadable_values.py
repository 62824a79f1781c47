"""A value ifcopenshell cannot read (it logs an error and reads null) is refused, naming the file
and the line, instead of crashing the mapping on the null (cases the importer fuzzer found)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphtwin.errors import MalformedFileError
from importers.ifc import IfcImporter
from tests.conftest import ROOT

MODEL = ROOT / "examples" / "riverside-building-b.ifc"


def damaged(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    text = MODEL.read_text()
    assert old in text
    path = tmp_path / "damaged.ifc"
    path.write_text(text.replace(old, new, 1))
    return path, text[: text.index(old)].count("\n") + 1


def test_an_enumeration_literal_its_type_does_not_have_is_refused_with_its_line(tmp_path):
    path, line = damaged(tmp_path, ".AREAUNIT.,$,.SQUARE_METRE.", ".AREAUNIT.,$,.SQU6RE_METRE.")

    with pytest.raises(MalformedFileError) as refused:
        IfcImporter().parse(path)

    assert (refused.value.file, refused.value.line) == (str(path), line)
    assert "SQU6RE_METRE" in refused.value.message


def test_a_typed_value_of_an_unknown_entity_is_refused_with_its_line(tmp_path):
    path, line = damaged(tmp_path, "IFCLENGTHMEASURE(", "IFCLEN+THMEASURE(")

    with pytest.raises(MalformedFileError) as refused:
        IfcImporter().parse(path)

    assert (refused.value.file, refused.value.line) == (str(path), line)
    assert "IFCLEN+THMEASURE" in refused.value.message
