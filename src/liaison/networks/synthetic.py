"""A generated cross-script set: one person written in Latin (Canada) and in Devanagari
or Gurmukhi (India), with spelling variants, typos, swapped or year-only dates of
birth, and many different people sharing a name and a birth year. For tests and the
benchmark; ``truth`` is never read by the model.

``generate(places=True)`` gives the same records (same people, names, dates, phones:
the places are drawn from a random stream of their own) and most of them also carry
the person's place of birth (a Punjab or Haryana district town), written in the
record's own script, sometimes with a spelling variant or a typo: Indian police and
immigration records almost always carry the place of birth or district, and a Canadian
immigration record the place of birth from the passport. Without it, a record giving
only a common name and a birth year fits several people and no resolver can place it
(``bench/networks.py`` prints that ceiling for both sets)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from indic_transliteration import sanscript  # type: ignore[import-untyped]

# (Latin spelling, Harvard-Kyoto spelling for the Indic scripts)
FIRST = (
    ("Gurpreet", "guraprIta"),
    ("Harpreet", "haraprIta"),
    ("Manpreet", "manaprIta"),
    ("Harvinder", "haravindara"),
    ("Jaswinder", "jasavindara"),
    ("Kulwinder", "kulavindara"),
    ("Sukhwinder", "sukhavindara"),
    ("Rajinder", "rAjindara"),
    ("Baljit", "balajIta"),
    ("Amandeep", "amanadIpa"),
    ("Navdeep", "navadIpa"),
    ("Gurdeep", "guradIpa"),
    ("Parminder", "paramindara"),
    ("Jagdeep", "jagadIpa"),
    ("Ravinder", "ravindara"),
    ("Amit", "amita"),
    ("Rajesh", "rAjeza"),
    ("Sunil", "sunIla"),
    ("Vikram", "vikrama"),
    ("Deepak", "dIpaka"),
    ("Sandeep", "sandIpa"),
    ("Kuldeep", "kuladIpa"),
    ("Bhupinder", "bhUpindara"),
    ("Tejinder", "tejindara"),
)
LAST = (
    ("Sandhu", "sandhU"),
    ("Gill", "gilla"),
    ("Dhillon", "Dhillon"),
    ("Sidhu", "sidhU"),
    ("Brar", "barAr"),
    ("Grewal", "grevAla"),
    ("Bains", "bainsa"),
    ("Sharma", "zarmA"),
    ("Verma", "varmA"),
    ("Chauhan", "cauhAna"),
    ("Randhawa", "randhAvA"),
    ("Bhullar", "bhullara"),
)
# (Latin spelling, Harvard-Kyoto spelling): places of birth (Punjab and Haryana towns)
PLACES = (
    ("Jalandhar", "jAlandhara"),
    ("Ludhiana", "ludhiyAnA"),
    ("Amritsar", "amritasara"),
    ("Moga", "mogA"),
    ("Bathinda", "baThiNDA"),
    ("Patiala", "paTiyAlA"),
    ("Kapurthala", "kapUrathalA"),
    ("Hoshiarpur", "hoziyArapura"),
    ("Nawanshahr", "navAMzahara"),
    ("Sangrur", "saMgarUra"),
    ("Faridkot", "pharIdakoTa"),
    ("Gurdaspur", "guradAsapura"),
    ("Tarn Taran", "tarana tArana"),
    ("Mansa", "mAnasA"),
    ("Barnala", "baranAlA"),
    ("Muktsar", "muktasara"),
    ("Rupnagar", "rUpanagara"),
    ("Mohali", "mohAlI"),
    ("Phagwara", "phagavArA"),
    ("Khanna", "khannA"),
    ("Batala", "baTAlA"),
    ("Nakodar", "nakodara"),
    ("Jagraon", "jagarAon"),
    ("Karnal", "karanAla"),
    ("Ambala", "ambAlA"),
    ("Panipat", "pAnIpata"),
    ("Sirsa", "sirasA"),
    ("Banga", "baMgA"),
    ("Dasuya", "dasUyA"),
    ("Zira", "jIrA"),
)
PLACE_SHOWN = 0.8  # the share of records that carry the place of birth
MARKER = (("Singh", "siMha"), ("Kaur", "kaura"), ("Kumar", "kumAra"))
_VARIANTS = (("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("v", "w"), ("w", "v"))


@dataclass(frozen=True)
class SyntheticRecord:
    uid: str
    truth: int
    name: str
    dob: str | None
    ids: list[str]
    script: str
    nationality: str | None
    person_name: str = ""  # the person's first name and surname, for evaluation like ``truth``
    birthplace: str | None = None  # as the record writes it (``places=True`` only)
    person_place: str = ""  # the person's place of birth in Latin, for evaluation


def _variant(rng: random.Random, name: str) -> str:
    source, target = rng.choice(_VARIANTS)
    return name.replace(source, target, 1)


def _typo(rng: random.Random, name: str) -> str:
    """Two neighbouring letters of one word swapped."""
    words = name.split()
    w = rng.randrange(len(words))
    word = words[w]
    if len(word) > 3:
        i = rng.randrange(1, len(word) - 1)
        words[w] = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return " ".join(words)


def _indic(hk: str, script: str) -> str:
    target = sanscript.DEVANAGARI if script == "devanagari" else sanscript.GURMUKHI
    return str(sanscript.transliterate(hk, sanscript.HK, target))


def _place(rng: random.Random, place: tuple[str, str], script: str) -> str | None:
    """The place of birth as one record writes it (or None: the record does not carry it)."""
    if rng.random() >= PLACE_SHOWN:
        return None
    if script != "latin":
        return _indic(place[1], script)
    written = place[0]
    if rng.random() < 0.2:
        written = _variant(rng, written)
    if rng.random() < 0.1:
        written = _typo(rng, written)
    return written


def generate(people: int = 400, seed: int = 7, *, places: bool = False) -> list[SyntheticRecord]:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    # its own stream: the set with places is the set without them, plus the places
    place_rng = random.Random(f"places-{seed}")  # noqa: S311
    out: list[SyntheticRecord] = []
    for person in range(people):
        birthplace = place_rng.choice(PLACES)
        first = rng.choice(FIRST)
        last = rng.choice(LAST)
        marker = MARKER[rng.randrange(3)]
        year = rng.randint(1982, 1992)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        phone = f"phone:+9198{rng.randrange(10**8):08d}"
        nationality = "IN"
        copies = rng.choice((2, 2, 3))
        for copy in range(copies):
            script = "latin" if copy == 0 else rng.choice(("devanagari", "gurmukhi", "latin"))
            if script == "latin":
                name = f"{first[0]} {marker[0]} {last[0]}"
                if rng.random() < 0.3:
                    name = f"{first[0]} {last[0]}"
                if copy and rng.random() < 0.5:
                    name = _variant(rng, name)
                if rng.random() < 0.1:
                    name = _typo(rng, name)
            else:
                hk = (
                    f"{first[1]} {marker[1]} {last[1]}"
                    if rng.random() < 0.7
                    else f"{first[1]} {last[1]}"
                )
                name = _indic(hk, script)
            roll = rng.random()
            dob: str | None = f"{year}-{month:02d}-{day:02d}"
            if roll < 0.12 and day <= 12:
                dob = f"{year}-{day:02d}-{month:02d}"
            elif roll < 0.24:
                dob = str(year)
            elif roll < 0.28:
                dob = None
            ids = [phone] if rng.random() < 0.35 else []
            out.append(
                SyntheticRecord(
                    f"p{person}-{copy}",
                    person,
                    name,
                    dob,
                    ids,
                    script,
                    nationality if rng.random() < 0.6 else None,
                    f"{first[0]} {last[0]}",
                    _place(place_rng, birthplace, script) if places else None,
                    birthplace[0],
                )
            )
    return out
