"""gunicorn's settings (``gunicorn config.wsgi --config python:config.gunicorn``), from the environment.

PORT and WEB_CONCURRENCY are the names platforms that run a Procfile set; HOST defaults to the
loopback address because a TLS-terminating proxy sits in front (README, "Production").
One JSON line per request comes from Django (``config.middleware.RequestIdMiddleware``), so
gunicorn's access log stays off; its own messages are JSON lines as well.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# A request that takes longer is cut off; exports and documents run in the worker instead.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never grows into an outage.
max_requests = 1000
max_requests_jitter = 100
# X-Forwarded-Proto is trusted from the proxy in front (127.0.0.1 by default).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
# gunicorn's control socket (gunicornc) only where asked for: by default every instance on a
# machine would share one path in $HOME.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
