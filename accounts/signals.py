"""Audit rows for Django's authentication signals (ACC-12: every login, failed login and logout)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.services import audit_record


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit_record(action="auth.login", request=request, actor=user, target=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in credentials; only the typed user name is kept.
    audit_record(action="auth.login_failed", request=request, actor_username=str(credentials.get("username", ""))[:150])


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="auth.logout", request=request, actor=user, target=user)
