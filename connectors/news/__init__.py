"""News feeds, CMS list pages and archives: read, extracted, repaired, linked."""
