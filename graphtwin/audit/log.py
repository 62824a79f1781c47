"""The audit log: an append-only, hash-chained record of what the twin's sync did and why.

One JSON object per line:

    {"seq": 1, "at": "2025-03-14T09:30:00.123456Z", "kind": "drift_opened", "actor": "sync",
     "payload": {...}, "prev": "000...0", "hash": "9f2c...", "mac": "51ab..."}

`hash` is the SHA-256 of the record without `hash` and `mac`, as canonical JSON (sorted keys, no
spaces, UTF-8), and `prev` is the previous record's hash ("0" * 64 for the first). Editing,
deleting or reordering any line breaks the chain at that line, which `verify_audit_log` finds.

The chain alone proves nothing to someone who can rewrite the file: they can recompute every
hash after an edit. So a writer that holds the log's MAC key (graphtwin.audit.keys) adds `mac`,
an HMAC-SHA256 of the same canonical JSON under that key: without the key no record can be
changed or added. Once a record has a MAC, every later one must have one (an append without
the key is a forgery). Records written before the log had a key verify by the chain only, and
`verify_audit_log` says how many.

Truncating the end of the file breaks neither: a signed checkpoint of the head
(graphtwin.audit.checkpoint), kept elsewhere, proves the log still reaches that record.

Several processes (the sync process, the API) append to the same file: each append holds an
exclusive `flock` while it reads the last record and writes the next one.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import math
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from graphtwin.audit.keys import AuditKey, AuditKeySource
from graphtwin.errors import GraphTwinError

GENESIS = "0" * 64
FIELDS = ("seq", "at", "kind", "actor", "payload", "prev", "hash")
KEYED_FIELDS = (*FIELDS, "mac")
_TAIL_BLOCK = 8192
_HEX_DIGITS = frozenset("0123456789abcdef")


class AuditLogError(GraphTwinError):
    """The audit log cannot be read or appended to (missing, unreadable, or its last record is
    not a record). The message names the path."""

    def __init__(self, message: str, path: Path, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


@dataclass(frozen=True, slots=True)
class AuditRecord:
    seq: int
    at: str  # ISO 8601 UTC ending in Z, as stored (and hashed)
    kind: str
    actor: str
    payload: dict[str, Any]
    prev: str
    hash: str
    mac: str | None = None  # HMAC-SHA256 under the log's key; None in records written without

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.at)


@dataclass(frozen=True, slots=True)
class Anchor:
    """A record the log must still hold, as a checkpoint saw it."""

    seq: int
    hash: str
    mac: str | None = None


@dataclass(frozen=True, slots=True)
class AuditVerification:
    ok: bool
    records: int  # records that verified before the first bad line (all of them when ok)
    head_hash: str | None  # hash of the last good record
    first_bad_line: int | None = None  # 1-based
    reason: str | None = None
    key_id: str | None = None  # the MAC key the records were checked with; None: no key
    macs: int = 0  # good records that carry a MAC (checked when key_id is set)
    unkeyed: int = 0  # good records without a MAC (written before the log had a key)
    head_mac: str | None = None  # MAC of the last good record
    anchored: Anchor | None = None  # the checkpoint's record, found unchanged in the log

    @property
    def guarantees(self) -> tuple[str, ...]:
        """What this verification proved of the records it read: `hash_chain` (no line
        edited, moved or deleted, unless the whole chain after it was recomputed),
        `keyed_mac` (every record written by a holder of the key), `checkpoint` (the log
        still holds the checkpoint's record unchanged: not rewritten or cut before it)."""
        proved = ["hash_chain"] if self.ok else []
        if self.ok and self.key_id is not None and self.records and self.unkeyed == 0:
            proved.append("keyed_mac")
        if self.ok and self.anchored is not None:
            proved.append("checkpoint")
        return tuple(proved)


def _canonical(record: Mapping[str, Any]) -> bytes:
    """The bytes a record's hash and MAC cover: its canonical JSON without `hash` and `mac`."""
    body = {k: v for k, v in record.items() if k not in ("hash", "mac")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def record_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a record's canonical JSON, leaving out its `hash` and `mac` fields."""
    return hashlib.sha256(_canonical(record)).hexdigest()


def record_mac(record: Mapping[str, Any], key: AuditKey) -> str:
    """HMAC-SHA256 (hex) of a record's canonical JSON under the log's key."""
    return key.mac(_canonical(record))


def utc_stamp(moment: datetime | None = None) -> str:
    """ISO 8601 in UTC with a Z, to the microsecond (naive datetimes are taken as UTC)."""
    moment = moment or datetime.now(UTC)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


class AuditLog:
    """Appends records to one audit log file; safe across threads and processes.

    With a `key` (the key itself, or where to find it: created there on the first append)
    every record carries a MAC. Without one, an append to a log whose last record has a MAC is
    refused: it would read as a forgery."""

    def __init__(
        self, path: Path, fsync: bool = True, key: AuditKey | AuditKeySource | None = None
    ) -> None:
        self.path = path
        self.fsync = fsync
        self._key_source = key
        self._key: AuditKey | None = None
        self._fd: int | None = None
        self._lock = threading.Lock()

    def append(self, kind: str, payload: dict[str, Any], actor: str = "graphtwin") -> AuditRecord:
        """Write the next record of the chain. The payload must be JSON: datetimes become ISO
        text; anything else that is not JSON is a TypeError naming its key."""
        body = {"kind": kind, "actor": actor, "payload": _plain(payload, "payload")}
        with self._lock:
            key = self._loaded_key()
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                seq, prev = self._tail(fd, key)
                record: dict[str, Any] = {"seq": seq + 1, "at": utc_stamp(), **body, "prev": prev}
                record["hash"] = record_hash(record)
                if key is not None:
                    record["mac"] = record_mac(record, key)
                _write_all(fd, _line(record))
                if self.fsync:
                    os.fsync(fd)
            except OSError as exc:
                raise AuditLogError(f"cannot append to the audit log: {exc}", self.path) from exc
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        return AuditRecord(**record)

    def check(self) -> None:
        """Open the log and read its last record as an append would, without writing: an
        AuditLogError now, when a record could not be appended, lets a caller refuse a change
        it could not record before making it."""
        with self._lock:
            key = self._loaded_key()
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_SH)
            try:
                self._tail(fd, key)
            except OSError as exc:
                raise AuditLogError(f"cannot read the audit log: {exc}", self.path) from exc
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _loaded_key(self) -> AuditKey | None:
        """The MAC key, read (or created) on first use: AuditKeyError when it cannot be."""
        if self._key is None and self._key_source is not None:
            source = self._key_source
            self._key = source if isinstance(source, AuditKey) else source.load(create=True)
        return self._key

    def _open(self) -> int:
        if self._fd is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
            except OSError as exc:
                raise AuditLogError(f"cannot open the audit log: {exc}", self.path) from exc
        return self._fd

    def _tail(self, fd: int, key: AuditKey | None) -> tuple[int, str]:
        """The last record's seq and hash, read backwards from the end of the file."""
        end = os.fstat(fd).st_size
        if end == 0:
            return 0, GENESIS
        last = _last_line(fd, end)
        if last is None:
            raise AuditLogError(
                "the last line is cut short (no newline); run `graphtwin audit verify`", self.path
            )
        try:
            record = json.loads(last)
            seq, digest = record["seq"], record["hash"]
        except (ValueError, TypeError, KeyError) as exc:
            raise AuditLogError(
                f"the last line is not an audit record ({exc}); run `graphtwin audit verify`",
                self.path,
            ) from exc
        if not isinstance(seq, int) or not isinstance(digest, str):
            raise AuditLogError("the last record has no valid seq and hash", self.path)
        if key is None and "mac" in record:
            raise AuditLogError(
                "the log's records carry a MAC and this writer has no audit key (set "
                "GRAPHTWIN_AUDIT_KEY or GRAPHTWIN_AUDIT_KEY_FILE as its other writers do): "
                "a record without a MAC would read as a forgery",
                self.path,
            )
        return seq, digest


def _last_line(fd: int, end: int) -> bytes | None:
    """The last newline-terminated line of a file (without its newline), reading blocks from
    the end; None when the file does not end with a newline."""
    tail = b""
    position = end
    while position > 0:
        size = min(_TAIL_BLOCK, position)
        position -= size
        tail = os.pread(fd, size, position) + tail
        if not tail.endswith(b"\n"):
            return None
        start = tail.rfind(b"\n", 0, len(tail) - 1)
        if start >= 0:
            return tail[start + 1 : -1]
    return tail[:-1]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _line(record: Mapping[str, Any]) -> bytes:
    text = json.dumps(record, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _plain(value: Any, key: str) -> Any:
    """A copy of a payload in plain JSON types; `key` is where it sits, for the error."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{key} is {value}, which JSON cannot hold")
        return value
    if isinstance(value, datetime):
        return utc_stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        plain = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{key} has a key {k!r} that is not a string")
            plain[k] = _plain(v, f"{key}.{k}")
        return plain
    if isinstance(value, list | tuple):
        return [_plain(v, f"{key}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{key} is a {type(value).__name__}, which is not JSON serialisable")


# --- reading and verifying --------------------------------------------------------------------


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line with its newline) of a file, with typed errors."""
    try:
        with path.open("rb") as stream:
            yield from enumerate(stream, start=1)
    except FileNotFoundError as exc:
        raise AuditLogError("no such audit log", path) from exc
    except OSError as exc:
        raise AuditLogError(f"cannot read the audit log: {exc}", path) from exc


def _check(raw: bytes, expected_seq: int, prev: str) -> tuple[dict[str, Any] | None, str | None]:
    """A line as a record, or why it does not continue the chain (MACs aside)."""
    if not raw.endswith(b"\n"):
        return None, "the last line is cut short (no newline)"
    try:
        record = json.loads(raw)
    except ValueError as exc:
        return None, f"not a JSON record ({exc})"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    if set(record) not in (set(FIELDS), set(KEYED_FIELDS)):
        missing = sorted(set(FIELDS) - set(record))
        extra = sorted(set(record) - set(KEYED_FIELDS))
        return None, "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unexpected {', '.join(extra)}" if extra else "",
            )
            if part
        )
    seq = record["seq"]
    if type(seq) is not int or seq != expected_seq:
        return None, f"seq is {seq!r}, expected {expected_seq} (a line is missing or moved)"
    if record["prev"] != prev:
        return None, "prev is not the hash of the record before (a line is missing or moved)"
    if record["hash"] != record_hash(record):
        return None, "hash does not match the record (the line was edited)"
    return record, None


