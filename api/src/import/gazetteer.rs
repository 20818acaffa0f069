//! The bundled gazetteer: ISO 3166 countries and GeoNames cities (`data/gazetteer/`, see its README)
//! and the name lookups that resolve a summary's places. Pure: the data is compiled in.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use crate::domain::text::name_key;

const COUNTRIES_FILE: &str = "data/gazetteer/countries.tsv";
const CITIES_FILE: &str = "data/gazetteer/cities.tsv";
const COUNTRIES_TSV: &str = include_str!("../../../data/gazetteer/countries.tsv");
const CITIES_TSV: &str = include_str!("../../../data/gazetteer/cities.tsv");
const COMMON_WORDS_TXT: &str = include_str!("../../../data/gazetteer/common-words.txt");

const COUNTRY_COLUMNS: [&str; 8] = [
    "code",
    "alpha3",
    "numeric",
    "name",
    "official_name",
    "region",
    "continent",
    "aliases",
];
const CITY_COLUMNS: [&str; 10] = [
    "geonames_id",
    "name",
    "ascii_name",
    "native_name",
    "country_code",
    "region",
    "population",
    "latitude",
    "longitude",
    "aliases",
];

/// In hint countries free text may name smaller places: the gazetteer's European floor.
const HINT_MIN_POPULATION: i64 = 15_000;
/// A common English word ("Reading", "Split") is taken for a city this big without further evidence.
const BIG_CITY_POPULATION: i64 = 1_000_000;
/// "Ho Chi Minh City" has four words; longer names are not looked for in free text.
const MAX_PHRASE_WORDS: usize = 4;
/// Longest CJK name tried inside a run of Han, kana or Hangul (内蒙古自治区 is 6).
const MAX_CJK_CHARS: usize = 8;
/// Where the city and the country share the name ("Singapore"), the city is meant.
const CITY_STATES: [&str; 6] = ["SG", "HK", "MO", "MC", "VA", "GI"];

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

    /// Parses the two TSV files (header row, tab-separated, `|`-separated lists, no quoting).
    pub fn from_tsv(countries: &str, cities: &str) -> Result<Gazetteer, GazetteerError> {
        let mut g = Gazetteer::default();
        for (line, fields) in parse_table(COUNTRIES_FILE, countries, &COUNTRY_COLUMNS)? {
            g.countries.push(
                country_from(&fields).map_err(|message| GazetteerError::BadRow {
                    file: COUNTRIES_FILE,
                    line,
                    message,
                })?,
            );
        }
        for (line, fields) in parse_table(CITIES_FILE, cities, &CITY_COLUMNS)? {
            g.cities.push(
                city_from(&fields).map_err(|message| GazetteerError::BadRow {
                    file: CITIES_FILE,
                    line,
                    message,
                })?,
            );
        }
        g.index();
        Ok(g)
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

    fn rank(&self, n: &CityName, hints: &[&str]) -> (bool, bool, i64, Reverse<i64>) {
        let c = &self.cities[n.city];
        (
            in_hints(c, hints),
            n.kind == NameKind::Primary,
            c.population.unwrap_or(0),
            Reverse(c.geonames_id),
        )
    }

    /// Cities named in free text, with the byte range of each mention: longest match first,
    /// non-overlapping, in text order.
    ///
    /// Built to miss rather than invent: a Latin-script mention is one to four words starting with
    /// a capital (not an acronym such as "EU"), matched on a city's own names and its safer
    /// aliases, of a city with at least `min_population` inhabitants (15 000 in `hint_countries`).
    /// Country names ("China") are skipped, and so is an alias when another city bears that name
    /// ("Canton", Ohio). A common English word ("Split", "Mission") counts only for a big or hinted
    /// city and not at a sentence start or inside a Title Case phrase. Han, kana and Hangul runs
    /// are searched for names of two characters or more.
    pub fn cities_in_text<'a>(
        &'a self,
        text: &str,
        min_population: i64,
        hint_countries: &[&str],
    ) -> Vec<(&'a CityEntry, Range<usize>)> {
        let tokens = tokenize(text);
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            if t.cjk {
                self.cjk_mentions(text, t, min_population, hint_countries, &mut out);
                i += 1;
                continue;
            }
            if !t.capitalised || t.acronym {
                i += 1;
                continue;
            }
            let mut city_match = None;
            let mut region_words = 0;
            for n in (1..=MAX_PHRASE_WORDS.min(tokens.len() - i)).rev() {
                let phrase = &tokens[i..i + n];
                if phrase.iter().any(|t| t.cjk) || !(1..n).all(|j| joins(text, phrase, j)) {
                    continue;
                }
                let key = phrase
                    .iter()
                    .map(|t| t.key.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                if n >= 2 && region_words == 0 && self.region_names.contains(&key) {
                    region_words = n;
                }
                let ctx = Context {
                    sentence_start: sentence_start(text, &tokens, i),
                    title_case: n == 1 && title_case_neighbour(text, &tokens, i),
                    after_capital: n == 1 && after_capital(text, &tokens, i),
                };
                if let Some(city) = self.text_match(&key, n, ctx, min_population, hint_countries) {
                    city_match = Some((city, n));
                    break;
                }
            }
            match city_match {
                // "Baden-Württemberg" is a state, not Baden-Baden.
                Some((_, n)) if region_words > n => i += region_words,
                Some((city, n)) => {
                    out.push((city, tokens[i].range.start..tokens[i + n - 1].range.end));
                    i += n;
                }
                None => i += region_words.max(1),
            }
        }
        out.sort_by_key(|(_, r)| r.start);
        out
    }

    fn text_match(
        &self,
        key: &str,
        words: usize,
        ctx: Context,
        min_population: i64,
        hints: &[&str],
    ) -> Option<&CityEntry> {
        let names = self.city_by_key.get(key)?;
        let best = names
            .iter()
            .filter(|n| n.kind != NameKind::MinorAlias)
            .filter(|n| self.big_enough(&self.cities[n.city], min_population, hints))
            .max_by_key(|n| self.rank(n, hints))?;
        let city = &self.cities[best.city];
        let hinted = in_hints(city, hints);
        let population = city.population.unwrap_or(0);
        // "Granada" is also Spanish for Grenada, so only English country names block a match.
        if self.country_names.contains(key) && !CITY_STATES.contains(&city.country_code.as_str()) {
            return None;
        }
        let named_elsewhere = names
            .iter()
            .any(|n| n.kind == NameKind::Primary && n.city != best.city);
        if best.kind != NameKind::Primary && !hinted && named_elsewhere {
            return None;
        }
        let big = population >= BIG_CITY_POPULATION;
        // "Pearl River Delta", "Saint Mary": the end of some other name.
        if words == 1 && ctx.after_capital && !hinted && !big {
            return None;
        }
        if words == 1 && COMMON_WORDS.contains(key) {
            let plain_mention = !ctx.sentence_start && !ctx.title_case;
            if !(big || hinted && plain_mention) {
                return None;
            }
        }
        Some(city)
    }

    fn big_enough(&self, city: &CityEntry, min_population: i64, hints: &[&str]) -> bool {
        let floor = if in_hints(city, hints) {
            min_population.min(HINT_MIN_POPULATION)
        } else {
            min_population
        };
        city.population.unwrap_or(0) >= floor
    }

    fn cjk_mentions<'a>(
        &'a self,
        text: &str,
        token: &Token,
        min_population: i64,
        hints: &[&str],
        out: &mut Vec<(&'a CityEntry, Range<usize>)>,
    ) {
        let run = &text[token.range.clone()];
        let starts: Vec<usize> = run.char_indices().map(|(b, _)| b).collect();
        let mut p = 0;
        while p < starts.len() {
            let mut step = 1;
            for len in (2..=MAX_CJK_CHARS.min(starts.len() - p)).rev() {
                let end = starts.get(p + len).copied().unwrap_or(run.len());
                let key = name_key(&run[starts[p]..end]);
                if self.country_by_key.contains_key(&key) {
                    continue; // 中国, 日本
                }
                let best = self.city_by_key.get(&key).and_then(|names| {
                    names
                        .iter()
                        .filter(|n| self.big_enough(&self.cities[n.city], min_population, hints))
                        .max_by_key(|n| self.rank(n, hints))
                });
                if let Some(n) = best {
                    let start = token.range.start + starts[p];
                    out.push((&self.cities[n.city], start..token.range.start + end));
                    step = len;
                    break;
                }
            }
            p += step;
        }
    }
}

