"""Crafted bundles (review finding 10): refused early and cleanly, and one bad file never stops the good one."""

import base64
import datetime as dt
import sys

import pytest
from bench.measure import run_measuring_rss
from hembas_testing import NOW
from syncnet.helpers import TEAM, newer_plan

from sync.network.bundle import MAX_BUNDLE_BYTES, make_bundle
from sync.network.signing import EnvelopeInvalid, read_header, verify
from sync.network.usb import import_from_stick

SIGNATURE_LINE = base64.b64encode(b"\x00" * 64)


def nested_header_bundle(depth=4000):
    """About 4 KB: a header line that is almost all "[", no key needed to make it."""
    header = b'{"format":"hembas.envelope/1","kind":"plan","team":"' + TEAM.encode() + b'","x":' + b"[" * depth
    return header + b"\n" + SIGNATURE_LINE + b"\n" + b"{}"


def flat_header(created_at, **extra):
    fields = {"format": "hembas.envelope/1", "kind": "plan", "team": TEAM, "created_at": created_at,
              "key_id": "0123456789abcdef", **extra}
    import json
    return json.dumps(fields).encode()


@pytest.mark.parametrize("envelope", [nested_header_bundle(), nested_header_bundle(200),
                                      b'{"format":"hembas.envelope/1","x":{"y":"z"}}\n' + SIGNATURE_LINE + b"\n{}"])
def test_a_crafted_header_is_an_invalid_envelope(envelope, hub_store):
    with pytest.raises(EnvelopeInvalid):
        read_header(envelope)
    with pytest.raises(EnvelopeInvalid):
        verify(envelope, hub_store.public_keys()["public_key"], kind="plan")


def good_bundle(hub_store):
    return make_bundle(newer_plan(note="den riktiga"), hub_store.signing_key(), created_at=NOW + dt.timedelta(hours=1))


def test_a_crafted_file_on_the_stick_does_not_stop_the_good_one(net_box, hub_store, stick):
    (stick / "a-crafted.bundle").write_bytes(nested_header_bundle())
    (stick / "b-forged.bundle").write_bytes(flat_header("2099-01-01T00:00:00+00:00") + b"\n" + SIGNATURE_LINE
                                            + b"\n" + b"[" * 100_000)  # claims to be the newest
    (stick / "c-good.bundle").write_bytes(good_bundle(hub_store))
    plan = import_from_stick(net_box, stick)
    assert plan.visits[0].note == "den riktiga"
    entry = net_box.audit.entries(action="usb.import")[0]
    assert entry["detail"]["file"] == "c-good.bundle"
    assert [s["file"] for s in entry["detail"]["skipped"]] == ["b-forged.bundle"]


def test_a_huge_file_is_refused_by_its_size_before_it_is_read(net_box, hub_store, stick, net_config):
    """300 MB claiming to be the newest plan: was read whole (1.27 GB RSS); now skipped unread."""
    huge = stick / "a-huge.bundle"
    with open(huge, "wb") as f:
        f.write(flat_header("2099-01-01T00:00:00+00:00") + b"\n" + SIGNATURE_LINE + b"\n")
        f.truncate(300 * 1024 * 1024)  # sparse: no disk used
    (stick / "c-good.bundle").write_bytes(good_bundle(hub_store))
    env = {"HEMBAS_HUB_PUBLIC_KEY": net_config["hub"]["public_key"], "HEMBAS_TEAM_ID": TEAM, "PATH": "/usr/bin:/bin"}
    done, peak_mb = run_measuring_rss([sys.executable, "-m", "sync.cli", "--data", net_config.data_dir, "usb",
                                       "import", stick], env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "inläst från stickan" in done.stdout
    assert peak_mb < 150  # `hembas usb import` never held the 300 MB file
    skipped = net_box.audit.entries(action="usb.import")[0]["detail"]["skipped"]
    assert skipped == [{"file": "a-huge.bundle", "reason": f"filen är för stor för en plan ({300 * 1024 * 1024} "
                                                            f"byte, högst {MAX_BUNDLE_BYTES})"}]


def test_a_stick_with_only_bad_files_says_why_for_each(net_box, stick):
    (stick / "a.bundle").write_bytes(flat_header("2099-01-01T00:00:00+00:00") + b"\n" + SIGNATURE_LINE + b"\n{}")
    (stick / "b.bundle").write_bytes(flat_header("2098-01-01T00:00:00+00:00") + b"\n" + SIGNATURE_LINE + b"\n{}")
    version = net_box.plan().version
    with pytest.raises(Exception, match="a.bundle: .*; b.bundle: "):
        import_from_stick(net_box, stick)
    assert net_box.plan().version == version
    assert len(net_box.audit.entries(action="usb.import")[0]["detail"]["refused"]) == 2
