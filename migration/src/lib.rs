//! The ucap schema as sea-orm migrations (sea-orm-cli layout): one table a file in foreign-key order,
//! then the seeded code lists. Append-only: never edit a merged migration, add one.

pub use sea_orm_migration::prelude::*;

mod audit;
pub mod data_version;
mod tsv;

mod m20261128_000001_create_country;
mod m20261128_000002_create_sdg_goal;
mod m20261128_000003_create_sdg_target;
mod m20261128_000004_create_urban_agenda_partnership;
mod m20261128_000005_create_urban_agenda_alias;
mod m20261128_000006_create_city;
mod m20261128_000007_create_city_name;
mod m20261128_000008_create_organization;
mod m20261128_000009_create_source_document;
mod m20261128_000010_create_plan;
mod m20261128_000011_create_plan_partner_city;
mod m20261128_000012_create_theme;
mod m20261128_000013_create_statement;
mod m20261128_000014_create_plan_sdg_goal;
mod m20261128_000015_create_plan_sdg_target;
mod m20261128_000016_create_plan_urban_agenda;
mod m20261128_000017_create_contact;
mod m20261128_000018_create_activity;
mod m20261128_000019_create_plan_activity;
mod m20261128_000020_create_activity_city;
mod m20261128_000021_create_activity_organization;
mod m20261128_000022_create_expected_result;
mod m20261128_000023_create_expected_result_city;
mod m20261128_000024_create_expected_result_organization;
mod m20261128_000025_create_mou;
mod m20261128_000026_create_mou_party;
mod m20261128_000027_create_plan_mou;
mod m20261128_000028_create_data_issue;
mod m20261128_000029_seed_countries;
mod m20261128_000030_seed_sdg;
mod m20261128_000031_seed_urban_agenda;
mod m20261128_000032_create_search_index;
mod m20261128_000033_create_sort_indexes;
mod m20261128_000034_create_data_version;
mod m20261128_000035_create_plan_participant;
mod m20261128_000036_add_visibility_columns;
mod m20261128_000037_create_access_token;
mod m20261128_000038_create_audit_event;
mod m20261128_000039_create_write_support;
mod m20261129_000040_create_persisted_operation;
mod m20261130_000041_add_change_event_position;
mod m20261207_000042_create_webhook;
mod m20261207_000043_create_organization_alias;
mod m20261208_000044_create_rate_window;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_country::Migration),
            Box::new(m20261128_000002_create_sdg_goal::Migration),
            Box::new(m20261128_000003_create_sdg_target::Migration),
            Box::new(m20261128_000004_create_urban_agenda_partnership::Migration),
            Box::new(m20261128_000005_create_urban_agenda_alias::Migration),
            Box::new(m20261128_000006_create_city::Migration),
            Box::new(m20261128_000007_create_city_name::Migration),
            Box::new(m20261128_000008_create_organization::Migration),
            Box::new(m20261128_000009_create_source_document::Migration),
            Box::new(m20261128_000010_create_plan::Migration),
            Box::new(m20261128_000011_create_plan_partner_city::Migration),
            Box::new(m20261128_000012_create_theme::Migration),
            Box::new(m20261128_000013_create_statement::Migration),
            Box::new(m20261128_000014_create_plan_sdg_goal::Migration),
            Box::new(m20261128_000015_create_plan_sdg_target::Migration),
            Box::new(m20261128_000016_create_plan_urban_agenda::Migration),
            Box::new(m20261128_000017_create_contact::Migration),
            Box::new(m20261128_000018_create_activity::Migration),
            Box::new(m20261128_000019_create_plan_activity::Migration),
            Box::new(m20261128_000020_create_activity_city::Migration),
            Box::new(m20261128_000021_create_activity_organization::Migration),
            Box::new(m20261128_000022_create_expected_result::Migration),
            Box::new(m20261128_000023_create_expected_result_city::Migration),
            Box::new(m20261128_000024_create_expected_result_organization::Migration),
            Box::new(m20261128_000025_create_mou::Migration),
            Box::new(m20261128_000026_create_mou_party::Migration),
            Box::new(m20261128_000027_create_plan_mou::Migration),
            Box::new(m20261128_000028_create_data_issue::Migration),
            Box::new(m20261128_000029_seed_countries::Migration),
            Box::new(m20261128_000030_seed_sdg::Migration),
            Box::new(m20261128_000031_seed_urban_agenda::Migration),
            Box::new(m20261128_000032_create_search_index::Migration),
            Box::new(m20261128_000033_create_sort_indexes::Migration),
            Box::new(m20261128_000034_create_data_version::Migration),
            Box::new(m20261128_000035_create_plan_participant::Migration),
            Box::new(m20261128_000036_add_visibility_columns::Migration),
            Box::new(m20261128_000037_create_access_token::Migration),
            Box::new(m20261128_000038_create_audit_event::Migration),
            Box::new(m20261128_000039_create_write_support::Migration),
            Box::new(m20261129_000040_create_persisted_operation::Migration),
            Box::new(m20261130_000041_add_change_event_position::Migration),
            Box::new(m20261207_000042_create_webhook::Migration),
            Box::new(m20261207_000043_create_organization_alias::Migration),
            Box::new(m20261208_000044_create_rate_window::Migration),
        ]
    }
}
