"""Demo data: the seven places of domain.md at their published shapes, synthetic people."""
