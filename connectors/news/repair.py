"""Repairing text that went through a broken simplified→traditional conversion.

Such converters leave the pinyin of some characters after them, 建設(shè) or
濰坊新聞網(wǎng), or after a lone Latin letter written for a character they lost
(毛病?,F(xiàn)在); turn characters they cannot map into `?`, whole paragraphs of them
at times; and double punctuation (，， or ，、). The pinyin is removed only where it is
one toned syllable, so real parentheses, (2025年) or (NGO), stay.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["repair"]

_INITIALS = "b|p|m|f|d|t|n|l|g|k|h|j|q|x|zh|ch|sh|r|z|c|s|y|w"
_FINALS = (
    "a|o|e|i|u|v|ai|ei|ui|ao|ou|iu|ie|ve|ue|er|an|en|in|un|vn|ang|eng|ing|ong|"
    "ia|iao|ian|iang|iong|ua|uo|uai|uan|uang|van"
)
_SYLLABLE = re.compile(rf"(?:{_INITIALS})?(?:{_FINALS})")
_TONED = re.compile("[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]")
_PINYIN_AFTER_HAN = re.compile(
    r"(?<=[\u3400-\u9fff])[(（]([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7})[)）]"
)
# A lone Latin letter the converter wrote for a character, with that character's
# reading: 毛病?,F(xiàn)在 (现在).
_LETTER_WITH_PINYIN = re.compile(
    r"(?<![A-Za-z])[A-Za-z][(（]([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7})[)）](?=[\u3400-\u9fff])"
)
# A run of ?, or one ? standing for a character: before a Chinese character, after one
# or at the start of a line; a real question mark ends a sentence instead.
_QUESTION_RUNS = re.compile(
    r"\?{2,}|(?<![^\s\u3400-\u9fff])\?(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])\?(?=[，,、])"
)
# A paragraph that is only question marks held characters the converter lost.
_ONLY_QUESTIONS = re.compile(r"^[?？\s]+$")
_DOUBLED = re.compile(r"([，。、；：！？,;!])\1+")
# Pauses run together (，、 or ,，): the first stands.
_MIXED_PAUSES = re.compile(r"([，、；：,;:])[，、；：,;:]+")


def _is_pinyin(word: str) -> bool:
    """One syllable with a tone mark (建設(shè)); plain words in parentheses are kept."""
    if not _TONED.search(word):
        return False
    bare = "".join(
        char
        for char in unicodedata.normalize("NFD", word.lower())
        if not unicodedata.combining(char)
    ).replace("ü", "v")
    return _SYLLABLE.fullmatch(bare) is not None


def repair(text: str) -> str:
    if _ONLY_QUESTIONS.match(text):
        return ""
    for pattern in (_PINYIN_AFTER_HAN, _LETTER_WITH_PINYIN):
        text = pattern.sub(lambda match: "" if _is_pinyin(match.group(1)) else match.group(0), text)
    text = _QUESTION_RUNS.sub("", text)
    return _MIXED_PAUSES.sub(r"\1", _DOUBLED.sub(r"\1", text))
