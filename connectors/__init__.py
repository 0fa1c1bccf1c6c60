"""Connectors: read county systems, map their records (pure), hand them to the sync runner."""
