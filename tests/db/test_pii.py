"""Personal data at rest: sealed values open only with the same secret; person keys."""

from __future__ import annotations

import pytest

from db.pii import PersonalDataCipher, SealBrokenError

ID_NUMBER = "11010519491231002X"


def test_sealed_value_is_not_the_clear_text_and_opens_again() -> None:
    cipher = PersonalDataCipher("a-secret-of-sixteen+")
    sealed = cipher.seal(ID_NUMBER)
    assert ID_NUMBER not in sealed
    assert cipher.open(sealed) == ID_NUMBER


def test_another_secret_cannot_open_it() -> None:
    sealed = PersonalDataCipher("a-secret-of-sixteen+").seal(ID_NUMBER)
    with pytest.raises(SealBrokenError, match="WENMING_SECRET_KEY"):
        PersonalDataCipher("another-secret-value").open(sealed)


def test_person_key_is_stable_per_secret_and_hides_the_number() -> None:
    first, second = (
        PersonalDataCipher("a-secret-of-sixteen+"),
        PersonalDataCipher("a-secret-of-sixteen+"),
    )
    assert first.person_key(ID_NUMBER) == second.person_key(ID_NUMBER)
    assert first.person_key(ID_NUMBER) != PersonalDataCipher("another-secret-value").person_key(
        ID_NUMBER
    )
    assert ID_NUMBER not in first.person_key(ID_NUMBER)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="16 characters"):
        PersonalDataCipher("short")
