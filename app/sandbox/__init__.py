"""Regulatory sandbox: flag a match as needing an exemption, record its progress, admins' list."""
from app.sandbox.views import bp

__all__ = ["bp"]
