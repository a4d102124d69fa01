"""Saved searches, digest e-mails and bookmarks."""
from app.alerts.views import bp

__all__ = ["bp"]
