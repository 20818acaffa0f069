//! sea-orm-cli compatible entry point: `cargo run -p migration --features cli -- up` (reads
//! `DATABASE_URL`, like `sea-orm-cli migrate`).

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
