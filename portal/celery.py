"""The Celery application.

Tasks subclass DjangoTask, which adds ``delay_on_commit()``: a task queued inside a request or service
is sent only once the transaction commits, so a rolled-back change never sends a fax or an email.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# p2p/tasks.py is the booking's; the P2P emails' tasks are in p2p/notify_tasks.py.
app.autodiscover_tasks(related_name="notify_tasks")
