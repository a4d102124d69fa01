"""The admins' market dashboard: funnel, breakdowns, charts and CSV exports."""
from app.dashboard.views import bp

__all__ = ["bp"]
