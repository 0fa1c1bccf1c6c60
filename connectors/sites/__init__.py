"""Site registers (阵地台账): spreadsheets and the JSON org tree of volunteer platforms."""
