"""Sync with the municipal hub and by USB stick: signed bundles in, signed journal batches out."""
