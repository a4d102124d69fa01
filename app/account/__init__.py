"""The signed-in user's own account: details and sessions."""
from app.account.views import bp

__all__ = ["bp"]
