"""An epJSON model as the importer reads it: objects by type and name, case-insensitively.

EnergyPlus matches object types, names and node names without regard to case (a branch may name
the coil `CORE_BOTTOM VAV BOX REHEAT COIL` that is defined as `Core_bottom VAV Box Reheat Coil`),
so every lookup here folds case, and what it returns carries the spelling of the definition.

>>> model = EpModel({"Zone": {"Core": {"multiplier": 1}}}, file="office.idf")
>>> model.get("ZONE", "core").name
'Core'
>>> model.get("Zone", "core").describe()
"Zone 'Core'"
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from graphtwin.errors import SchemaViolationError, SourceLocation


@dataclass(frozen=True, slots=True)
class EpObject:
    """One EnergyPlus object: its type and name as defined, and its epJSON fields."""

    type: str
    name: str
    fields: dict[str, Any]

    def text(self, field: str) -> str | None:
        """A text field, stripped; None when absent or empty."""
        value = self.fields.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
        return None

    def number(self, field: str) -> float | None:
        """A numeric field; None when absent or a keyword such as Autocalculate."""
        value = self.fields.get(field)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    def items(self, field: str) -> list[dict[str, Any]]:
        """An array field (a list of objects); empty when absent."""
        value = self.fields.get(field)
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    def describe(self) -> str:
        return f"{self.type} '{self.name}'"


class EpModel:
    """The objects of an epJSON document, indexed by upper-case type and name."""

    def __init__(self, document: dict[str, Any], *, file: str) -> None:
        self.file = file
        self._objects: dict[str, dict[str, EpObject]] = {}
        for eplus_type, objects in document.items():
            if not isinstance(objects, dict):
                continue  # "Version" and friends are objects too; anything else is not ours
            table = self._objects.setdefault(eplus_type.upper(), {})
            for name, fields in objects.items():
                if isinstance(fields, dict):
                    table[name.upper()] = EpObject(eplus_type, name, fields)

    @property
    def location(self) -> SourceLocation:
        return SourceLocation(self.file)

    def objects(self, eplus_type: str) -> list[EpObject]:
        """The objects of a type in document order (empty when there are none)."""
        return list(self._objects.get(eplus_type.upper(), {}).values())

    def get(self, eplus_type: str, name: str | None) -> EpObject | None:
        if not name:
            return None
        return self._objects.get(eplus_type.upper(), {}).get(name.strip().upper())

    def find(self, types: Iterable[str], name: str | None) -> EpObject | None:
        """The first of `types` that defines an object called `name`."""
        for eplus_type in types:
            found = self.get(eplus_type, name)
            if found is not None:
                return found
        return None

    def require(self, eplus_type: str, name: str, *, named_by: EpObject, field: str) -> EpObject:
        """The object `named_by.field` refers to, or an error naming both (EnergyPlus would stop
        at such a reference too, but only when it runs the model)."""
        found = self.get(eplus_type, name)
        if found is None:
            raise self.error(
                f"{field} names {eplus_type} '{name}', which the model does not define",
                named_by,
            )
        return found

    def error(self, message: str, obj: EpObject | None = None) -> SchemaViolationError:
        """A typed input error at this model's file, naming `obj` when given."""
        return SchemaViolationError(
            message, location=self.location, entity=obj.describe() if obj else None
        )

    def node_names(self, name: str | None) -> list[str]:
        """Node names a field holds: the nodes of a NodeList of that name, or the name itself."""
        if not name:
            return []
        node_list = self.get("NodeList", name)
        if node_list is None:
            return [name.strip()]
        return [n for item in node_list.items("nodes") if (n := _text(item.get("node_name")))]

    def __iter__(self) -> Iterator[EpObject]:
        for table in self._objects.values():
            yield from table.values()


def node_key(name: str) -> str:
    """How node names compare: stripped, upper case."""
    return name.strip().upper()


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
