"""Configuration classes read from environment variables."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def _default_sqlite_uri() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'citymatch.sqlite3'}"


def _default_queue_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'queue.sqlite3'}"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _normalise_database_url(url: str) -> str:
    """Accept the common postgres:// form and select the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).lower() in {"1", "true", "yes"}


class BaseConfig:
    """Settings shared by every environment."""

    # No built-in key: without SECRET_KEY, development makes a random one in SECRET_KEY_FILE.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_FILE = INSTANCE_DIR / "secret_key"
    SQLALCHEMY_DATABASE_URI = _normalise_database_url(
        os.environ.get("DATABASE_URL", _default_sqlite_uri())
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Database outages (app/db_faults.py): GET/HEAD retries on a lost connection, then a 503.
    DB_READ_RETRIES = int(os.environ.get("DB_READ_RETRIES", "2"))
    DB_RETRY_BACKOFF_SECONDS = float(os.environ.get("DB_RETRY_BACKOFF_SECONDS", "0.2"))
    DB_UNAVAILABLE_RETRY_AFTER = int(os.environ.get("DB_UNAVAILABLE_RETRY_AFTER", "5"))
    # Seconds a PostgreSQL connection attempt may take (an unreachable host: a 503, not a hang).
    DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
    # One JSON line per request on the citymatch.request logger, written to stderr.
    REQUEST_LOG_TO_STDERR = _flag("REQUEST_LOG_TO_STDERR", "1")
    WTF_CSRF_TIME_LIMIT = None
    # Sessions end after this long without a request, and this long after sign-in in any case.
    SESSION_IDLE_MINUTES = float(os.environ.get("SESSION_IDLE_MINUTES", "120"))
    SESSION_MAX_HOURS = float(os.environ.get("SESSION_MAX_HOURS", "12"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    BABEL_DEFAULT_LOCALE = "ko"
    BABEL_DEFAULT_TIMEZONE = "Asia/Seoul"
    # Optional override of the shipped category table (app/data/categories.csv): a CSV or taxonomy.md.
    TAXONOMY_PATH = os.environ.get("TAXONOMY_PATH") or None
    PAGE_SIZE = int(os.environ.get("PAGE_SIZE", "12"))
    INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "14"))
    # Largest share of a consortium's work the large/mid-sized lead may take (Smart Challenge: 30%).
    CONSORTIUM_LARGE_SHARE_CAP = float(os.environ.get("CONSORTIUM_LARGE_SHARE_CAP", "0.30"))
    # Matching index: refit IDF at once up to this many documents, else in the background at most
    # once per interval (see app/services/recommendations.py).
    MATCHING_INLINE_REFIT_MAX_DOCS = int(os.environ.get("MATCHING_INLINE_REFIT_MAX_DOCS", "5000"))
    MATCHING_REFIT_INTERVAL_SECONDS = float(os.environ.get("MATCHING_REFIT_INTERVAL_SECONDS", "300"))
    ADMIN_PAGE_SIZE = int(os.environ.get("ADMIN_PAGE_SIZE", "25"))
    MATCH_REQUEST_EXPIRY_DAYS = int(os.environ.get("MATCH_REQUEST_EXPIRY_DAYS", "14"))
    MATCH_REMINDER_DAYS_BEFORE = int(os.environ.get("MATCH_REMINDER_DAYS_BEFORE", "3"))
    # An approved match with no outcome step for this many days is stalled: both sides are
    # reminded once (again after the next step), and the admins' outcome page counts it.
    OUTCOME_STALL_DAYS = _env_int("OUTCOME_STALL_DAYS", 30)
    # The match score is a calibrated probability of relevance (docs/matching.md): a new match
    # at or above this is notified as strong; partial fits below the main list are shown from
    # MATCH_PARTIAL_FIT_SCORE; a deadline this many days away or closer is a caution.
    STRONG_MATCH_SCORE = float(os.environ.get("STRONG_MATCH_SCORE", "0.8"))
    MATCH_PARTIAL_FIT_SCORE = float(os.environ.get("MATCH_PARTIAL_FIT_SCORE", "0.2"))
    MATCH_DEADLINE_WARNING_DAYS = int(os.environ.get("MATCH_DEADLINE_WARNING_DAYS", "14"))
    # The site's address: every absolute link (e-mails) is built from it, never from the request.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Host headers accepted (others: 400). Comma-separated; unset: see app/security.py.
    TRUSTED_HOSTS = [host.strip() for host in os.environ.get("TRUSTED_HOSTS", "").split(",")
                     if host.strip()] or None
    # Task queue (Huey, app/tasks.py): sqlite:///file (default, instance/queue.sqlite3) or redis://.
    QUEUE_URL = os.environ.get("QUEUE_URL") or _default_queue_url()
    QUEUE_IMMEDIATE = False  # run tasks at once in the caller (tests)
    # A running job commits its progress (and heartbeat) at most this often.
    JOB_CHECKPOINT_SECONDS = float(os.environ.get("JOB_CHECKPOINT_SECONDS", "1"))
    # A job silent for this long is taken for dead and re-queued, at most JOB_MAX_ATTEMPTS runs.
    JOB_HEARTBEAT_TIMEOUT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_TIMEOUT_SECONDS", "300"))
    JOB_MAX_ATTEMPTS = _env_int("JOB_MAX_ATTEMPTS", 3)
    JOB_KEEP_DAYS = _env_int("JOB_KEEP_DAYS", 30)  # finished jobs are then deleted by the reaper
    # Schedules of the periodic tasks (run by the queue consumer's scheduler, UTC).
    NOTIFY_MATCHES_EVERY_MINUTES = _env_int("NOTIFY_MATCHES_EVERY_MINUTES", 5)
    EXPIRE_REQUESTS_EVERY_MINUTES = _env_int("EXPIRE_REQUESTS_EVERY_MINUTES", 15)
    REAP_JOBS_EVERY_MINUTES = _env_int("REAP_JOBS_EVERY_MINUTES", 1)
    DELIVER_MAIL_EVERY_MINUTES = _env_int("DELIVER_MAIL_EVERY_MINUTES", 1)
    PRUNE_CHANGES_EVERY_MINUTES = _env_int("PRUNE_CHANGES_EVERY_MINUTES", 10)
    # Re-analysis of listings another analyser version analysed: how often, and at most how
    # many rows per run (bounded so a new analyser converges over a few runs, not one long one).
    REANALYSE_EVERY_MINUTES = _env_int("REANALYSE_EVERY_MINUTES", 10)
    REANALYSE_ROWS_PER_RUN = _env_int("REANALYSE_ROWS_PER_RUN", 5_000)
    NIGHTLY_REMATCH_UTC_HOUR = _env_int("NIGHTLY_REMATCH_UTC_HOUR", 18)  # 03:00 in Seoul
    # Each engine reports the last change it applied at most this often (0: never); a process
    # not heard from for MATCHING_CONSUMER_TTL_SECONDS no longer holds back pruning.
    MATCHING_POSITION_REPORT_SECONDS = float(os.environ.get("MATCHING_POSITION_REPORT_SECONDS", "5"))
    MATCHING_CONSUMER_TTL_SECONDS = float(os.environ.get("MATCHING_CONSUMER_TTL_SECONDS", "600"))
    # National Tax Service business status API (data.go.kr 국세청_사업자등록정보 진위확인 및
    # 상태조회 서비스): off until NTS_SERVICE_KEY (the decoded key) is set. Each query waits at most
    # NTS_TIMEOUT_SECONDS to connect and as long again to read; no answer shows as "not checked".
    NTS_STATUS_API_URL = os.environ.get("NTS_STATUS_API_URL",
                                        "https://api.odcloud.kr/api/nts-businessman/v1/status")
    NTS_SERVICE_KEY = os.environ.get("NTS_SERVICE_KEY") or None
    NTS_TIMEOUT_SECONDS = float(os.environ.get("NTS_TIMEOUT_SECONDS", "3"))
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024  # uploads (CSV import) are small
    # Officials' e-mail domains when a municipality lists none (space-separated; subdomains count).
    OFFICIAL_EMAIL_DOMAINS = os.environ.get("OFFICIAL_EMAIL_DOMAINS", "go.kr")
    # Verification documents officials upload (PDF, PNG, JPEG), kept in the database.
    VERIFICATION_DOCUMENT_MAX_BYTES = _env_int("VERIFICATION_DOCUMENT_MAX_BYTES", 4 * 1024 * 1024)
    VERIFICATION_DOCUMENTS_PER_USER = _env_int("VERIFICATION_DOCUMENTS_PER_USER", 5)
    # The conversation of an approved match: message length, attachments (kept in the database;
    # the whole request stays under MAX_CONTENT_LENGTH), meeting slots and the meeting reminder.
    CONVERSATION_MESSAGE_MAX = _env_int("CONVERSATION_MESSAGE_MAX", 4000)
    CONVERSATION_ATTACHMENT_MAX_BYTES = _env_int("CONVERSATION_ATTACHMENT_MAX_BYTES",
                                                 4 * 1024 * 1024)
    CONVERSATION_ATTACHMENTS_PER_MESSAGE = _env_int("CONVERSATION_ATTACHMENTS_PER_MESSAGE", 3)
    CONVERSATION_ATTACHMENTS_PER_THREAD = _env_int("CONVERSATION_ATTACHMENTS_PER_THREAD", 50)
    MEETING_SLOTS_MAX = _env_int("MEETING_SLOTS_MAX", 3)
    MEETING_REMINDER_HOURS_BEFORE = _env_int("MEETING_REMINDER_HOURS_BEFORE", 24)
    REMIND_MEETINGS_EVERY_MINUTES = _env_int("REMIND_MEETINGS_EVERY_MINUTES", 10)
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"}
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "CityMatch <no-reply@citymatch.local>")
    MAIL_CAPTURE = False
    SECURITY_HSTS_SECONDS = 0  # production only: plain-HTTP development would pin nothing useful
    REGISTRATION_LINK_MAX_AGE = 60 * 60 * 24
    PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 60 * 60)
    # Lockout: this many failed sign-ins for one address within the window lock it for a while.
    LOGIN_LOCKOUT_ATTEMPTS = _env_int("LOGIN_LOCKOUT_ATTEMPTS", 10)
    LOGIN_LOCKOUT_WINDOW_SECONDS = _env_int("LOGIN_LOCKOUT_WINDOW_SECONDS", 15 * 60)
    LOGIN_LOCKOUT_SECONDS = _env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
    # Rate limits (Flask-Limiter): memory:// is per process; use redis://… with several workers.
    RATE_LIMITS_ENABLED = _flag("RATE_LIMITS_ENABLED", "1")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATE_LIMIT_AUTH_PER_IP = os.environ.get("RATE_LIMIT_AUTH_PER_IP", "30 per minute; 300 per hour")
    RATE_LIMIT_AUTH_PER_ACCOUNT = os.environ.get("RATE_LIMIT_AUTH_PER_ACCOUNT",
                                                 "10 per minute; 50 per hour")
    RATE_LIMIT_INTEREST_PER_IP = os.environ.get("RATE_LIMIT_INTEREST_PER_IP", "30 per minute")
    # Live suggestions on the need form: one request per pause in typing (debounced in app.js).
    RATE_LIMIT_SUGGESTIONS_PER_USER = os.environ.get("RATE_LIMIT_SUGGESTIONS_PER_USER",
                                                     "60 per minute; 1000 per hour")
    RATE_LIMIT_SUGGESTIONS_PER_IP = os.environ.get("RATE_LIMIT_SUGGESTIONS_PER_IP",
                                                   "600 per minute")
    # Public API (/api/v1/, app/api/): one shared per-IP limit on every API request, a tighter one
    # on bulk downloads; page sizes; statistics cells from fewer organisations are suppressed.
    RATE_LIMIT_API_PER_IP = os.environ.get("RATE_LIMIT_API_PER_IP", "120 per minute; 3000 per hour")
    RATE_LIMIT_API_BULK_PER_IP = os.environ.get("RATE_LIMIT_API_BULK_PER_IP", "10 per hour")
    API_PAGE_SIZE = _env_int("API_PAGE_SIZE", 20)
    API_MAX_PAGE_SIZE = _env_int("API_MAX_PAGE_SIZE", 100)
    API_STATS_MIN_ORGANISATIONS = _env_int("API_STATS_MIN_ORGANISATIONS", 3)
    TESTING = False
    DEBUG = False


