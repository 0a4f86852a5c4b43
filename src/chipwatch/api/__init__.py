"""The HTTP API (FastAPI): thin routers over ``chipwatch.service``."""