fn in_hints(city: &CityEntry, hints: &[&str]) -> bool {
    hints
        .iter()
        .any(|h| h.trim().eq_ignore_ascii_case(&city.country_code))
}

/// Aliases that look like names a writer would use; others ("Rom", "ROM", "Sol") are matched only
/// when asked for by name.
fn alias_kind(alias: &str) -> NameKind {
    let letters: Vec<char> = alias.chars().filter(|c| c.is_alphabetic()).collect();
    let Some(first) = letters.first() else {
        return NameKind::MinorAlias;
    };
    if is_cjk(*first) {
        return if letters.len() >= 2 {
            NameKind::Alias
        } else {
            NameKind::MinorAlias
        };
    }
    let caps = letters.iter().all(|c| c.is_uppercase());
    if letters.len() >= 4 && !first.is_lowercase() && !caps {
        NameKind::Alias
    } else {
        NameKind::MinorAlias
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F | 0x20000..=0x2FFFF)
}

#[derive(Debug, Clone, Copy)]
struct Context {
    sentence_start: bool,
    title_case: bool,
    after_capital: bool,
}

/// Capitalised only because they open a sentence: "In Granada" still names Granada.
const OPENING_WORDS: [&str; 16] = [
    "in", "at", "from", "to", "with", "for", "the", "and", "both", "between", "via", "near", "of",
    "on", "by", "visit",
];

