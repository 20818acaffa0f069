//! The focal city's published figures (cities themselves are found or made by
//! [`crate::graphql::store::city`], as for the write mutations).

use sea_orm::{DbErr, EntityTrait};

use crate::graphql::store::Rows;
use crate::graphql::store::city as place;
use crate::import::resolve::ResolvedSummary;
use entity::city;

/// The focal city, with the summary's own figures (published text beside the parsed value).
pub(super) async fn focal_city(
    w: &mut Rows<'_>,
    summary: &ResolvedSummary,
) -> Result<city::Model, DbErr> {
    let id = place(w, &summary.focal).await?;
    let existing = city::Entity::find_by_id(id).one(w.txn).await?;
    let f = &summary.parsed.focal;
    w.upsert::<city::ActiveModel>("cities", existing, |c| {
        if let Some(region) = &f.region {
            c.region.set_if_not_equals(Some(region.clone()));
        }
        if let Some(pop) = &f.population {
            c.population.set_if_not_equals(pop.as_i64());
            c.population_text
                .set_if_not_equals(Some(pop.text().to_owned()));
            c.population_source
                .set_if_not_equals(Some("U-CAP summary".to_owned()));
        }
        if let Some(area) = &f.area_km2 {
            c.area_km2.set_if_not_equals(area.area_km2());
            c.area_text.set_if_not_equals(Some(area.text().to_owned()));
        }
    })
    .await
}
