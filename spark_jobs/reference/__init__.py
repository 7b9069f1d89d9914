"""Reference data → silver."""
