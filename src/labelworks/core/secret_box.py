"""Secrets at rest (model API keys): authenticated encryption with keys derived from the app's
secret key.

The ``cryptography`` package is not a dependency, so this uses the standard library only, with
constructions that are sound on a PRF: HKDF-SHA256 (RFC 5869) derives two independent keys from
the secret key; the plaintext is XORed with an HMAC-SHA256 counter-mode keystream under a random
128-bit nonce, and HMAC-SHA256 over version, nonce and ciphertext authenticates it
(encrypt-then-MAC, compared in constant time). Tokens are ``lw1:`` + base64url; the prefix lets a
later version (e.g. Fernet) sit beside it. Changing the secret key makes stored keys unreadable:
the API then says the key must be entered again, it never returns garbage.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from .errors import ValidationFailed

__all__ = ["SecretBox", "SecretUnreadable", "hkdf_sha256"]

_PREFIX = "lw1:"
_NONCE = 16
_TAG = 32


class SecretUnreadable(ValidationFailed):
    """A stored secret does not authenticate under this server's key (the key changed, or the row was edited)."""


def hkdf_sha256(key: bytes, info: bytes, length: int = 32, salt: bytes = b"") -> bytes:
    """RFC 5869 extract-then-expand."""
    prk = hmac.new(salt or b"\x00" * 32, key, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


class SecretBox:
    """``SecretBox(secret_key, "model-api-keys").seal("sk-…")`` → token; ``open(token)`` → the text."""

    def __init__(self, secret_key: str, purpose: str) -> None:
        material = secret_key.encode()
        self._enc = hkdf_sha256(material, b"labelworks/" + purpose.encode() + b"/enc")
        self._mac = hkdf_sha256(material, b"labelworks/" + purpose.encode() + b"/mac")

    def _keystream(self, nonce: bytes, length: int) -> bytes:
        blocks = [hmac.new(self._enc, nonce + i.to_bytes(8, "big"), hashlib.sha256).digest()
                  for i in range((length + 31) // 32)]
        return b"".join(blocks)[:length]

    def seal(self, plaintext: str) -> str:
        data = plaintext.encode()
        nonce = os.urandom(_NONCE)
        body = bytes(a ^ b for a, b in zip(data, self._keystream(nonce, len(data)), strict=True))
        tag = hmac.new(self._mac, _PREFIX.encode() + nonce + body, hashlib.sha256).digest()
        return _PREFIX + base64.urlsafe_b64encode(nonce + body + tag).decode()

    def open(self, token: str) -> str:
        if not token.startswith(_PREFIX):
            raise SecretUnreadable("the stored secret is in an unknown format; enter it again", field="api_key")
        try:
            raw = base64.urlsafe_b64decode(token[len(_PREFIX):].encode())
        except ValueError:
            raise SecretUnreadable("the stored secret is damaged; enter it again", field="api_key") from None
        if len(raw) < _NONCE + _TAG:
            raise SecretUnreadable("the stored secret is damaged; enter it again", field="api_key")
        nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
        expected = hmac.new(self._mac, _PREFIX.encode() + nonce + body, hashlib.sha256).digest()
        if not hmac.compare_digest(tag, expected):
            raise SecretUnreadable("the stored secret does not match this server's secret key (was it changed?); "
                                   "enter it again", field="api_key")
        return bytes(a ^ b for a, b in zip(body, self._keystream(nonce, len(body)), strict=True)).decode()
