"""Double opt-in matches and consortium proposals between municipalities and companies."""
from app.matches.views import bp

__all__ = ["bp"]
