#!/bin/bash
# Build the Hembas Raspberry Pi image (arm64: Pi 3, 4, Zero 2 W) from Debian's
# own packages, with Hembas in its own venv from the wheel built in this run.
#
#   deploy/image/build-image.sh            -> deploy/out/hembas.img
#
# Stages (each result in deploy/out/):
#   1. wheels/     the project's wheel + its arm64 dependencies (downloaded here:
#                  pip inside the emulated chroot cannot reach the index)
#   2. base.tar    the Debian root file system (mmdebstrap, ~10 min under qemu);
#                  reused while base-packages.txt and this script's base part do not change
#   3. rootfs/     base + deploy/rootfs overlay + Hembas venv + users + enabled units
#   4. hembas.img  boot (FAT, RASPIFIRM), root (ext4, RASPIROOT), data (ext4, HEMBASDATA)
#
# Variables: DEBIAN_MIRROR (default: the build machine's apt source for Debian),
# SUITE (bookworm), OUT (deploy/out), PYTHON (python3).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DEPLOY=$(dirname "$HERE")
PROJECT=$(dirname "$DEPLOY")
OUT=${OUT:-$DEPLOY/out}
SUITE=${SUITE:-bookworm}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"
log() { printf '%s image: %s\n' "$(date +%T)" "$*" >&2; }

sh "$HERE/host-deps.sh"

if [ -z "${DEBIAN_MIRROR:-}" ]; then
    DEBIAN_MIRROR=$(apt-get indextargets --format '$(ORIGIN) $(CODENAME) $(REPO_URI)' 'Created-By: Packages' \
        | awk -v s="$SUITE" '$1 == "Debian" && $2 == s { print $3; exit }')
fi
[ -n "$DEBIAN_MIRROR" ] || { log "no Debian $SUITE mirror in apt's sources; set DEBIAN_MIRROR"; exit 1; }
log "mirror $DEBIAN_MIRROR ($SUITE)"

# 1. The wheel and its arm64 dependencies --------------------------------------
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
    --only-binary=:all: -d "$OUT/wheels" "$WHEEL" -r "$HERE/requirements-pi.txt" 2>"$OUT/download.log" \
    || { grep -v '^WARNING: Location' "$OUT/download.log" >&2; exit 1; }
log "wheels: $(ls "$OUT/wheels" | wc -l) files for arm64"

# 2. The Debian root file system (cached) ---------------------------------------
BASE_KEY=$( (cat "$HERE/base-packages.txt"; sed -n '/^# BASE-BEGIN/,/^# BASE-END/p' "$0"; \
             echo "$DEBIAN_MIRROR $SUITE") | sha256sum | cut -c1-16)
if [ ! -s "$OUT/base-$BASE_KEY.tar" ]; then
    log "building the Debian root file system (about 10 minutes under emulation)"
    rm -f "$OUT"/base-*.tar
# BASE-BEGIN
    mmdebstrap --arch=arm64 --variant=apt --components="main non-free-firmware" \
        --include="$(grep -v '^#' "$HERE/base-packages.txt" | xargs | tr ' ' ',')" \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/sv*' \
        --essential-hook='chroot "$1" dpkg-divert --local --rename --add /usr/sbin/update-initramfs' \
        --essential-hook='ln -sf /bin/true "$1/usr/sbin/update-initramfs"' \
        --customize-hook="grep -v '^#' '$HERE/initramfs-modules' >> \"\$1/etc/initramfs-tools/modules\"" \
        --customize-hook='printf "ROOTPART=LABEL=RASPIROOT\nCONSOLES=\"ttyS1,115200 tty0\"\n" > "$1/etc/default/raspi-firmware"' \
        --customize-hook='rm "$1/usr/sbin/update-initramfs"' \
        --customize-hook='chroot "$1" dpkg-divert --local --rename --remove /usr/sbin/update-initramfs' \
        --customize-hook='sed -i "s/^MODULES=.*/MODULES=list/" "$1/etc/initramfs-tools/initramfs.conf"' \
        --customize-hook='chroot "$1" update-initramfs -c -k all' \
        --customize-hook='h=/etc/kernel/postinst.d/z50-raspi-firmware; [ ! -x "$1$h" ] || for k in "$1"/lib/modules/*; do chroot "$1" $h "${k##*/}"; done' \
        "$SUITE" "$OUT/base-$BASE_KEY.tar" "$DEBIAN_MIRROR"
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
mkdir -p "$ROOT/tmp/wheels"
cp "$OUT"/wheels/*.whl "$ROOT/tmp/wheels/"
cp "$HERE/requirements-pi.txt" "$HERE/customize.sh" "$ROOT/tmp/"
for fs in proc sys dev; do mount --bind "/$fs" "$ROOT/$fs"; done
trap 'for fs in dev sys proc; do umount -l "$ROOT/$fs" 2>/dev/null || true; done' EXIT
chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 PIP_CONFIG_FILE=/dev/null \
    /bin/sh /tmp/customize.sh "$(basename "$WHEEL")"
for fs in dev sys proc; do umount -l "$ROOT/$fs"; done
trap - EXIT
rm -rf "$ROOT/tmp/"* "$ROOT/tmp/".[!.]* 2>/dev/null || true

# 4. The image ---------------------------------------------------------------------
# /data is the data partition: it starts with the system state that must stay
# writable while / is read-only (systemd's and NetworkManager's state).
mkdir -p "$ROOT/data/system/hembas/slots" "$ROOT/data/hembas"
for state in systemd NetworkManager; do     # bind-mounted back by /etc/fstab
    mkdir -p "$ROOT/var/lib/$state"
    mv "$ROOT/var/lib/$state" "$ROOT/data/system/$state"
    mkdir "$ROOT/var/lib/$state"
done
ln -s /opt/hembas/factory "$ROOT/data/system/hembas/current"
HEMBAS_IDS=$(chroot "$ROOT" sh -c 'echo "$(id -u hembas):$(id -g hembas)"')
chown "$HEMBAS_IDS" "$ROOT/data/hembas"
chmod 2770 "$ROOT/data/hembas"
cp "$DEPLOY/rootfs-boot/hembas.toml.example" "$ROOT/boot/firmware/hembas.toml.example"
# The kernel and initrd for the emulated boot test (qemu -M virt).
cp "$(ls "$ROOT"/boot/vmlinuz-* | tail -1)" "$OUT/vmlinuz"
cp "$(ls "$ROOT"/boot/initrd.img-* | tail -1)" "$OUT/initrd.img"
rm -rf "$OUT/genimage-tmp" "$OUT/images"
mkdir -p "$OUT/images"
genimage --config "$HERE/genimage.cfg" --rootpath "$ROOT" --tmppath "$OUT/genimage-tmp" \
    --inputpath "$OUT/images" --outputpath "$OUT/images" >"$OUT/genimage.log" 2>&1 \
    || { tail -30 "$OUT/genimage.log" >&2; exit 1; }
mv "$OUT/images/hembas.img" "$OUT/hembas.img"
rm -rf "$OUT/genimage-tmp" "$OUT/images"
log "done: $OUT/hembas.img ($(du -h --apparent-size "$OUT/hembas.img" | cut -f1))"
