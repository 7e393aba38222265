#!/bin/sh
# Debian packages the image build and the boot test need on the build machine,
# installed only when missing, then a check that arm64 binaries can run here.
set -eu
need=""
for pair in mmdebstrap:mmdebstrap qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support \
            genimage:genimage mcopy:mtools mkfs.vfat:dosfstools mke2fs:e2fsprogs \
            qemu-system-aarch64:qemu-system-arm ssh-keygen:openssh-client nft:nftables \
            systemd-analyze:systemd arch-test:arch-test dtc:device-tree-compiler \
            debugfs:e2fsprogs; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need="$need ${pair#*:}"
done
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || need="$need debian-archive-keyring"
if [ -n "$need" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "image: install these Debian packages first (as root):$need" >&2
        exit 1
    fi
    echo "image: installing$need" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
# binfmt_misc starts unmounted on some build machines; qemu-user-static registers
# qemu-aarch64 only once it is mounted.
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || {
        echo "image: cannot mount binfmt_misc; arm64 programs cannot run on this machine" >&2
        exit 1
    }
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || \
        dpkg-reconfigure -fnoninteractive qemu-user-static binfmt-support >/dev/null 2>&1 || true
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    echo "image: qemu-aarch64 is not registered with binfmt_misc; cannot build an arm64 root" >&2
    exit 1
fi
