//! The bundled gazetteer: ISO 3166 countries and GeoNames cities (`data/gazetteer/`, see its README)
//! and the name lookups that resolve a summary's places. Pure: the data is compiled in.
//!
//! This file holds the data, the entry types and the lookups by code and name; `tsv` reads the
//! files and `matching` finds the cities that free text names.

mod matching;
mod tsv;

#[cfg(test)]
mod tests;

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::LazyLock;

use crate::domain::text::name_key;

use matching::alias_kind;

const COUNTRIES_TSV: &str = include_str!("../../../../data/gazetteer/countries.tsv");
const CITIES_TSV: &str = include_str!("../../../../data/gazetteer/cities.tsv");
const COMMON_WORDS_TXT: &str = include_str!("../../../../data/gazetteer/common-words.txt");

/// Common English words that are also one-word city names, generated with the data.
static COMMON_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON_WORDS_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

static BUNDLED: LazyLock<Result<Gazetteer, GazetteerError>> =
    LazyLock::new(|| Gazetteer::from_tsv(COUNTRIES_TSV, CITIES_TSV));
static EMPTY: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::default);

/// Why gazetteer data could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GazetteerError {
    #[error("{file}: no header line")]
    Empty { file: &'static str },
    #[error("{file}: the header lacks the column `{column}`")]
    MissingColumn {
        file: &'static str,
        column: &'static str,
    },
    #[error("{file} line {line}: {message}")]
    BadRow {
        file: &'static str,
        line: usize,
        message: String,
    },
}

/// A country of ISO 3166-1 (plus Kosovo, `XK`).
#[derive(Debug, Clone, PartialEq)]
pub struct CountryEntry {
    /// ISO 3166-1 alpha-2, upper case.
    pub code: String,
    pub alpha3: String,
    /// ISO 3166-1 numeric, three digits; empty for Kosovo.
    pub numeric: String,
    /// Common English short name ("South Korea").
    pub name: String,
    pub official_name: Option<String>,
    /// UN M49 sub-region ("Eastern Asia").
    pub region: Option<String>,
    /// "Asia", "Europe", "Americas", "Africa", "Oceania".
    pub continent: Option<String>,
    /// Other names for matching: ISO and official names, short forms, translations.
    pub aliases: Vec<String>,
}

/// A GeoNames city.
#[derive(Debug, Clone, PartialEq)]
pub struct CityEntry {
    pub geonames_id: i64,
    /// GeoNames name ("Munich").
    pub name: String,
    pub ascii_name: String,
    /// Name in the country's own script or language when it differs ("广州", "München").
    pub native_name: Option<String>,
    /// ISO alpha-2 of the city's country.
    pub country_code: String,
    /// First-level division (province, state) in English.
    pub region: Option<String>,
    pub population: Option<i64>,
    pub latitude: f64,
    pub longitude: f64,
    /// Other names: native-script variants first, then Latin-script exonyms.
    pub aliases: Vec<String>,
}

/// How a key names a city. The order is the preference when several cities share a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum NameKind {
    /// An alias that is unsafe in free text: short or machine-looking.
    MinorAlias,
    Alias,
    /// Name, ASCII name or native name.
    Primary,
}

#[derive(Debug, Clone, Copy)]
struct CityName {
    city: usize,
    kind: NameKind,
}

/// A place as published, with what the gazetteer knows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRef {
    /// The name as published (in a summary, or a mutation's input).
    pub name: String,
    /// The gazetteer city, when the name is one ("Stuttgart Region" is not).
    pub entry: Option<CityEntry>,
    /// ISO alpha-2: the given country's, else the gazetteer city's.
    pub country_code: Option<String>,
    /// Province or state, the gazetteer's.
    pub region: Option<String>,
}

/// Countries and cities with their match keys (see [`name_key`]).
#[derive(Default)]
pub struct Gazetteer {
    countries: Vec<CountryEntry>,
    cities: Vec<CityEntry>,
    country_by_code: HashMap<String, usize>,
    country_by_key: HashMap<String, usize>,
    /// Keys of countries' English names: what a capitalised word in English text may mean instead.
    country_names: HashSet<String>,
    /// Keys of cities' regions of two words or more, which may contain a city's name.
    region_names: HashSet<String>,
    city_by_key: HashMap<String, Vec<CityName>>,
}

impl fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gazetteer")
            .field("countries", &self.countries.len())
            .field("cities", &self.cities.len())
            .finish_non_exhaustive()
    }
}

