//! Persisted operations for admins: registering documents (known by the sha256 of their exact
//! text) and restricting a token to an allow-list of them, for partner systems that only run known
//! queries. Running them by hash and enforcing the allow-lists happen at the edge
//! (`crate::persisted`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::json;

use super::ids::{NodeKind, decode_int};
use super::loader::{load_list, many_to_many};
use super::pagination::{ById, Conn, PageArgs, paginate};
use super::token::AccessToken;
use super::{actor, db};
use crate::audit::{self, Action, Target};
use crate::auth::tokens::Tokens;
use crate::auth::{Permission, Requires, Writes};
use crate::error::{ApiError, ApiResult};
use crate::persisted::sha256_hex;
use crate::settings::MAX_BODY_BYTES;
use entity::{access_token, access_token_persisted_operation, persisted_operation};

/// A registered GraphQL document.
#[derive(Clone)]
pub struct PersistedOperation(pub persisted_operation::Model);

/// A registered GraphQL document, runnable by its hash (`extensions.persistedQuery.sha256Hash`).
#[Object]
impl PersistedOperation {
    /// The sha256 of the document's exact text, lower-case hex.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    /// What the document is for.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The document text.
    async fn document(&self) -> &str {
        &self.0.document
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The admin token that registered it.
    async fn created_by(&self) -> Option<ID> {
        self.0.created_by_id.map(|id| NodeKind::AccessToken.id(id))
    }
}

many_to_many!(
    /// Key: the persisted operations a token is restricted to.
    OperationsOfToken => access_token_persisted_operation (TokenId, OperationId, OperationId) => persisted_operation
);

/// The allow-list of token `token_id` (empty: the token runs any document).
pub async fn allowed_operations(
    ctx: &Context<'_>,
    token_id: i64,
) -> ApiResult<Vec<PersistedOperation>> {
    load_list(ctx, OperationsOfToken(token_id), PersistedOperation).await
}

#[derive(Default)]
pub struct PersistedQuery;

#[Object]
impl PersistedQuery {
    /// Registered documents, oldest first (admins only).
    #[graphql(guard = "Requires(Permission::Administer)")]
    async fn persisted_operations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<PersistedOperation>> {
        let args = PageArgs::new(first, after, last, before);
        let select = persisted_operation::Entity::find();
        paginate(db(ctx)?, select, ById, &args, PersistedOperation).await
    }
}

/// A document to register.
#[derive(InputObject)]
pub struct RegisterPersistedOperationInput {
    /// What the document is for ("partner X: plans of a city").
    name: String,
    /// The GraphQL document; its hash is taken over this exact text.
    document: String,
}

/// A registered document.
#[derive(SimpleObject)]
pub struct RegisterPersistedOperationPayload {
    /// The sha256 to send as `extensions.persistedQuery.sha256Hash` and to allow-list.
    sha256: String,
    /// Its record.
    operation: PersistedOperation,
}

/// A token with its new allow-list.
#[derive(SimpleObject)]
pub struct TokenOperationsPayload {
    /// The token's record (see `allowedOperations`).
    record: AccessToken,
}

#[derive(Default)]
pub struct PersistedMutation;

#[Object]
impl PersistedMutation {
    /// Registers a document under the sha256 of its text (admins only). Registering a document
    /// again returns the existing record.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn register_persisted_operation(
        &self,
        ctx: &Context<'_>,
        input: RegisterPersistedOperationInput,
    ) -> ApiResult<RegisterPersistedOperationPayload> {
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ApiError::invalid("name", "must be 1 to 200 characters"));
        }
        if input.document.len() > MAX_BODY_BYTES {
            return Err(ApiError::invalid(
                "document",
                "longer than a request may be",
            ));
        }
        if async_graphql::parser::parse_query(&input.document).is_err() {
            return Err(ApiError::invalid("document", "not a GraphQL document"));
        }
        let sha256 = sha256_hex(&input.document);
        let db = db(ctx)?;
        let operation = match find(db, &sha256).await? {
            Some(existing) => existing,
            None => {
                let actor = actor(ctx)?;
                let txn = db.begin().await?;
                let inserted = persisted_operation::ActiveModel {
                    sha256: Set(sha256.clone()),
                    name: Set(name),
                    document: Set(input.document),
                    created_at: Set(Utc::now()),
                    created_by_id: Set(actor.token_id()),
                    ..Default::default()
                }
                .insert(&txn)
                .await;
                match inserted {
                    Ok(operation) => {
                        let detail = json!({ "sha256": sha256, "name": operation.name });
                        let target = Target("PersistedOperation", Some(operation.id));
                        audit::record(
                            &txn,
                            &actor,
                            Action::PersistedOperationRegistered,
                            target,
                            detail,
                        )
                        .await?;
                        txn.commit().await?;
                        operation
                    }
                    // Registered meanwhile by a concurrent request: the same document.
                    Err(err) => {
                        drop(txn);
                        find(db, &sha256)
                            .await?
                            .ok_or_else(|| ApiError::from(err))?
                    }
                }
            }
        };
        Ok(RegisterPersistedOperationPayload {
            sha256,
            operation: PersistedOperation(operation),
        })
    }

    /// Restricts a token to the persisted operations with these hashes: from now on it runs only
    /// them, by text or by hash (admins only). Replaces any earlier allow-list.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn set_token_operations(
        &self,
        ctx: &Context<'_>,
        id: ID,
        operations: Vec<String>,
    ) -> ApiResult<TokenOperationsPayload> {
        let mut hashes: Vec<String> = operations.iter().map(|h| h.to_ascii_lowercase()).collect();
        hashes.sort_unstable();
        hashes.dedup();
        if hashes.is_empty() {
            return Err(ApiError::invalid(
                "operations",
                "name at least one operation; clearTokenOperations lifts the restriction",
            ));
        }
        let found = persisted_operation::Entity::find()
            .filter(persisted_operation::Column::Sha256.is_in(hashes.clone()))
            .all(db(ctx)?)
            .await?;
        if let Some(unknown) = hashes
            .iter()
            .find(|h| !found.iter().any(|o| &o.sha256 == *h))
        {
            return Err(ApiError::invalid(
                "operations",
                format!("no persisted operation has sha256 {unknown}"),
            ));
        }
        let ids: Vec<i64> = found.iter().map(|o| o.id).collect();
        let detail = json!({ "operations": hashes });
        replace_allow_list(ctx, &id, &ids, Action::TokenOperationsSet, detail).await
    }

    /// Lifts a token's restriction: it runs any document again (admins only).
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn clear_token_operations(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<TokenOperationsPayload> {
        replace_allow_list(ctx, &id, &[], Action::TokenOperationsCleared, json!({})).await
    }
}

