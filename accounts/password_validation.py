"""The password policy of seed 000 as Django password validators (AUTH_PASSWORD_VALIDATORS).

Every place a password is set (creation, reset, change, admin) calls Django's ``validate_password``,
so these classes are the one rule book. ``CHECKLIST`` describes the same rules to the page, whose
"Strength" checklist ticks them as the user types; the server never trusts the page.
"""

import itertools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 40
SPECIAL_CHARACTERS = "!@#$%&*?+.-="
MAX_REPEAT = 2
MAX_SEQUENCE = 2
# User data shorter than this (a last name such as "Li") would forbid too many unrelated passwords.
MIN_USER_DATA_LENGTH = 3


@dataclass(frozen=True)
class ChecklistItem:
    rule: str  # the name the page's script knows the rule by
    label: str
    checked_live: bool  # seed 000: the first group is ticked live, the second "once you submit"


CHECKLIST = (
    ChecklistItem("min_length", f"Minimum {MIN_LENGTH} characters", True),
    ChecklistItem("max_length", f"Maximum {MAX_LENGTH} characters", True),
    ChecklistItem("lowercase", "At least 1 lowercase letter(s)", True),
    ChecklistItem("uppercase", "At least 1 uppercase letter(s)", True),
    ChecklistItem("digit", "At least 1 digit(s)", True),
    ChecklistItem("special", f"At least 1 special character(s) from these options {SPECIAL_CHARACTERS}", True),
    ChecklistItem("repeat", f"No repetitions more than {MAX_REPEAT} character(s)", False),
    ChecklistItem("sequence", f"No sequence more than {MAX_SEQUENCE} character(s)", False),
    ChecklistItem("user_data", "No user data like first name, last name, username, and company name", False),
)


class LengthValidator:
    def validate(self, password, user=None):
        if len(password) < MIN_LENGTH:
            raise ValidationError(
                f"The password must have at least {MIN_LENGTH} characters.", code="password_too_short"
            )
        if len(password) > MAX_LENGTH:
            raise ValidationError(f"The password must have at most {MAX_LENGTH} characters.", code="password_too_long")

    def get_help_text(self):
        return f"Between {MIN_LENGTH} and {MAX_LENGTH} characters."


class CharacterClassesValidator:
    """At least one lowercase letter, one uppercase letter, one digit and one special character."""

    def validate(self, password, user=None):
        missing = []
        if not re.search(r"[a-z]", password):
            missing.append("a lowercase letter")
        if not re.search(r"[A-Z]", password):
            missing.append("an uppercase letter")
        if not re.search(r"\d", password):
            missing.append("a digit")
        if not any(char in SPECIAL_CHARACTERS for char in password):
            missing.append(f"a special character from {SPECIAL_CHARACTERS}")
        if missing:
            raise ValidationError(
                "The password needs %(missing)s.",
                code="password_character_classes",
                params={"missing": _join(missing)},
            )

    def get_help_text(self):
        return f"At least one lowercase letter, uppercase letter, digit and special character ({SPECIAL_CHARACTERS})."


class RepeatedCharactersValidator:
    def validate(self, password, user=None):
        if re.search(rf"(.)\1{{{MAX_REPEAT}}}", password):
            raise ValidationError(
                f"The password repeats a character more than {MAX_REPEAT} times in a row.",
                code="password_repeated_characters",
            )

    def get_help_text(self):
        return f"No character more than {MAX_REPEAT} times in a row."


def has_sequence(password: str, longest_allowed: int = MAX_SEQUENCE) -> bool:
    """True when letters or digits run up or down by one for more than ``longest_allowed``
    characters ("abc", "CBA", "123", "987"; letters compared without case)."""
    run, direction = 1, 0
    text = password.lower()
    for previous, current in itertools.pairwise(text):
        same_kind = (previous.isdigit() and current.isdigit()) or (
            previous.isascii() and current.isascii() and previous.isalpha() and current.isalpha()
        )
        step = ord(current) - ord(previous) if same_kind else 0
        if step in (1, -1) and (run == 1 or step == direction):
            run, direction = run + 1, step
        elif step in (1, -1):
            run, direction = 2, step
        else:
            run, direction = 1, 0
        if run > longest_allowed:
            return True
    return False


class SequenceValidator:
    def validate(self, password, user=None):
        if has_sequence(password):
            raise ValidationError(
                f"The password has a sequence of more than {MAX_SEQUENCE} letters or digits, such as abc or 321.",
                code="password_sequence",
            )

    def get_help_text(self):
        return f"No sequence of more than {MAX_SEQUENCE} letters or digits (abc, 123, cba)."


def user_data_values(user) -> list[str]:
    values = [
        getattr(user, "first_name", ""),
        getattr(user, "last_name", ""),
        user.get_username() if hasattr(user, "get_username") else getattr(user, "username", ""),
        getattr(user, "organization_name", ""),
    ]
    # "Hartford Orthopedics" is checked as typed and without its spaces.
    values += [value.replace(" ", "") for value in values if " " in value]
    return [value.lower() for value in values if value and len(value) >= MIN_USER_DATA_LENGTH]


class UserDataValidator:
    """None of first name, last name, user name or organization name inside the password."""

    def validate(self, password, user=None):
        if user is None:
            return
        lowered = password.lower()
        if any(value in lowered for value in user_data_values(user)):
            raise ValidationError(
                "The password must not contain your first name, last name, user name or organization name.",
                code="password_contains_user_data",
            )

    def get_help_text(self):
        return "Not your first name, last name, user name or organization name."


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
