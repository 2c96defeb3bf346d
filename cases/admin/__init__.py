"""The reviewers' tools in the admin: the work queues (``queue``) and the actions on one case (``actions``)."""

from cases.admin import queue  # noqa: F401  (registers the model admins)
