"""Resident registry (cư trú): landing → bronze → silver, PII pseudonymised."""
