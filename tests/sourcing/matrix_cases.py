"""Permission-matrix cases for the sourcing app's views (see tests/matrix.py)."""

CASES: list = []
PUBLIC_INDEX_OPEN: list = []
