"""gunicorn settings for the web container (Dockerfile CMD, compose's web): logs without query strings.

    gunicorn portal.wsgi:application --config docker/gunicorn.conf.py ...

The query string can carry a patient's name (the admin's member search is ``?q=Anderson``), so the access
log records the path alone: ``%(U)s`` where gunicorn's default has the request line ``%(r)s``, and no
``%(q)s``. The Referer ``%(f)s`` is left out too: for the portal's own pages it is a full URL, query and all.
The error log ("Error handling request GET /path?...") goes through the filter LOGGING uses.

Each worker freezes its heap once the app is loaded (``post_worker_init``): Python's full collections then scan
only what requests allocate, not Django, the app and their caches, which made some requests 100-500 ms instead of
25-40 (bench/worklist.py measures the pages both ways).
"""

import gc

from gunicorn.glogging import Logger

from portal.logging import QueryStringFilter

# gunicorn's default less the query and the Referer, plus the time taken:
#   127.0.0.1 - - [30/Nov/2026:09:15:02 -0500] "GET /admin/reference/member/ HTTP/1.1" 200 5120 "Mozilla/5.0 ..." 42ms
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'


class QueryFreeLogger(Logger):
    """gunicorn's logger, with query strings removed from its error log (and from the access log, should
    someone put ``%(r)s`` back into the format)."""

    def __init__(self, cfg):
        super().__init__(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(QueryStringFilter())


logger_class = QueryFreeLogger


def post_worker_init(worker):
    """The app is loaded: what it allocated stays for the worker's life, so the collector can stop scanning it."""
    gc.collect()
    gc.freeze()
