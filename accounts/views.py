from django.conf import settings
from django.shortcuts import render

from accounts.forms import LoginForm
from audit.services import audit_record


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this instead of logging in while a user name or address is locked."""
    username = (credentials or {}).get("username", "")
    audit_record(action="auth.locked_out", request=request, actor_username=username[:150])
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm(request, initial={"username": username})
    form.add_error(
        None,
        f"Too many unsuccessful attempts. Try again in {minutes} minutes, or reset your password with Forgot Password.",
    )
    return render(request, "accounts/login.html", {"form": form}, status=429)
