"""The web layer: FastAPI app factory, REST API v1 and the server-rendered UI."""
