"""Settings come from GRAPHTWIN_* and the standard NEO4J_* variables, when asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from graphtwin.config import NEO4J_VERSION, Settings
from graphtwin.errors import StoreUnavailableError
from graphtwin.store.connection import resolve_target


def test_defaults_use_a_local_server_of_the_pinned_lts_version(monkeypatch):
    for name in ("DATA", "INSTANCE", "TELEMETRY", "MODELS"):
        monkeypatch.delenv(f"GRAPHTWIN_{name}_DIR", raising=False)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    settings = Settings()
    assert not settings.uses_external_server
    assert NEO4J_VERSION.startswith("5.26.")
    assert settings.runtime_dir.name == f"neo4j-{NEO4J_VERSION}"
    assert settings.local_instance_dir == settings.data_dir / "instance"
    assert settings.telemetry_root == settings.data_dir / "telemetry"
    assert settings.models_root == settings.data_dir / "models"


def test_telemetry_and_models_can_live_apart_from_the_data_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("GRAPHTWIN_TELEMETRY_DIR", str(tmp_path / "history"))
    monkeypatch.setenv("GRAPHTWIN_MODELS_DIR", str(tmp_path / "models"))
    settings = Settings()
    assert (settings.telemetry_root, settings.models_root) == (
        tmp_path / "history",
        tmp_path / "models",
    )


def test_graphtwin_and_standard_neo4j_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("GRAPHTWIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRAPHTWIN_BOLT_PORT", "7999")
    monkeypatch.setenv("NEO4J_URI", "neo4j://db.example:7687")
    monkeypatch.setenv("NEO4J_USER", "alice")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    monkeypatch.setenv("NEO4J_DATABASE", "twins")
    settings = Settings()
    assert settings.data_dir == Path(tmp_path)
    assert settings.bolt_port == 7999
    target = resolve_target(settings)
    assert (target.uri, target.user, target.password, target.database) == (
        "neo4j://db.example:7687",
        "alice",
        "s3cret",
        "twins",
    )
    assert target.external
    assert "s3cret" not in repr(settings)  # the password is a secret


def test_a_local_instance_that_never_started_has_no_target(monkeypatch, tmp_path):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    with pytest.raises(StoreUnavailableError) as caught:
        resolve_target(Settings(instance_dir=tmp_path))
    assert "graphtwin neo4j start" in str(caught.value)


@pytest.mark.parametrize("size", ["2", "2gb", "lots", ""])
def test_memory_sizes_must_look_like_neo4j_sizes(size):
    with pytest.raises(ValidationError):
        Settings(neo4j_heap=size)


def test_only_neo4j_5_26_can_be_provisioned():
    with pytest.raises(ValidationError):
        Settings(neo4j_version="4.4.30")
