//! Cities (with their other names) and organizations: listed once at the top of the document, and
//! unique by id and by name key, as the database keeps them.

use std::collections::HashSet;

use sea_orm::ActiveValue;

use super::{Walk, inconsistent, unknown};
use crate::domain::text::name_key;
use crate::export::document as doc;
use crate::import::backup::RestoreError;
use entity::{city, city_name, organization};

impl Walk<'_> {
    pub(super) fn city(&mut self, c: &doc::City) -> Result<(), RestoreError> {
        let record = format!("city {}", c.id);
        self.fresh("city", c.id, &record)?;
        let key = name_key(&c.name);
        if key.is_empty() {
            return Err(inconsistent(&record, "its name has no letter or digit"));
        }
        if let Some(cc) = &c.country_code
            && !self.codes.countries.contains(cc)
        {
            return Err(unknown(&record, "country code", cc));
        }
        let scoped = format!(
            "{key} ({})",
            c.country_code.as_deref().unwrap_or("no country")
        );
        self.unique("name", scoped, &record)?;
        if let Some(g) = c.geonames_id {
            self.unique("GeoNames id", g.to_string(), &record)?;
        }
        let mut names = HashSet::new();
        for n in &c.names {
            if !names.insert(n.name.as_str()) {
                return Err(RestoreError::Duplicate {
                    record: format!("{record} name \"{}\"", n.name),
                });
            }
            self.t.city_names.push(city_name::ActiveModel {
                id: ActiveValue::NotSet,
                city_id: ActiveValue::Set(c.id),
                name: ActiveValue::Set(n.name.clone()),
                script: ActiveValue::Set(n.script.clone()),
                kind: ActiveValue::Set(n.kind),
            });
        }
        self.cities.insert(c.id);
        self.t.cities.push(city::Model {
            id: c.id,
            name: c.name.clone(),
            native_name: c.native_name.clone(),
            name_key: key,
            kind: c.kind,
            region: c.region.clone(),
            country_code: c.country_code.clone(),
            geonames_id: c.geonames_id,
            latitude: c.latitude,
            longitude: c.longitude,
            population: c.population,
            population_text: c.population_text.clone(),
            population_year: c.population_year,
            population_source: c.population_source.clone(),
            area_km2: c.area_km2,
            area_text: c.area_text.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        });
        Ok(())
    }

    pub(super) fn organization(&mut self, o: &doc::Organization) -> Result<(), RestoreError> {
        let record = format!("organization {}", o.id);
        self.fresh("organization", o.id, &record)?;
        let key = name_key(&o.name);
        if key.is_empty() {
            return Err(inconsistent(&record, "its name has no letter or digit"));
        }
        self.unique("name", key.clone(), &record)?;
        if let Some(c) = o.city_id {
            self.city_ref(&record, c)?;
        }
        self.organizations.insert(o.id);
        self.t.organizations.push(organization::Model {
            id: o.id,
            name: o.name.clone(),
            name_key: key,
            kind: o.kind,
            city_id: o.city_id,
            website: o.website.clone(),
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        });
        Ok(())
    }
}
