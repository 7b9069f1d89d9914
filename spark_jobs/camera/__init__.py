"""Camera events: landing (gzip JSON lines per camera and hour) → bronze → silver."""
