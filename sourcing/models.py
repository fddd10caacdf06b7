"""Models of the sourcing app."""
