"""Custom scalars of the GraphQL schema."""

from __future__ import annotations

from typing import NewType

import strawberry

DateTime = NewType("DateTime", str)
"""Records carry times as ISO 8601 text already (`records.plain`)."""
SCALARS = {
    DateTime: strawberry.scalar(
        name="DateTime",
        description="An ISO 8601 date and time with its offset, e.g. 2026-11-21T09:30:00+00:00.",
        serialize=str,
        parse_value=str,
    )
}
