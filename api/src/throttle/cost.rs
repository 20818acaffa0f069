//! The schema extension that charges each validated operation to its caller's cost budget, and the
//! request data that names the caller. Apart from the throttle because it is async-graphql's side of
//! the budget: the throttle decides, this hooks the decision into validation.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ServerError, ValidationResult};

use super::{Account, Throttle};
use crate::error::{ApiError, request_error};

/// Request data: whose cost budget the operation is charged to.
pub struct CostAccount {
    throttle: Arc<Throttle>,
    account: Account,
}

impl CostAccount {
    pub fn new(throttle: &Arc<Throttle>, account: Account) -> Self {
        Self {
            throttle: Arc::clone(throttle),
            account,
        }
    }
}

/// Schema extension charging each validated operation's complexity to the request's
/// [`CostAccount`] (requests without one, such as subscriptions, are not charged). Over budget,
/// the operation fails validation with `RATE_LIMITED`: nothing runs.
pub struct CostBudget;

impl ExtensionFactory for CostBudget {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostBudget)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for CostBudget {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(account) = ctx.data_opt::<CostAccount>() {
            account
                .throttle
                .charge(&account.account, result.complexity)
                .await
                .map_err(|limited| vec![request_error(ApiError::from(limited).into())])?;
        }
        Ok(result)
    }
}
