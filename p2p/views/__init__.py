"""The P2P scheduling tool's pages, a module a step: Case Info (``case_info``: the default time zone, New P2P
Request), ``questions``, ``schedule``, P2P Contact Details (``contact``) and the requests (``requests``:
Confirmation, My P2P Requests, a request, Reschedule, Cancel). What the steps share is in ``common``."""