#[derive(Debug)]
struct Token {
    range: Range<usize>,
    key: String,
    capitalised: bool,
    /// "EU", "DDG", "COVID": never the start of a place name here.
    acronym: bool,
    cjk: bool,
}

/// Words as [`name_key`] sees them (apostrophes join: "Xi'an"), except that a possessive "'s" is
/// dropped ("Wuhan's") and a run of Han, kana or Hangul is a token of its own.
fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if !c.is_alphanumeric() {
            i += 1;
            continue;
        }
        let cjk = is_cjk(c);
        let mut j = i + 1;
        while j < chars.len() {
            let d = chars[j].1;
            if d.is_alphanumeric() && is_cjk(d) == cjk {
                j += 1;
                continue;
            }
            let apostrophe = d == '\'' || d == '\u{2019}';
            let next = chars.get(j + 1).map(|&(_, n)| n);
            let after = chars.get(j + 2).map(|&(_, n)| n);
            let possessive =
                matches!(next, Some('s' | 'S')) && !after.is_some_and(char::is_alphanumeric);
            if !cjk && apostrophe && next.is_some_and(char::is_alphabetic) && !possessive {
                j += 1;
                continue;
            }
            break;
        }
        let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
        let word = &text[start..end];
        let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
        tokens.push(Token {
            range: start..end,
            key: name_key(word),
            capitalised: c.is_uppercase(),
            acronym: letters.len() >= 2 && letters[..2].iter().all(|c| c.is_uppercase()),
            cjk,
        });
        i = j;
    }
    tokens
}

/// Whether tokens `j-1` and `j` of a phrase may belong to one name: a space or hyphen between them,
/// or the dot of a short abbreviation ("St. Gallen"), never a comma or a dash.
fn joins(text: &str, phrase: &[Token], j: usize) -> bool {
    let prev = &phrase[j - 1];
    let sep = &text[prev.range.end..phrase[j].range.start];
    if sep.is_empty() || sep.chars().count() > 3 {
        return false;
    }
    let abbreviation = prev.capitalised && prev.key.chars().count() <= 3;
    sep.char_indices().all(|(k, c)| {
        matches!(c, ' ' | '-' | '\u{2010}' | '\u{2011}') || (c == '.' && k == 0 && abbreviation)
    })
}

