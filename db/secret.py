"""The secret key personal data is sealed with: checked before anything reads or seals
with it, and rotated to a new key, batch by batch, resumably."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import models as m
from db.base import table_of
from db.errors import StorageError
from db.pii import PersonalDataCipher, SealBrokenError

__all__ = [
    "Rotated",
    "RotationUnderwayError",
    "SecretKeyError",
    "WrongSecretKeyError",
    "claim_key",
    "rotate_key",
]

_STATE = 1
ROTATION_BATCH = 1_000


class SecretKeyError(StorageError):
    """WENMING_SECRET_KEY cannot be used with this database."""


class WrongSecretKeyError(SecretKeyError):
    def __init__(self) -> None:
        super().__init__(
            "WENMING_SECRET_KEY is not the key this database's ID numbers and phones are "
            "sealed with: set the key they were sealed with (a new key is brought in with "
            "`wenming secret rotate`, which re-seals everything under it)"
        )


class RotationUnderwayError(SecretKeyError):
    def __init__(self) -> None:
        super().__init__(
            "a change of WENMING_SECRET_KEY is under way and not finished: run `wenming "
            "secret rotate` again with the same old and new keys; it goes on where it stopped"
        )


async def claim_key(
    engine: AsyncEngine, cipher: PersonalDataCipher, now: datetime | None = None
) -> None:
    """Refuse (SecretKeyError) unless `cipher`'s key is the one the data is sealed with.
    A database that has not recorded its key yet records this one, after checking that
    it opens what is already sealed."""
    state = table_of(m.SealingKey)
    async with engine.begin() as connection:
        row = await _state(connection)
        if row is not None:
            if row.rotating_to is not None:
                raise RotationUnderwayError()
            if row.fingerprint != cipher.fingerprint:
                raise WrongSecretKeyError()
            return
        sample = await connection.scalar(select(m.Volunteer.id_number_sealed).limit(1))
        if sample is not None:
            try:
                cipher.open(sample)
            except SealBrokenError:
                raise WrongSecretKeyError() from None
        await connection.execute(
            state.insert().values(
                id=_STATE,
                fingerprint=cipher.fingerprint,
                rotating_to=None,
                changed_at=now or datetime.now(UTC),
            )
        )


@dataclass(frozen=True, slots=True)
class Rotated:
    volunteers: int
    already: bool = False


async def rotate_key(
    engine: AsyncEngine,
    old: PersonalDataCipher,
    new: PersonalDataCipher,
    *,
    batch_size: int = ROTATION_BATCH,
    progress: Callable[[int], None] | None = None,
) -> Rotated:
    """Re-seal every ID number and phone under `new` and derive person keys from it.

    The database first records that the rotation is under way (so that neither key
    serves meanwhile); each batch commits on its own; a value already under `new` is
    left as it is re-sealed. Interrupted at any point, the same call finishes the job."""
    if old.fingerprint == new.fingerprint:
        raise SecretKeyError("the new key is the key in use: choose another")
    async with engine.connect() as connection:
        row = await _state(connection)
    if row is None:
        await claim_key(engine, old)
    elif row.fingerprint == new.fingerprint and row.rotating_to is None:
        return Rotated(0, already=True)
    elif row.fingerprint != old.fingerprint:
        raise WrongSecretKeyError()
    elif row.rotating_to not in (None, new.fingerprint):
        raise SecretKeyError(
            "a change to yet another key is under way: finish it with that new key first"
        )
    async with engine.begin() as connection:
        await _mark(connection, rotating_to=new.fingerprint)
    done, last = 0, 0
    volunteers = table_of(m.Volunteer)
    while True:
        async with engine.begin() as connection:
            rows = (
                await connection.execute(
                    select(
                        volunteers.c.id, volunteers.c.id_number_sealed, volunteers.c.phone_sealed
                    )
                    .where(volunteers.c.id > last)
                    .order_by(volunteers.c.id)
                    .limit(batch_size)
                )
            ).all()
            if not rows:
                break
            changes = []
            for volunteer_id, sealed_id, sealed_phone in rows:
                id_number = _open_either(old, new, sealed_id, volunteer_id)
                phone = _open_either(old, new, sealed_phone, volunteer_id) if sealed_phone else None
                changes.append(
                    {
                        "volunteer": volunteer_id,
                        "sealed_id": new.seal(id_number),
                        "sealed_phone": new.seal(phone) if phone is not None else None,
                        "key": new.person_key(id_number),
                    }
                )
            await connection.execute(
                update(volunteers)
                .where(volunteers.c.id == bindparam("volunteer"))
                .values(
                    id_number_sealed=bindparam("sealed_id"),
                    phone_sealed=bindparam("sealed_phone"),
                    person_key=bindparam("key"),
                ),
                changes,
            )
            last = rows[-1][0]
        done += len(rows)
        if progress is not None:
            progress(done)
    async with engine.begin() as connection:
        await _mark(connection, fingerprint=new.fingerprint, rotating_to=None)
    return Rotated(done)


async def _state(connection: AsyncConnection) -> Row[Any] | None:
    state = table_of(m.SealingKey)
    return (await connection.execute(select(state).where(state.c.id == _STATE))).first()


async def _mark(connection: AsyncConnection, **values: str | None) -> None:
    state = table_of(m.SealingKey)
    await connection.execute(
        update(state).where(state.c.id == _STATE).values(**values, changed_at=datetime.now(UTC))
    )


def _open_either(
    old: PersonalDataCipher, new: PersonalDataCipher, sealed: str, volunteer: int
) -> str:
    for cipher in (old, new):
        try:
            return cipher.open(sealed)
        except SealBrokenError:
            continue
    raise SecretKeyError(
        f"volunteer {volunteer}'s sealed data opens with neither the old nor the new key; "
        "nothing of it was changed and the rotation stays under way: find the key it was "
        "sealed with before going on"
    )
