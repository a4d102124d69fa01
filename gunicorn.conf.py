"""gunicorn settings for `make serve` (`gunicorn --config gunicorn.conf.py wsgi:app`).

Every value can be set from the environment; the defaults suit a 2-core machine.
"""
import os

# Where to listen. Behind a load balancer or reverse proxy on the same host, keep 127.0.0.1.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threaded workers: pages spend part of their time waiting on PostgreSQL, so a few threads per
# process keep both cores busy. Each worker process holds its own matching engine in memory
# (see docs/benchmarks.md for the memory per 10k solutions), so size workers by memory too.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM/SIGHUP, finish the requests in flight for up to this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Replace workers now and then (with jitter, so not all at once) to bound slow memory growth.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))

# No access log: the app writes one JSON line per request with its request id, user id,
# endpoint and duration (logger `citymatch.request`, see app/request_log.py) to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Trust X-Forwarded-Proto/-For only from these addresses (the load balancer).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn's control socket has one default path per user, which several servers on one host
# would share; manage the server with signals instead (HUP reloads, TERM stops gracefully).
control_socket_disable = True

# No preload: each worker imports the app after the fork. A preloaded app would open database
# connections and start the matching engine's threads in the master, and forked children must
# not share either; the engine is built per worker anyway (copy-on-write saves little with
# CPython's reference counting), and without preload `kill -HUP` reloads new code.
preload_app = False


def post_worker_init(worker):
    """Load the analyser and matching engine before the worker takes requests."""
    from app.services.readiness import warm_up

    app = worker.wsgi
    with app.app_context():
        try:
            warm_up()
        except Exception:  # database down: /readyz reports it; the first request that needs it retries
            app.logger.warning("Matching engine not loaded at worker start", exc_info=True)
        finally:
            from app.extensions import db

            db.session.remove()