impl Gazetteer {
    /// The compiled-in gazetteer, parsed on first use. Empty if the bundled files are broken, which a
    /// unit test rules out; [`Gazetteer::bundled_error`] says why.
    pub fn bundled() -> &'static Gazetteer {
        match &*BUNDLED {
            Ok(g) => g,
            Err(_) => &EMPTY,
        }
    }

    /// Why the bundled data did not load, if it did not.
    pub fn bundled_error() -> Option<&'static GazetteerError> {
        BUNDLED.as_ref().err()
    }

    fn index(&mut self) {
        for (i, c) in self.countries.iter().enumerate() {
            self.country_by_code.insert(c.code.to_ascii_uppercase(), i);
            self.country_by_code
                .insert(c.alpha3.to_ascii_uppercase(), i);
        }
        // Names before aliases, so that a country's own name wins any clash.
        let names = self.countries.iter().enumerate().flat_map(|(i, c)| {
            std::iter::once((i, &c.name)).chain(c.official_name.iter().map(move |n| (i, n)))
        });
        let aliases = self
            .countries
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.aliases.iter().map(move |a| (i, a)));
        for c in &self.countries {
            let english = std::iter::once(&c.name).chain(&c.official_name);
            self.country_names.extend(english.map(|n| name_key(n)));
        }
        for (i, n) in names.chain(aliases) {
            let key = name_key(n);
            if !key.is_empty() {
                self.country_by_key.entry(key).or_insert(i);
            }
        }
        for c in &self.cities {
            let key = c.region.as_deref().map(name_key).unwrap_or_default();
            if key.contains(' ') {
                self.region_names.insert(key);
            }
        }
        for (i, c) in self.cities.iter().enumerate() {
            let mut own: HashMap<String, NameKind> = HashMap::new();
            let primary = [Some(&c.name), Some(&c.ascii_name), c.native_name.as_ref()];
            for n in primary.into_iter().flatten() {
                own.insert(name_key(n), NameKind::Primary);
            }
            for a in &c.aliases {
                let kind = alias_kind(a);
                let slot = own.entry(name_key(a)).or_insert(kind);
                *slot = (*slot).max(kind);
            }
            for (key, kind) in own {
                if !key.is_empty() {
                    self.city_by_key
                        .entry(key)
                        .or_default()
                        .push(CityName { city: i, kind });
                }
            }
        }
    }

    pub fn countries(&self) -> &[CountryEntry] {
        &self.countries
    }

    pub fn cities(&self) -> &[CityEntry] {
        &self.cities
    }

    /// The country with this ISO alpha-2 code, in any case.
    pub fn country(&self, code: &str) -> Option<&CountryEntry> {
        let code = code.trim();
        if code.len() != 2 {
            return None;
        }
        self.country_by_code
            .get(&code.to_ascii_uppercase())
            .map(|&i| &self.countries[i])
    }

    /// A country by name in many languages ("Spain", "España", "中国", "P.R. China", "Korea"),
    /// or by an upper-case alpha-2/alpha-3 code ("CN", "USA").
    pub fn find_country(&self, name: &str) -> Option<&CountryEntry> {
        let name = name.trim();
        let is_code = (2..=3).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_uppercase());
        if is_code && let Some(&i) = self.country_by_code.get(name) {
            return Some(&self.countries[i]);
        }
        let found = self.country_by_key.get(&name_key(name)).or_else(|| {
            // "China (PRC)", "Korea (Republic of)": the name before the parenthesis.
            let head = name.split('(').next().unwrap_or(name);
            (head.len() < name.len())
                .then(|| self.country_by_key.get(&name_key(head)))
                .flatten()
        });
        found.map(|&i| &self.countries[i])
    }

    /// A city whose name, ASCII name, native name or alias has the same match key. Candidates in
    /// `hint_countries` (alpha-2) come first, then a match on the city's own name over an alias,
    /// then the most populous ("Rome" is Italy's, not Georgia's).
    pub fn find_city(&self, name: &str, hint_countries: &[&str]) -> Option<&CityEntry> {
        let names = self.city_by_key.get(&name_key(name))?;
        names
            .iter()
            .max_by_key(|n| self.rank(n, hint_countries))
            .map(|n| &self.cities[n.city])
    }

    /// The place `name` in `country` (when known): the gazetteer city of that name there, if any;
    /// a namesake in another country is not it.
    pub fn place_in(&self, name: &str, country: Option<&CountryEntry>) -> PlaceRef {
        let hints: Vec<&str> = country.iter().map(|c| c.code.as_str()).collect();
        let entry = self
            .find_city(name, &hints)
            .filter(|e| country.is_none_or(|c| c.code == e.country_code))
            .cloned();
        PlaceRef {
            name: name.to_owned(),
            country_code: country
                .map(|c| c.code.clone())
                .or_else(|| entry.as_ref().map(|e| e.country_code.clone())),
            region: entry.as_ref().and_then(|e| e.region.clone()),
            entry,
        }
    }

    fn rank(&self, n: &CityName, hints: &[&str]) -> (bool, bool, i64, Reverse<i64>) {
        let c = &self.cities[n.city];
        (
            in_hints(c, hints),
            n.kind == NameKind::Primary,
            c.population.unwrap_or(0),
            Reverse(c.geonames_id),
        )
    }
}

fn in_hints(city: &CityEntry, hints: &[&str]) -> bool {
    hints
        .iter()
        .any(|h| h.trim().eq_ignore_ascii_case(&city.country_code))
}
