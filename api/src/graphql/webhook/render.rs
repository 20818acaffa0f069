//! The payload of a webhook: the change-feed entry as the endpoint's organization reads it, made
//! by running the `changes` query of this schema with that organization's scope (the scope of its
//! EDITOR and VIEWER tokens). Visibility, private fields and tombstones are thus the feed's own.

use std::future::Future;
use std::pin::Pin;

use anyhow::Context as _;
use sea_orm::DatabaseConnection;

use super::super::AppSchema;
use super::super::loader::new_loaders;
use super::super::pagination::{CursorValue, encode_cursor};
use crate::auth::{Scope, Viewer};
use crate::webhook::Render;
use entity::change_event;

/// The entry and its record, with the fields every partner needs to mirror it; `node` is the
/// record as the organization sees it now (null for a tombstone).
const DOCUMENT: &str = r"query WebhookChange($after: String) {
  changes(first: 1, after: $after) {
    nodes {
      sequence at operation recordKind recordId fields tombstone
      node {
        __typename id
        ... on Plan { slug title status period { text start end } periodContext contactEmail internalNote version updatedAt }
        ... on City { name nativeName kind region population latitude longitude version }
        ... on Organization { name kind website version }
        ... on Theme { position title description plan { id } version }
        ... on Statement { position kind title description plan { id } version }
        ... on Activity { title description kind date { text start end } place draft internalNote plans { id } version }
        ... on ExpectedResult { position kind description plan { id } version }
        ... on Mou { subject status signedOn documentUrl draft internalNote plans { id } version }
        ... on DataIssue { entity field severity code message }
      }
    }
  }
}";

/// Renders payloads through the schema.
pub struct ChangeRenderer {
    schema: AppSchema,
    db: DatabaseConnection,
}

impl ChangeRenderer {
    pub fn new(schema: AppSchema, db: DatabaseConnection) -> Self {
        Self { schema, db }
    }

    async fn entry(
        &self,
        organization: i64,
        change: &change_event::Model,
    ) -> anyhow::Result<Option<serde_json::Value>> {
        let scope = Scope::of_organizations(&self.db, &[organization]).await?;
        // The feed page right after the entry's predecessor: the entry itself, if the organization
        // reads it (positions are integers, strictly increasing).
        let after = encode_cursor("position", vec![CursorValue::Int(change.position - 1)]);
        let request = async_graphql::Request::new(DOCUMENT)
            .variables(async_graphql::Variables::from_json(
                serde_json::json!({ "after": after }),
            ))
            // This connection, not the schema's: a render is no request (see `startup`).
            .data(self.db.clone())
            .data(Viewer::Anonymous)
            .data(new_loaders(self.db.clone(), scope.clone()))
            .data(scope);
        let response = self.schema.execute(request).await;
        if !response.errors.is_empty() {
            let messages: Vec<String> = response.errors.iter().map(|e| e.message.clone()).collect();
            anyhow::bail!("cannot render the change: {}", messages.join("; "));
        }
        let data = response.data.into_json().context("render")?;
        let entry = data["changes"]["nodes"][0].clone();
        Ok((entry["sequence"].as_i64() == Some(change.position)).then_some(entry))
    }
}

impl Render for ChangeRenderer {
    fn render<'a>(
        &'a self,
        organization: i64,
        change: &'a change_event::Model,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<Option<serde_json::Value>>> + Send + 'a>> {
        Box::pin(self.entry(organization, change))
    }
}
