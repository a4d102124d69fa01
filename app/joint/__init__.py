"""Joint procurement groups of municipalities, and the admins' view of similar needs."""
from app.joint.views import admin_bp, bp

__all__ = ["admin_bp", "bp"]
