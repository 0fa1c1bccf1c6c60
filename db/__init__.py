"""Storage layer: SQLAlchemy models, engines and migrations. Knows nothing above it."""
