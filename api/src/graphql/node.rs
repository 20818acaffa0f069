//! The Relay `Node` interface: any record by its opaque global ID, one batched query per kind.

use std::collections::HashMap;

use async_graphql::{Context, ID, Interface, Object};

use super::activity::{Activity, ActivityById};
use super::city::{City, CityById};
use super::country::{Country, CountryByCode};
use super::data_issue::{DataIssue, DataIssueById};
use super::expected_result::{ExpectedResult, ExpectedResultById};
use super::ids::{NodeKind, decode_any};
use super::loader::Loaders;
use super::mou::{Mou, MouById};
use super::organization::{Organization, OrganizationById};
use super::plan::{Plan, PlanById};
use super::statement::{Statement, StatementById};
use super::theme::{Theme, ThemeById};
use crate::error::{ApiError, ApiResult};

/// A record with a global ID.
#[derive(Interface, Clone)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    Plan(Plan),
    City(City),
    Country(Country),
    Organization(Organization),
    Theme(Theme),
    Statement(Statement),
    Activity(Activity),
    ExpectedResult(ExpectedResult),
    Mou(Mou),
    DataIssue(DataIssue),
}

/// The most IDs `nodes` resolves in one request.
const MAX_IDS: usize = 100;

/// Loads the records of one kind; `keys` are the raw keys of their IDs.
pub(crate) async fn load_kind(
    loaders: &Loaders,
    kind: NodeKind,
    keys: &[String],
) -> ApiResult<HashMap<String, Node>> {
    let ints = || keys.iter().filter_map(|k| k.parse::<i64>().ok());
    macro_rules! load {
        ($key:ident, $node:ident) => {
            loaders
                .load_many(ints().map($key))
                .await?
                .into_iter()
                .map(|(k, m)| (k.0.to_string(), Node::$node($node(m))))
                .collect()
        };
    }
    Ok(match kind {
        NodeKind::Plan => load!(PlanById, Plan),
        NodeKind::City => load!(CityById, City),
        NodeKind::Organization => load!(OrganizationById, Organization),
        NodeKind::Theme => load!(ThemeById, Theme),
        NodeKind::Statement => load!(StatementById, Statement),
        NodeKind::Activity => load!(ActivityById, Activity),
        NodeKind::ExpectedResult => load!(ExpectedResultById, ExpectedResult),
        NodeKind::Mou => load!(MouById, Mou),
        NodeKind::DataIssue => load!(DataIssueById, DataIssue),
        // Admin records are listed by their own admin-only fields, never through `node`.
        NodeKind::AccessToken
        | NodeKind::AuditEvent
        | NodeKind::WebhookEndpoint
        | NodeKind::WebhookDelivery => HashMap::new(),
        NodeKind::Country => loaders
            .load_many(keys.iter().cloned().map(CountryByCode))
            .await?
            .into_iter()
            .map(|(k, m)| (k.0, Node::Country(Country(m))))
            .collect(),
    })
}

#[derive(Default)]
pub struct NodeQuery;

/// A record, or the error that nulls its place. async-graphql leaves an erroring field out of its
/// parent altogether; an error raised while resolving the value of a nullable type is the
/// spec's null with an error at that path instead (`["node"]`, `["nodes", 2]`).
type NodeOrError = Option<Result<Node, async_graphql::Error>>;

#[Object]
impl NodeQuery {
    /// Any record by its global ID, as Relay specifies: null when there is none the caller may
    /// read; null with a BAD_USER_INPUT error when the ID is malformed.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> NodeOrError {
        let found = async {
            let (kind, key) = decode_any(&id)?;
            let loaders = ctx.data::<Loaders>()?;
            let mut found = load_kind(loaders, kind, std::slice::from_ref(&key)).await?;
            Ok::<_, ApiError>(found.remove(&key))
        };
        found.await.map_err(Into::into).transpose()
    }

    /// Records by global IDs, in the order asked (at most 100 IDs): null where there is none the
    /// caller may read; null with a BAD_USER_INPUT error at its index where the ID is malformed.
    #[graphql(complexity = "crate::graphql::cost::items(ids.len().min(MAX_IDS), child_complexity)")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> ApiResult<Vec<NodeOrError>> {
        if ids.len() > MAX_IDS {
            return Err(ApiError::invalid("ids", format!("at most {MAX_IDS} IDs")));
        }
        let decoded: Vec<ApiResult<(NodeKind, String)>> =
            ids.iter().map(|id| decode_any(id)).collect();
        let mut by_kind: Vec<(NodeKind, Vec<String>)> = Vec::new();
        for (kind, key) in decoded.iter().flatten() {
            match by_kind.iter_mut().find(|(k, _)| k == kind) {
                Some((_, keys)) => keys.push(key.clone()),
                None => by_kind.push((*kind, vec![key.clone()])),
            }
        }
        let loaders = ctx.data::<Loaders>()?;
        let mut found: Vec<(NodeKind, HashMap<String, Node>)> = Vec::new();
        for (kind, keys) in by_kind {
            found.push((kind, load_kind(loaders, kind, &keys).await?));
        }
        Ok(decoded
            .into_iter()
            .map(|decoded| match decoded {
                Ok((kind, key)) => found
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .and_then(|(_, m)| m.get(&key).cloned())
                    .map(Ok),
                Err(err) => Some(Err(err.into())),
            })
            .collect())
    }
}
