#!/bin/sh
# Runs inside the arm64 root (chroot, under qemu-user) after the overlay is copied:
# Hembas into its own venv, its users, the read-only layout, the enabled units, the initramfs.
#   customize.sh WHEEL_FILE_NAME
set -eu
WHEEL=$1

# Hembas in its own venv, offline, from the wheels downloaded on the build host: exactly the
# locked versions (their hashes checked), then the project's wheel, then a check that the
# dependencies fit together.
python3 -m venv /opt/hembas/factory
/opt/hembas/factory/bin/pip install -q --no-index --find-links /tmp/wheels --no-deps \
    --require-hashes -r /tmp/requirements.lock
/opt/hembas/factory/bin/pip install -q --no-index --no-deps "/tmp/wheels/$WHEEL"
/opt/hembas/factory/bin/pip check
/opt/hembas/factory/bin/hembas --help >/dev/null
# /opt/hembas/current: what the units run; the whole system is updated as one (A/B slots).
ln -sfn /opt/hembas/factory /opt/hembas/current

# One user per service, sharing the group that owns the data folder.
addgroup --quiet --system hembas
addgroup --quiet --system gpio
adduser --quiet --system --no-create-home --home /data/hembas --ingroup hembas hembas
for who in web firmware sync tls; do
    adduser --quiet --system --no-create-home --home /nonexistent --ingroup hembas "hembas-$who"
done
adduser --quiet --disabled-password --gecos "Kommunens tekniker" --shell /bin/bash tekniker
adduser --quiet tekniker hembas
adduser --quiet tekniker systemd-journal
ln -sfn /data/hembas /var/lib/hembas

# Read-only system: what must be written lives on the data partition.
rm -rf /etc/NetworkManager/system-connections
ln -sfn /data/system/nm-connections /etc/NetworkManager/system-connections
mkdir -p /data
rm -f /etc/ssh/ssh_host_*               # every box makes its own on first boot
ln -sfn /data/system/machine-id /etc/machine-id    # made once by the initramfs, kept for good
rm -f /var/lib/dbus/machine-id
ln -sf /etc/machine-id /var/lib/dbus/machine-id
mkdir -p /var/ipp-usb                  # a tmpfs (fstab): ipp-usb's locks
ln -sf /usr/share/zoneinfo/Europe/Stockholm /etc/localtime
echo Europe/Stockholm > /etc/timezone

# nginx runs only as hembas-tls.service (configuration made by `hembas tls nginx-config`):
# not Debian's own unit and default site.
systemctl disable nginx.service 2>/dev/null || true
rm -f /etc/nginx/sites-enabled/default
systemctl enable hembas-provision.service hembas-web.service hembas-firmware.service \
    hembas-tls.service hembas-tls-reload.path hembas-sync.timer hembas-health.service \
    fake-hwclock-save.timer nftables.service NetworkManager.service ssh.service \
    systemd-timesyncd.service fake-hwclock.service cups.socket cups.service 2>&1 \
    | grep -v -e '^Created symlink' -e 'systemd-sysv-install' -e '^Synchronizing' || true
systemctl mask apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer \
    e2scrub_reap.service dpkg-db-backup.timer systemd-firstboot.service 2>/dev/null || true
# avahi-daemon comes with ipp-usb (a Depends) but would announce the box on the municipal
# network: ipp-usb serves a USB printer on localhost only, without DNS-SD.
sed -i 's/^\(\s*dns-sd\s*=\s*\)enable/\1disable/' /etc/ipp-usb/ipp-usb.conf
systemctl mask avahi-daemon.service avahi-daemon.socket 2>/dev/null || true

# The initramfs, once, with Hembas's boot scripts (A/B slot counting, the encrypted data
# partition) and fsck for ext4.
grep -v '^#' /tmp/initramfs-modules >> /etc/initramfs-tools/modules
INITRAMFS_TOOLS_KERNEL_HOOK=1 update-initramfs -c -k all 2>&1 | grep -v -e '^update-initramfs: Generating' || true
ls /boot/initrd.img-* >/dev/null

# What this image is made of, for the record (/usr/lib/hembas/build.json names the rest).
dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' > /usr/lib/hembas/packages.txt
