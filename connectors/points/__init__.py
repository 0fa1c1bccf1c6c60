"""Points banks, households, honours and credit ratings (section 3 of sources.md)."""
