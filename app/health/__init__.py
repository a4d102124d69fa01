"""Liveness and readiness probes for load balancers and orchestrators."""
from app.health.views import bp

__all__ = ["bp"]
