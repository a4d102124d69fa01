"""Public questions on needs and their answers."""
from app.questions.views import bp

__all__ = ["bp"]
