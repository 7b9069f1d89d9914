"""Case management system: landing → bronze → silver."""
