"""Logs keep request paths but never their query strings: an admin search puts a patient's name there
(``/admin/reference/member/?q=Anderson``), and so can any GET form.

``QueryStringFilter`` is wired into LOGGING (the development server's ``django.server`` request lines and
the console) and into gunicorn's error log by ``docker/gunicorn.conf.py``, whose access log format leaves
the query out in the first place.
"""

import logging
import re

# A path (or URL) followed by "?query": the query runs to the next space or quote, as in a request line
# ("GET /path?q=x HTTP/1.1") or a quoted repr ('/path?q=x').
QUERY_STRING = re.compile(r"""(/[^\s?"'<>]*)\?[^\s"'<>]+""")


def strip_query_strings(text: str) -> str:
    """``text`` with the query string removed from every path in it."""
    return QUERY_STRING.sub(r"\1", text)


class QueryStringFilter(logging.Filter):
    """Rewrites a record's message without query strings; never drops a record.

    The message is formatted here, once, so that a query passed as an argument is caught too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = strip_query_strings(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
