"""What one import may do to the twin beyond its own source's new version.

Two guards, in the loader so that every format, the CLI and the API obey them alike:

- **Ownership.** A source belongs to the format that created it (`Source.format`) and, where the
  format has one, to its file lineage (`Source.lineage`: an IFC model's project GlobalId), and
  a source id that starts with a format's prefix (`brick:`, `ifc-project:`...) belongs to that
  format before it exists. A file of another format or lineage would replace (and so retire)
  what the source asserted: it is refused, unless the import takes the source over on purpose
  (`--take-over-source`, admin only in the API), which is reported and audited.
- **Mass retirement.** An import that would retire more than a share of the entities its source
  defined (a truncated or wrong file) is refused, unless it is told to allow it
  (`--allow-retire`); the report says when it was.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from graphtwin.errors import MassRetirementError, SourceLocation, SourceOwnershipError
from graphtwin.model import SourceInfo

CLAIMED_PREFIXES: dict[str, str] = {
    "twin": "twin",
    "brick": "brick",
    "ifc": "ifc",
    "ifc-project": "ifc",
    "isa95": "isa95",
    "governance": "governance",
}
"""Source id prefixes (before the first `:`) and the format whose default ids start with them."""

LINEAGE_PREFIXES = frozenset({"ifc-project"})
"""Prefixes of source ids that name a lineage themselves: only a file of that lineage creates
such a source (an IFC file with `--source-id ifc-project:<another model>` would squat it)."""

_SHOWN_IDS = 5


@dataclass(frozen=True, slots=True)
class ImportPolicy:
    """The limits one import runs under, and what its caller explicitly allowed."""

    max_retire_share: float = 0.2
    retire_always_allowed: int = 3
    allow_retire: bool = False
    take_over_source: bool = False


@dataclass(frozen=True, slots=True)
class SourceTakeOver:
    """A source written by another format or lineage than the one that owned it."""

    source_id: str
    from_format: str
    from_lineage: str | None
    to_format: str
    to_lineage: str | None
    existed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "from_format": self.from_format,
            "from_lineage": self.from_lineage,
            "to_format": self.to_format,
            "to_lineage": self.to_lineage,
            "existed": self.existed,
        }


def claimed_format(source_id: str) -> str | None:
    """The format a source id's prefix reserves it for (None: any format may create it)."""
    prefix, colon, _ = source_id.partition(":")
    return CLAIMED_PREFIXES.get(prefix) if colon else None


def check_ownership(
    source: SourceInfo, known: Mapping[str, Any] | None, policy: ImportPolicy
) -> SourceTakeOver | None:
    """Refuse (SourceOwnershipError) a write to a source another format or lineage owns;
    with `policy.take_over_source`, return the take-over to report instead."""
    owner_format = known["format"] if known else claimed_format(source.source_id)
    owner_lineage = known.get("lineage") if known else None
    if owner_format is not None and owner_format != source.format:
        owner = f"{owner_format} imports" if known else f"{owner_format} imports (its prefix)"
        problem = f"belongs to {owner}; a {source.format} file may not write it"
    elif owner_lineage is not None and owner_lineage != source.lineage:
        this = f"of {source.lineage}" if source.lineage else "of no lineage"
        problem = f"belongs to the files of {owner_lineage}; this file is {this}"
    elif (
        known is None and _names_a_lineage(source.source_id) and source.lineage != source.source_id
    ):
        owner_lineage = source.source_id
        this = f"of {source.lineage}" if source.lineage else "of no lineage"
        problem = f"names the files of {source.source_id}; this file is {this}"
    else:
        return None
    if not policy.take_over_source:
        raise SourceOwnershipError(
            f"source {source.source_id} {problem}, and importing it would replace what that "
            "source asserts (nothing written). Import it under its own source id, or take the "
            "source over on purpose with --take-over-source (admin; GraphQL: takeOverSource)",
            location=SourceLocation(source.file_name),
            entity=source.source_id,
        )
    return SourceTakeOver(
        source.source_id,
        owner_format or source.format,
        owner_lineage,
        source.format,
        source.lineage,
        existed=known is not None,
    )


def _names_a_lineage(source_id: str) -> bool:
    prefix, colon, _ = source_id.partition(":")
    return bool(colon) and prefix in LINEAGE_PREFIXES


def check_retirement(
    source: SourceInfo, defined: int, retiring: Collection[str], policy: ImportPolicy
) -> bool:
    """Refuse (MassRetirementError) an import that would retire more than the allowed share of
    the `defined` entities of its source; True when `policy.allow_retire` let it through."""
    count = len(retiring)
    if count <= policy.retire_always_allowed or count <= policy.max_retire_share * defined:
        return False
    if policy.allow_retire:
        return True
    shown = ", ".join(sorted(retiring)[:_SHOWN_IDS]) + (", ..." if count > _SHOWN_IDS else "")
    raise MassRetirementError(
        f"this import would retire {count} of the {defined} entities source {source.source_id} "
        f"defines ({count / defined:.0%}, more than the {policy.max_retire_share:.0%} allowed): "
        f"{shown} (nothing written). A cut or wrong file does this; if the model really lost "
        "them, import again with --allow-retire (GraphQL: allowRetire: true). The share is "
        "GRAPHTWIN_IMPORT_MAX_RETIRE_SHARE",
        location=SourceLocation(source.file_name),
        entity=source.source_id,
    )
