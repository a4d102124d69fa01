"""Sign-up, confirmation, sign-in and sign-out."""
from app.auth.views import bp

__all__ = ["bp"]