/// What ends a sentence, opens a list item or starts a clause.
const SENTENCE_MARKS: [char; 15] = [
    '.', ':', ';', '!', '?', '→', '•', '·', '–', '—', '(', '"', '“', '‘', '>',
];

/// At the start of the text, a sentence, a list item or a clause after a colon or dash.
fn sentence_start(text: &str, tokens: &[Token], i: usize) -> bool {
    let before = match i.checked_sub(1) {
        Some(p) => &text[tokens[p].range.end..tokens[i].range.start],
        None => &text[..tokens[i].range.start],
    };
    if i == 0 || before.contains('\n') {
        return true;
    }
    before
        .trim_end()
        .chars()
        .last()
        .is_some_and(|c| SENTENCE_MARKS.contains(&c))
}

/// A capitalised word right before or after, as in "Health Care" or "Industrial Design".
fn title_case_neighbour(text: &str, tokens: &[Token], i: usize) -> bool {
    let joined = |a: &Token, b: &Token| {
        let sep = &text[a.range.end..b.range.start];
        !sep.is_empty() && sep.chars().all(|c| c == ' ' || c == '-')
    };
    let before = i
        .checked_sub(1)
        .map(|p| &tokens[p])
        .is_some_and(|p| p.capitalised && !p.acronym && joined(p, &tokens[i]));
    let after = tokens
        .get(i + 1)
        .is_some_and(|n| n.capitalised && !n.acronym && joined(&tokens[i], n));
    before || after
}

/// Right after a capitalised word of the same phrase that does not merely open the sentence.
fn after_capital(text: &str, tokens: &[Token], i: usize) -> bool {
    let Some(p) = i.checked_sub(1) else {
        return false;
    };
    let prev = &tokens[p];
    let sep = &text[prev.range.end..tokens[i].range.start];
    let joined = !sep.is_empty() && sep.chars().all(|c| c == ' ' || c == '-');
    let opener = sentence_start(text, tokens, p) && OPENING_WORDS.contains(&prev.key.as_str());
    joined && prev.capitalised && !prev.acronym && !prev.cjk && !opener
}

/// The named columns of each row, in `columns` order, with the row's 1-based line number.
fn parse_table<'a, const N: usize>(
    file: &'static str,
    text: &'a str,
    columns: &[&'static str; N],
) -> Result<Vec<(usize, [&'a str; N])>, GazetteerError> {
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = lines
        .next()
        .map(|(_, h)| h.trim_end_matches('\r').split('\t').collect())
        .ok_or(GazetteerError::Empty { file })?;
    let mut positions = [0usize; N];
    for (slot, column) in positions.iter_mut().zip(columns) {
        *slot = header
            .iter()
            .position(|h| h.trim() == *column)
            .ok_or(GazetteerError::MissingColumn { file, column })?;
    }
    let mut rows = Vec::new();
    for (index, line) in lines {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != header.len() {
            return Err(GazetteerError::BadRow {
                file,
                line: index + 1,
                message: format!("{} fields, the header has {}", fields.len(), header.len()),
            });
        }
        let mut row = [""; N];
        for (cell, &p) in row.iter_mut().zip(&positions) {
            *cell = fields[p].trim();
        }
        rows.push((index + 1, row));
    }
    Ok(rows)
}

fn country_from(f: &[&str; 8]) -> Result<CountryEntry, String> {
    let [
        code,
        alpha3,
        numeric,
        name,
        official,
        region,
        continent,
        aliases,
    ] = *f;
    let letters = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_uppercase());
    if !letters(code, 2) || !letters(alpha3, 3) {
        return Err(format!(
            "expected ISO codes AA and AAA, got {code:?} {alpha3:?}"
        ));
    }
    if !(numeric.is_empty() || numeric.len() == 3 && numeric.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!("expected a 3-digit numeric code, got {numeric:?}"));
    }
    if name.is_empty() {
        return Err("empty name".to_owned());
    }
    Ok(CountryEntry {
        code: code.to_owned(),
        alpha3: alpha3.to_owned(),
        numeric: numeric.to_owned(),
        name: name.to_owned(),
        official_name: non_empty(official),
        region: non_empty(region),
        continent: non_empty(continent),
        aliases: list(aliases),
    })
}

