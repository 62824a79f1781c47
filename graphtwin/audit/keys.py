"""The audit log's keys, kept out of the log's reach.

- The MAC key: a secret every writer of the log holds. Each record carries an HMAC-SHA256 of
  its content under this key (`mac`), so whoever can write the log file but not read the key
  cannot edit a record, recompute the chain after it or append one without `audit verify`
  finding it. It comes from `GRAPHTWIN_AUDIT_KEY` (at least 32 characters) or from a file
  (`GRAPHTWIN_AUDIT_KEY_FILE`, by default DATA_DIR/keys/audit.key), which the first writer
  creates with mode 0600.
- The signing key: an ed25519 private key (PEM, PKCS 8) that signs the checkpoints of the log
  (`graphtwin audit checkpoint`). Its public half checks them wherever a copy is kept.
  `GRAPHTWIN_AUDIT_SIGNING_KEY_FILE`, by default DATA_DIR/keys/audit-signing.pem, created
  with mode 0600 by the first checkpoint.

A key file that others than its owner may read or write is refused: a key everyone can read
proves nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from graphtwin.config import Settings
from graphtwin.errors import AuditKeyError

MIN_SECRET_CHARS = 32
"""The shortest MAC secret accepted (the generated ones are 64 hex characters)."""

ENV_KEY = "GRAPHTWIN_AUDIT_KEY"


@dataclass(frozen=True, slots=True)
class AuditKey:
    """The MAC key of an audit log (never printed: its repr shows only its id)."""

    secret: bytes = field(repr=False)
    origin: str  # the environment variable or the file it came from

    @property
    def key_id(self) -> str:
        """A short fingerprint that names the key without revealing it."""
        return hashlib.sha256(b"graphtwin audit key\x00" + self.secret).hexdigest()[:16]

    def mac(self, data: bytes) -> str:
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditKeySource:
    """Where the MAC key comes from; reads nothing until asked to (`load`)."""

    file: Path
    env_secret: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, settings: Settings) -> AuditKeySource:
        secret = settings.audit_key.get_secret_value() if settings.audit_key else None
        return cls(settings.audit_key_path, secret or None)

    def load(self, *, create: bool) -> AuditKey | None:
        """The key; None when there is none yet and `create` is false (a writer creates it,
        a verifier only reads it)."""
        if self.env_secret is not None:
            text = self.env_secret.strip()
            if len(text) < MIN_SECRET_CHARS:
                raise AuditKeyError(
                    f"{ENV_KEY} is too short: at least {MIN_SECRET_CHARS} characters "
                    "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)",
                    ENV_KEY,
                )
            return AuditKey(text.encode("utf-8"), ENV_KEY)
        if not self.file.exists():
            if not create:
                return None
            _create_private_file(self.file, (secrets.token_hex(32) + "\n").encode("ascii"))
        text = _read_private_file(self.file).decode("utf-8", errors="replace").strip()
        if len(text) < MIN_SECRET_CHARS:
            raise AuditKeyError(
                f"the audit key is too short: at least {MIN_SECRET_CHARS} characters", self.file
            )
        return AuditKey(text.encode("utf-8"), str(self.file))


def signing_key(settings: Settings, *, create: bool) -> Ed25519PrivateKey | None:
    """The checkpoint signing key; None when there is none and `create` is false."""
    path = settings.audit_signing_key_path
    if not path.exists():
        if not create:
            return None
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _create_private_file(path, pem)
    data = _read_private_file(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise AuditKeyError(f"not an unencrypted PEM private key ({exc})", path) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyError("not an ed25519 private key", path)
    return key


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_key_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def read_public_key(path: Path) -> Ed25519PublicKey:
    """An ed25519 public key from a PEM file (`graphtwin audit public-key`) or its 64 hex
    digits."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuditKeyError(f"cannot read the public key: {exc.strerror or exc}", path) from exc
    text = data.strip()
    try:
        if len(text) == 64 and all(c in b"0123456789abcdefABCDEF" for c in text):
            return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text.decode("ascii")))
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise AuditKeyError(f"not an ed25519 public key ({exc})", path) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise AuditKeyError("not an ed25519 public key", path)
    return key


def _create_private_file(path: Path, content: bytes) -> None:
    """Write a new file readable by its owner only, atomically: a writer racing another sees
    either no file or the whole of one, and the first one created wins."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = _private_temporary(path)
        try:
            try:
                view = memoryview(content)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            with contextlib.suppress(FileExistsError):  # another writer was first: keep theirs
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        raise AuditKeyError(f"cannot create the key file: {exc.strerror or exc}", path) from exc


def _private_temporary(path: Path) -> tuple[int, Path]:
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _read_private_file(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise AuditKeyError(f"cannot read the key file: {exc.strerror or exc}", path) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise AuditKeyError("the key file is not a regular file", path)
        if info.st_mode & 0o077:
            raise AuditKeyError(
                f"the key file is open to others (mode {stat.S_IMODE(info.st_mode):04o}): "
                f"only its owner may read it (chmod 600 {path})",
                path,
            )
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read(64 * 1024)
    finally:
        os.close(fd)