class DevelopmentConfig(BaseConfig):
    """Local development on the embedded SQLite database."""

    DEBUG = True
    TRUSTED_HOSTS = BaseConfig.TRUSTED_HOSTS or ["localhost", "127.0.0.1"]


class TestingConfig(BaseConfig):
    """Tests: an isolated database (TEST_DATABASE_URL or in-memory SQLite)."""

    TESTING = True
    SQLALCHEMY_DATABASE_URI = _normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
    SECRET_KEY = "test-secret-key"
    PUBLIC_BASE_URL = "http://localhost"  # the test client's host
    REQUEST_LOG_TO_STDERR = False
    WTF_CSRF_ENABLED = False
    MAIL_CAPTURE = True
    QUEUE_IMMEDIATE = True
    MATCHING_POSITION_REPORT_SECONDS = 0.0
    RATE_LIMITS_ENABLED = False  # the `rate_limits` fixture turns them on with small numbers
    NTS_SERVICE_KEY = None  # never the real API; tests/test_business_status.py runs a stub server


class ProductionConfig(BaseConfig):
    """Production: refuses to start without a real SECRET_KEY."""

    # Cookies only over HTTPS (TLS ends at the load balancer). Turn off only for plain HTTP on
    # a trusted loopback, as the live-server tests do.
    SECRET_KEY_FILE = None  # never a generated key: SECRET_KEY is required
    # Browsers keep to HTTPS for this long once they saw the header (0: no HSTS header).
    SECURITY_HSTS_SECONDS = _env_int("SECURITY_HSTS_SECONDS", 31536000)
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", "1")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    @classmethod
    def validate(cls) -> None:
        """Raise if a required production setting is missing."""
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production (환경 변수 SECRET_KEY 필요)")


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def resolve_config(config: str | type | None) -> type:
    """Pick a configuration class by name, class or the CITYMATCH_ENV variable."""
    if config is None:
        config = os.environ.get("CITYMATCH_ENV", "development")
    if isinstance(config, str):
        try:
            config = CONFIGS[config]
        except KeyError as exc:
            raise RuntimeError(f"Unknown configuration {config!r}") from exc
    validate = getattr(config, "validate", None)
    if callable(validate):
        validate()
    return config
