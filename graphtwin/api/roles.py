"""Who may do what through the API: five roles, each a set of permissions.

Roles are not a ladder: an auditor reads lineage but imports nothing, an importer imports but
reads no audit trail. `admin` may do everything, and only `admin` may take over a source that
another format or file lineage owns.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Permission(StrEnum):
    READ = "read"
    """The twin: nodes, hierarchy, flow, points, constraints, violations."""
    WRITE_VALUES = "write_values"
    """Current values of points (telemetry pushed over the API)."""
    IMPORT = "import"
    """Import model files (Brick, IFC, ISA-95, twin and governance files)."""
    AUDIT = "audit"
    """Lineage: sources, import runs, per-property attribution, audit events."""
    TAKE_OVER_SOURCE = "take_over_source"
    """Import into a source another format or file lineage owns (`takeOverSource`)."""
    SIMULATE = "simulate"
    """Run what-if scenarios (`simulate`): they compute on an overlay, and record the run."""
    LABEL_DRIFT = "label_drift"
    """Judge a drift issue a false alarm or a real defect (`labelDriftIssue`), or withdraw such
    a label (`withdrawDriftLabel`); audited."""
    DECIDE = "decide"
    """Accept an action of a what-if run (`acceptAction`): a decision about the building,
    recorded with its predicted outcome and audited. Apart from SIMULATE, which only computes."""


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    IMPORTER = "importer"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.OPERATOR: frozenset(
        {
            Permission.READ,
            Permission.WRITE_VALUES,
            Permission.SIMULATE,
            Permission.LABEL_DRIFT,
            Permission.DECIDE,
        }
    ),
    Role.IMPORTER: frozenset({Permission.READ, Permission.IMPORT}),
    Role.AUDITOR: frozenset({Permission.READ, Permission.AUDIT}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request, as its API key says."""

    key_id: str
    name: str
    role: Role

    def may(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]
