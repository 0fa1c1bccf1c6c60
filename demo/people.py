"""Synthetic people: realistic Chinese names, ID numbers that pass GB 11643, phones."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from connectors.identity import id_checksum

__all__ = ["Person", "make_person"]

# Surnames roughly by frequency; the weights keep 王/李/张 common and 欧阳 rare.
_SURNAMES = (
    ("王", 72),
    ("李", 70),
    ("张", 68),
    ("刘", 54),
    ("陈", 45),
    ("杨", 31),
    ("黄", 25),
    ("赵", 23),
    ("吴", 21),
    ("周", 20),
    ("徐", 15),
    ("孙", 14),
    ("马", 13),
    ("朱", 12),
    ("胡", 11),
    ("郭", 11),
    ("何", 10),
    ("罗", 9),
    ("高", 9),
    ("林", 9),
    ("梁", 7),
    ("郑", 7),
    ("谢", 6),
    ("宋", 6),
    ("唐", 6),
    ("许", 6),
    ("韩", 5),
    ("冯", 5),
    ("邓", 5),
    ("曹", 5),
    ("彭", 4),
    ("曾", 4),
    ("田", 4),
    ("龙", 3),
    ("杜", 3),
    ("石", 3),
    ("袁", 3),
    ("潘", 3),
    ("蒋", 3),
    ("欧阳", 1),
    ("司马", 1),
)
_SURNAME_CHOICES = tuple(name for name, _ in _SURNAMES)
_SURNAME_WEIGHTS = tuple(weight for _, weight in _SURNAMES)
_GIVEN_FEMALE = "秀英桂兰玉梅丽华静敏燕芳娟霞红艳婷雪琳慧颖倩洁晶莉萍"
_GIVEN_MALE = "伟强军磊洋勇杰涛明超辉刚平鹏飞斌波宇浩建国志文华东"
_GIVEN_ANY = "子晨欣佳嘉思雨宁安乐诗一可心俊博"
_TIBETAN_NAMES = (
    "才让",
    "卓玛",
    "扎西",
    "拉毛",
    "多杰",
    "措吉",
    "旦增",
    "央金",
    "尼玛",
    "德吉",
    "索南",
    "吉毛",
    "更登",
    "桑吉",
    "仁青",
)
_PHONE_PREFIXES = (
    "130",
    "133",
    "135",
    "136",
    "138",
    "139",
    "150",
    "151",
    "158",
    "177",
    "186",
    "189",
)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    id_number: str
    phone: str
    is_male: bool
    birth_date: date


def make_person(
    rng: random.Random,
    county_code: str,
    taken: set[str],
    *,
    tibetan_share: float = 0.0,
) -> Person:
    """A person born between 1950 and 2006 in `county_code` whose ID number is not in
    `taken` (to which it is added): two people never share a number."""
    is_male = rng.random() < 0.5
    while True:
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(56 * 365))
        sequence = rng.randrange(0, 500) * 2 + (1 if is_male else 0)
        first17 = f"{county_code}{birth:%Y%m%d}{sequence:03d}"
        if first17 not in taken:
            taken.add(first17)
            break
    if rng.random() < tibetan_share:
        name = rng.choice(_TIBETAN_NAMES)
    else:
        surname = rng.choices(_SURNAME_CHOICES, _SURNAME_WEIGHTS)[0]
        pool = (_GIVEN_MALE if is_male else _GIVEN_FEMALE) + _GIVEN_ANY
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
        name = surname + given
    phone = rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    return Person(name, first17 + id_checksum(first17), phone, is_male, birth)
