"""The reference hub: keys, per-team signed bundles, journal uploads (docs/sync-protocol.md)."""
