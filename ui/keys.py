"""API keys for `newsdesk serve`: kept hashed in DATA_DIR/api_keys.json, added, listed and revoked by name or id.

Only the SHA-256 of each key is stored; the key itself is shown once, when it is added. Once any key exists
(revoked ones included) every /v1 request needs `Authorization: Bearer <key>`: a missing or unknown key is
401, a revoked one 403.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

KEYS_FILE = "api_keys.json"
KEY_PREFIX = "nd-"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


class KeyProblem(ValueError):
    """A key command that cannot be done; the message names the key and the fix."""


@dataclass
class KeyRecord:
    id: str
    name: str
    sha256: str
    created: str
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    def public(self) -> dict[str, str | None]:
        """What `keys list` shows: never the hash."""
        return {"id": self.id, "name": self.name, "created": self.created, "revoked": self.revoked}


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class KeyStore:
    """The keys of one data directory; re-read when the file changes, so `keys revoke` takes effect in a
    running server at once."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / KEYS_FILE
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._records: list[KeyRecord] = []

    # reading -------------------------------------------------------------------------------
    def records(self) -> list[KeyRecord]:
        with self._lock:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                self._stamp, self._records = None, []
                return []
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                self._records = self._read()
                self._stamp = stamp
            return list(self._records)

    def _read(self) -> list[KeyRecord]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [KeyRecord(**item) for item in data["keys"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KeyProblem(f"{self.path} is not a valid key file ({exc}); fix it or delete it and add keys again "
                            "with `newsdesk keys add NAME`") from None

    @property
    def enforced(self) -> bool:
        """True once any key was ever added: the API then needs a key."""
        return bool(self.records())

    def check(self, key: str | None) -> str:
        """"ok", "missing", "unknown" or "revoked" for the key a request presented."""
        if not key:
            return "missing"
        digest = _digest(key)
        for record in self.records():
            if hmac.compare_digest(record.sha256, digest):
                return "ok" if record.active else "revoked"
        return "unknown"

    # changing ------------------------------------------------------------------------------
    def add(self, name: str) -> tuple[KeyRecord, str]:
        """A new key called `name`; returns its record and the key (shown once, never stored)."""
        if not NAME.match(name or ""):
            raise KeyProblem(f"key name {name!r} is not usable; use letters, digits and _ . @ - (up to 64), "
                            "e.g. `newsdesk keys add reporting-script`")
        records = self.records()
        if any(r.name == name and r.active for r in records):
            raise KeyProblem(f"an active key is already called {name!r}; choose another name or revoke it first")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        record = KeyRecord(id=secrets.token_hex(4), name=name, sha256=_digest(key), created=_now())
        self._write(records + [record])
        return record, key

    def revoke(self, target: str) -> KeyRecord:
        """Revoke the active key whose id or name is `target`."""
        records = self.records()
        matches = [r for r in records if r.active and target in (r.id, r.name)]
        if not matches:
            known = ", ".join(f"{r.name} ({r.id})" for r in records if r.active) or "none"
            raise KeyProblem(f"no active key has the id or name {target!r}; active keys: {known}")
        if len(matches) > 1:
            raise KeyProblem(f"{target!r} names several keys; revoke by id: {', '.join(r.id for r in matches)}")
        matches[0].revoked = _now()
        self._write(records)
        return matches[0]

    def _write(self, records: list[KeyRecord]) -> None:
        """Atomic and private: a temp file (mode 600) renamed over the old one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{KEYS_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"keys": [asdict(r) for r in records]}, out, indent=1)
        os.replace(tmp, self.path)
        with self._lock:
            self._stamp = None
