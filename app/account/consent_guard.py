"""Ask signed-in members to consent again when the privacy notice has a new version."""
from __future__ import annotations

from flask import redirect, request, session, url_for
from flask_login import current_user

from app.services import privacy

# The version this session's user is known to have accepted (saves a query per request).
SESSION_KEY = "_privacy_consent"
# Pages a user may still use before consenting again: reading the notice, refusing by leaving
# (sign out, download, delete), and the language switch.
ALLOWED_ENDPOINTS = frozenset({
    "static", "account.consent", "account.download_data", "account.delete",
    "account.sign_out_everywhere", "auth.logout", "main.privacy", "main.set_locale",
})


def require_current_consent():
    """Redirect to the consent page until the user accepted the current notice."""
    if request.endpoint is None or request.endpoint in ALLOWED_ENDPOINTS \
            or request.blueprint == "health" or not current_user.is_authenticated:
        return None
    if current_user.is_admin:  # the operator's staff, created with `flask create-admin`
        return None
    version = privacy.CURRENT.version
    if session.get(SESSION_KEY) == version:
        return None
    if privacy.has_accepted(current_user, version):
        session[SESSION_KEY] = version
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("account.consent", next=target))
