"""Keys at rest: HKDF matches RFC 5869, a sealed key opens only under the same secret key, and a
changed byte or another server's key is refused, never decrypted into garbage."""

from __future__ import annotations

import base64

import pytest

from labelworks.core.secret_box import SecretBox, SecretUnreadable, hkdf_sha256


def test_hkdf_matches_rfc5869_case_1() -> None:
    okm = hkdf_sha256(bytes.fromhex("0b" * 22), bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"), 42,
                      bytes.fromhex("000102030405060708090a0b0c"))
    assert okm.hex() == ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                         "34007208d5b887185865")


def test_seal_and_open() -> None:
    box = SecretBox("a-long-random-secret-key", "model-api-keys")
    key = "sk-" + "é" * 40 + "x" * 100  # longer than one keystream block, not ASCII
    sealed = box.seal(key)
    assert sealed.startswith("lw1:") and key not in sealed
    assert box.open(sealed) == key
    assert box.seal(key) != sealed  # a fresh nonce every time


def test_tampering_or_another_key_is_refused() -> None:
    sealed = SecretBox("a-long-random-secret-key", "model-api-keys").seal("sk-abc")
    with pytest.raises(SecretUnreadable, match="secret key"):
        SecretBox("another-long-secret-key", "model-api-keys").open(sealed)
    with pytest.raises(SecretUnreadable):
        SecretBox("a-long-random-secret-key", "webhooks").open(sealed)  # another purpose, another key
    raw = bytearray(base64.urlsafe_b64decode(sealed[4:]))
    raw[20] ^= 1
    with pytest.raises(SecretUnreadable):
        SecretBox("a-long-random-secret-key", "model-api-keys").open("lw1:" + base64.urlsafe_b64encode(raw).decode())
    with pytest.raises(SecretUnreadable, match="unknown format"):
        SecretBox("a-long-random-secret-key", "model-api-keys").open("sk-abc")
