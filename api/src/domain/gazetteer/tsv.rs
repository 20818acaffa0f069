//! Reading the gazetteer's TSV files: a header-driven table reader and the checks of each
//! country and city row.

use super::{CityEntry, CountryEntry, Gazetteer, GazetteerError};

const COUNTRIES_FILE: &str = "data/gazetteer/countries.tsv";
const CITIES_FILE: &str = "data/gazetteer/cities.tsv";

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

impl Gazetteer {
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
