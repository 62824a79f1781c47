"""Read an ISA-95 XML document safely and find out which B2MML / BatchML version it is.

The parser never fetches anything from the network, never expands entities and refuses entity
declarations outright (B2MML has no use for a DTD, and an entity bomb is the classic attack on
XML importers). A UTF-8 byte order mark, which Windows tools write and which some XML stacks trip
over, is stripped. The version is the root element's namespace; a document in any other namespace
is refused, because element names alone cannot tell B2MML from lookalikes.

`Isa95Document` also holds the small helpers every extractor uses: children by local name in the
document's own namespace, texts, and where an element is (file, line, path) for error messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from graphtwin.errors import (
    MalformedFileError,
    SourceLocation,
    UnknownNamespaceError,
    UnsupportedMessageError,
)
from importers.isa95.mapping import Isa95Mapping

_BOM = b"\xef\xbb\xbf"
_MAX_BYTES = 512 * 1024 * 1024
_NO_DATA_VERBS = {"Get": "a query", "Cancel": "a request to delete"}
"""Message verbs whose nouns are not data to import."""

Element = etree._Element


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )


@dataclass(slots=True)
class Isa95Document:
    file: str
    root: Element
    namespace: str
    version: str
    _prefix: str = field(init=False)

    def __post_init__(self) -> None:
        self._prefix = "{" + self.namespace + "}"

    @property
    def message(self) -> str:
        """The root element's name: a B2MML message (SyncEquipmentInformation) or a noun."""
        return local(self.root)

    # --- navigation in the document's namespace --------------------------------------------

    def mine(self, element: Element) -> bool:
        """Whether an element is in the document's own namespace (not an extension's)."""
        tag = element.tag
        return isinstance(tag, str) and tag.startswith(self._prefix)

    def iter(self, names: Iterable[str]) -> Iterator[Element]:
        """Every element named `names` in the document, in document order."""
        return self.root.iter(*(self._prefix + n for n in sorted(names)))

    def children(self, element: Element, names: Iterable[str] | str) -> list[Element]:
        wanted = [names] if isinstance(names, str) else sorted(names)
        return list(element.iterchildren(*(self._prefix + n for n in wanted)))

    def child(self, element: Element, name: str) -> Element | None:
        return element.find(self._prefix + name)

    def text(self, element: Element, name: str) -> str | None:
        """Stripped text of the first child `name`, None when absent or empty."""
        found = self.child(element, name)
        return clean(found.text) if found is not None else None

    def texts(self, element: Element, name: str) -> list[str]:
        """Stripped non-empty texts of every child `name`, in document order, without repeats."""
        values = (clean(c.text) for c in self.children(element, name))
        return list(dict.fromkeys(v for v in values if v))

    def descendants(
        self, element: Element, names: Iterable[str], *, stop: frozenset[str] = frozenset()
    ) -> Iterator[Element]:
        """Descendants named `names`, not looking inside descendants named `stop`."""
        wanted = set(names)
        for child in element:
            if not self.mine(child):
                continue
            name = local(child)
            if name in wanted:
                yield child
            if name not in stop:
                yield from self.descendants(child, wanted, stop=stop)

    # --- where things are ------------------------------------------------------------------

    def where(self, element: Element) -> SourceLocation:
        return SourceLocation(self.file, element.sourceline)

    def path(self, element: Element) -> str:
        """`ProductionSchedule/ProductionRequest[2]/HierarchyScope`, from below the DataArea."""
        parts: list[str] = []
        node: Element | None = element
        while node is not None and node is not self.root:
            name = local(node)
            if name == "DataArea":
                break
            parent = node.getparent()
            same = [c for c in parent if local(c) == name] if parent is not None else [node]
            parts.append(f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name)
            node = parent
        return "/".join(reversed(parts)) or self.message


def local(element: Element) -> str:
    """The element name without its namespace; "" for comments and processing instructions."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def clean(text: str | None) -> str | None:
    """Text with surrounding whitespace removed; None for no text or only whitespace."""
    if text is None:
        return None
    stripped = text.strip()
    return stripped or None


def read_document(path: Path, mapping: Isa95Mapping) -> Isa95Document:
    where = SourceLocation(str(path))
    if path.stat().st_size > _MAX_BYTES:
        raise MalformedFileError(
            f"larger than {_MAX_BYTES // 2**20} MiB; ISA-95 messages are exchanged in "
            "smaller parts",
            location=where,
        )
    data = path.read_bytes()
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data.strip():
        raise MalformedFileError("empty file, not an XML document", location=where)
    try:
        tree = etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or None
        raise MalformedFileError(
            f"not well-formed XML (truncated or not XML at all): {exc.msg}",
            location=SourceLocation(str(path), line),
        ) from exc
    _refuse_entity_declarations(tree, where)
    root = tree.getroot()
    namespace = etree.QName(root).namespace
    known = ", ".join(sorted(set(mapping.versions.values())))
    if namespace is None:
        raise UnknownNamespaceError(
            f"root element <{local(root)}> has no namespace; ISA-95 documents are in the "
            f"namespace of their schema version (graphtwin reads {known})",
            location=SourceLocation(str(path), root.sourceline),
            entity=local(root),
        )
    version = mapping.version(namespace)
    if version is None:
        raise UnknownNamespaceError(
            f"namespace {namespace} is not a B2MML or BatchML version graphtwin reads ({known})",
            location=SourceLocation(str(path), root.sourceline),
            entity=local(root),
        )
    document = Isa95Document(str(path), root, namespace, version)
    _refuse_non_data_messages(document)
    return document


def _refuse_entity_declarations(tree: etree._ElementTree, where: SourceLocation) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise MalformedFileError(
            "declares XML entities in a DTD; B2MML does not use them and they are refused",
            location=where,
        )


def _refuse_non_data_messages(document: Isa95Document) -> None:
    """A B2MML message names its verb in the first element of its DataArea (`<Sync/>`)."""
    data_area = document.child(document.root, "DataArea")
    if data_area is None:
        return
    verbs = [c for c in data_area if isinstance(c.tag, str)]
    if not verbs:
        return
    verb = local(verbs[0])
    if verb in _NO_DATA_VERBS:
        raise UnsupportedMessageError(
            f"a {verb} message is {_NO_DATA_VERBS[verb]}, not data to import",
            location=document.where(verbs[0]),
            entity=document.message,
        )
    if verb == "Sync" and (verbs[0].get("actionCode") or "").casefold() == "delete":
        raise UnsupportedMessageError(
            "a Sync message with actionCode Delete removes data, it does not describe it",
            location=document.where(verbs[0]),
            entity=document.message,
        )
