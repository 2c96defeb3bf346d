"""The CareCore case build's pages: one module per part of the journey (see cases/urls.py)."""
