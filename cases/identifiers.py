"""Case identifiers (CASE-16): drawn at random, so that no number can be guessed from another.

Each kind has its own shape, so staff on the phone can tell them apart. A clash with an existing row is
retried; the unique constraints on ``Case`` are the last guard.
"""

import secrets
import string

from django.db.models import Model

_ALPHANUMERIC = "".join(c for c in string.ascii_uppercase + string.digits if c not in "IO01")
SHAPES = {
    "request_id": lambda: str(secrets.randbelow(9 * 10**9) + 10**9),  # 10 digits
    "case_number": lambda: "A" + f"{secrets.randbelow(10**9):09d}",  # A + 9 digits
    "episode_id": lambda: str(secrets.randbelow(9 * 10**10) + 10**10),  # 11 digits
    "authorization_number": lambda: "AU" + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(8)),
}
MAX_ATTEMPTS = 20


def new_identifier(model: type[Model], field: str) -> str:
    """A fresh random value for ``model.field`` that no row holds yet."""
    for _ in range(MAX_ATTEMPTS):
        value = SHAPES[field]()
        if not model._default_manager.filter(**{field: value}).exists():
            return value
    raise RuntimeError(f"Could not draw a free {field} in {MAX_ATTEMPTS} attempts.")
