#!/bin/bash
# Build the Hembas Raspberry Pi image (arm64: Pi 3 and 4) from Debian's own packages,
# with Hembas in its own venv from the wheel built in this run and the locked
# dependencies (requirements.lock).
#
#   deploy/image/build-image.sh            -> deploy/out/hembas.img
#
# Stages (each result in deploy/out/):
#   1. wheels/       the project's wheel + the locked arm64 dependencies (downloaded here,
#                    hashes checked: pip inside the emulated chroot cannot reach the index)
#   2. base-KEY.tar  the Debian root file system (mmdebstrap, ~17 min under qemu); reused
#                    while base-packages.txt, the sources and this script's base part stay
#   3. rootfs/       base + deploy/rootfs overlay + Hembas venv + users + units + initramfs
#   4. hembas.img    boot (FAT) with slot a's kernel, root a (ext4), root b (empty),
#                    data (a placeholder: grown and encrypted on first boot)
#      system/       the parts of a whole-system update: root.ext4 and boot/ (the slot's
#                    kernel, initramfs, device trees, cmdline.txt) for `hembas update pack`
#
# Variables: DEBIAN_MIRROR (default: the build machine's apt source for Debian),
# DEBIAN_SNAPSHOT (e.g. 20251201T000000Z: build from snapshot.debian.org instead),
# UPDATE_PUBLIC_KEY (the offline update key the box trusts, `hembas update keygen`;
# without it a development key is made in OUT/dev-update-key and its bundles signed),
# VERSION (default: pyproject.toml's), SUITE (bookworm), OUT (deploy/out), PYTHON (python3).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DEPLOY=$(dirname "$HERE")
PROJECT=$(dirname "$DEPLOY")
OUT=${OUT:-$DEPLOY/out}
SUITE=${SUITE:-bookworm}
PYTHON=${PYTHON:-python3}
VERSION=${VERSION:-$("$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$PROJECT/pyproject.toml")}
DISK_ID=48454d42        # the card's MBR signature ("HEMB"): partitions are PARTUUID=48454d42-0N
mkdir -p "$OUT"
log() { printf '%s image: %s\n' "$(date +%T)" "$*" >&2; }

sh "$HERE/host-deps.sh"

# The Debian archive: the build machine's mirror (or DEBIAN_MIRROR), or one moment of
# snapshot.debian.org (DEBIAN_SNAPSHOT=20251201T000000Z) for a build that can be repeated.
# The suite, its security updates and its point-release updates all go in.
if [ -n "${DEBIAN_SNAPSHOT:-}" ]; then
    DEBIAN_MIRROR="http://snapshot.debian.org/archive/debian/$DEBIAN_SNAPSHOT/"
    SECURITY_MIRROR="http://snapshot.debian.org/archive/debian-security/$DEBIAN_SNAPSHOT/"
    APT_OPTIONS="[check-valid-until=no]"
fi
if [ -z "${DEBIAN_MIRROR:-}" ]; then
    DEBIAN_MIRROR=$(apt-get indextargets --format '$(ORIGIN) $(CODENAME) $(REPO_URI)' 'Created-By: Packages' \
        | awk -v s="$SUITE" '$1 == "Debian" && $2 == s { print $3; exit }')
fi
[ -n "$DEBIAN_MIRROR" ] || { log "no Debian $SUITE mirror in apt's sources; set DEBIAN_MIRROR"; exit 1; }
SECURITY_MIRROR=${SECURITY_MIRROR:-$(printf '%s' "$DEBIAN_MIRROR" | sed 's#/debian/*$#/debian-security/#')}
COMPONENTS="main non-free-firmware"
SOURCES="deb ${APT_OPTIONS:-} $DEBIAN_MIRROR $SUITE $COMPONENTS
deb ${APT_OPTIONS:-} $DEBIAN_MIRROR $SUITE-updates $COMPONENTS
deb ${APT_OPTIONS:-} $SECURITY_MIRROR $SUITE-security $COMPONENTS"
log "mirror $DEBIAN_MIRROR ($SUITE, -updates, -security from $SECURITY_MIRROR)"

# 1. The wheel and the locked arm64 dependencies ---------------------------------
rm -rf "$OUT/wheels"
mkdir -p "$OUT/wheels"
BUILDENV="$OUT/buildenv"
[ -x "$BUILDENV/bin/pip" ] || "$PYTHON" -m venv "$BUILDENV"
"$BUILDENV/bin/pip" wheel -q --no-deps -w "$OUT/wheels" "$PROJECT" 2>"$OUT/wheel.log" \
    || { cat "$OUT/wheel.log" >&2; exit 1; }
