"""Eligibility Lookup (WL-3): a member's plans, coverage spans and the programs each plan delegates."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.services import audit_record
from practices.selectors import entitlement_refusal
from reference import selectors
from reference.forms import EligibilityLookupForm

# The case build's words for the same lookup: which of the three did not match is not said (a guessing aid).
NO_MATCH = (
    "No patient was found with this Patient ID, date of birth and last name. Check the spelling of the "
    "patient's name and the Patient ID, then look up again."
)


@login_required
@require_http_methods(["GET", "POST"])
def eligibility_lookup(request):
    """POST only for the lookup: the three answers are PHI and stay out of URLs and logs (SEC-2).

    Who may look members up: users with the case-submission entitlement in a practice, the users who build
    requests for patients; anyone else is told why and whom to ask, as on Request an Authorization.
    """
    refusal = entitlement_refusal(
        user=request.user, entitlement="case_submission", purpose="look up a patient's eligibility"
    )
    posted = request.method == "POST" and refusal is None
    form = EligibilityLookupForm(request.POST if posted else None)
    member, spans = None, []
    if posted and form.is_valid():
        member = selectors.members_lookup(**form.cleaned_data).first()
        if member is None:
            form.add_error(None, NO_MATCH)
        else:
            spans = selectors.member_eligibility(member=member, day=timezone.localdate())
            audit_record(action="member.eligibility_viewed", request=request, target=member)
    return render(
        request,
        "reference/eligibility_lookup.html",
        {"form": form, "refusal": refusal, "member": member, "spans": spans},
        status=403 if request.method == "POST" and refusal else 200,
    )
