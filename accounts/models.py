from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A portal user: provider office staff, ECRM office staff, or a reviewer (staff, in the admin).

    A custom model from the first migration, so that registration (NPI, tax ID, phone) can add
    fields later without swapping AUTH_USER_MODEL on a live database.
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def display_name(self):
        return self.get_full_name() or self.username
