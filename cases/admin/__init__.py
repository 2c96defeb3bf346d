"""The reviewers' tools in the admin: the work queue (``queue``), the case page and its actions (``case_page``,
``actions``), the queues of reconsiderations, appeals and extension requests (``review_rows``), and the renames'
rewrites of the cases' search text (``renames``, read-only)."""

from cases.admin import queue, renames, review_rows  # noqa: F401  (registers the model admins)
