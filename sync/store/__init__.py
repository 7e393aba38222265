"""The crash-safe store in the data folder: the plan mirror, records, the audit log."""
