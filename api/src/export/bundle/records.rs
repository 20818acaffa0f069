//! Stored records that become the document's on their own (the plan's sub-records that name no
//! other record, and the flat tables' records), one function each.

use super::Codes;
use crate::export::document as doc;
use entity::{
    city, city_name, contact, data_issue, organization, plan_sdg_goal, plan_sdg_target,
    plan_urban_agenda, source_document, statement, theme,
};

pub fn theme(t: &theme::Model) -> doc::Theme {
    doc::Theme {
        id: t.id,
        position: t.position,
        title: t.title.clone(),
        description: t.description.clone(),
        created_at: t.created_at,
        updated_at: t.updated_at,
        version: t.version,
    }
}

pub fn statement(s: &statement::Model) -> doc::Statement {
    doc::Statement {
        id: s.id,
        kind: s.kind,
        position: s.position,
        title: s.title.clone(),
        text: s.text.clone(),
        created_at: s.created_at,
        updated_at: s.updated_at,
        version: s.version,
    }
}

pub fn contact(c: &contact::Model) -> doc::Contact {
    doc::Contact {
        id: c.id,
        email: c.email.clone(),
        label: c.label.clone(),
        created_at: c.created_at,
        updated_at: c.updated_at,
        version: c.version,
    }
}

pub fn source_document(s: &source_document::Model) -> doc::SourceDocument {
    doc::SourceDocument {
        id: s.id,
        file_name: s.file_name.clone(),
        sha256: s.sha256.clone(),
        byte_size: s.byte_size,
        format: s.format.clone(),
        imported_at: s.imported_at,
    }
}

pub fn sdg_goal(codes: &Codes, g: &plan_sdg_goal::Model) -> doc::SdgGoalLink {
    doc::SdgGoalLink {
        goal: g.goal_number,
        title: (codes.goal_titles.get(&g.goal_number))
            .cloned()
            .unwrap_or_default(),
        theme_id: g.theme_id,
        published_text: g.published_text.clone(),
    }
}

pub fn sdg_target(t: &plan_sdg_target::Model) -> doc::SdgTargetLink {
    doc::SdgTargetLink {
        target: t.target_code.clone(),
        theme_id: t.theme_id,
        published_text: t.published_text.clone(),
    }
}

pub fn urban_agenda(codes: &Codes, u: &plan_urban_agenda::Model) -> doc::UrbanAgendaLink {
    let (key, name) = (codes.partnerships.get(&u.partnership_id))
        .cloned()
        .unwrap_or_default();
    doc::UrbanAgendaLink {
        partnership: key,
        name,
        theme_id: u.theme_id,
        published_text: u.published_text.clone(),
    }
}

pub fn data_issue_doc(i: &data_issue::Model) -> doc::DataIssue {
    doc::DataIssue {
        id: i.id,
        entity: i.entity,
        entity_id: i.entity_id,
        field: i.field.clone(),
        severity: i.severity,
        code: i.code.clone(),
        message: i.message.clone(),
        published_value: i.published_value.clone(),
        internal: i.internal,
        created_at: i.created_at,
        updated_at: i.updated_at,
        version: i.version,
    }
}

/// A city with its other names, as the document lists it.
pub fn city_doc(c: city::Model, names: Vec<city_name::Model>) -> doc::City {
    doc::City {
        id: c.id,
        name: c.name,
        native_name: c.native_name,
        kind: c.kind,
        region: c.region,
        country_code: c.country_code,
        geonames_id: c.geonames_id,
        latitude: c.latitude,
        longitude: c.longitude,
        population: c.population,
        population_text: c.population_text,
        population_year: c.population_year,
        population_source: c.population_source,
        area_km2: c.area_km2,
        area_text: c.area_text,
        names: names
            .into_iter()
            .map(|n| doc::CityName {
                name: n.name,
                script: n.script,
                kind: n.kind,
            })
            .collect(),
        created_at: c.created_at,
        updated_at: c.updated_at,
        version: c.version,
    }
}

pub fn organization_doc(o: organization::Model) -> doc::Organization {
    doc::Organization {
        id: o.id,
        name: o.name,
        kind: o.kind,
        city_id: o.city_id,
        website: o.website,
        created_at: o.created_at,
        updated_at: o.updated_at,
        version: o.version,
    }
}