WHEEL=$(ls "$OUT"/wheels/hembas-*.whl)
PLATFORMS="--platform manylinux2014_aarch64"
for v in 17 26 27 28 31 34 35 36; do PLATFORMS="$PLATFORMS --platform manylinux_2_${v}_aarch64"; done
# shellcheck disable=SC2086
"$BUILDENV/bin/pip" download -q $PLATFORMS --python-version 3.11 --implementation cp --abi cp311 \
    --only-binary=:all: --no-deps --require-hashes -d "$OUT/wheels" -r "$HERE/requirements.lock" \
    2>"$OUT/download.log" || { grep -v '^WARNING: Location' "$OUT/download.log" >&2; exit 1; }
# The build machine's own hembas (keys, bundles) and the boot test's tools.
{ "$BUILDENV/bin/pip" install -q "$WHEEL" && "$BUILDENV/bin/pip" install -q --force-reinstall --no-deps "$WHEEL"; } \
    2>>"$OUT/wheel.log" || { cat "$OUT/wheel.log" >&2; exit 1; }
log "wheels: $(ls "$OUT/wheels" | wc -l) files for arm64 (requirements.lock)"

# 2. The Debian root file system (cached) ---------------------------------------
BASE_KEY=$( (cat "$HERE/base-packages.txt"; sed -n '/^# BASE-BEGIN/,/^# BASE-END/p' "$0"; \
             echo "$SOURCES") | sha256sum | cut -c1-16)
if [ ! -s "$OUT/base-$BASE_KEY.tar" ]; then
    log "building the Debian root file system (about 15 minutes under emulation)"
    rm -f "$OUT"/base-*.tar
# BASE-BEGIN
    # update-initramfs is diverted while the packages go in: the initramfs is made once,
    # in stage 3, with Hembas's own boot scripts (under emulation every run costs minutes).
    printf '%s\n' "$SOURCES" | mmdebstrap --arch=arm64 --variant=apt \
        --include="$(grep -v '^#' "$HERE/base-packages.txt" | xargs | tr ' ' ',')" \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/sv*' \
        --essential-hook='chroot "$1" dpkg-divert --local --rename --add /usr/sbin/update-initramfs' \
        --essential-hook='ln -sf /bin/true "$1/usr/sbin/update-initramfs"' \
        --customize-hook='rm "$1/usr/sbin/update-initramfs"' \
        --customize-hook='chroot "$1" dpkg-divert --local --rename --remove /usr/sbin/update-initramfs' \
        "$SUITE" "$OUT/base-$BASE_KEY.tar" -
# BASE-END
else
    log "reusing the Debian root file system base-$BASE_KEY.tar"
fi

[ -z "${BASE_ONLY:-}" ] || exit 0