async fn find(
    db: &sea_orm::DatabaseConnection,
    sha256: &str,
) -> ApiResult<Option<persisted_operation::Model>> {
    Ok(persisted_operation::Entity::find()
        .filter(persisted_operation::Column::Sha256.eq(sha256))
        .one(db)
        .await?)
}

/// Makes `operations` the token's allow-list (none: unrestricted), audited, and effective on this
/// instance before it returns (elsewhere within `token_cache_ttl`).
async fn replace_allow_list(
    ctx: &Context<'_>,
    id: &ID,
    operations: &[i64],
    action: Action,
    detail: serde_json::Value,
) -> ApiResult<TokenOperationsPayload> {
    let id = decode_int(id, NodeKind::AccessToken, "id")?;
    let db = db(ctx)?;
    // Read before the transaction (SQLite refuses a transaction that reads, then writes).
    let token = access_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let actor = actor(ctx)?;
    let txn = db.begin().await?;
    access_token_persisted_operation::Entity::delete_many()
        .filter(access_token_persisted_operation::Column::TokenId.eq(id))
        .exec(&txn)
        .await?;
    for operation in operations {
        access_token_persisted_operation::ActiveModel {
            token_id: Set(id),
            operation_id: Set(*operation),
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        &actor,
        action,
        Target("AccessToken", Some(id)),
        detail,
    )
    .await?;
    txn.commit().await?;
    ctx.data::<Tokens>()?.forget(&token.jti).await;
    Ok(TokenOperationsPayload {
        record: AccessToken(token),
    })
}
