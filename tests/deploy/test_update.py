"""Software updates: only signed packages install, and an unhealthy version is rolled back."""

import nacl.signing
import pytest

from deploy import update
from sync.network.signing import EnvelopeInvalid, SignatureInvalid, sign


@pytest.fixture
def wheel(tmp_path):
    path = tmp_path / "hembas-0.2.0-py3-none-any.whl"
    path.write_bytes(b"PK fake wheel bytes: installing is injected")
    return path


@pytest.fixture
def package(wheel, hub_signing_key):
    return update.make_package([wheel], version="0.2.0", signing_key=hub_signing_key)


@pytest.fixture
def slots(tmp_path):
    factory = tmp_path / "opt" / "factory"
    (factory / "bin").mkdir(parents=True)
    return update.Slots(tmp_path / "system", factory=factory)


class Recorder:
    """The box's side effects, recorded: installs are real files, restarts are counted."""

    def __init__(self, *, healthy):
        self.healthy_answer = healthy
        self.restarts = 0
        self.installed = []

    def install(self, slot, wheel_dir, requirement):
        (slot / "bin").mkdir(parents=True)
        (slot / "bin" / "hembas").write_text(requirement)
        self.installed.append(sorted(p.name for p in wheel_dir.iterdir()))

    def restart(self):
        self.restarts += 1

    def healthy(self):
        return self.healthy_answer


def apply(package, slots, recorder, hub_key):
    return update.apply_update(package, verify_key=hub_key, team="kalix-centrum", slots=slots,
                               install=recorder.install, restart=recorder.restart, healthy=recorder.healthy)


def test_healthy_update_becomes_current(package, slots, hub_key):
    recorder = Recorder(healthy=True)
    assert apply(package, slots, recorder, hub_key) == "0.2.0"
    assert slots.current() == slots.slots / "0.2.0"
    assert slots.previous() == slots.factory
    assert (slots.root / "current" / "bin" / "hembas").read_text() == "hembas==0.2.0"
    assert recorder.installed == [["hembas-0.2.0-py3-none-any.whl"]]
    assert recorder.restarts == 1
    assert sorted(p.name for p in slots.slots.iterdir()) == ["0.2.0"]     # no leftovers


def test_unhealthy_update_is_rolled_back(package, slots, hub_key):
    recorder = Recorder(healthy=False)
    with pytest.raises(update.UpdateFailed, match="den gamla versionen körs igen"):
        apply(package, slots, recorder, hub_key)
    assert slots.current() == slots.factory
    assert recorder.restarts == 2


def test_package_signed_by_another_key_is_refused(wheel, slots, hub_key):
    stranger = nacl.signing.SigningKey.generate()
    package = update.make_package([wheel], version="0.2.0", signing_key=stranger)
    with pytest.raises(SignatureInvalid):
        apply(package, slots, Recorder(healthy=True), hub_key)
    assert not (slots.root / "current").exists() and not slots.slots.exists()


def test_tampered_package_is_refused(package, slots, hub_key):
    with pytest.raises(SignatureInvalid):
        apply(package.replace(b"fake wheel", b"evil wheel"), slots, Recorder(healthy=True), hub_key)


def test_a_plan_bundle_cannot_pass_for_an_update(slots, hub_signing_key, hub_key):
    envelope = sign(b"{}", hub_signing_key, kind="plan", team="kalix-centrum")
    with pytest.raises(EnvelopeInvalid, match="fel sorts fil"):
        apply(envelope, slots, Recorder(healthy=True), hub_key)


def test_update_for_another_team_is_refused(wheel, slots, hub_signing_key, hub_key):
    package = update.make_package([wheel], version="0.2.0", signing_key=hub_signing_key, team="haparanda")
    with pytest.raises(update.UpdateRefused, match="team 'haparanda'"):
        apply(package, slots, Recorder(healthy=True), hub_key)


def test_running_version_is_not_installed_again(package, slots, hub_key):
    apply(package, slots, Recorder(healthy=True), hub_key)
    with pytest.raises(update.UpdateRefused, match="körs redan"):
        apply(package, slots, Recorder(healthy=True), hub_key)


def test_failed_install_leaves_the_running_version(package, slots, hub_key):
    def broken_install(slot, wheel_dir, requirement):
        slot.mkdir(parents=True)
        raise OSError("disk full")

    with pytest.raises(update.UpdateFailed, match="gick inte att installera"):
        update.apply_update(package, verify_key=hub_key, team="kalix-centrum", slots=slots,
                            install=broken_install, restart=lambda: None, healthy=lambda: True)
    assert slots.current() == slots.factory
    assert list(slots.slots.iterdir()) == []


def test_rollback_goes_back_to_the_previous_version(package, slots, hub_key):
    recorder = Recorder(healthy=True)
    apply(package, slots, recorder, hub_key)
    assert update.rollback(slots, restart=recorder.restart) == slots.factory
    assert slots.current() == slots.factory and slots.previous() == slots.slots / "0.2.0"


def test_rollback_without_a_previous_version_is_refused(slots):
    with pytest.raises(update.UpdateRefused):
        update.rollback(slots, restart=lambda: None)


def test_package_without_wheels_is_refused(hub_signing_key, hub_key):
    envelope = update.make_package([], version="0.2.0", signing_key=hub_signing_key)
    with pytest.raises(update.UpdateRefused, match="wheel"):
        update.read_package(envelope, hub_key, team="kalix-centrum")


def _tiny_wheel(folder):
    """A real (minimal) wheel, so the offline install runs pip for real."""
    import zipfile
    path = folder / "tinyapp-0.2.0-py3-none-any.whl"
    info = "tinyapp-0.2.0.dist-info"
    files = {"tinyapp/__init__.py": "VERSION = '0.2.0'\n",
             f"{info}/METADATA": "Metadata-Version: 2.1\nName: tinyapp\nVersion: 0.2.0\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in {**files, f"{info}/RECORD": record}.items():
            archive.writestr(name, text)
    return path


@pytest.mark.slow
def test_install_slot_builds_a_venv_offline(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _tiny_wheel(wheels)
    slot = tmp_path / "slots" / "0.2.0"
    update.install_slot(slot, wheels, "tinyapp==0.2.0")
    import subprocess
    result = subprocess.run([slot / "bin" / "python", "-c", "import tinyapp; print(tinyapp.VERSION)"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0.2.0"
