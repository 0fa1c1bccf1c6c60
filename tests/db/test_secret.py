"""The secret key: nothing serves or seals with a key that does not open the stored
personal data, and `wenming secret rotate` moves everything to a new key, going on
where it stopped when interrupted, with nothing lost."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher
from db.secret import (
    RotationUnderwayError,
    SecretKeyError,
    WrongSecretKeyError,
    claim_key,
    rotate_key,
)
from hub.cli import main
from tests.databases import TEST_SECRET
from tests.factories import add_division_tree, provenance

OLD = PersonalDataCipher(TEST_SECRET)
NEW = PersonalDataCipher("a-new-secret-key-for-rotation-2026")
PEOPLE = [
    (f"52260119900101{index:03d}X", f"139{index:08d}" if index % 3 else None) for index in range(25)
]


async def _volunteers(engine: AsyncEngine, people: list[tuple[str, str | None]] = PEOPLE) -> None:
    """Volunteers sealed and keyed under the old key."""
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(add_division_tree())
        await session.flush()
        session.add_all(
            m.Volunteer(
                county_code="522601",
                volunteer_number=f"V{index}",
                person_key=OLD.person_key(number),
                real_name="李娜",
                id_number_sealed=OLD.seal(number),
                phone_sealed=OLD.seal(phone) if phone else None,
                gender=m.Gender.FEMALE,
                registered_on=date(2024, 5, 1),
                **provenance(),
            )
            for index, (number, phone) in enumerate(people)
        )


async def _opened(
    engine: AsyncEngine, cipher: PersonalDataCipher
) -> list[tuple[str, str | None, str]]:
    async with create_sessionmaker(engine)() as session:
        rows = (await session.scalars(select(m.Volunteer).order_by(m.Volunteer.id))).all()
    return [
        (
            cipher.open(row.id_number_sealed),
            cipher.open(row.phone_sealed) if row.phone_sealed else None,
            row.person_key,
        )
        for row in rows
    ]


async def test_the_first_key_is_recorded_and_another_is_refused(engine: AsyncEngine) -> None:
    await claim_key(engine, OLD)
    await claim_key(engine, OLD)
    with pytest.raises(WrongSecretKeyError, match="not the key"):
        await claim_key(engine, NEW)


async def test_data_sealed_before_keys_were_recorded_is_checked_by_opening_it(
    engine: AsyncEngine,
) -> None:
    await _volunteers(engine)
    with pytest.raises(WrongSecretKeyError):
        await claim_key(engine, NEW)
    await claim_key(engine, OLD)
    with pytest.raises(WrongSecretKeyError):
        await claim_key(engine, NEW)


async def test_rotation_reseals_everything_and_rekeys_person_keys(engine: AsyncEngine) -> None:
    await _volunteers(engine)
    await claim_key(engine, OLD)
    rotated = await rotate_key(engine, OLD, NEW, batch_size=10)
    assert rotated.volunteers == len(PEOPLE)
    assert await _opened(engine, NEW) == [
        (number, phone, NEW.person_key(number)) for number, phone in PEOPLE
    ]
    await claim_key(engine, NEW)
    with pytest.raises(WrongSecretKeyError):
        await claim_key(engine, OLD)
    assert (await rotate_key(engine, OLD, NEW)).already


class _Interrupted(Exception):
    pass


async def test_an_interrupted_rotation_serves_neither_key_and_finishes_when_run_again(
    engine: AsyncEngine,
) -> None:
    await _volunteers(engine)

    def stop_after_the_first_batch(done: int) -> None:
        raise _Interrupted

    with pytest.raises(_Interrupted):
        await rotate_key(engine, OLD, NEW, batch_size=10, progress=stop_after_the_first_batch)
    for cipher in (OLD, NEW):
        with pytest.raises(RotationUnderwayError, match="run `wenming secret rotate` again"):
            await claim_key(engine, cipher)
    with pytest.raises(SecretKeyError, match="yet another key"):
        await rotate_key(engine, OLD, PersonalDataCipher("a-third-key-nobody-meant-1234"))
    await rotate_key(engine, OLD, NEW, batch_size=7)
    assert await _opened(engine, NEW) == [
        (number, phone, NEW.person_key(number)) for number, phone in PEOPLE
    ]
    await claim_key(engine, NEW)


async def test_a_value_under_a_third_key_stops_the_rotation_and_loses_nothing(
    engine: AsyncEngine,
) -> None:
    await _volunteers(engine)
    stray = PersonalDataCipher("a-key-from-some-other-install")
    async with create_sessionmaker(engine)() as session, session.begin():
        row = await session.scalar(select(m.Volunteer).where(m.Volunteer.volunteer_number == "V20"))
        assert row is not None
        row.id_number_sealed = stray.seal(PEOPLE[20][0])
    with pytest.raises(SecretKeyError, match="opens with neither"):
        await rotate_key(engine, OLD, NEW, batch_size=10)
    async with create_sessionmaker(engine)() as session:
        kept = await session.scalar(
            select(m.Volunteer.id_number_sealed).where(m.Volunteer.volunteer_number == "V20")
        )
    assert kept is not None
    assert stray.open(kept) == PEOPLE[20][0]


async def test_the_hub_refuses_to_serve_with_the_wrong_key(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await _volunteers(engine)
    monkeypatch.setenv("WENMING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("WENMING_SECRET_KEY", "a-new-secret-key-for-rotation-2026")
    assert await asyncio.to_thread(main, ["serve", "--port", "1"]) == 2
    assert "not the key this database" in capsys.readouterr().err
    assert await asyncio.to_thread(main, ["secret", "check"]) == 2
    monkeypatch.setenv("WENMING_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("WENMING_NEW_SECRET_KEY", "a-new-secret-key-for-rotation-2026")
    assert await asyncio.to_thread(main, ["secret", "rotate"]) == 0
    assert "25 volunteers re-sealed" in capsys.readouterr().out
    monkeypatch.setenv("WENMING_SECRET_KEY", "a-new-secret-key-for-rotation-2026")
    assert await asyncio.to_thread(main, ["secret", "check"]) == 0


async def test_a_rotation_killed_mid_way_finishes_when_run_again(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A real SIGKILL of `wenming secret rotate` after its first batch: the half-rotated
    database serves neither key, and the same command finishes with nothing lost."""
    numbers = [f"5226011990{index:07d}" for index in range(6_000)]
    await _volunteers(engine, [(number, None) for number in numbers])
    rekeyed = {NEW.person_key(number) for number in numbers}
    environment = {
        **os.environ,
        "WENMING_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "WENMING_SECRET_KEY": TEST_SECRET,
        "WENMING_NEW_SECRET_KEY": "a-new-secret-key-for-rotation-2026",
    }
    command = [str(Path(sys.executable).with_name("wenming")), "secret", "rotate", "--batch", "50"]
    with (tmp_path / "rotate.log").open("ab") as log:
        rotation = await asyncio.create_subprocess_exec(
            *command, env=environment, stdout=log, stderr=log
        )
        await _first_batch(engine, rekeyed)
        rotation.send_signal(signal.SIGKILL)
        await rotation.wait()
    done = await _rekeyed(engine, rekeyed)
    assert 0 < done < len(numbers)  # killed mid-way, between two committed batches
    with pytest.raises(RotationUnderwayError):
        await claim_key(engine, OLD)
    finished = await asyncio.create_subprocess_exec(
        *command, env=environment, stdout=asyncio.subprocess.DEVNULL
    )
    assert await finished.wait() == 0
    opened = await _opened(engine, NEW)
    assert [number for number, _, _ in opened] == numbers
    assert {key for _, _, key in opened} == rekeyed
    await claim_key(engine, NEW)


async def _first_batch(engine: AsyncEngine, rekeyed: set[str]) -> None:
    for _ in range(6_000):
        if await _rekeyed(engine, rekeyed):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the rotation committed nothing within a minute")


async def _rekeyed(engine: AsyncEngine, rekeyed: set[str]) -> int:
    async with engine.connect() as connection:
        keys = (await connection.execute(select(m.Volunteer.person_key))).scalars().all()
    return sum(key in rekeyed for key in keys)
