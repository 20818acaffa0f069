//! The migrations round-trip on SQLite and on PostgreSQL: up, the seeded code lists are there and the
//! entities read and write through them, down to nothing, up again.
//!
//! PostgreSQL: `UCAP_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`) is the admin
//! connection; each run creates and drops its own `ucap_mig_<random>` database.

use entity::enums::{CityKind, PlanStatus};
use entity::{
    city, country, plan, plan_partner_city, sdg_goal, sdg_target, urban_agenda_partnership,
};
use migration::{Migrator, MigratorTrait, SchemaManager};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    ModelTrait, PaginatorTrait, QueryFilter, Set,
};
use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

type TestResult = Result<(), Box<dyn Error>>;

const DEFAULT_PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

#[tokio::test]
async fn migrations_round_trip_on_sqlite() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("ucap.db").display());
    let db = Database::connect(&url).await?;
    let result = round_trip(&db).await;
    db.close().await?;
    result
}

#[tokio::test]
async fn migrations_round_trip_on_postgres() -> TestResult {
    // The PostgreSQL leg of CI sets this; the default suite stays on the embedded database.
    if !std::env::var("UCAP_TEST_DATABASE").is_ok_and(|v| v.eq_ignore_ascii_case("postgres")) {
        return Ok(());
    }
    let admin_url =
        std::env::var("UCAP_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_ADMIN_URL.to_owned());
    let admin = Database::connect(&admin_url)
        .await
        .map_err(|e| format!("PostgreSQL at {admin_url} (set UCAP_TEST_PG_URL): {e}"))?;
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos();
    let name = format!("ucap_mig_{}_{nanos}", std::process::id());
    admin
        .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
        .await?;

    let result = async {
        let db = Database::connect(&with_database(&admin_url, &name)).await?;
        let result = round_trip(&db).await;
        db.close().await?;
        result
    }
    .await;

    admin
        .execute_unprepared(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
        .await?;
    admin.close().await?;
    result
}

async fn round_trip(db: &DatabaseConnection) -> TestResult {
    Migrator::up(db, None).await?;
    assert_seeded(db).await?;
    write_and_read_a_plan(db).await?;

    Migrator::down(db, None).await?;
    assert!(Migrator::get_applied_migrations(db).await?.is_empty());
    let manager = SchemaManager::new(db);
    for table in ["country", "sdg_target", "city", "plan", "data_issue"] {
        assert!(!manager.has_table(table).await?, "{table} survived down");
    }

    Migrator::up(db, None).await?;
    assert_seeded(db).await?;
    Ok(())
}

async fn assert_seeded(db: &DatabaseConnection) -> TestResult {
    assert_eq!(sdg_goal::Entity::find().count(db).await?, 17);
    assert_eq!(sdg_target::Entity::find().count(db).await?, 169);
    let countries = country::Entity::find().count(db).await?;
    assert!(countries >= 240, "{countries} countries");
    let partnerships = urban_agenda_partnership::Entity::find().count(db).await?;
    assert!(partnerships >= 20, "{partnerships} partnerships");

    let goal = sdg_goal::Entity::find_by_id(11_i16)
        .one(db)
        .await?
        .ok_or("no SDG 11")?;
    let targets = goal.find_related(sdg_target::Entity).all(db).await?;
    assert_eq!(targets.len(), 10, "SDG 11 has 11.1–11.7 and 11.a–11.c");
    assert!(targets.iter().all(|target| target.code.starts_with("11.")));
    Ok(())
}

/// Exercises what differs between the backends: enum strings, database defaults (timestamps, version),
/// decimals, the composite key of a link table and `Related` through it.
async fn write_and_read_a_plan(db: &DatabaseConnection) -> TestResult {
    let focal = city::ActiveModel {
        name: Set("Guangzhou".to_owned()),
        name_key: Set("guangzhou".to_owned()),
        kind: Set(CityKind::City),
        country_code: Set(Some("CN".to_owned())),
        area_km2: Set(Some(Decimal::new(7_434_400, 3))),
        ..Default::default()
    }
    .insert(db)
    .await?;
    assert_eq!(focal.version, 1);
    assert_eq!(focal.area_km2, Some(Decimal::new(7_434_400, 3)));
    let partner = city::ActiveModel {
        name: Set("Lyon".to_owned()),
        name_key: Set("lyon".to_owned()),
        kind: Set(CityKind::City),
        country_code: Set(Some("FR".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let plan = plan::ActiveModel {
        slug: Set("guangzhou-cn".to_owned()),
        title: Set("Guangzhou".to_owned()),
        status: Set(PlanStatus::Draft),
        focal_city_id: Set(focal.id),
        ..Default::default()
    }
    .insert(db)
    .await?;
    plan_partner_city::ActiveModel {
        plan_id: Set(plan.id),
        city_id: Set(partner.id),
        position: Set(1),
    }
    .insert(db)
    .await?;

    let drafts = plan::Entity::find()
        .filter(plan::Column::Status.eq(PlanStatus::Draft))
        .all(db)
        .await?;
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].created_at <= drafts[0].updated_at);
    // `Related<city::Entity> for plan::Entity` goes through plan_partner_city (as sea-orm-cli
    // generates it); the focal city is the `Relation::City` belongs-to.
    let partners = plan.find_related(city::Entity).all(db).await?;
    assert_eq!(
        partners.iter().map(|city| city.id).collect::<Vec<_>>(),
        [partner.id]
    );

    // Rows referencing seeded countries would (rightly) block the seed's `down`.
    plan.delete(db).await?;
    city::Entity::delete_many()
        .filter(city::Column::Id.is_in([focal.id, partner.id]))
        .exec(db)
        .await?;
    assert_eq!(
        plan_partner_city::Entity::find().count(db).await?,
        0,
        "cascade"
    );
    Ok(())
}

/// `admin_url` with its database replaced by `name`.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}
