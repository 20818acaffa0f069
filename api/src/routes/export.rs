//! `GET /export/{file}`: the open-data exports over HTTP, streamed. The caller's token decides
//! what is in them (anonymous: the public subset); `updatedSince` narrows them to what changed; a
//! weak ETag (data version, caller, file, parameters) and Last-Modified let clients revalidate
//! instead of downloading unchanged data again. An export holds a database connection while it
//! streams, so a caller streams at most `max_exports_per_caller` at once, and one whose client
//! stops reading is cut off after `export_idle_timeout`.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;
use sha2::{Digest, Sha256};

use super::Caller;
use crate::auth::{Scope, Viewer};
use crate::connection::ConnectionSocket;
use crate::error::{ApiError, HttpError};
use crate::export::{self, DataState, Export, Exporter, Publisher, Selection};
use crate::routes::AppState;
use crate::throttle::ExportSlot;

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
    caller.admit(&state).await.map_err(HttpError)?;
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
        .await
        .map_err(|limited| HttpError(limited.into()))?;
    // A revalidation ends at once and needs none of the caller's streaming slots; a download
    // holds one of them until it ends.
    let slot = state
        .throttle
        .export_slot(&caller.account)
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
    let running = Running {
        txn,
        slots: (slot, permit),
        socket: ConnectionSocket::of(&http),
    };
    Ok(response.streaming(stream(
        exporter,
        running,
        state.settings.export_idle_timeout,
    )))
}

/// What a streaming export holds until it ends: its snapshot (a database connection), its slots,
/// and the socket to cut its client off with.
struct Running {
    txn: DatabaseTransaction,
    slots: (ExportSlot, tokio::sync::OwnedSemaphorePermit),
    socket: Option<ConnectionSocket>,
}

/// What the producing task hands the response body.
enum Piece {
    Chunk(web::Bytes),
    /// The export is complete; without it, a closed channel means it was cut short.
    End,
}

/// The export's chunks, produced by a task of their own one ahead of the client: a body stream is
/// only polled while the client reads, so only a task can notice a client that stopped reading
/// (its next chunk not taken within `idle`) and end the export. A response cut short ends with an
/// error, never with the final chunk, so that it cannot pass for complete.
fn stream(
    exporter: Exporter,
    running: Running,
    idle: Duration,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    tokio::spawn(produce(exporter, running, idle, sender));
    futures_util::stream::unfold(Some(receiver), |receiver| async move {
        let mut receiver = receiver?;
        match receiver.recv().await {
            Some(Piece::Chunk(chunk)) => Some((Ok(chunk), Some(receiver))),
            Some(Piece::End) => None,
            None => Some((Err(std::io::Error::other("export cut short")), None)),
        }
    })
}

/// Reads the export chunk by chunk inside its snapshot and hands each to the response; ends the
/// snapshot (returning its connection) and frees the slots however it ends.
async fn produce(
    mut exporter: Exporter,
    running: Running,
    idle: Duration,
    sender: tokio::sync::mpsc::Sender<Piece>,
) {
    let deadline = tokio::time::Instant::now() + EXPORT_TIME_LIMIT;
    let ending = loop {
        let chunk = match tokio::time::timeout_at(deadline, exporter.next_chunk(&running.txn)).await
        {
            Ok(Ok(Some(chunk))) if chunk.is_empty() => continue,
            Ok(Ok(Some(chunk))) => chunk,
            Ok(Ok(None)) => break Ending::Complete,
            Ok(Err(err)) => {
                tracing::error!(error = %err, "export failed while streaming");
                break Ending::CutShort;
            }
            Err(_) => {
                tracing::warn!("export cut off at its time limit");
                break Ending::CutShort;
            }
        };
        match tokio::time::timeout(idle, sender.send(Piece::Chunk(chunk.into()))).await {
            Ok(Ok(())) => {}
            Err(_) => {
                tracing::warn!(idle = ?idle, "export cut off: its client stopped reading");
                break Ending::CutShort;
            }
            Ok(Err(_)) => break Ending::ClientGone,
        }
    };
    // Released before the client can see the end, so that its next export is admitted.
    let Running { txn, slots, socket } = running;
    // Read-only: nothing to commit, but ending it returns the connection now.
    let _ = txn.rollback().await;
    drop(slots);
    match ending {
        Ending::Complete => {
            if tokio::time::timeout(idle, sender.send(Piece::End))
                .await
                .is_err()
                && let Some(socket) = socket
            {
                socket.abort();
            }
        }
        Ending::CutShort => {
            drop(sender);
            if let Some(socket) = socket {
                socket.abort();
            }
        }
        Ending::ClientGone => {}
    }
}

/// How an export's production ended.
enum Ending {
    Complete,
    /// A failure, the time limit or a client that stopped reading: the response must not end
    /// like a complete one, and the client is cut off.
    CutShort,
    /// The response was dropped: the client went away.
    ClientGone,
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
