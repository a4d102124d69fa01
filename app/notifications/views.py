"""Thin views of the notification centre: list, open, mark all read, e-mail preferences."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.access import is_safe_redirect
from app.extensions import db
from app.ids import page_number
from app.models import Notification
from app.notifications.forms import EmailPreferencesForm
from app.service_errors import commit_service
from app.services import notifications

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def inject_unread_notifications():
    """Unread notifications of the signed-in user, for the navigation bar."""
    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": notifications.unread_count(current_user)}


@bp.route("/")
@login_required
def index():
    """The signed-in user's notifications, newest first, unread highlighted."""
    page = request.args.get("page", 1, type=page_number)
    pagination = db.paginate(notifications.notifications_query(current_user), page=page,
                             per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("notifications/index.html", pagination=pagination)


@bp.route("/<int:notification_id>")
@login_required
def detail(notification_id: int):
    """One notification of the signed-in user (reading it changes nothing)."""
    notification = db.get_or_404(Notification, notification_id)
    if notification.user_id != current_user.id:
        abort(403)
    return render_template("notifications/detail.html", notification=notification,
                           link=notification.link if is_safe_redirect(notification.link) else None)


@bp.route("/<int:notification_id>/open", methods=["POST"], endpoint="open")
@login_required
def open_notification(notification_id: int):
    """Mark one notification read and follow its link when it points inside the site."""
    notification = db.get_or_404(Notification, notification_id)
    if not commit_service(lambda: notifications.mark_read(current_user, notification)):
        return redirect(url_for("notifications.index"))
    if is_safe_redirect(notification.link):
        return redirect(notification.link)
    return redirect(url_for("notifications.detail", notification_id=notification_id))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    """Mark every notification of the signed-in user read."""
    outcome = commit_service(lambda: notifications.mark_all_read(current_user))
    if outcome:
        flash(_("알림 %(count)d건을 읽음으로 표시했습니다.", count=outcome.value), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Choose which kinds of notification are also sent by e-mail."""
    form = EmailPreferencesForm()
    if request.method == "GET":
        for kind, enabled in notifications.email_preferences(current_user).items():
            form[kind].data = enabled
    if form.validate_on_submit():
        if commit_service(lambda: notifications.set_email_preferences(current_user,
                                                                      form.preferences())):
            flash(_("이메일 수신 설정을 저장했습니다."), "success")
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form), (
        400 if form.errors else 200)
