"""Line-aware YAML: errors name the line, duplicates are caught, dates stay text."""

from __future__ import annotations

import pytest

from graphtwin.errors import MalformedFileError
from graphtwin.yamlio import load_yaml, parse_yaml


def test_every_mapping_entry_and_list_item_knows_its_line():
    data, lines = parse_yaml("a: 1\nitems:\n  - x: 1\n    y: 2\n  - x: 3\n", "f.yaml")
    assert data == {"a": 1, "items": [{"x": 1, "y": 2}, {"x": 3}]}
    assert lines.line(("items", 1)) == 5
    assert lines.line(("items", 0, "y")) == 4
    # an unknown child falls back to its nearest known ancestor
    assert lines.line(("items", 1, "nope")) == 5


def test_a_syntax_error_is_a_malformed_file_error_with_the_line():
    with pytest.raises(MalformedFileError) as caught:
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "broken.yaml")
    assert caught.value.file == "broken.yaml"
    assert caught.value.line in (2, 3)


def test_a_duplicate_key_is_an_error_not_a_silent_overwrite():
    with pytest.raises(MalformedFileError) as caught:
        parse_yaml("id: a\nkind: Space\nid: b\n", "dup.yaml")
    assert caught.value.line == 3
    assert "duplicate key 'id'" in caught.value.reason


def test_dates_stay_text_and_other_scalars_keep_their_type():
    data, _ = parse_yaml("d: 2024-01-31\nn: 3\nf: 1.5\nb: true\ns: '7'\n", "t.yaml")
    assert data == {"d": "2024-01-31", "n": 3, "f": 1.5, "b": True, "s": "7"}


def test_a_file_that_is_not_utf8_is_malformed(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Büro\n".encode("latin-1"))
    with pytest.raises(MalformedFileError) as caught:
        load_yaml(path)
    assert "UTF-8" in caught.value.reason


def test_a_utf8_byte_order_mark_is_tolerated(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffa: 1\n".encode())
    assert load_yaml(path)[0] == {"a": 1}
