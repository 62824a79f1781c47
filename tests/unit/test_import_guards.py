"""The import guards decide, without a database, who may write a source and how much of it one
import may retire; the audit log says when they were lifted."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphtwin.audit import ChangeAudit, read_audit_log
from graphtwin.audit.events import REPORT_COUNTS
from graphtwin.errors import MassRetirementError, SourceOwnershipError
from graphtwin.model import SourceInfo
from graphtwin.store.import_guards import (
    ImportPolicy,
    check_ownership,
    check_retirement,
    claimed_format,
)

GUID = "3jNMRqPBjAj8UE9xLXUuZp"
IFC_SOURCE = f"ifc-project:{GUID}"


def source(source_id: str, fmt: str, lineage: str | None = None) -> SourceInfo:
    return SourceInfo(source_id, fmt, "model.file", "0" * 64, lineage)


def test_a_twin_file_may_not_write_the_source_of_an_ifc_model():
    known = {"format": "ifc", "lineage": IFC_SOURCE}
    with pytest.raises(SourceOwnershipError) as caught:
        check_ownership(source(IFC_SOURCE, "twin"), known, ImportPolicy())
    assert caught.value.entity == IFC_SOURCE and caught.value.exit_code == 2
    assert "belongs to ifc imports; a twin file may not write it" in caught.value.reason
    assert "--take-over-source" in caught.value.reason


def test_an_ifc_file_of_another_project_may_not_write_a_models_source_under_its_id():
    known = {"format": "ifc", "lineage": IFC_SOURCE}
    other = source(IFC_SOURCE, "ifc", lineage="ifc-project:0000000000000000000000")
    with pytest.raises(SourceOwnershipError, match="belongs to the files of ifc-project:3jNM"):
        check_ownership(other, known, ImportPolicy())
    assert check_ownership(source(IFC_SOURCE, "ifc", IFC_SOURCE), known, ImportPolicy()) is None


def test_a_source_id_with_a_formats_prefix_belongs_to_that_format_before_it_exists():
    assert claimed_format(IFC_SOURCE) == "ifc" and claimed_format("brick:plant.ttl") == "brick"
    assert claimed_format("plant") is None and claimed_format("my-prefix:plant") is None
    with pytest.raises(SourceOwnershipError, match=r"belongs to ifc imports \(its prefix\)"):
        check_ownership(source(IFC_SOURCE, "governance"), None, ImportPolicy())
    assert check_ownership(source("plant", "governance"), None, ImportPolicy()) is None


def test_an_ifc_file_may_not_create_the_source_of_another_project_under_its_id():
    squatter = source(IFC_SOURCE, "ifc", lineage="ifc-project:0000000000000000000000")
    with pytest.raises(SourceOwnershipError, match=f"names the files of {IFC_SOURCE}"):
        check_ownership(squatter, None, ImportPolicy())
    own = source(IFC_SOURCE, "ifc", lineage=IFC_SOURCE)
    assert check_ownership(own, None, ImportPolicy()) is None


def test_the_same_format_may_write_its_own_source_and_an_old_source_without_lineage():
    known = {"format": "twin", "lineage": None}
    assert check_ownership(source("plant", "twin"), known, ImportPolicy()) is None
    old_ifc = {"format": "ifc", "lineage": None}  # written before sources had a lineage
    assert check_ownership(source(IFC_SOURCE, "ifc", IFC_SOURCE), old_ifc, ImportPolicy()) is None


def test_taking_a_source_over_on_purpose_returns_who_owned_it():
    known = {"format": "ifc", "lineage": IFC_SOURCE}
    taken = check_ownership(source(IFC_SOURCE, "twin"), known, ImportPolicy(take_over_source=True))
    assert taken is not None
    assert taken.to_json() == {
        "from_format": "ifc",
        "from_lineage": IFC_SOURCE,
        "to_format": "twin",
        "to_lineage": None,
        "existed": True,
    }


def test_retiring_more_than_the_share_is_refused_naming_the_counts_and_ids():
    retiring = [f"ifc:{i}" for i in range(7)]
    with pytest.raises(MassRetirementError) as caught:
        check_retirement(source("s", "ifc"), 27, retiring, ImportPolicy())
    reason = caught.value.reason
    assert "would retire 7 of the 27 entities source s defines (26%" in reason
    assert "ifc:0, ifc:1, ifc:2, ifc:3, ifc:4, ..." in reason and "--allow-retire" in reason
    assert caught.value.exit_code == 2


def test_a_share_within_the_limit_or_a_few_entities_pass_and_allow_retire_is_reported():
    policy = ImportPolicy(max_retire_share=0.2, retire_always_allowed=3)
    assert check_retirement(source("s", "twin"), 100, ["a"] * 20, policy) is False
    assert check_retirement(source("s", "twin"), 3, ["a"] * 2, policy) is False  # a small model
    allowed = ImportPolicy(allow_retire=True)
    assert check_retirement(source("s", "twin"), 27, ["a"] * 7, allowed) is True
    assert check_retirement(source("s", "twin"), 27, ["a"], allowed) is False  # not needed
    strict = ImportPolicy(max_retire_share=0.0, retire_always_allowed=0)
    with pytest.raises(MassRetirementError):
        check_retirement(source("s", "twin"), 100, ["a"], strict)


def report(source_id: str, **extra: object) -> dict[str, object]:
    return {
        "source_id": source_id,
        "format": "twin",
        "file": "t.yaml",
        "sha256": "ab" * 32,
        "warnings": [],
        **{key: 0 for key in REPORT_COUNTS},
        **extra,
    }


def test_the_audit_log_says_when_the_guard_was_overridden_and_a_source_taken_over(
    tmp_path: Path,
):
    audit = ChangeAudit(tmp_path / "audit.jsonl", "cli:ana")
    taken = {"from_format": "ifc", "from_lineage": IFC_SOURCE, "to_format": "twin",
             "to_lineage": None, "existed": True}  # fmt: skip
    audit.imported(
        [
            report("plant", retire_guard_overridden=True, nodes_retired=7),
            report(IFC_SOURCE, source_taken_over=taken),
        ]
    )
    first, second = read_audit_log(audit.path)
    assert first.kind == "import" and first.payload["retire_guard_overridden"] is True
    assert [f["retire_guard_overridden"] for f in first.payload["files"]] == [True, False]
    assert second.kind == "source_taken_over" and second.actor == "cli:ana"
    assert second.payload == {"source_id": IFC_SOURCE, "file": "t.yaml", "sha256": "ab" * 32,
                              **taken}  # fmt: skip
