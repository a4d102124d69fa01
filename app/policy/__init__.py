"""Policy tags of the 4th Smart City Plan: the admins' review queue and the budget-share export."""
from app.policy.views import bp

__all__ = ["bp"]
