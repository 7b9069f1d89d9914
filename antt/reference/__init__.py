"""Reference data from PyPI reference packages and legal texts (admin units, crosswalk)."""