# 3. Hembas on top ----------------------------------------------------------------
ROOT="$OUT/rootfs"
rm -rf "$ROOT"
mkdir -p "$ROOT"
tar -C "$ROOT" -xpf "$OUT/base-$BASE_KEY.tar"
cp -a "$DEPLOY/rootfs/." "$ROOT/"
mkdir -p "$ROOT/tmp/wheels" "$ROOT/usr/lib/hembas"
cp "$OUT"/wheels/*.whl "$ROOT/tmp/wheels/"
cp "$HERE/requirements.lock" "$HERE/customize.sh" "$HERE/initramfs-modules" "$ROOT/tmp/"
for fs in proc sys dev; do mount --bind "/$fs" "$ROOT/$fs"; done
trap 'for fs in dev sys proc; do umount -l "$ROOT/$fs" 2>/dev/null || true; done' EXIT
chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 PIP_CONFIG_FILE=/dev/null \
    /bin/sh /tmp/customize.sh "$(basename "$WHEEL")"
for fs in dev sys proc; do umount -l "$ROOT/$fs"; done
trap - EXIT
rm -rf "$ROOT/tmp/"* "$ROOT/tmp/".[!.]* 2>/dev/null || true
ids() { chroot "$ROOT" sh -c "echo \"\$(id -u $1):\$(getent group $2 | cut -d: -f3)\""; }

# The update key the box trusts: the municipality's offline key, or a development key.
if [ -n "${UPDATE_PUBLIC_KEY:-}" ]; then
    printf '%s\n' "$UPDATE_PUBLIC_KEY" > "$ROOT/usr/lib/hembas/update-key.pub"
else
    [ -s "$OUT/dev-update-key/update-key.pub" ] || "$BUILDENV/bin/hembas" update keygen "$OUT/dev-update-key" >/dev/null
    cp "$OUT/dev-update-key/update-key.pub" "$ROOT/usr/lib/hembas/update-key.pub"
    log "WARNING: this image trusts the development update key in $OUT/dev-update-key (set UPDATE_PUBLIC_KEY)"
fi

# Slot a on the boot partition: the Pi firmware reads config.txt, which includes slot.txt
# (os_prefix=a/), and boots a/vmlinuz with a/initrd.img, a/cmdline.txt and a/*.dtb.
BOOT="$ROOT/boot/firmware"
KERNEL=$(ls "$ROOT/lib/modules" | sort -V | tail -1)
rm -rf "$BOOT/a" && mkdir -p "$BOOT/a"
cp "$ROOT/boot/vmlinuz-$KERNEL" "$BOOT/a/vmlinuz"
cp "$ROOT/boot/initrd.img-$KERNEL" "$BOOT/a/initrd.img"
cp "$ROOT/usr/lib/linux-image-$KERNEL"/broadcom/bcm*.dtb "$BOOT/a/"
sed "s/@ROOT@/PARTUUID=$DISK_ID-02/; s/@SLOT@/a/" "$DEPLOY/rootfs-boot/cmdline.txt" > "$BOOT/a/cmdline.txt"
echo "$VERSION" > "$BOOT/a/version"
cp "$DEPLOY/rootfs-boot/config.txt" "$DEPLOY/rootfs-boot/hembas.toml.example" "$BOOT/"
echo "os_prefix=a/" > "$BOOT/slot.txt"
rm -rf "$OUT/system" && mkdir -p "$OUT/system"
cp -a "$BOOT/a" "$OUT/system/boot"
echo good > "$BOOT/a/state"
rm -f "$ROOT/boot/initrd.img-"*          # on the boot partition only

# What the data partition starts with (copied there by the initramfs on first boot): the
# system state that must stay writable while / is read-only.
SKELETON="$ROOT/usr/share/hembas/data-skeleton"
rm -rf "$SKELETON" && mkdir -p "$SKELETON/system" "$SKELETON/hembas"
for state in systemd NetworkManager; do     # bind-mounted back by /etc/fstab
    mv "$ROOT/var/lib/$state" "$SKELETON/system/$state"
    mkdir "$ROOT/var/lib/$state"
done
mkdir -p "$SKELETON/system/ssh/authorized_keys" "$SKELETON/system/nftables" "$SKELETON/system/journal"
install -d -m 0700 "$SKELETON/system/nm-connections"
chown "$(ids hembas hembas)" "$SKELETON/hembas" && chmod 2770 "$SKELETON/hembas"
chown "0:$(ids root systemd-journal | cut -d: -f2)" "$SKELETON/system/journal" && chmod 2755 "$SKELETON/system/journal"

# What the image is made of: /usr/lib/hembas/build.json, packages.txt (from customize.sh)
# and requirements.lock.
cp "$HERE/requirements.lock" "$ROOT/usr/lib/hembas/"
"$PYTHON" - "$ROOT/usr/lib/hembas/build.json" <<PYTHON
import datetime, hashlib, json, subprocess, sys
commit = subprocess.run(["git", "-C", "$PROJECT", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
dirty = bool(subprocess.run(["git", "-C", "$PROJECT", "status", "--porcelain"], capture_output=True, text=True).stdout)
json.dump({"version": "$VERSION", "built_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "git_commit": commit, "git_dirty": dirty, "kernel": "$KERNEL",
           "debian": {"suite": "$SUITE", "snapshot": "${DEBIAN_SNAPSHOT:-}", "sources": """$SOURCES""".splitlines(),
                      "base": "base-$BASE_KEY.tar", "packages": "packages.txt"},
           "python": {"lock": "requirements.lock",
                      "lock_sha256": hashlib.sha256(open("$HERE/requirements.lock", "rb").read()).hexdigest()}},
          open(sys.argv[1], "w"), indent=2)
PYTHON
cp "$ROOT/usr/lib/hembas/build.json" "$OUT/build.json"

# 4. The image ---------------------------------------------------------------------
rm -rf "$OUT/genimage-tmp" "$OUT/images"
mkdir -p "$OUT/images"
genimage --config "$HERE/genimage.cfg" --rootpath "$ROOT" --tmppath "$OUT/genimage-tmp" \
    --inputpath "$OUT/images" --outputpath "$OUT/images" >"$OUT/genimage.log" 2>&1 \
    || { tail -30 "$OUT/genimage.log" >&2; exit 1; }
mv "$OUT/images/hembas.img" "$OUT/hembas.img"
mv "$OUT/images/root.ext4" "$OUT/system/root.ext4"
rm -rf "$OUT/genimage-tmp" "$OUT/images"
log "done: $OUT/hembas.img ($(du -h --apparent-size "$OUT/hembas.img" | cut -f1), $(du -h "$OUT/hembas.img" | cut -f1) written), version $VERSION"
log "a signed update of this build: hembas update pack --root $OUT/system/root.ext4 --boot $OUT/system/boot --version $VERSION --key UPDATE-SIGNING-KEY -o hembas-$VERSION.hembas-update"
