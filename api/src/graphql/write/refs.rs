//! The cities and organizations one item of a nested input names by ID or by name
//! (`partnerCities: [{place: {name: "Bologna", country: "IT"}}]`), resolved in one write of the
//! batch before the item's own mutation runs with their IDs. What is made for a name (a city, an
//! organization) gets its own audit and change-feed entry, like `createCity` would.

use async_graphql::{Context, ID};

use super::{Entry, Write};
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::graphql::city::place::CityRefInput;
use crate::graphql::organization::named::OrganizationRefInput;

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

    /// The city of input field `field`.
    pub async fn city(&mut self, city: CityRefInput, field: &str) -> ApiResult<ID> {
        let (id, made) = city.resolve(&self.w, field).await?;
        self.made.extend(made);
        Ok(id)
    }

    /// The cities of list field `field`, in order.
    pub async fn cities(
        &mut self,
        cities: Option<Vec<CityRefInput>>,
        field: &str,
    ) -> ApiResult<Option<Vec<ID>>> {
        let Some(cities) = cities else {
            return Ok(None);
        };
        let mut ids = Vec::with_capacity(cities.len());
        for (i, city) in cities.into_iter().enumerate() {
            ids.push(self.city(city, &format!("{field}[{i}]")).await?);
        }
        Ok(Some(ids))
    }

    /// The organization of input field `field`.
    pub async fn organization(
        &mut self,
        organization: OrganizationRefInput,
        field: &str,
    ) -> ApiResult<ID> {
        let (id, made) = organization.resolve(&self.w, field).await?;
        self.made.extend(made);
        Ok(id)
    }

    /// The organizations of list field `field`, in order.
    pub async fn organizations(
        &mut self,
        organizations: Option<Vec<OrganizationRefInput>>,
        field: &str,
    ) -> ApiResult<Option<Vec<ID>>> {
        let Some(organizations) = organizations else {
            return Ok(None);
        };
        let mut ids = Vec::with_capacity(organizations.len());
        for (i, organization) in organizations.into_iter().enumerate() {
            ids.push(
                self.organization(organization, &format!("{field}[{i}]"))
                    .await?,
            );
        }
        Ok(Some(ids))
    }

    /// Commits what was made (in a batch: hands the transaction back to it).
    pub async fn finish(self) -> ApiResult<()> {
        self.w.commit(self.made).await
    }
}
