"""A person's identity fields → what the hub stores: sealed values and the person key."""

from __future__ import annotations

from typing import Any

from connectors.base import Mapped, Rejection
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
    real_name = clean_text(name).replace(" ", "")
    if not real_name:
        raise Rejection(f"{name_column} is empty", name_column)
    kind = clean_text(document_type)
    if kind in ID_CARD_TYPES:
        try:
            number = validate_id_number(str(document or ""), known_prefixes=PROVINCE_PREFIXES)
        except InvalidIdNumberError as error:
            raise Rejection(f"{document_column}: {error}", document_column) from None
    else:
        number = normalise_id_number(str(document or ""))
        if not number:
            raise Rejection(f"{document_column} is empty", document_column)
        number = f"{kind}:{number}"
    spoken = clean_text(gender)
    if spoken not in GENDER_WORDS:
        raise Rejection(f"{gender_column} {spoken!r} should be 男 or 女", gender_column)
    sex = GENDER_WORDS[spoken]
    if sex is Gender.UNKNOWN and kind in ID_CARD_TYPES:
        sex = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    raw_phone = clean_text(phone)
    mobile = normalise_phone(raw_phone) if raw_phone else None
    if raw_phone and mobile is None:
        raise Rejection(
            f"{phone_column} {raw_phone!r} is not a mainland mobile number", phone_column
        )
    return {
        "real_name": real_name,
        "person_key": cipher.person_key(number),
        "id_number_sealed": cipher.seal(number),
        "phone_sealed": cipher.seal(mobile) if mobile else None,
        # Keyed hashes stand in for the sealed values when deciding what changed.
        "_phone": cipher.person_key(mobile) if mobile else None,
        "gender": sex,
    }


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
