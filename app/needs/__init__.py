"""A municipal official's own needs."""
from app.needs.views import bp

__all__ = ["bp"]
