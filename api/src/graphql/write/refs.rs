//! The cities and organizations one item of a nested input names by ID or by name
//! (`partnerCities: [{place: {name: "Bologna", country: "IT"}}]`), resolved in one write of the
//! batch before the item's own mutation runs with their IDs. What is made for a name (a city, an
//! organization) gets its own audit and change-feed entry, like `createCity` would.

use std::future::Future;

use async_graphql::{Context, ID};

use super::{Entry, Write};
use crate::auth::Permission;
use crate::error::ApiResult;

/// A record an input names by ID or by name (`CityRefInput`, `OrganizationRefInput`).
pub trait Named: Sized + Send {
    /// The record's ID (an ID is returned as given: the mutation using it checks it), and the
    /// entries of what was made for it. `field` is the input field ("partnerCities[2]").
    fn resolve(
        self,
        w: &Write,
        field: &str,
    ) -> impl Future<Output = ApiResult<(ID, Vec<Entry>)>> + Send;
}

/// Names being resolved: the write they are resolved in, and what was made for them.
pub struct Refs {
    w: Write,
    made: Vec<Entry>,
}

impl Refs {
    /// Starts resolving, for a caller who may write at all (making a record by name needs more).
    pub async fn begin(ctx: &Context<'_>) -> ApiResult<Self> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        Ok(Self {
            w,
            made: Vec::new(),
        })
    }

    /// The record input field `field` names.
    pub async fn one<N: Named>(&mut self, named: N, field: &str) -> ApiResult<ID> {
        let (id, made) = named.resolve(&self.w, field).await?;
        self.made.extend(made);
        Ok(id)
    }

    /// The records list field `field` names, in order.
    pub async fn all<N: Named>(
        &mut self,
        named: Option<Vec<N>>,
        field: &str,
    ) -> ApiResult<Option<Vec<ID>>> {
        let Some(named) = named else {
            return Ok(None);
        };
        let mut ids = Vec::with_capacity(named.len());
        for (i, one) in named.into_iter().enumerate() {
            ids.push(self.one(one, &format!("{field}[{i}]")).await?);
        }
        Ok(Some(ids))
    }

    /// Commits what was made (in a batch: hands the transaction back to it).
    pub async fn finish(self) -> ApiResult<()> {
        self.w.commit(self.made).await
    }
}
