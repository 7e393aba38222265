import datetime as dt

import nacl.signing
import pytest

from sync.network.signing import (EnvelopeInvalid, SignatureInvalid, encode_key, key_id, read_header, sign,
                          verify)

KEY = nacl.signing.SigningKey(b"\x01" * 32)
OTHER = nacl.signing.SigningKey(b"\x02" * 32)
PUBLIC = encode_key(KEY.verify_key)
PAYLOAD = "{\"plan\": \"åäö\"}\n\nmore lines".encode()


def test_round_trip_returns_header_and_exact_payload():
    stamp = dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.timezone.utc)
    envelope = sign(PAYLOAD, KEY, kind="plan", team="kalix-centrum", created_at=stamp)
    header, payload = verify(envelope, PUBLIC, kind="plan")
    assert payload == PAYLOAD
    assert header == {"format": "hembas.envelope/1", "kind": "plan", "team": "kalix-centrum",
                      "created_at": "2026-11-27T05:00:00+00:00", "key_id": key_id(KEY.verify_key)}


def test_signing_key_may_be_given_as_base64_seed():
    envelope = sign(b"x", encode_key(KEY), kind="update", team="")
    assert verify(envelope, PUBLIC, kind="update")[1] == b"x"


def test_changed_payload_is_refused():
    envelope = bytearray(sign(PAYLOAD, KEY, kind="plan", team="t"))
    envelope[-1] ^= 1
    with pytest.raises(SignatureInvalid, match="ändrad"):
        verify(bytes(envelope), PUBLIC, kind="plan")


def test_changed_header_is_refused():
    envelope = sign(PAYLOAD, KEY, kind="plan", team="t1")
    with pytest.raises(SignatureInvalid):
        verify(envelope.replace(b'"team":"t1"', b'"team":"t2"', 1), PUBLIC, kind="plan")


def test_envelope_from_another_key_names_both_keys():
    envelope = sign(PAYLOAD, OTHER, kind="plan", team="t")
    with pytest.raises(SignatureInvalid, match=key_id(OTHER.verify_key)):
        verify(envelope, PUBLIC, kind="plan")


def test_plan_cannot_pass_for_a_software_update():
    envelope = sign(PAYLOAD, KEY, kind="plan", team="t")
    with pytest.raises(EnvelopeInvalid, match="fel sorts fil"):
        verify(envelope, PUBLIC, kind="update")


@pytest.mark.parametrize("garbage", [b"", b"<html>502 Bad Gateway</html>", b"{}\nAAAA\npayload",
                                     b"\x00" * 100, sign(PAYLOAD, KEY, kind="plan", team="t")[:50]])
def test_garbage_and_truncated_envelopes_are_refused(garbage):
    with pytest.raises(EnvelopeInvalid):
        verify(garbage, PUBLIC, kind="plan")


def test_read_header_does_not_need_the_key():
    assert read_header(sign(b"", KEY, kind="journal", team="t")).get("kind") == "journal"


def test_malformed_pinned_key_is_refused_in_swedish():
    with pytest.raises(EnvelopeInvalid, match="32 byte"):
        verify(sign(b"", KEY, kind="plan", team="t"), "inte-en-nyckel", kind="plan")
