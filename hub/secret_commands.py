"""`wenming secret check` and `wenming secret rotate`: the key personal data is sealed with."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from db.engine import create_engine
from db.pii import PersonalDataCipher
from db.secret import ROTATION_BATCH, claim_key, rotate_key
from hub.settings import Settings, SettingsError

__all__ = ["add_secret_command"]

NEW_KEY = "WENMING_NEW_SECRET_KEY"


def add_secret_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    secret = commands.add_parser("secret", help="the key ID numbers and phones are sealed with")
    actions = secret.add_subparsers(required=True, metavar="ACTION")
    actions.add_parser(
        "check", help="is WENMING_SECRET_KEY the key the database's personal data is sealed with?"
    ).set_defaults(handler=check_secret)
    rotate = actions.add_parser(
        "rotate",
        help=f"re-seal everything from WENMING_SECRET_KEY to {NEW_KEY} (stop the hub and "
        "syncs first; if interrupted, run it again)",
    )
    rotate.add_argument(
        "--batch",
        type=int,
        default=ROTATION_BATCH,
        help=f"volunteers per transaction (default {ROTATION_BATCH:,}); smaller holds "
        "locks for less time on a busy database",
    )
    rotate.set_defaults(handler=rotate_secret)


def check_secret(settings: Settings, _arguments: argparse.Namespace) -> int:
    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await claim_key(engine, PersonalDataCipher(settings.secret_key))
        finally:
            await engine.dispose()

    asyncio.run(run())
    print("WENMING_SECRET_KEY is the key this database's personal data is sealed with")
    return 0


def rotate_secret(settings: Settings, arguments: argparse.Namespace) -> int:
    raw = os.environ.get(NEW_KEY, "")
    if len(raw) < 16:
        raise SettingsError(NEW_KEY, "must hold the new key, at least 16 characters")
    old, new = PersonalDataCipher(settings.secret_key), PersonalDataCipher(raw)

    def progress(done: int) -> None:
        print(f"  {done:>10,} volunteers re-sealed", file=sys.stderr)

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            rotated = await rotate_key(
                engine, old, new, batch_size=max(arguments.batch, 1), progress=progress
            )
        finally:
            await engine.dispose()
        if rotated.already:
            print(f"the database is already sealed with {NEW_KEY}: nothing to do")
        else:
            print(f"{rotated.volunteers:,} volunteers re-sealed under the new key")
        return 0

    code = asyncio.run(run())
    print(f"now set WENMING_SECRET_KEY to the value of {NEW_KEY}", file=sys.stderr)
    return code
