"""A company's own solutions."""
from app.solutions.views import bp

__all__ = ["bp"]
