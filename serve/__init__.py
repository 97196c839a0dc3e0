"""The FastAPI service: JSON API, review UI and auth. Thin handlers over `triage`."""
