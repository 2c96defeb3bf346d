from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from audit.services import audit_record
from correspondence import letters
from correspondence.selectors import letters_visible_to


@login_required
@require_GET
def letter_pdf(request, pk: int):
    """A letter's stored PDF, for the users who may view its case (404 for anyone else, and until it is
    rendered); the read is audited."""
    letter = get_object_or_404(letters_visible_to(request.user), pk=pk)
    if not letter.is_rendered:
        raise Http404("This letter is being prepared.")
    audit_record(
        action="correspondence.letter_viewed",
        request=request,
        target=letter.case,
        details={"letter": letter.pk, "kind": letter.kind},
    )
    response = HttpResponse(letters.letter_pdf(letter), content_type="application/pdf")
    filename = f"{letter.kind.replace('_', '-')}-letter-{letter.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
