//! `GET /export/{file}`: the open-data exports over HTTP, streamed. The caller's token decides
//! what is in them (anonymous: the public subset); `updatedSince` narrows them to what changed; a
//! weak ETag (data version, caller, file, parameters) and Last-Modified let clients revalidate
//! instead of downloading unchanged data again.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;
use sha2::{Digest, Sha256};

use super::Caller;
use crate::auth::{Scope, Viewer};
use crate::error::{ApiError, HttpError};
use crate::export::{self, DataState, Export, Exporter, Publisher, Selection};
use crate::startup::AppState;

/// What one export costs of the caller's complexity budget: an export reads every plan, like a
/// few hundred full pages of GraphQL.
const EXPORT_COST: usize = 10_000;
/// An export still streaming after this long is cut off (its transaction holds a connection and,
/// on PostgreSQL, a snapshot).
const EXPORT_TIME_LIMIT: Duration = Duration::from_secs(600);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/export", web::get().to(index))
        .route("/export/{file}", web::get().to(download));
}

/// The exports on offer, with their URLs and media types.
async fn index() -> HttpResponse {
    let files: Vec<_> = Export::all()
        .map(|e| {
            serde_json::json!({
                "file": e.file_name(),
                "url": format!("/export/{}", e.file_name()),
                "contentType": e.content_type(),
            })
        })
        .collect();
    HttpResponse::Ok().json(serde_json::json!({
        "exports": files,
        "parameters": { "updatedSince": "RFC 3339 instant or YYYY-MM-DD: only what changed since" },
    }))
}

async fn download(
    state: web::Data<AppState>,
    http: HttpRequest,
    file: web::Path<String>,
) -> Result<HttpResponse, HttpError> {
    if state.lifecycle.is_closing() {
        return Err(HttpError(ApiError::Unavailable));
    }
    let export = Export::from_file_name(&file).ok_or(HttpError(ApiError::NotFound))?;
    let caller = Caller::of_request(&state, &http)
        .await
        .map_err(|denial| HttpError(denial.into()))?;
    let since = updated_since(http.query_string()).map_err(HttpError)?;
    caller.admit(&state).map_err(HttpError)?;
    let scope = caller.scope(&state).await.map_err(HttpError)?;
    let viewer = &caller.viewer;
    let Ok(permit) = state.exports.clone().try_acquire_owned() else {
        tracing::warn!("too many exports at once: request refused");
        return Err(HttpError(ApiError::Unavailable));
    };
    let txn = export::snapshot(&state.db).await.map_err(db_error)?;
    let data = DataState::read(&txn).await.map_err(db_error)?;
    let etag = etag(export, &scope, since, data);
    let last_modified = data.last_modified.map(http_date);
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::VARY, "Authorization"))
        .insert_header((
            header::CACHE_CONTROL,
            match viewer {
                Viewer::Anonymous => "public, no-cache",
                Viewer::Token(_) => "private, no-cache",
            },
        ));
    if let Some(last_modified) = &last_modified {
        response.insert_header((header::LAST_MODIFIED, last_modified.clone()));
    }
    if not_modified(&http, &etag, data.last_modified) {
        return Ok(response.status(StatusCode::NOT_MODIFIED).finish());
    }
    // Revalidating is cheap and should stay so; a download is charged to the caller's budget.
    state
        .throttle
        .charge(&caller.account, EXPORT_COST)
        .map_err(|limited| HttpError(limited.into()))?;
    response.content_type(export.content_type()).insert_header((
        header::CONTENT_DISPOSITION,
        format!("inline; filename=\"{}\"", export.file_name()),
    ));
    let selection = Selection { scope, since };
    let publisher = Publisher::from_settings(&state.settings);
    let exporter = Exporter::open(&txn, export, selection, &publisher, Utc::now())
        .await
        .map_err(db_error)?;
    Ok(response.streaming(stream(exporter, txn, permit)))
}

/// The export's chunks, read one after the other inside the snapshot. An error after the first
/// byte can only cut the response short (the status is sent); it is logged with the request id.
fn stream(
    exporter: Exporter,
    txn: DatabaseTransaction,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    let deadline = tokio::time::Instant::now() + EXPORT_TIME_LIMIT;
    let state = Some((exporter, txn, Arc::new(permit)));
    futures_util::stream::try_unfold(state, move |state| async move {
        let Some((mut exporter, txn, permit)) = state else {
            return Ok(None);
        };
        loop {
            let chunk = tokio::time::timeout_at(deadline, exporter.next_chunk(&txn))
                .await
                .map_err(|_| {
                    tracing::warn!("export cut off at its time limit");
                    std::io::Error::other("export time limit")
                })?
                .map_err(|err| {
                    tracing::error!(error = %err, "export failed while streaming");
                    std::io::Error::other("export failed")
                })?;
            match chunk {
                Some(chunk) if chunk.is_empty() => continue,
                Some(chunk) => {
                    return Ok(Some((
                        web::Bytes::from(chunk),
                        Some((exporter, txn, permit)),
                    )));
                }
                None => {
                    // Read-only: nothing to commit, but ending it returns the connection now.
                    let _ = txn.rollback().await;
                    return Ok(None);
                }
            }
        }
    })
}

fn db_error(err: sea_orm::DbErr) -> HttpError {
    HttpError(ApiError::internal(err))
}

/// `updatedSince` (RFC 3339, or a date meaning its midnight UTC); any other parameter is an error,
/// so that a misspelt filter is not silently ignored.
fn updated_since(query: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    let mut since = None;
    for (key, value) in form_urlencoded(query) {
        if key != "updatedSince" {
            return Err(ApiError::invalid(
                key.clone(),
                format!("unknown parameter `{key}`: exports take only `updatedSince`"),
            ));
        }
        let parsed = export::parse_instant(&value)
            .map_err(|message| ApiError::invalid("updatedSince", message))?;
        since = Some(parsed);
    }
    Ok(since)
}

fn form_urlencoded(query: &str) -> Vec<(String, String)> {
    web::Query::<Vec<(String, String)>>::from_query(query)
        .map(web::Query::into_inner)
        .unwrap_or_default()
}

/// A weak validator: the same file, caller scope and parameters over the same data version give
/// the same bytes but for the generation time the documents carry.
fn etag(export: Export, scope: &Scope, since: Option<DateTime<Utc>>, data: DataState) -> String {
    let mut hash = Sha256::new();
    hash.update(export.file_name());
    hash.update(format!(
        "{scope:?}|{since:?}|{}|{:?}",
        data.version, data.last_modified
    ));
    let digest = hash.finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// RFC 9110 §13.1: `If-None-Match` decides when present (weak comparison); otherwise
/// `If-Modified-Since`, to the second.
fn not_modified(http: &HttpRequest, etag: &str, last_modified: Option<DateTime<Utc>>) -> bool {
    let headers = http.headers();
    if let Some(candidates) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        let ours = etag.trim_start_matches("W/");
        return candidates
            .split(',')
            .map(str::trim)
            .any(|c| c == "*" || c.trim_start_matches("W/") == ours);
    }
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok());
    match (since, last_modified) {
        (Some(since), Some(modified)) => modified.timestamp() <= since.timestamp(),
        _ => false,
    }
}
