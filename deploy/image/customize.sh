#!/bin/sh
# Runs inside the arm64 root (chroot, under qemu-user) after the overlay is copied:
# Hembas into its own venv, its users, the read-only layout, the enabled units.
#   customize.sh WHEEL_FILE_NAME
set -eu
WHEEL=$1

# Hembas in its own venv, offline, from the wheels downloaded on the build host.
python3 -m venv /opt/hembas/factory
/opt/hembas/factory/bin/pip install -q --no-index --find-links /tmp/wheels \
    "/tmp/wheels/$WHEEL" -r /tmp/requirements-pi.txt
/opt/hembas/factory/bin/hembas --help >/dev/null
# /opt/hembas/current -> /data/system/hembas/current -> factory or an update slot.
ln -sfn /data/system/hembas/current /opt/hembas/current
ln -sfn /opt/hembas/current/bin/hembas /usr/local/bin/hembas

# One user per service, sharing the group that owns the data folder.
addgroup --quiet --system hembas
addgroup --quiet --system gpio
adduser --quiet --system --no-create-home --home /data/hembas --ingroup hembas hembas
for who in web firmware sync tls; do
    adduser --quiet --system --no-create-home --home /nonexistent --ingroup hembas "hembas-$who"
done
adduser --quiet --disabled-password --gecos "Kommunens tekniker" --shell /bin/bash tekniker
adduser --quiet tekniker hembas
ln -sfn /data/hembas /var/lib/hembas

# Read-only system: what must be written lives on the data partition.
rm -rf /etc/NetworkManager/system-connections
ln -sfn /data/system/nm-connections /etc/NetworkManager/system-connections
mkdir -p /data
rm -f /etc/ssh/ssh_host_*        # every box makes its own on first boot
: > /etc/machine-id              # likewise its machine id
rm -f /var/lib/dbus/machine-id
ln -sf /etc/machine-id /var/lib/dbus/machine-id
ln -sf /usr/share/zoneinfo/Europe/Stockholm /etc/localtime
echo Europe/Stockholm > /etc/timezone

# nginx runs only as hembas-tls.service (configuration made by `hembas tls nginx-config`):
# not Debian's own unit and default site.
systemctl disable nginx.service 2>/dev/null || true
rm -f /etc/nginx/sites-enabled/default
systemctl enable hembas-provision.service hembas-web.service hembas-firmware.service \
    hembas-tls.service hembas-tls-reload.path hembas-sync.timer nftables.service NetworkManager.service ssh.service \
    systemd-timesyncd.service fake-hwclock.service 2>&1 | grep -v -e '^Created symlink' -e 'systemd-sysv-install' -e '^Synchronizing' || true
systemctl mask apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer \
    e2scrub_reap.service 2>/dev/null || true
