//! Every HTTP refusal for going too fast (429, whichever route or limit refused it) is held for
//! `refusal_delay` before it is sent ([`crate::throttle::Throttle::hold_refusal`]), here once for
//! every route rather than at each place that refuses.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{ConnectionType, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::web;

use crate::routes::AppState;

/// Middleware: holds a 429 before it goes, or sends it at once and closes the connection when
/// the client address holds its share of held refusals already.
pub async fn hold(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    if res.status() != StatusCode::TOO_MANY_REQUESTS {
        return Ok(res);
    }
    let Some(state) = res.request().app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res);
    };
    let client = state.throttle.client_address(res.request());
    let retry_after = res
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(Duration::from_secs(1), Duration::from_secs);
    if !state.throttle.hold_refusal(client, retry_after).await {
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(res)
}
