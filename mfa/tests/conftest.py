import re

import pytest

from accounts.tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(
        username="mjohnson", first_name="Maria", last_name="Johnson", email="mary.johnson@office.example"
    )


@pytest.fixture
def password_client(client, user):
    """Past the password, not yet past MFA."""
    client.force_login(user)
    return client


def pin_in(body: str) -> str:
    return re.search(r"\b(\d{6})\b", body).group(1)
