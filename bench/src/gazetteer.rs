//! Real cities for the synthetic dataset, from the bundled GeoNames gazetteer (`data/gazetteer/
//! cities.tsv`): names, native names, provinces, populations and coordinates as the importer would
//! find them, so that city pages and country statistics look like the programme's.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::Context as _;
use ucap::domain::text::name_key;

/// One gazetteer row.
#[derive(Debug, Clone)]
pub struct GazCity {
    pub geonames_id: i64,
    pub name: String,
    pub native_name: Option<String>,
    pub country_code: String,
    pub region: Option<String>,
    pub population: i64,
    pub latitude: f64,
    pub longitude: f64,
}

/// Reads `cities.tsv` (see `data/gazetteer/README.md` for its columns).
pub fn read(path: &Path) -> anyhow::Result<Vec<GazCity>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let mut cities = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let [
            id,
            name,
            _ascii,
            native,
            cc,
            region,
            population,
            lat,
            lon,
            ..,
        ] = f.as_slice()
        else {
            anyhow::bail!("{}:{}: expected 10 columns", path.display(), n + 1);
        };
        let bad = |what: &str| format!("{}:{}: bad {what}", path.display(), n + 1);
        cities.push(GazCity {
            geonames_id: id.parse().with_context(|| bad("geonames_id"))?,
            name: (*name).to_owned(),
            native_name: non_empty(native),
            country_code: (*cc).to_owned(),
            region: non_empty(region),
            population: population.parse().unwrap_or(0),
            latitude: lat.parse().with_context(|| bad("latitude"))?,
            longitude: lon.parse().with_context(|| bad("longitude"))?,
        });
    }
    Ok(cities)
}

/// Picks `n` cities of the weighted countries, largest first within a country, spreading the picks so
/// that each country's share follows its weight (a country that runs out leaves its share to the
/// others). Names are unique within a country, as `city(name_key, country_code)` requires.
pub fn choose(all: &[GazCity], countries: &[(&str, u32)], n: usize) -> Vec<GazCity> {
    let mut by_country: HashMap<&str, Vec<&GazCity>> = HashMap::new();
    for city in all {
        by_country
            .entry(city.country_code.as_str())
            .or_default()
            .push(city);
    }
    let mut queues: Vec<(u32, Vec<&GazCity>)> = countries
        .iter()
        .map(|(cc, weight)| {
            let mut list = by_country.remove(cc).unwrap_or_default();
            list.sort_by(|a, b| {
                b.population
                    .cmp(&a.population)
                    .then(a.geonames_id.cmp(&b.geonames_id))
            });
            let mut seen = HashSet::new();
            list.retain(|c| seen.insert(name_key(&c.name)));
            list.reverse(); // pop() takes the largest
            (*weight, list)
        })
        .collect();
    let mut taken = vec![0u32; queues.len()];
    let mut chosen = Vec::with_capacity(n);
    while chosen.len() < n {
        // The country furthest below its share: smallest taken/weight, compared without division.
        let next = (0..queues.len())
            .filter(|&i| !queues[i].1.is_empty() && queues[i].0 > 0)
            .min_by(|&a, &b| {
                (u64::from(taken[a]) * u64::from(queues[b].0))
                    .cmp(&(u64::from(taken[b]) * u64::from(queues[a].0)))
            });
        let Some(i) = next else { break };
        if let Some(city) = queues[i].1.pop() {
            chosen.push(city.clone());
            taken[i] += 1;
        }
    }
    chosen
}
