"""After approval: outcome steps both sides confirm, verified references and ratings."""
from app.outcomes.views import bp

__all__ = ["bp"]
