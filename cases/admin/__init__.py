"""The reviewers' tools in the admin: the work queue (``queue``), the case page and its actions (``case_page``,
``actions``), and the queues of reconsiderations, appeals and extension requests (``review_rows``)."""

from cases.admin import queue, review_rows  # noqa: F401  (registers the model admins)
