"""In-app notification centre and e-mail preferences."""
from app.notifications.views import bp

__all__ = ["bp"]
