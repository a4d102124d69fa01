"""A company's own profile, alliance membership and colleagues."""
from app.company.views import bp

__all__ = ["bp"]
