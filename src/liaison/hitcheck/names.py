"""Cross-script name keys: "Gurpreet Singh" and "गुरप्रीत सिंह" (and ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ) share one.

An exact PRF match needs one string per person whatever the script, so a name is reduced
to a consonant skeleton: Devanagari and Gurmukhi consonants through one table (Gurmukhi
sits 0x100 above Devanagari, letter for letter), Latin with its aspirate digraphs
merged, vowels, ``h`` and ``y``/``v``/``w`` glides dropped, ``ng`` read as the nasal it
transliterates, doubles collapsed. Paired with the date of birth, it is a deliberately
coarse key: a hit is a lead for a human to confirm, never an identification.
"""

from __future__ import annotations

import re
import unicodedata

from liaison.exchange.normalise import fold

# Devanagari consonants (U+0915..U+0939) and nasal signs, to a Latin consonant class.
_DEVANAGARI = dict(
    zip(
        "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह",
        "kkggnccjjnttddnttddnpfbbm-rl-sss-",
        strict=True,
    )
)
_DEVANAGARI = {k: v.replace("-", "") for k, v in _DEVANAGARI.items()}
_NASALS = {"\u0902": "n", "\u0901": "n", "\u0a02": "n", "\u0a70": "n", "\u0a01": "n"}
_GURMUKHI_OFFSET = 0x100
_LATIN_DIGRAPHS = (
    ("kh", "k"),
    ("gh", "g"),
    ("ch", "c"),
    ("jh", "j"),
    ("th", "t"),
    ("dh", "d"),
    ("ph", "f"),
    ("bh", "b"),
    ("sh", "s"),
    ("ck", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("z", "j"),
)
_DROPPED = re.compile(r"[aeiouhyvw]")
_DOUBLE = re.compile(r"(.)\1+")


def _indic(ch: str) -> str | None:
    if ch in _NASALS:
        return _NASALS[ch]
    code = ord(ch)
    if 0x0A00 <= code <= 0x0A7F:
        ch = chr(code - _GURMUKHI_OFFSET)
    if ch in _DEVANAGARI:
        return _DEVANAGARI[ch]
    if 0x0900 <= ord(ch) <= 0x097F:
        return ""  # vowels, vowel signs, virama, nukta: not in the skeleton
    return None


def _latin(word: str) -> str:
    for digraph, single in _LATIN_DIGRAPHS:
        word = word.replace(digraph, single)
    return _DROPPED.sub("", word)


def _word(word: str) -> str:
    latin: list[str] = []
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", word):
        mapped = _indic(ch)
        if mapped is None:
            if ch.isalpha():
                latin.append(ch)
            continue
        out.append(_latin("".join(latin)))
        latin.clear()
        out.append(mapped)
    out.append(_latin("".join(latin)))
    return _DOUBLE.sub(r"\1", "".join(out).replace("ng", "n"))


def skeleton(name: str) -> str:
    """The cross-script key of a name: one skeleton per word, words in order."""
    words = [_word(w) for w in fold(name).split(" ")]
    return " ".join(w for w in words if w)
