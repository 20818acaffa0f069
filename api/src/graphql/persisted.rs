//! Persisted operations for admins: registering documents (known by the sha256 of their exact
//! text) and restricting a token to an allow-list of them, for partner systems that only run known
//! queries. Running them by hash and enforcing the allow-lists happen at the edge
//! (`crate::persisted`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
    Set, TransactionTrait,
};
use serde_json::json;

use super::ids::{NodeKind, decode_int};
use super::loader::{load_list, many_to_many};
use super::pagination::{ById, Conn, PageArgs, paginate};
use super::token::AccessToken;
use super::write::Write;
use super::{actor, db};
use crate::audit::{self, Action, Target};
use crate::auth::tokens::{Tokens, allow_list, changes};
use crate::auth::{Permission, Requires, Writes};
use crate::error::{ApiError, ApiResult};
use crate::persisted::{Documents, is_sha256_hex, sha256_hex};
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

/// A removed document.
#[derive(SimpleObject)]
pub struct RemovePersistedOperationPayload {
    /// The sha256 it was registered under; it no longer runs by it.
    sha256: String,
    /// What it was for.
    name: String,
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

    /// Removes a registered document (admins only): it no longer runs by its hash, on this
    /// instance at once and elsewhere within `token_cache_ttl`. CONFLICT while a token that can
    /// still be used is restricted to it, as removing it would shrink (or empty, that is lift)
    /// that token's allow-list; change those allow-lists first. Revoked and expired tokens lose
    /// it from theirs.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn remove_persisted_operation(
        &self,
        ctx: &Context<'_>,
        sha256: String,
    ) -> ApiResult<RemovePersistedOperationPayload> {
        if !is_sha256_hex(&sha256) {
            return Err(ApiError::invalid("sha256", "must be 64 hex digits"));
        }
        let sha256 = sha256.to_ascii_lowercase();
        let w = Write::begin(ctx, Permission::Administer).await?;
        // Under this row lock (PostgreSQL) no allow-list can take the document meanwhile: adding
        // one checks the row's key, which waits for the lock and then finds the row gone.
        let operation = persisted_operation::Entity::find()
            .filter(persisted_operation::Column::Sha256.eq(&sha256))
            .lock(LockType::Update)
            .one(&w.txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        let now = Utc::now();
        let restricted: Vec<String> = access_token::Entity::find()
            .join_rev(
                JoinType::InnerJoin,
                access_token_persisted_operation::Relation::AccessToken.def(),
            )
            .filter(access_token_persisted_operation::Column::OperationId.eq(operation.id))
            // A rotated token stays usable until its grace period ends.
            .filter(
                Condition::any()
                    .add(access_token::Column::RevokedAt.is_null())
                    .add(access_token::Column::RevokedAt.gt(now)),
            )
            .filter(access_token::Column::ExpiresAt.gt(now))
            .select_only()
            .column(access_token::Column::Label)
            .into_tuple()
            .all(&w.txn)
            .await?;
        if !restricted.is_empty() {
            let tokens = match restricted.len() {
                1 => "a usable token is".to_owned(),
                n => format!("{n} usable tokens are"),
            };
            return Err(ApiError::Conflict(format!(
                "{tokens} restricted to this operation ({}); change their allow-lists first",
                restricted.join(", ")
            )));
        }
        persisted_operation::Entity::delete_by_id(operation.id)
            .exec(&w.txn)
            .await?;
        audit::record(
            &w.txn,
            &actor(ctx)?,
            Action::PersistedOperationRemoved,
            Target("PersistedOperation", Some(operation.id)),
            json!({ "sha256": sha256, "name": operation.name }),
        )
        .await?;
        w.commit(Vec::new()).await?;
        ctx.data::<Documents>()?.forget(&sha256).await;
        Ok(RemovePersistedOperationPayload {
            sha256,
            name: operation.name,
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
        if operations.is_empty() {
            return Err(ApiError::invalid(
                "operations",
                "name at least one operation; clearTokenOperations lifts the restriction",
            ));
        }
        replace_allow_list(ctx, &id, &operations, Action::TokenOperationsSet).await
    }

    /// Lifts a token's restriction: it runs any document again (admins only).
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn clear_token_operations(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<TokenOperationsPayload> {
        replace_allow_list(ctx, &id, &[], Action::TokenOperationsCleared).await
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

/// Makes `operations` (sha256 hashes) the token's allow-list (none: unrestricted), audited, and
/// effective on this instance before it returns, on the others at its commit.
async fn replace_allow_list(
    ctx: &Context<'_>,
    id: &ID,
    operations: &[String],
    action: Action,
) -> ApiResult<TokenOperationsPayload> {
    let id = decode_int(id, NodeKind::AccessToken, "id")?;
    let w = Write::begin(ctx, Permission::Administer).await?;
    let token = access_token::Entity::find_by_id(id)
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let hashes = allow_list::replace(&w.txn, id, operations).await?;
    let detail = if hashes.is_empty() {
        json!({})
    } else {
        json!({ "operations": hashes })
    };
    let target = Target("AccessToken", Some(id));
    audit::record(&w.txn, &actor(ctx)?, action, target, detail).await?;
    changes::announce(&w.txn, &token.jti).await?;
    w.commit(Vec::new()).await?;
    ctx.data::<Tokens>()?.forget(&token.jti).await;
    Ok(TokenOperationsPayload {
        record: AccessToken(token),
    })
}