def _check_mac(
    record: Mapping[str, Any], key: AuditKey | None, keyed_before: bool, require_mac: bool
) -> str | None:
    """Why a record's MAC (or its lack of one) is wrong, if it is."""
    if "mac" not in record:
        if keyed_before:
            return (
                "no mac after records that have one: appended without the audit key "
                "(forged, or a writer without GRAPHTWIN_AUDIT_KEY/GRAPHTWIN_AUDIT_KEY_FILE)"
            )
        if require_mac:
            return "no mac (written without the audit key), and a MAC was required"
        return None
    mac = record["mac"]
    if not isinstance(mac, str) or len(mac) != 64 or not set(mac) <= _HEX_DIGITS:
        return "mac is not 64 hex digits"
    if key is not None and not hmac.compare_digest(mac, record_mac(record, key)):
        return (
            "mac does not match the record under the audit key: the record was changed "
            "after it was written (its hashes recomputed), or written with another key"
        )
    return None


def verify_audit_log(
    path: Path,
    key: AuditKey | None = None,
    *,
    anchor: Anchor | None = None,
    require_mac: bool = False,
) -> AuditVerification:
    """Check every line: it parses, seq counts up from 1, prev links to the line before and the
    hash matches the content; with `key`, each record's MAC too (a record without one is
    accepted only before the first that has one, unless `require_mac`); with `anchor`, that
    the log still holds that record unchanged. Stops at the first broken line."""
    prev, records, macs, unkeyed = GENESIS, 0, 0, 0
    head_mac: str | None = None
    anchored: Anchor | None = None
    key_id = key.key_id if key is not None else None

    def broken(line: int, problem: str) -> AuditVerification:
        head = prev if records else None
        return AuditVerification(
            False, records, head, line, problem, key_id, macs, unkeyed, head_mac, anchored
        )

    for number, raw in _lines(path):
        record, problem = _check(raw, records + 1, prev)
        if record is None:
            return broken(number, problem or "not a record")
        problem = _check_mac(record, key, macs > 0, require_mac)
        if problem is not None:
            return broken(number, problem)
        if anchor is not None and record["seq"] == anchor.seq:
            if record["hash"] != anchor.hash or (
                anchor.mac is not None and record.get("mac") != anchor.mac
            ):
                return broken(
                    number,
                    f"record {anchor.seq} is not the one the checkpoint saw: the log was "
                    "rewritten from there or before",
                )
            anchored = anchor
        prev, records = record["hash"], records + 1
        head_mac = record.get("mac")
        if head_mac is None:
            unkeyed += 1
        else:
            macs += 1
    if anchor is not None and anchored is None:
        return broken(
            records + 1,
            f"the log ends at record {records} and the checkpoint saw record {anchor.seq}: "
            "records were cut off (or the log replaced)",
        )
    return AuditVerification(
        True,
        records,
        prev if records else None,
        None,
        None,
        key_id,
        macs,
        unkeyed,
        head_mac,
        anchored,
    )


def read_audit_log(
    path: Path,
    kinds: Iterable[str] | None = None,
    tail: int | None = None,
    *,
    before: int | None = None,
    actor: str | None = None,
) -> list[AuditRecord]:
    """The records of a log, oldest first: only those of `kinds`, of `actor` and before record
    `before` (seq) when given, and only the last `tail` of those (a page, newest last). Does
    not verify the chain (see verify_audit_log)."""
    wanted = set(kinds) if kinds is not None else None
    found: deque[AuditRecord] = deque(maxlen=tail if tail is not None and tail >= 0 else None)
    for number, raw in _lines(path):
        if not raw.strip():
            continue
        try:
            record = AuditRecord(**json.loads(raw))
        except (ValueError, TypeError) as exc:
            raise AuditLogError(f"not an audit record ({exc})", path, number) from exc
        if before is not None and record.seq >= before:
            continue
        if (wanted is None or record.kind in wanted) and (actor is None or record.actor == actor):
            found.append(record)
    return list(found)
