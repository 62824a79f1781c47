"""Decoding Modbus registers: every datatype, byte and word order, scale and offset."""

from __future__ import annotations

import math
import struct

import pytest

from graphtwin.telemetry.bindings import Binding
from graphtwin.telemetry.connectors.modbus import (
    decode_value,
    plan_requests,
    register_count,
)


def binding(datatype: str = "uint16", address: int = 0, register_type: str = "holding", **more):
    return Binding(
        source="meters",
        point={"twin_id": "urn:t:p"},
        register_type=register_type,
        address=address,
        datatype=datatype,
        **more,
    )


def words(fmt: str, value: float | int) -> list[int]:
    """Big-endian registers (ABCD...) holding `value` packed with struct format `fmt`."""
    raw = struct.pack(">" + fmt, value)
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]


def test_register_counts_follow_the_datatype_width():
    assert [register_count(t) for t in ("bool", "int16", "uint16")] == [1, 1, 1]
    assert [register_count(t) for t in ("int32", "uint32", "float32")] == [2, 2, 2]
    assert register_count("float64") == 4
    with pytest.raises(ValueError):
        register_count("int128")


@pytest.mark.parametrize(
    ("datatype", "fmt", "value"),
    [
        ("int16", "h", -1234),
        ("uint16", "H", 65000),
        ("int32", "i", -2_000_000_000),
        ("uint32", "I", 4_000_000_000),
        ("float32", "f", 21.5),
        ("float64", "d", -1234.5678901234),
    ],
)
def test_every_datatype_decodes_from_big_endian_registers(datatype, fmt, value):
    decoded = decode_value(words(fmt, value), binding(datatype))
    assert decoded == value
    assert type(decoded) is type(value)


def test_a_signed_register_is_twos_complement():
    assert decode_value([0xFFFF], binding("int16")) == -1
    assert decode_value([0xFFFF], binding("uint16")) == 65535
    assert decode_value([0xFFFF, 0xFFFE], binding("int32")) == -2


@pytest.mark.parametrize(
    ("byte_order", "word_order", "registers"),
    [
        ("big", "big", [0x4144, 0x0000]),  # ABCD
        ("little", "big", [0x4441, 0x0000]),  # BADC
        ("big", "little", [0x0000, 0x4144]),  # CDAB
        ("little", "little", [0x0000, 0x4441]),  # DCBA
    ],
)
def test_float32_in_each_byte_and_word_order(byte_order, word_order, registers):
    b = binding("float32", byte_order=byte_order, word_order=word_order)
    assert decode_value(registers, b) == 12.25


def test_word_order_reverses_all_four_registers_of_a_float64():
    big = words("d", math.pi)
    assert decode_value(list(reversed(big)), binding("float64", word_order="little")) == math.pi


def test_byte_order_little_swaps_the_bytes_of_a_single_register():
    assert decode_value([0x3412], binding("uint16", byte_order="little")) == 0x1234
    # word order means nothing for one register
    assert decode_value([0x1234], binding("uint16", word_order="little")) == 0x1234


def test_scale_and_offset_apply_to_the_raw_value():
    assert decode_value([215], binding("int16", scale=0.1)) == pytest.approx(21.5)
    assert decode_value([0xFFF6], binding("int16", scale=0.5, offset=100)) == 95.0
    assert decode_value(words("f", 2.0), binding("float32", scale=10, offset=-1)) == 19.0


def test_an_integer_stays_an_int_when_not_scaled():
    assert decode_value([7], binding("uint16")) == 7
    assert isinstance(decode_value([7], binding("uint16")), int)
    assert isinstance(decode_value([7], binding("uint16", scale=2)), float)


def test_bools_come_from_bits_or_a_nonzero_register_and_are_never_scaled():
    coil = binding("bool", register_type="coil", scale=10, offset=3)
    assert decode_value([True, False], coil) is True
    assert decode_value([False], coil) is False
    assert decode_value([0], binding("bool")) is False
    assert decode_value([0x0100], binding("bool")) is True


def test_extra_registers_after_the_value_are_ignored():
    assert decode_value([*words("f", 1.5), 0xDEAD], binding("float32")) == 1.5


def test_too_few_or_out_of_range_registers_are_a_value_error():
    with pytest.raises(ValueError, match="needs 2 registers"):
        decode_value([1], binding("float32"))
    with pytest.raises(ValueError, match="16-bit"):
        decode_value([70000], binding("uint16"))
    with pytest.raises(ValueError):
        decode_value([], binding("bool"))


def test_touching_registers_of_one_type_are_read_in_one_request():
    bindings = [
        binding("float32", 0),
        binding("int16", 2),
        binding("uint32", 3),
        binding("int16", 10),  # a gap: a new request
        binding("float32", 0, register_type="input"),  # another type: a new request
        binding("bool", 5, register_type="coil"),
        binding("bool", 6, register_type="coil"),
    ]
    plan = [(r.register_type, r.address, r.count, len(r.bindings)) for r in plan_requests(bindings)]
    assert plan == [
        ("coil", 5, 2, 2),
        ("holding", 0, 5, 3),
        ("holding", 10, 1, 1),
        ("input", 0, 2, 1),
    ]


def test_a_request_never_exceeds_the_protocol_limit():
    bindings = [binding("float64", address) for address in range(0, 400, 4)]
    requests = plan_requests(bindings)
    assert all(r.count <= 125 for r in requests)
    assert sum(len(r.bindings) for r in requests) == 100
