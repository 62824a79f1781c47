"""Finding a Java that Neo4j 5.26 runs on, with a clear error when there is none."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from graphtwin.errors import JavaNotFoundError
from graphtwin.neo4j_local.java import find_java, java_major_version


def fake_java(tmp_path: Path, version_line: str) -> Path:
    exe = tmp_path / "java"
    exe.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


@pytest.mark.parametrize(
    ("line", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_392"', 8),
        ('openjdk version "25.0.1" 2025-10-21', 25),
    ],
)
def test_the_major_version_is_read_from_java_dash_version(tmp_path, line, major):
    assert java_major_version(fake_java(tmp_path, line)) == major


def test_a_configured_java_17_is_used(tmp_path):
    runtime = find_java(fake_java(tmp_path, 'openjdk version "17.0.2"'))
    assert runtime.major == 17


def test_a_configured_java_of_an_unsupported_version_is_refused_with_the_reason(tmp_path):
    with pytest.raises(JavaNotFoundError) as caught:
        find_java(fake_java(tmp_path, 'openjdk version "25.0.1"'))
    assert "Java 25" in str(caught.value) and "17 or 21" in str(caught.value)


def test_a_configured_java_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(JavaNotFoundError) as caught:
        find_java(tmp_path / "no-java")
    assert "not a runnable Java" in str(caught.value)


def test_without_any_supported_java_the_error_says_how_to_install_one(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("graphtwin.neo4j_local.java._JVM_DIRS", (tmp_path / "jvm",))
    with pytest.raises(JavaNotFoundError) as caught:
        find_java(None)
    assert "openjdk-17" in str(caught.value)
