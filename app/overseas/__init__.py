"""Overseas demand (K-City Network): the admins' organisations and invitations, and the join link."""
from app.overseas.views import admin_bp, bp

__all__ = ["admin_bp", "bp"]
