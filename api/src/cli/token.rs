//! `ucap keys …` and `ucap token …`: the same operations as the API's, run with the database
//! credentials instead of a token, and audited as the command line.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use sea_orm::{ActiveEnum, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::{KeysAction, TokenAction};
use crate::audit::Actor;
use crate::auth::keys::{Keys, generate_ed25519_pem};
use crate::auth::tokens::{IssueRequest, Tokens};
use crate::db;
use crate::ids::{NodeKind, decode_int};
use crate::settings::Settings;
use entity::{access_token, access_token_organization, organization};

/// `ucap keys generate`.
pub fn keys(settings: &Settings, action: KeysAction) -> anyhow::Result<ExitCode> {
    let KeysAction::Generate { out, force } = action;
    let path = out.unwrap_or_else(|| settings.jwt_private_key_file.clone());
    let (private, public) = generate_ed25519_pem()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).with_context(|| {
        format!(
            "cannot create {} (use --force to replace an existing key)",
            path.display()
        )
    })?;
    file.write_all(private.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "wrote the private key to {}; its public key:",
        path.display()
    );
    print!("{public}");
    Ok(ExitCode::SUCCESS)
}

/// `ucap token issue|list|revoke`.
pub async fn token(settings: &Settings, action: TokenAction) -> anyhow::Result<ExitCode> {
    let db = db::connect(settings).await?;
    db::migrate(&db).await?;
    let keys = Keys::from_settings(settings)?;
    let tokens = Tokens::new(db.clone(), keys, settings);
    match action {
        TokenAction::Issue {
            organizations,
            role,
            label,
            expires_in,
            operations,
        } => {
            let mut ids = Vec::new();
            for org in &organizations {
                ids.push(organization_id(&db, org).await?);
            }
            let expires_in = expires_in
                .map(Duration::from_secs)
                .unwrap_or(tokens.max_lifetime());
            let (token, record) = tokens
                .issue(
                    &Actor::CommandLine,
                    IssueRequest {
                        organizations: ids,
                        role,
                        label,
                        expires_in,
                        operations,
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
            eprintln!(
                "issued token {} ({}, expires {}); it is shown once:",
                NodeKind::AccessToken.id(record.id).0,
                record.role.to_value(),
                record.expires_at.to_rfc3339()
            );
            println!("{token}");
        }
        TokenAction::List => {
            let rows = access_token::Entity::find()
                .order_by_asc(access_token::Column::Id)
                .all(&db)
                .await?;
            println!("ID\tROLE\tORGANIZATIONS\tLABEL\tCREATED\tEXPIRES\tLAST USED\tREVOKED");
            for row in rows {
                let orgs: Vec<String> = access_token_organization::Entity::find()
                    .filter(access_token_organization::Column::TokenId.eq(row.id))
                    .all(&db)
                    .await?
                    .iter()
                    .map(|o| o.organization_id.to_string())
                    .collect();
                let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
                    t.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    NodeKind::AccessToken.id(row.id).0,
                    row.role.to_value(),
                    if orgs.is_empty() {
                        "-".to_owned()
                    } else {
                        orgs.join(",")
                    },
                    row.label,
                    row.created_at.to_rfc3339(),
                    row.expires_at.to_rfc3339(),
                    when(row.last_used_at),
                    when(row.revoked_at),
                );
            }
        }
        TokenAction::Revoke { id } => {
            let raw = decode_int(&id, NodeKind::AccessToken, "id")
                .ok()
                .or_else(|| id.parse().ok())
                .with_context(|| format!("`{id}` is not a token ID"))?;
            let record = tokens
                .revoke(&Actor::CommandLine, raw)
                .await
                .map_err(|e| anyhow::anyhow!("token {id}: {}", e.message()))?;
            eprintln!(
                "revoked token {} ({})",
                NodeKind::AccessToken.id(record.id).0,
                record.label
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An organization by global ID, number or exact name.
async fn organization_id(db: &DatabaseConnection, given: &str) -> anyhow::Result<i64> {
    let by_id = decode_int(given, NodeKind::Organization, "organization")
        .ok()
        .or_else(|| given.parse::<i64>().ok());
    if let Some(id) = by_id
        && organization::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some()
    {
        return Ok(id);
    }
    let found = organization::Entity::find()
        .filter(organization::Column::Name.eq(given.trim()))
        .all(db)
        .await?;
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => bail!("--organization: no organization is called or numbered `{given}`"),
        _ => bail!("--organization: several organizations are called `{given}`; give its ID"),
    }
}
