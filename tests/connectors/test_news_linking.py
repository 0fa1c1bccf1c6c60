"""Linking stories to divisions against the national division list (../shared/data):
autonomous divisions found by the names papers use, and precision measured on a
sample of sentences labelled by hand, near misses included. Fingerprints: the array
implementation gives the very bits of the SimHash definition."""

from __future__ import annotations

import csv
import hashlib
import random
from functools import cache

import pytest

from connectors.news.dedup import fingerprint, shingles
from connectors.news.linking import Linker, aliases_for, autonomous_names
from tests.paths import PROJECT_ROOT

DIVISIONS = PROJECT_ROOT.parent / "shared" / "data" / "divisions"


@cache
def national() -> Linker:
    """Every city and county of the 2023 division codes, and their townships."""
    if not DIVISIONS.is_dir():
        pytest.skip("the public division codes (../shared/data/divisions) are not here")
    rows = []
    for name in ("cities", "areas", "streets"):
        with (DIVISIONS / f"{name}.csv").open(encoding="utf-8") as file:
            # A prefecture is stored as six digits (5226 is 522600).
            rows += [
                (row[0].ljust(6, "0"), row[1])
                for row in csv.reader(file)
                if row and row[0].isdigit()
            ]
    return Linker(aliases_for(rows, [], [], []))


@pytest.mark.parametrize(
    ("name", "names"),
    [
        ("天祝藏族自治县", ["天祝县", "天祝"]),
        ("黔东南苗族侗族自治州", ["黔东南州", "黔东南"]),
        ("松桃苗族自治县", ["松桃县", "松桃"]),
        ("博尔塔拉蒙古自治州", ["博尔塔拉州", "博尔塔拉"]),
        ("龙胜各族自治县", ["龙胜县", "龙胜"]),
        ("莫力达瓦达斡尔族自治旗", ["莫力达瓦旗", "莫力达瓦"]),
        ("鄂温克族自治旗", ["鄂温克旗"]),
        ("东乡族自治县", ["东乡县"]),
        ("新疆维吾尔自治区", ["新疆"]),
        ("内蒙古自治区", ["内蒙古"]),
        ("凯里市", []),
    ],
)
def test_an_autonomous_division_is_named_without_its_peoples(name: str, names: list[str]) -> None:
    assert autonomous_names(name) == names


# Sentence, and the divisions (code) a reader finds in it, in order.
LABELLED: list[tuple[str, list[str]]] = [
    ("天祝县文明实践中心组织志愿者开展活动。", ["620623"]),
    ("近日，天祝藏族自治县举办志愿服务培训。", ["620623"]),
    ("在天祝，志愿者走进牧区。", ["620623"]),
    ("松桃县开展“我们的节日”主题活动。", ["520628"]),
    ("黔东南州各县市同步启动学雷锋活动，松桃、天祝两地也有安排。", ["522600", "520628", "620623"]),
    ("来自黔东南的志愿者参加了比赛。", ["522600"]),
    ("凯里市将举办文明实践成果展。", ["522601"]),
    ("凯里市民踊跃参加志愿服务。", []),
    ("志愿者们开展互助活动，建立互助养老服务点。", []),
    ("社区为老人打通了绿色通道。", []),
    ("市场监管部门开展专项检查。", []),
    ("大家在区域内开展巡查。", []),
    ("鄂温克旗志愿者走进牧区。", ["150724"]),
    ("志愿者学习了鄂温克族的传统文化。", []),
    ("他来自河南，现在在天祝工作。", ["620623"]),
    ("莫力达瓦旗开展文明实践活动。", ["150722"]),
    ("新疆维吾尔自治区的志愿者到访。", []),
    ("三江县和龙胜县的志愿者开展交流。", ["450226", "450328"]),
    ("印江县文明实践中心举办培训。", ["520625"]),
    ("大理州文明办组织开展活动。", ["532900"]),
    ("恩施州举办“我们的节日·端午”活动。", ["422800"]),
    ("湘西州、延边州的志愿者代表参加交流。", ["433100", "222400"]),
    ("凉山彝族自治州文明实践中心组织宣讲。", ["513400"]),
    ("甘孜州、阿坝州开展联合巡诊。", ["513300", "513200"]),
    ("长阳县志愿者走进土家山寨。", ["420528"]),
    ("通道县开展侗族大歌进校园活动。", ["431230"]),
    ("互助县文明实践站组织农民夜校。", ["630223"]),
    ("秀山、酉阳两县联合开展服务。", ["500241", "500242"]),
    ("北川羌族自治县举办羌历年活动。", ["510726"]),
    ("循化县和门源县的志愿者开展交流。", ["630225", "632221"]),
    ("志愿者在怒江边清理垃圾。", []),
    ("群众在红河谷地种植水稻。", []),
    ("临夏回族自治州积石山县开展救灾服务。", ["622900", "622927"]),
    ("大家唱起了青藏高原的歌。", []),
]


def test_division_links_are_precise_on_a_labelled_sample() -> None:
    """Precision before recall: no link a reader would not make; of those a reader
    makes, a bare two-character name run into the next word (天祝工作) is let go,
    as is a name two divisions share."""
    linker = national()
    wrong, missed, expected_total = [], [], 0
    for sentence, expected in LABELLED:
        found = [str(item.key) for item in linker.find(sentence)]
        wrong += [(sentence, code) for code in found if code not in expected]
        missed += [(sentence, code) for code in expected if code not in found]
        expected_total += len(expected)
    assert wrong == []
    assert missed == [
        ("他来自河南，现在在天祝工作。", "620623"),
        # 秀山 is also a township's name elsewhere: a name two places share links neither.
        ("秀山、酉阳两县联合开展服务。", "500241"),
    ]
    assert 1 - len(missed) / expected_total >= 0.9


def _reference(text: str) -> int:
    """SimHash as defined: per bit, +1 for each shingle whose hash has it, -1 else."""
    weights = [0] * 64
    for shingle in shingles(text):
        value = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def test_fingerprints_are_the_simhash_of_the_definition() -> None:
    chance = random.Random(16)
    texts = ["", "甲", "志愿服务", "abc 123"] + [
        "".join(chr(chance.randrange(0x4E00, 0x4F00)) for _ in range(chance.randrange(5, 3000)))
        for _ in range(40)
    ]
    assert [fingerprint(text) for text in texts] == [_reference(text) for text in texts]
