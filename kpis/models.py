"""KPI library, review schedule and reviews: filled in by the KPI reviews issue."""
