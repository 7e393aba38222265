"""Putting Hembas on a Raspberry Pi: first-boot provisioning, updates, backups, and the image.

The Python modules run on the box (``hembas provision``, ``hembas update``,
``hembas backup``/``restore``); ``rootfs/`` is copied onto the image as it is
(systemd units, firewall, network); ``image/`` builds and boot-tests the image
(``make image``, ``make image-test``). docs/deploy.md is the technician's guide.
"""
