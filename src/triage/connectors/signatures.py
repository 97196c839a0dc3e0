"""Webhook authenticity: Meta's and X's HMAC-SHA256 signatures, Meta's handshake and X's CRC."""

from __future__ import annotations

import base64
import hashlib
import hmac


class HandshakeRefused(ValueError):
    """A subscription handshake that does not come from the app's own settings."""


def _hmac(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


def meta_signature(body: bytes, app_secret: str) -> str:
    return "sha256=" + _hmac(app_secret, body).hex()


def meta_signature_ok(body: bytes, header: str | None, app_secret: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex>` over the raw body; no secret configured refuses all."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = meta_signature(body, app_secret)
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())


def x_signature(body: bytes, consumer_secret: str) -> str:
    return "sha256=" + base64.b64encode(_hmac(consumer_secret, body)).decode()


def x_signature_ok(body: bytes, header: str | None, consumer_secret: str) -> bool:
    """`x-twitter-webhooks-signature: sha256=<base64>` over the raw body."""
    if not consumer_secret or not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(x_signature(body, consumer_secret).encode(), header.strip().encode())


def meta_handshake(mode: str | None, token: str | None, challenge: str | None, verify_token: str) -> str:
    """The challenge to echo when Meta subscribes the app with our verify token."""
    if not verify_token:
        raise HandshakeRefused("TRIAGE_META_VERIFY_TOKEN is not set: no subscription can be verified")
    if mode != "subscribe" or token is None or not hmac.compare_digest(token.encode(), verify_token.encode()):
        raise HandshakeRefused("hub.mode must be subscribe and hub.verify_token must match")
    if not challenge:
        raise HandshakeRefused("hub.challenge is missing")
    return challenge


def x_crc_response(crc_token: str | None, consumer_secret: str) -> dict[str, str]:
    """X's challenge-response check: the CRC token signed with the app's consumer secret."""
    if not consumer_secret:
        raise HandshakeRefused("TRIAGE_X_CONSUMER_SECRET is not set: the CRC cannot be answered")
    if not crc_token:
        raise HandshakeRefused("crc_token is missing")
    return {"response_token": x_signature(crc_token.encode(), consumer_secret)}
