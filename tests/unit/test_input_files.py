"""Only regular files within their format's size limit are read, by every importer."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from graphtwin.config import Settings
from graphtwin.errors import FileTooLargeError, InputError, NotARegularFileError
from graphtwin.input_files import check_regular_file, format_size, parse_size
from importers import IMPORTERS
from importers.base import parse_file

FORMATS = sorted(IMPORTERS)


@pytest.mark.parametrize("format_name", FORMATS)
def test_every_importer_refuses_dev_zero_at_once(format_name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(NotARegularFileError) as caught:
        parse_file(IMPORTERS[format_name], Path("/dev/zero"), max_bytes=None)
    assert time.perf_counter() - started < 1
    assert caught.value.file == "/dev/zero"
    assert "character device, not a regular file" in caught.value.reason
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("format_name", FORMATS)
def test_an_importer_called_directly_refuses_a_named_pipe_too(
    tmp_path: Path, format_name: str
) -> None:
    fifo = tmp_path / "model.in"
    os.mkfifo(fifo)  # reading it would block until a writer comes
    with pytest.raises(NotARegularFileError, match="named pipe"):
        IMPORTERS[format_name].parse(fifo)


def test_a_socket_a_directory_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "s.sock"))
        with pytest.raises(NotARegularFileError, match="socket"):
            check_regular_file(tmp_path / "s.sock")
    with pytest.raises(NotARegularFileError, match="directory"):
        check_regular_file(tmp_path)
    with pytest.raises(InputError, match="file not found"):
        check_regular_file(tmp_path / "nope.yaml")


def test_a_link_to_a_device_is_refused_and_a_link_to_a_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    with pytest.raises(NotARegularFileError):
        check_regular_file(tmp_path / "zero.yaml")
    (tmp_path / "real.yaml").write_text("graphtwin: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    assert check_regular_file(tmp_path / "link.yaml") == 13


@pytest.mark.parametrize("format_name", FORMATS)
def test_a_file_over_its_formats_limit_is_refused_before_parsing(
    tmp_path: Path, format_name: str
) -> None:
    path = tmp_path / "big.model"
    path.write_bytes(b"x" * 2001)  # garbage: parsing it would be a different error
    with pytest.raises(FileTooLargeError) as caught:
        parse_file(IMPORTERS[format_name], path, max_bytes=2000)
    assert "2 kB is over the limit of 2 kB" in caught.value.reason
    assert "--max-file-size" in caught.value.reason


def test_every_importer_has_a_size_limit_setting_that_takes_sizes_with_units() -> None:
    defaults = Settings()
    for format_name in FORMATS:
        assert (defaults.max_file_size(format_name) or 0) > 10_000_000, format_name
    raised = Settings(max_ifc_file_size="4GiB", max_twin_file_size="1.5GB")  # type: ignore[arg-type]
    assert raised.max_file_size("ifc") == 4 * 2**30
    assert raised.max_file_size("twin") == 1_500_000_000


@pytest.mark.parametrize(
    ("text", "size"),
    [("2GB", 2 * 10**9), ("512MB", 512 * 10**6), ("1GiB", 2**30), ("10 kB", 10**4), ("7", 7)],
)
def test_sizes_are_read_with_decimal_and_binary_units(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "GB", "2XB", "-1GB", "1ib"])
def test_a_size_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a size"):
        parse_size(text)


def test_sizes_are_printed_readably() -> None:
    assert format_size(2_147_483_648) == "2.15 GB"
    assert format_size(512) == "512 bytes"
