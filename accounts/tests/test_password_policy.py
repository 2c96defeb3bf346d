import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from accounts.password_validation import MAX_LENGTH, MIN_LENGTH, SPECIAL_CHARACTERS, has_sequence


def codes(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


USER = User(username="mjohnson", first_name="Maria", last_name="Johnson", organization_name="Hartford Orthopedics")


@pytest.mark.parametrize(
    "password",
    ["Evergreen#Clinic48", "Tq7!mzPw2=kX", "Rv9?Lp2+Wd7.Hs4-", "a1!B" * 3, "Zz9#" + "Kw2!" * 9],
)
def test_passwords_that_follow_every_rule_are_accepted(password):
    assert codes(password, USER) == set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Tq7!mzPw2=k", "password_too_short"),
        ("Tq7!mzPw2=k" * 4, "password_too_long"),
        ("tq7!mzpw2=kx", "password_character_classes"),  # no uppercase
        ("TQ7!MZPW2=KX", "password_character_classes"),  # no lowercase
        ("Tqx!mzPw_=kX", "password_character_classes"),  # no digit
        ("Tq7xmzPw2wkX", "password_character_classes"),  # no special from the list
        ("Tq7^mzPw2_kX", "password_character_classes"),  # ^ and _ are not in the list
        ("Tq7!mzzzPw2=kX", "password_repeated_characters"),
        ("Tq7!mzPw2=kX111", "password_repeated_characters"),
        ("Tq7!abcPw2=kX", "password_sequence"),
        ("Tq7!mzPw2=kX321", "password_sequence"),
        ("Tq7!mzPw2=kXcBa", "password_sequence"),
        ("Tq7!MARIA=kX2w", "password_contains_user_data"),
        ("Tq7!johnson=kX2w", "password_contains_user_data"),
        ("Tq7!mJohnson=kX", "password_contains_user_data"),
        ("Tq7!hartfordorthopedics=kX", "password_contains_user_data"),
    ],
)
def test_each_broken_rule_is_refused_with_its_own_reason(password, code):
    assert code in codes(password, USER)


def test_common_passwords_are_refused_even_when_they_fit_the_character_rules():
    # One of the few entries of Django's list that otherwise meets every rule; the list is case-insensitive.
    assert codes("Pe#5GZ29ptzmse") == {"password_too_common"}


def test_two_in_a_row_and_two_in_sequence_are_allowed():
    assert codes("Tq7!mzzPw2=kXab12", USER) == set()


def test_short_user_data_does_not_forbid_unrelated_passwords():
    user = User(username="li.wei", first_name="Li", last_name="Wu")
    assert codes("Tq7!Limz2=kXwu9", user) == set()


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=3, max_size=30))
def test_sequence_detection_agrees_with_a_brute_force_scan(text):
    def brute(s):
        s = s.lower()
        for i in range(len(s) - 2):
            a, b, c = s[i : i + 3]
            same_kind = a.isdigit() == b.isdigit() == c.isdigit()
            if same_kind and ord(b) - ord(a) == ord(c) - ord(b) and abs(ord(b) - ord(a)) == 1:
                return True
        return False

    assert has_sequence(text) == brute(text)


@given(
    st.text(
        alphabet=st.sampled_from("abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789" + SPECIAL_CHARACTERS),
        min_size=1,
        max_size=60,
    )
)
def test_the_length_rule_holds_for_any_password(password):
    found = codes(password)
    assert ("password_too_short" in found) == (len(password) < MIN_LENGTH)
    assert ("password_too_long" in found) == (len(password) > MAX_LENGTH)
