"""An official's verification: its status and the evidence they give (document upload)."""
from app.verification.views import bp

__all__ = ["bp"]