fn city_from(f: &[&str; 10]) -> Result<CityEntry, String> {
    let [
        id,
        name,
        ascii,
        native,
        country,
        region,
        population,
        lat,
        lon,
        aliases,
    ] = *f;
    let number = |what: &str, s: &str| format!("{what}: not a number: {s:?}");
    let geonames_id = id.parse().map_err(|_| number("geonames_id", id))?;
    let population = match population {
        "" => None,
        p => Some(p.parse().map_err(|_| number("population", p))?),
    };
    let latitude: f64 = lat.parse().map_err(|_| number("latitude", lat))?;
    let longitude: f64 = lon.parse().map_err(|_| number("longitude", lon))?;
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return Err(format!("coordinates out of range: {lat}, {lon}"));
    }
    if name.is_empty() || country.len() != 2 {
        return Err(format!(
            "expected a name and a country code, got {name:?} {country:?}"
        ));
    }
    Ok(CityEntry {
        geonames_id,
        name: name.to_owned(),
        ascii_name: if ascii.is_empty() { name } else { ascii }.to_owned(),
        native_name: non_empty(native),
        country_code: country.to_owned(),
        region: non_empty(region),
        population,
        latitude,
        longitude,
        aliases: list(aliases),
    })
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

fn list(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> &'static Gazetteer {
        Gazetteer::bundled()
    }

    fn names(text: &str, hints: &[&str]) -> Vec<String> {
        g().cities_in_text(text, 100_000, hints)
            .into_iter()
            .map(|(c, r)| format!("{}@{}", c.name, &text[r]))
            .collect()
    }

    #[test]
    fn bundled_data_loads_in_full() {
        assert_eq!(Gazetteer::bundled_error(), None);
        assert!(g().countries().len() >= 249);
        assert!(g().cities().len() > 15_000);
        assert!(!COMMON_WORDS.is_empty());
    }

    #[test]
    fn every_city_has_a_known_country() {
        for c in g().cities() {
            assert!(g().country(&c.country_code).is_some(), "{c:?}");
        }
    }

    #[test]
    fn countries_are_found_by_name_alias_translation_and_code() {
        let code = |n: &str| g().find_country(n).map(|c| c.code.as_str());
        for (name, expected) in [
            ("China", "CN"),
            ("P.R. China", "CN"),
            ("People's Republic of China", "CN"),
            ("中国", "CN"),
            ("Spain", "ES"),
            ("España", "ES"),
            ("Germany", "DE"),
            ("Deutschland", "DE"),
            ("Italy", "IT"),
            ("Korea", "KR"),
            ("South Korea", "KR"),
            ("USA", "US"),
            ("UK", "GB"),
            ("Viet Nam", "VN"),
            ("Türkiye", "TR"),
            ("Turkey", "TR"),
            ("Czechia", "CZ"),
            ("CN", "CN"),
            ("ESP", "ES"),
            ("  italy ", "IT"),
        ] {
            assert_eq!(code(name), Some(expected), "{name}");
        }
        assert_eq!(code("EU"), None);
        assert_eq!(code("Europe"), None);
        assert_eq!(code(""), None);
    }

    #[test]
    fn country_entries_carry_regions_and_common_names() {
        let kr = g()
            .country("kr")
            .map(|c| (c.name.as_str(), c.region.as_deref()));
        assert_eq!(kr, Some(("South Korea", Some("Eastern Asia"))));
        let es = g().country("ES").and_then(|c| c.continent.as_deref());
        assert_eq!(es, Some("Europe"));
        assert_eq!(g().country("ESP"), None, "alpha-2 only");
    }

    #[test]
    fn sample_cities_resolve_to_their_countries() {
        let cc = |n: &str, hints: &[&str]| g().find_city(n, hints).map(|c| c.country_code.clone());
        let hints = ["ES", "DE", "IT"];
        for (name, expected) in [
            ("Barcelona", "ES"),
            ("Granada", "ES"),
            ("Bologna", "IT"),
            ("Rome", "IT"),
            ("Roma", "IT"),
            ("Stuttgart", "DE"),
            ("Mannheim", "DE"),
            ("München", "DE"),
            ("Manchester", "GB"),
            ("Brussels", "BE"),
        ] {
            assert_eq!(cc(name, &hints).as_deref(), Some(expected), "{name}");
            assert_eq!(
                cc(name, &[]).as_deref(),
                Some(expected),
                "{name} without hints"
            );
        }
        assert_eq!(cc("Stuttgart Region", &hints), None);
    }

    #[test]
    fn focal_cities_have_native_names() {
        let native = |n: &str| g().find_city(n, &[]).and_then(|c| c.native_name.clone());
        assert_eq!(native("Guangzhou").as_deref(), Some("广州"));
        assert_eq!(native("Tokyo").as_deref(), Some("東京"));
        assert_eq!(native("Seoul").as_deref(), Some("서울"));
        assert_eq!(native("Rome").as_deref(), Some("Roma"));
        assert_eq!(native("Munich").as_deref(), Some("München"));
        let gz = g()
            .find_city("广州", &[])
            .map(|c| (c.name.as_str(), c.region.as_deref()));
        assert_eq!(gz, Some(("Guangzhou", Some("Guangdong"))));
        assert_eq!(
            g().find_city("Canton", &["CN"]).map(|c| c.name.as_str()),
            Some("Guangzhou")
        );
    }

    #[test]
    fn hints_and_own_names_decide_between_namesakes() {
        let cc = |n: &str, hints: &[&str]| g().find_city(n, hints).map(|c| c.country_code.clone());
        assert_eq!(cc("Granada", &["NI"]).as_deref(), Some("NI"));
        assert_eq!(cc("Granada", &["es"]).as_deref(), Some("ES"));
        // Canton, Ohio is called so; Guangzhou only by an alias.
        assert_eq!(cc("Canton", &[]).as_deref(), Some("US"));
    }

    #[test]
    fn finds_the_sample_cities_in_activity_and_result_texts() {
        let hints = ["CN", "ES", "DE", "IT"];
        for (text, expected) in [
            (
                "EU cities representatives visit Guangzhou",
                vec!["Guangzhou@Guangzhou"],
            ),
            (
                "Online meeting Bologna – Guangzhou",
                vec!["Bologna@Bologna", "Guangzhou@Guangzhou"],
            ),
            (
                "MoUs with Granada, Rome and Barcelona",
                vec!["Granada@Granada", "Rome@Rome", "Barcelona@Barcelona"],
            ),
            (
                "with Mannheim and Stuttgart; digital economy (with Manchester)",
                vec![
                    "Mannheim@Mannheim",
                    "Stuttgart@Stuttgart",
                    "Manchester@Manchester",
                ],
            ),
            (
                "Barcelona Hospital in Guangzhou DDG",
                vec!["Barcelona@Barcelona", "Guangzhou@Guangzhou"],
            ),
            ("European cities in Brussels", vec!["Brussels@Brussels"]),
            ("a follow-up to Wuhan's engagement", vec!["Wuhan@Wuhan"]),
            ("the University of Bologna", vec!["Bologna@Bologna"]),
            (
                "In Granada. Visit Mannheim",
                vec!["Granada@Granada", "Mannheim@Mannheim"],
            ),
        ] {
            assert_eq!(names(text, &hints), expected, "{text}");
            assert_eq!(names(text, &[]), expected, "{text} without hints");
        }
    }

    #[test]
    fn ignores_theme_words_countries_and_acronyms() {
        for text in [
            "Smart City & Digital Transition",
            "Health Care and Biotechnology",
            "Circular Economy & Energy Transition",
            "Industrial Design: Launching a bilateral platform",
            "China-Europe health care cluster based on Bio-tech Island",
            "support EU institutions to expand business in China",
            "Sino-EU Characteristic Town Cooperation Forum",
            "EU-China High Level Seminar on Regional Policy",
            "Mission and meetings. Reading list. Split decision",
            "→ March 2020: participates in an online discussion",
            "Pearl River Delta and the Greater Bay Area",
        ] {
            assert_eq!(
                names(text, &["CN", "ES", "DE", "IT"]),
                Vec::<String>::new(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_region_named_after_a_city_is_not_that_city() {
        let text = "Catalonia, Baden-Württemberg, Italy";
        assert_eq!(names(text, &["ES", "DE", "IT"]), Vec::<String>::new());
    }

    #[test]
    fn a_common_word_needs_a_big_or_hinted_city_mid_sentence() {
        assert_eq!(
            names("a meeting in Split with the mayor", &[]),
            Vec::<String>::new()
        );
        assert_eq!(
            names("a meeting in Split with the mayor", &["HR"]),
            vec!["Split@Split"]
        );
    }

    #[test]
    fn matches_multi_word_and_cjk_names() {
        assert_eq!(
            names(
                "delegations from Ho Chi Minh City and Frankfurt am Main",
                &[]
            ),
            vec![
                "Ho Chi Minh City@Ho Chi Minh City",
                "Frankfurt am Main@Frankfurt am Main"
            ]
        );
        assert_eq!(names("广州市与巴塞罗那合作", &[]), vec!["Guangzhou@广州市"]);
    }

    #[test]
    fn mentions_carry_byte_ranges_into_the_text() {
        let text = "Bologna – Guangzhou";
        let found = g().cities_in_text(text, 100_000, &[]);
        let ranges: Vec<_> = found.iter().map(|(_, r)| r.clone()).collect();
        assert_eq!(ranges, vec![0..7, 12..21]);
    }

    #[test]
    fn rejects_malformed_rows_with_their_line() {
        let countries = "code\talpha3\tnumeric\tname\tofficial_name\tregion\tcontinent\taliases\n\
                         ES\tESP\t724\tSpain\t\t\t\t\n";
        let cities = "geonames_id\tname\tascii_name\tnative_name\tcountry_code\tregion\tpopulation\tlatitude\tlongitude\taliases\n\
                      1\tX\tX\t\tES\t\tmany\t1\t2\t\n";
        let err = Gazetteer::from_tsv(countries, cities).err();
        assert!(
            matches!(err, Some(GazetteerError::BadRow { line: 2, .. })),
            "{err:?}"
        );
        let short = Gazetteer::from_tsv("code\talpha3\n", cities).err();
        assert!(matches!(
            short,
            Some(GazetteerError::MissingColumn {
                column: "numeric",
                ..
            })
        ));
        assert!(matches!(
            Gazetteer::from_tsv("", cities),
            Err(GazetteerError::Empty { .. })
        ));
    }

    #[test]
    fn small_tables_parse_with_empty_fields() {
        let countries = "code\talpha3\tnumeric\tname\tofficial_name\tregion\tcontinent\taliases\n\
                         XK\tXKX\t\tKosovo\t\t\t\tKosova|Republic of Kosovo\n";
        let cities = "geonames_id\tname\tascii_name\tnative_name\tcountry_code\tregion\tpopulation\tlatitude\tlongitude\taliases\n\
                      786714\tPristina\tPristina\tPrishtinë\tXK\t\t\t42.67\t21.17\tPrishtina\n";
        let g = Gazetteer::from_tsv(countries, cities).ok();
        let g = g.as_ref();
        assert_eq!(
            g.and_then(|g| g.find_country("Kosova"))
                .map(|c| c.numeric.as_str()),
            Some("")
        );
        let city = g.and_then(|g| g.find_city("Prishtinë", &[]));
        assert_eq!(
            city.map(|c| (c.population, c.region.clone())),
            Some((None, None))
        );
    }
}
