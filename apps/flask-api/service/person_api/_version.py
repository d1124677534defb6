"""Service identity, reported by ``GET /``."""

SERVICE_NAME = "flask-api"
__version__ = "1.0.0"
