"""A person's identity fields → what the hub stores: sealed values and the person key."""

from __future__ import annotations

from typing import Any

from connectors.base import Findings, Mapped, Rejection
from connectors.batch import content_hash
from connectors.identity import (
    InvalidIdNumberError,
    normalise_id_number,
    normalise_phone,
    validate_id_number,
)
from connectors.normalise import clean_text
from connectors.volunteers.settings import GENDER_WORDS, ID_CARD_TYPES
from db.models import Gender, Volunteer
from db.pii import PersonalDataCipher

__all__ = ["PROVINCE_PREFIXES", "REGISTRATION_ONLY", "identity", "volunteer_record"]

# The province codes (GB/T 2260) an ID number's address code can begin with.
PROVINCE_PREFIXES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)


def identity(
    cipher: PersonalDataCipher,
    *,
    name: Any,
    document_type: Any,
    document: Any,
    gender: Any,
    phone: Any,
    columns: tuple[str, str, str, str] = ("姓名", "证件号码", "性别", "手机号码"),
) -> dict[str, Any]:
    """Values for a Volunteer's personal columns. ID numbers must pass GB 11643; a phone
    that is given must be a mainland mobile number."""
    name_column, document_column, gender_column, phone_column = columns
    findings = Findings()
    real_name = clean_text(name).replace(" ", "")
    if not real_name:
        findings.add(f"{name_column} is empty", name_column)
    kind = clean_text(document_type)
    number = findings.check(lambda: _document(kind, document, document_column))
    spoken = clean_text(gender)
    sex = findings.check(lambda: _gender(spoken, gender_column))
    raw_phone = clean_text(phone)
    mobile = normalise_phone(raw_phone) if raw_phone else None
    if raw_phone and mobile is None:
        findings.add(f"{phone_column} {raw_phone!r} is not a mainland mobile number", phone_column)
    findings.settle()
    # settle() refused the record otherwise
    assert number is not None
    assert sex is not None
    if sex is Gender.UNKNOWN and kind in ID_CARD_TYPES:
        sex = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    return {
        "real_name": real_name,
        "person_key": cipher.person_key(number),
        "id_number_sealed": cipher.seal(number),
        "phone_sealed": cipher.seal(mobile) if mobile else None,
        # Keyed hashes stand in for the sealed values when deciding what changed.
        "_phone": cipher.person_key(mobile) if mobile else None,
        "gender": sex,
    }


def _document(kind: str, document: Any, column: str) -> str:
    """The ID number, checked; another document's number prefixed with its type."""
    if kind in ID_CARD_TYPES:
        try:
            return validate_id_number(str(document or ""), known_prefixes=PROVINCE_PREFIXES)
        except InvalidIdNumberError as error:
            raise Rejection(f"{column}: {error}", column) from None
    number = normalise_id_number(str(document or ""))
    if not number:
        raise Rejection(f"{column} is empty", column)
    return f"{kind}:{number}"


def _gender(spoken: str, column: str) -> Gender:
    if spoken not in GENDER_WORDS:
        raise Rejection(f"{column} {spoken!r} should be 男 or 女", column)
    return GENDER_WORDS[spoken]


# A volunteer record's values that belong to the registry's registration, not to the
# person: one volunteer may be registered in several registries under several numbers.
REGISTRATION_ONLY = frozenset({"volunteer_number", "registered_on", "county_code"})


def volunteer_record(source_id: str, values: dict[str, Any], extras: dict[str, Any]) -> Mapped:
    """A registry's record of a volunteer, hashed for what the person's row holds and,
    in `extras["registration_digest"]`, for what the registration's row holds: its
    number and date, and whose they are."""
    digest = content_hash({k: v for k, v in values.items() if k not in REGISTRATION_ONLY})
    registration = content_hash(
        {
            "person": digest,
            "number": values.get("volunteer_number"),
            "registered_on": values.get("registered_on"),
        }
    )
    stored = {key: value for key, value in values.items() if not key.startswith("_")}
    extras = {**extras, "registration_digest": registration}
    return Mapped(
        Volunteer,
        source_id,
        stored,
        extras=extras,
        digest=digest,
        columns={"volunteer_number": "志愿者编号"},
    )
