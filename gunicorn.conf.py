"""gunicorn settings for fansite (used by `make serve` and the production recipe).

Every value can be overridden by environment variables, e.g. WEB_CONCURRENCY=4.
"""

import multiprocessing
import os

wsgi_app = "fansite.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Sync workers: the site does short, database-bound requests. Two per core
# plus one keeps a core busy while another worker waits on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound, but
# rarely: a new worker starts with cold connections (at 2,000 requests a busy
# worker was replaced every second and W0 lost a fifth of its throughput).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the local reverse proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the application before forking: less memory per worker, errors at start-up.
preload_app = True
# gunicorn's control socket (for gunicornc) defaults to one fixed path per user, so
# two instances on a machine would take it from each other: off unless a path is
# given (the systemd unit in deploy/ gives one under /run/fansite).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket


def post_fork(server, worker):
    """A worker must never share the master's database connections (with
    preload_app and persistent connections, one opened before the fork would be
    inherited by every worker)."""
    from django.db import connections

    connections.close_all()
