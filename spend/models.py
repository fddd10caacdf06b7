"""Models of the spend app."""
