"""The conversation of an approved match or consortium: messages, attachments and meetings."""
from app.conversation.views import bp

__all__ = ["bp"]
