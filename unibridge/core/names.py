"""Names across scripts: transliteration to Latin and the folded forms search compares.

Staff type names in Cyrillic (Russian, Kazakh), in Kazakh Latin, in Polish with diacritics or
in plain ASCII; the same place must be found whichever they use, so every name is reduced to
a folded form (lower-case ASCII) and a consonant skeleton that ignores transliteration choices.
"""

import re
import unicodedata

from anyascii import anyascii

# Russian and Kazakh Cyrillic → Latin, close to the ICAO passport scheme used in both countries.
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia", "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "і": "i", "є": "ie", "ї": "i", "ґ": "g", "ў": "u",
}  # fmt: skip


# str.translate table for both cases: 'Щ' → 'Shch', 'щ' → 'shch' (indexing calls this a lot).
_TRANSLITERATION = str.maketrans(
    {
        **{ord(lower): latin for lower, latin in CYRILLIC_TO_LATIN.items()},
        **{ord(lower.upper()): latin.capitalize() for lower, latin in CYRILLIC_TO_LATIN.items()},
    }
)


# Two or more Cyrillic capitals in a row: 'ЩУКИН' → 'SHCHUKIN', not 'ShchUKIN'.
_CAPITALS = re.compile(
    "[" + "".join(sorted({letter.upper() for letter in CYRILLIC_TO_LATIN})) + "]{2,}"
)


def transliterate(text: str) -> str:
    """Latin transliteration of a name, keeping capitals: 'Иванов Ерлан' → 'Ivanov Erlan'."""
    text = _CAPITALS.sub(lambda match: match.group(0).translate(_TRANSLITERATION).upper(), text)
    return text.translate(_TRANSLITERATION)


def has_non_latin(text: str) -> bool:
    return any(ord(c) > 0x24F and unicodedata.category(c).startswith("L") for c in text)


_NON_WORD = re.compile(r"[^a-z0-9]+")
# Apostrophes join a word rather than split it: Kazakh Latin of 1999 writes 'Qarag'andy',
# Ukrainian 'Pʼiatykhatky', English "O'Brien"; anyascii turns them all into ' or `.
_APOSTROPHES = re.compile(r"['`]")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: 'Kraków' → 'krakow'."""
    latin = anyascii(transliterate(text.lower())).lower()
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", latin)).strip()


def words(text: str) -> list[str]:
    """The folded words of a text, in order: 'AGH w Krakowie' → ['agh', 'w', 'krakowie']."""
    return fold(text).split()


# Spellings that different transliteration systems use for one sound; longest first.
_SOUND_CLASSES = [
    ("shch", "s"), ("sch", "s"), ("sh", "s"), ("sz", "s"), ("ch", "c"), ("cz", "c"),
    ("ts", "c"), ("tz", "c"), ("zh", "z"), ("rz", "z"), ("kh", "h"), ("ph", "f"),
    ("x", "ks"), ("w", "v"), ("q", "k"), ("j", "i"), ("y", "i"),
]  # fmt: skip
_SOUND_RE = re.compile("|".join(re.escape(spelling) for spelling, _ in _SOUND_CLASSES))
_SOUND_MAP = dict(_SOUND_CLASSES)
_VOWELS = re.compile(r"[aeiou]")
_REPEATS = re.compile(r"(.)\1+")
# A leading glide before a vowel is written Ye/Ie/Je, Ya/Ia/Ja, Yu/Iu/Ju or not at all
# ('Yekaterinburg', 'Ekaterinburg'; 'Yaroslavl', 'Iaroslavl', 'Jarosław'): drop it.
_LEADING_GLIDE = re.compile(r"^i(?=[aeiou])")


def skeleton(word: str) -> str:
    """Consonant skeleton of one folded word: 'karaganda', 'qaragandy' → 'krgnd'.

    The first letter stays even when it is a vowel so that 'almaty' does not shrink to 'lmt'.
    """
    if not word:
        return ""
    sounds = _LEADING_GLIDE.sub("", _SOUND_RE.sub(lambda m: _SOUND_MAP[m.group(0)], word))
    head, tail = sounds[0], _VOWELS.sub("", sounds[1:])
    return _REPEATS.sub(r"\1", head + tail)
