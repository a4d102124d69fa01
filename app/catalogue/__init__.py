"""Public catalogue of solutions, needs, companies and municipalities."""
from app.catalogue.views import bp

__all__ = ["bp"]
