"""Credentials at rest: Fernet-encrypted with a key from settings, and scrubbed from anything shown."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from forewarn.core.errors import ForewarnError

REDACTED = "[redacted]"
MIN_REDACT = 4  # shorter values would scrub ordinary words out of command output
SENSITIVE = ("value", "passphrase")  # payload keys holding the secret itself (not kind, username, host key)


class SecretUnreadable(ForewarnError):
    """Stored ciphertext does not open with this key (the key changed or the row was tampered with)."""


def fernet_key(secret: str | bytes) -> bytes:
    """A Fernet key: the value itself when it is one, else derived from it with HKDF-SHA256."""
    raw = secret.encode() if isinstance(secret, str) else secret
    if not raw:
        raise ValueError("the remediation secret key is empty; set one in the settings")
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32 and len(raw) == 44:
            return raw
    except (binascii.Error, ValueError):
        pass
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"forewarn remediation secrets v1").derive(raw)
    return base64.urlsafe_b64encode(derived)


class SecretBox:
    """Seals and opens secret payloads (small JSON objects); the key never leaves this object."""

    def __init__(self, key: str | bytes) -> None:
        self._fernet = Fernet(fernet_key(key))

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    def seal(self, payload: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(payload, sort_keys=True).encode()).decode()

    def open(self, ciphertext: str) -> dict[str, Any]:
        try:
            return json.loads(self._fernet.decrypt(ciphertext.encode()))
        except InvalidToken:
            raise SecretUnreadable("a stored secret cannot be decrypted with the configured key") from None


def secret_strings(payload: dict[str, Any]) -> list[str]:
    """The sensitive strings of a payload, and each long line of multi-line ones (keys echoed in part)."""
    out: list[str] = []
    for key in SENSITIVE:
        value = payload.get(key)
        if not isinstance(value, str) or len(value) < MIN_REDACT:
            continue
        out.append(value)
        out.extend(line.strip() for line in value.splitlines() if len(line.strip()) >= 8)
    return out


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each secret replaced by a fixed mask, longest first."""
    for value in sorted({s for s in secrets if len(s) >= MIN_REDACT}, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text
