"""Signed envelopes: plan bundles, journal batches and software updates.

An envelope is a header line, a signature line and the payload, in that
order, so any language (or ``openssl pkeyutl -rawin``) can produce one::

    {"created_at":"2026-11-27T05:00:00+00:00","format":"hembas.envelope/1","key_id":"…","kind":"plan","team":"t1"}\\n
    <Ed25519 signature over header line + "\\n" + payload, base64>\\n
    <payload bytes>

The signature covers the header's exact bytes, so what was signed is what is
read back; the header names the payload's kind (a plan may never pass for a
software update) and the team.  The caller pins the public key: nothing in
the envelope is trusted before the signature checks out::

    envelope = sign(payload, signing_key, kind="plan", team="kalix-centrum")
    header, payload = verify(envelope, hub_public_key_b64, kind="plan")
"""

import base64
import binascii
import datetime as dt
import hashlib
import json

import nacl.exceptions
import nacl.signing

from ..errors import HembasError

FORMAT = "hembas.envelope/1"
MAX_HEADER_BYTES = 4096
HEADER_FIELDS = ("format", "kind", "team", "created_at", "key_id")


class EnvelopeInvalid(HembasError, ValueError):
    """The bytes are not a readable signed envelope."""


class SignatureInvalid(EnvelopeInvalid):
    """The signature does not verify with the pinned key (tampered or another key)."""


def key_id(verify_key):
    """A short, stable name for a public key: 16 hex digits of its SHA-256."""
    return hashlib.sha256(bytes(as_verify_key(verify_key))).hexdigest()[:16]


def as_signing_key(key):
    """A :class:`nacl.signing.SigningKey` from itself or its base64 seed."""
    if isinstance(key, nacl.signing.SigningKey):
        return key
    return nacl.signing.SigningKey(_b64_key(key, "signeringsnyckeln"))


def as_verify_key(key):
    """A :class:`nacl.signing.VerifyKey` from itself, a SigningKey, or base64."""
    if isinstance(key, nacl.signing.VerifyKey):
        return key
    if isinstance(key, nacl.signing.SigningKey):
        return key.verify_key
    return nacl.signing.VerifyKey(_b64_key(key, "den publika nyckeln"))


def encode_key(key):
    """Base64 text of a key's 32 raw bytes (how keys appear in config files)."""
    return base64.b64encode(bytes(key)).decode("ascii")


def sign(payload_bytes, signing_key, *, kind, team, created_at=None):
    """Wrap *payload_bytes* in an envelope signed with *signing_key*; returns bytes."""
    key = as_signing_key(signing_key)
    stamp = created_at or dt.datetime.now(dt.timezone.utc)
    header = {"format": FORMAT, "kind": kind, "team": team,
              "created_at": stamp.isoformat(timespec="seconds"), "key_id": key_id(key.verify_key)}
    header_line = json.dumps(header, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    signature = key.sign(header_line + b"\n" + payload_bytes).signature
    return header_line + b"\n" + base64.b64encode(signature) + b"\n" + payload_bytes


def read_header(envelope_bytes):
    """The header of an envelope, *unverified* (for routing and messages only)."""
    header_line, _, _ = _split(envelope_bytes)
    return parse_header(header_line)


def verify(envelope_bytes, verify_key_b64, *, kind):
    """Check the envelope against the pinned key; returns ``(header, payload)``.

    Raises :class:`SignatureInvalid` when the signature fails (or was made by
    another key) and :class:`EnvelopeInvalid` for anything unreadable or of
    another *kind*.
    """
    header_line, signature, payload = _split(envelope_bytes)
    key = as_verify_key(verify_key_b64)
    try:
        key.verify(header_line + b"\n" + payload, signature)
    except nacl.exceptions.BadSignatureError:
        claimed = parse_header(header_line).get("key_id")
        if claimed != key_id(key):
            raise SignatureInvalid(f"signerad med en annan nyckel ({claimed}) än den betrodda "
                                   f"({key_id(key)})") from None
        raise SignatureInvalid("signaturen stämmer inte: filen är ändrad eller skadad") from None
    header = parse_header(header_line)
    if header["kind"] != kind:
        raise EnvelopeInvalid(f"fel sorts fil: {header['kind']!r}, väntade {kind!r}")
    return header, payload


def _split(envelope_bytes):
    if not isinstance(envelope_bytes, (bytes, bytearray)):
        raise TypeError("envelope must be bytes")
    parts = bytes(envelope_bytes).split(b"\n", 2)
    if len(parts) != 3 or len(parts[0]) > MAX_HEADER_BYTES or not parts[0].startswith(b"{"):
        raise EnvelopeInvalid("ingen signerad Hembas-fil (rubrikraden saknas)")
    try:
        signature = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        signature = b""
    if len(signature) != 64:
        raise EnvelopeInvalid("ingen signerad Hembas-fil (signaturraden är trasig)")
    return parts[0], signature, parts[2]


def parse_header(header_line):
    """The header: one flat JSON object of strings (read before any signature is checked).

    A crafted 4 KB header of nested brackets makes :func:`json.loads` raise
    RecursionError, not ValueError; anyone can send one, so it must end as
    a clear refusal like any other unreadable header.
    """
    try:
        header = json.loads(header_line)
    except (ValueError, RecursionError):
        raise EnvelopeInvalid("rubrikraden är ingen giltig JSON") from None
    if (not isinstance(header, dict) or header.get("format") != FORMAT
            or not all(isinstance(value, str) for value in header.values())
            or not all(isinstance(header.get(f), str) for f in HEADER_FIELDS)):
        raise EnvelopeInvalid(f"okänt kuvertformat (väntade {FORMAT})")
    return header


def _b64_key(text, what):
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, AttributeError):
        raw = b""
    if len(raw) != 32:
        raise EnvelopeInvalid(f"{what} är inte 32 byte i base64")
    return raw
