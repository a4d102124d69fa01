"""CityMatch application factory."""
from __future__ import annotations

from flask import Flask

from app.config import INSTANCE_DIR, resolve_config
from app.ids import register_converters
from app.secret_key import configure_secret_key
from app.security import PublicUrlFlask, configure_trusted_hosts, register_security_headers


def create_app(config: str | type | None = None) -> Flask:
    """Build the Flask app for a configuration name or class (default: CITYMATCH_ENV)."""
    app = PublicUrlFlask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(resolve_config(config))
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    configure_secret_key(app)
    configure_trusted_hosts(app)
    register_converters(app)  # before any route is added

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_queue(app)
    register_security_headers(app)
    register_unit_of_work(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to this app."""
    from app import models  # noqa: F401  (register every table on the metadata)
    from app import i18n, request_log
    from app.extensions import csrf, db, limiter, login_manager, migrate
    from app.services import matching_changes

    request_log.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    matching_changes.register()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = i18n.LOGIN_REQUIRED
    login_manager.localize_callback = str
    login_manager.login_message_category = "warning"

    from app.auth import session_guard
    from app.services.sessions import load_user

    login_manager.user_loader(load_user)
    session_guard.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per area."""
    from app.account import bp as account_bp
    from app.alerts import bp as alerts_bp
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.catalogue import bp as catalogue_bp
    from app.company import bp as company_bp
    from app.conversation import bp as conversation_bp
    from app.dashboard import bp as dashboard_bp
    from app.health import bp as health_bp
    from app.joint import admin_bp as joint_admin_bp
    from app.joint import bp as joint_bp
    from app.main import bp as main_bp
    from app.matches import bp as matches_bp
    from app.needs import bp as needs_bp
    from app.notifications import bp as notifications_bp
    from app.outcomes import bp as outcomes_bp
    from app.policy import bp as policy_bp
    from app.overseas import admin_bp as overseas_admin_bp
    from app.overseas import bp as overseas_bp
    from app.questions import bp as questions_bp
    from app.sandbox import bp as sandbox_bp
    from app.solutions import bp as solutions_bp
    from app.verification import bp as verification_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(company_bp, url_prefix="/my/company")
    app.register_blueprint(solutions_bp, url_prefix="/my/solutions")
    app.register_blueprint(needs_bp, url_prefix="/my/needs")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(dashboard_bp, url_prefix="/admin/dashboard")
    app.register_blueprint(matches_bp, url_prefix="/matches")
    app.register_blueprint(outcomes_bp, url_prefix="/matches")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(verification_bp, url_prefix="/verification")
    app.register_blueprint(joint_bp, url_prefix="/joint")
    app.register_blueprint(joint_admin_bp, url_prefix="/admin/joint")
    app.register_blueprint(overseas_admin_bp, url_prefix="/admin/overseas")
    app.register_blueprint(overseas_bp, url_prefix="/overseas")
    app.register_blueprint(questions_bp, url_prefix="/questions")
    app.register_blueprint(alerts_bp, url_prefix="/alerts")
    app.register_blueprint(conversation_bp, url_prefix="/conversations")
    app.register_blueprint(sandbox_bp)  # /matches/<id>/sandbox… and /admin/sandbox…
    app.register_blueprint(policy_bp, url_prefix="/admin")  # /admin/policy-tags/, share CSV

    from app import api

    api.init_app(app)  # the public API under /api/v1/ (flask-smorest)


def register_errorhandlers(app: Flask) -> None:
    """Render friendly, localised error pages."""
    from app import db_faults, input_guard
    from app.errors import register

    register(app)
    db_faults.register(app)
    input_guard.register(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals used by the templates."""
    from app.templating import register

    register(app)


def register_queue(app: Flask) -> None:
    """Configure the task queue (app/tasks.py) for this app."""
    from app import tasks

    tasks.init_app(app)


def register_unit_of_work(app: Flask) -> None:
    """Run after-commit side effects when a request or context ends.

    Registered last: teardowns run in reverse order, so this runs before any teardown that
    removes the session (Flask-SQLAlchemy's, app/db_faults.py's) and takes its callbacks along.
    """
    from app.services import unit_of_work

    unit_of_work.register(app)


def register_commands(app: Flask) -> None:
    """Register the `flask` CLI commands."""
    from app import backup, load_data_command, mail_commands
    from app.commands import register

    register(app)
    backup.register(app)
    load_data_command.register(app)
    mail_commands.register(app)
