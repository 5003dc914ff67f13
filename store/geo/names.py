"""Place names as they are looked up: folded, and turned back from the forms a sentence puts them in.

``fold`` is how every name in the gazetteer is stored and every query compared: no case, no
diacritics (``й`` is ``и``, ``ї`` is ``і``, ``ё`` is ``е``, ``ł`` is ``l``), no apostrophes, hyphens
and runs of spaces as one space. So "Kup'yansk", "Kupyansk" and "KUPYANSK" are one key, and so are
"Łódź" and "Lodz".

``base_forms`` turns a Russian or Ukrainian phrase ("в Ижевске", "по Ижевску", "у Харкові",
"в Нижнем Новгороде") into the forms its place name may have in the dictionary: the preposition
dropped, and each word's case ending swapped for the nominative ones it may stand for. Most of
those forms are not names at all; the gazetteer keeps only the ones it holds. This module imports
nothing of the store: the build script uses ``fold`` alone.
"""

from __future__ import annotations

import itertools
import unicodedata

#: Letters NFKD does not take apart, written as their plain letter.
_PLAIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"})
_APOSTROPHES = str.maketrans(dict.fromkeys("'’ʼ`´‘ʻ\"", ""))
_SPACES = str.maketrans(dict.fromkeys("-‐‑‒–—_/.,()", " "))


def fold(name: str) -> str:
    """``name`` as the gazetteer keys it: casefolded, without diacritics or apostrophes, hyphens
    and punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().translate(_PLAIN))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.translate(_APOSTROPHES).translate(_SPACES).split())


#: Words before a place name in a Russian or Ukrainian sentence: "в Ижевске", "під Харковом".
PREPOSITIONS = frozenset(
    fold(word)
    for word in (
        "в во у на по под над из с со к ко от до за около возле близ вблизи окрестностях районе город города "
        "городе села селе поселке посёлке г пгт с. біля під з із зі від через поблизу місто міста місті "
        "селі селища селищі околицях районі"
    ).split()
)

#: Case endings and the nominative endings they may stand for, longest first per word. Written
#: as a person would; folded below like the names.
_ENDINGS_AS_WRITTEN: tuple[tuple[str, tuple[str, ...]], ...] = (
    # adjectives: Нижнем Новгороде, Белой Церкви, Кривом Роге, Білій Церкві, Кривому Розі
    ("ському", ("ськ", "ське", "ський")),
    ("ском", ("ск", "ское", "ский")),
    ("ского", ("ск", "ское", "ский")),
    ("ській", ("ська",)),
    ("ской", ("ская",)),
    ("ого", ("ое", "ий", "ый", "е", "ой")),
    ("ому", ("ое", "ий", "ый", "е", "ой")),
    ("ем", ("ий", "", "ь", "е")),
    ("ом", ("", "ь", "о", "е", "ий", "ый", "ой")),
    ("ій", ("а", "ий", "ія", "я")),
    ("ой", ("а", "ой", "ий", "ый")),
    ("ей", ("я", "ь", "ий")),
    ("им", ("е", "ий", "и")),
    ("ым", ("ое", "ый", "ы")),
    # nouns: Харкові, Києві, Ижевске, Ижевску, Ижевском, Сумах, Авдеевке, Білій Церкві
    ("ові", ("ів", "ов", "")),
    ("еві", ("ів", "ев")),
    ("єві", ("їв",)),
    ("еве", ("ев",)),
    ("ах", ("и", "ы", "")),
    ("ях", ("и",)),
    ("ами", ("и", "ы")),
    ("ці", ("ка", "ця")),
    ("зі", ("га",)),
    ("ки", ("ка",)),
    ("ке", ("ка",)),
    ("ку", ("ка",)),
    ("ою", ("а",)),
    ("ею", ("я",)),
    ("ску", ("ск",)),
    ("ську", ("ськ",)),
    ("е", ("", "а", "я", "ь", "о")),
    ("і", ("", "а", "я", "ь", "о", "и")),
    ("и", ("а", "ь", "я", "", "и")),
    ("у", ("", "а", "о")),
    ("ю", ("ь", "я")),
    ("а", ("", "о", "ь")),
    ("я", ("ь", "е")),
    ("ы", ("а", "")),
)
_ENDINGS = tuple(
    (fold(ending), tuple(dict.fromkeys(fold(base) if base else "" for base in bases)))
    for ending, bases in _ENDINGS_AS_WRITTEN
)
#: Ukrainian closes a last о or е to і in the nominative: Харкова -> Харків, Львова -> Львів.
_CLOSING = (fold("о"), fold("е"), fold("є"))
_I = fold("і")
_FORMS_PER_WORD = 10
_WORDS_DECLINED = 3


def _word_forms(word: str) -> list[str]:
    forms = [word]
    for ending, bases in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            stem = word[: len(word) - len(ending)]
            forms.extend(stem + base for base in bases)
    for form in list(forms):
        if len(form) >= 3 and form[-2] in _CLOSING and form[-1].isalpha():
            forms.append(form[:-2] + _I + form[-1])
    return list(dict.fromkeys(forms))[:_FORMS_PER_WORD]


def base_forms(phrase: str) -> list[str]:
    """``phrase`` folded, then the forms its words may have in the nominative (the phrase as
    given first; prepositions before a name dropped)."""
    words = fold(phrase).split()
    if not words:
        return []
    found = [" ".join(words)]
    while len(words) > 1 and words[0] in PREPOSITIONS:
        words = words[1:]
    found.append(" ".join(words))
    if len(words) <= _WORDS_DECLINED:
        choices = [_word_forms(word) if len(word) >= 3 else [word] for word in words]
        found.extend(" ".join(combination) for combination in itertools.product(*choices))
    return list(dict.fromkeys(found))


#: Russian and Ukrainian letters in Latin (after ``fold``: й is и, ї is і, ё is е), г as g both
#: ways (Ukrainian "h" is folded to g below too).
_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ж": "zh", "з": "z",
        "и": "i", "і": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ъ": "",
        "ы": "y", "э": "e", "ю": "yu", "я": "ya",
    }
)  # fmt: skip
_DIGRAPHS = (("shch", "S"), ("sch", "S"), ("zh", "Z"), ("kh", "X"), ("ch", "C"), ("sh", "S"), ("ts", "T"), ("tz", "T"))
_PLAIN_CONSONANTS = str.maketrans({"h": "g", "w": "v", "x": "X", "c": "k", "q": "k"})
_VOWELS = frozenset("aeiouyj ")


def skeleton(name: str) -> str:
    """The consonants of ``name`` in Latin, the way its spellings in any transliteration share
    them: "Kharkiv", "Kharkov" and "Харків" are all "Xrkv"; "Слов'янськ" and "Sloviansk"
    "slvnsk". Two names with one skeleton are taken for one name written two ways."""
    text = fold(name).translate(_LATIN)
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    consonants = [letter for letter in text.translate(_PLAIN_CONSONANTS) if letter not in _VOWELS]
    return "".join(letter for at, letter in enumerate(consonants) if at == 0 or consonants[at - 1] != letter)
