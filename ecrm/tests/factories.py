import factory

from accounts.tests.factories import UserFactory
from ecrm.models import EcrmProfile


class EcrmProfileFactory(factory.django.DjangoModelFactory):
    """An ECRM registration: with no practice membership, its user is ECRM-only."""

    class Meta:
        model = EcrmProfile

    user = factory.SubFactory(UserFactory)
    business_phone = "8605550142"
    organization_name = factory.Sequence(lambda n: f"Granby Therapy Group {n}")
    address = "12 Main Street"
    city = "Hartford"
    state = "CT"
    tax_id = "061234567"
    npi = "1234567893"


def ecrm_user(**kwargs):
    return EcrmProfileFactory(**kwargs).user


def ticket_submitted(user=None, *, short_description="Wrong fax number", files=(), form_slug="provider-services"):
    """A ticket submitted through the service, as the request form does (needs the ``ecrm_catalog`` fixture)."""
    from ecrm import tickets
    from ecrm.models import RequestForm

    form = RequestForm.objects.get(slug=form_slug)
    request_type = form.request_types.first()
    return tickets.ticket_submit(
        request=None,
        user=user or ecrm_user(),
        request_form=form,
        data={
            "short_description": short_description,
            "carrier_scope": "all",
            "health_plans": [],
            "request_type": request_type,
            "subrequest": request_type.subrequests.first(),
            "description": "Correct fax number is 555-555-5555.",
        },
        files=files,
    )


def ecrm_agent(**kwargs):
    """Staff who may read tickets (the "ECRM agents" group's permission)."""
    from django.contrib.auth.models import Permission

    agent = UserFactory(is_staff=True, first_name="Wendy", last_name="Carter", **kwargs)
    agent.user_permissions.add(Permission.objects.get(codename="view_ticket", content_type__app_label="ecrm"))
    return agent
