//! Media types of GraphQL over HTTP: the request body must be JSON; the response is
//! `application/graphql-response+json` or `application/json`, whichever `Accept` prefers.

use actix_web::mime::Mime;

/// The media type a GraphQL response is served in. It decides the status code of a request error:
/// 400 with `application/graphql-response+json`, 200 with `application/json` (legacy clients
/// cannot tell a GraphQL error body from an intermediary's error page unless the status is 200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMediaType {
    GraphQLResponseJson,
    Json,
}

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

impl ResponseMediaType {
    /// The `Content-Type` of the response; the encoding is always stated.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphQLResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }

    fn essence(self) -> &'static str {
        match self {
            Self::GraphQLResponseJson => GRAPHQL_RESPONSE_JSON,
            Self::Json => JSON,
        }
    }

    /// The media type `Accept` prefers, `None` when it accepts neither (406).
    ///
    /// Each type takes the weight of the most specific range that matches it (RFC 9110 §12.5.1);
    /// the higher weight wins, then a range that names the type over a wildcard, then the range
    /// listed first. A missing header, `*/*` and `application/*` give `application/json`, as the
    /// graphql-http audit expects (47DE, 80D8) and legacy clients need.
    pub fn negotiate(accept: Option<&str>) -> Option<Self> {
        let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
            return Some(Self::Json);
        };
        let ranges: Vec<MediaRange> = accept.split(',').filter_map(MediaRange::parse).collect();
        let json = Preference::of(Self::Json, &ranges);
        let graphql = Preference::of(Self::GraphQLResponseJson, &ranges);
        match (graphql, json) {
            (Some(g), Some(j)) if g.beats(&j) => Some(Self::GraphQLResponseJson),
            (_, Some(_)) => Some(Self::Json),
            (Some(_), None) => Some(Self::GraphQLResponseJson),
            (None, None) => None,
        }
    }
}

/// One entry of an `Accept` header.
struct MediaRange {
    essence: String,
    /// Weight in thousandths, so that weights compare exactly.
    weight: u16,
}

impl MediaRange {
    /// `None` for an entry that is not a media range or has an invalid weight (ignored).
    fn parse(entry: &str) -> Option<Self> {
        let mut parts = entry.split(';');
        let essence = parts.next()?.trim().to_ascii_lowercase();
        if !essence.contains('/') {
            return None;
        }
        let mut weight = 1000;
        for param in parts {
            let Some((name, value)) = param.split_once('=') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("q") {
                let q: f32 = value.trim().parse().ok()?;
                if !(0.0..=1.0).contains(&q) {
                    return None;
                }
                weight = (q * 1000.0).round() as u16;
            }
        }
        Some(Self { essence, weight })
    }

    /// 2 for the type itself, 1 for `type/*`, 0 for `*/*`; `None` when the range does not match.
    fn specificity(&self, essence: &str) -> Option<u8> {
        if self.essence == essence {
            return Some(2);
        }
        let (ty, _) = essence.split_once('/')?;
        match self.essence.split_once('/')? {
            (range_ty, "*") if range_ty == ty => Some(1),
            ("*", "*") => Some(0),
            _ => None,
        }
    }
}

/// How much `Accept` wants one media type.
struct Preference {
    weight: u16,
    specificity: u8,
    position: usize,
}

impl Preference {
    /// From the most specific matching range (the first of equally specific ones); `None` when no
    /// range matches or the match has weight 0 ("not acceptable").
    fn of(media: ResponseMediaType, ranges: &[MediaRange]) -> Option<Self> {
        let mut best: Option<Self> = None;
        for (position, range) in ranges.iter().enumerate() {
            let Some(specificity) = range.specificity(media.essence()) else {
                continue;
            };
            if best.as_ref().is_none_or(|b| specificity > b.specificity) {
                best = Some(Self {
                    weight: range.weight,
                    specificity,
                    position,
                });
            }
        }
        best.filter(|p| p.weight > 0)
    }

    fn beats(&self, other: &Self) -> bool {
        (
            self.weight,
            self.specificity,
            std::cmp::Reverse(self.position),
        ) > (
            other.weight,
            other.specificity,
            std::cmp::Reverse(other.position),
        )
    }
}

/// Whether a request body of this `Content-Type` is accepted: `application/json`, in UTF-8 (the
/// default when no charset is given). `Err` carries the reason for the 415.
pub fn check_request_content_type(content_type: Option<&str>) -> Result<(), String> {
    let Some(content_type) = content_type else {
        return Err("a POST body needs Content-Type: application/json".to_owned());
    };
    let mime: Mime = content_type
        .parse()
        .map_err(|_| format!("unreadable Content-Type `{content_type}`"))?;
    if mime.essence_str() != JSON {
        return Err(format!(
            "unsupported Content-Type `{}`; send application/json",
            mime.essence_str()
        ));
    }
    match mime.get_param("charset") {
        Some(charset) if !is_utf8(charset.as_str()) => {
            Err(format!("unsupported charset `{charset}`; send UTF-8"))
        }
        _ => Ok(()),
    }
}

fn is_utf8(charset: &str) -> bool {
    charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")
}

#[cfg(test)]
mod tests {
    use super::ResponseMediaType::{GraphQLResponseJson, Json};
    use super::*;

    #[test]
    fn no_accept_header_and_wildcards_get_application_json() {
        for accept in [None, Some(""), Some("*/*"), Some("application/*")] {
            assert_eq!(
                ResponseMediaType::negotiate(accept),
                Some(Json),
                "{accept:?}"
            );
        }
    }

    #[test]
    fn the_named_type_is_served() {
        let cases = [
            ("application/graphql-response+json", GraphQLResponseJson),
            ("application/json", Json),
            (
                "Application/GraphQL-Response+JSON; charset=utf-8",
                GraphQLResponseJson,
            ),
        ];
        for (accept, expected) in cases {
            assert_eq!(
                ResponseMediaType::negotiate(Some(accept)),
                Some(expected),
                "{accept}"
            );
        }
    }

    #[test]
    fn weights_decide_then_specificity_then_order() {
        let cases = [
            (
                "application/graphql-response+json, application/json;q=0.9",
                GraphQLResponseJson,
            ),
            (
                "application/graphql-response+json;q=0.8, application/json",
                Json,
            ),
            ("application/json, application/graphql-response+json", Json),
            (
                "application/graphql-response+json, application/json",
                GraphQLResponseJson,
            ),
            (
                "*/*, application/graphql-response+json",
                GraphQLResponseJson,
            ),
            (
                "application/graphql-response+json, */*;q=0.1",
                GraphQLResponseJson,
            ),
            (
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                Json,
            ),
        ];
        for (accept, expected) in cases {
            assert_eq!(
                ResponseMediaType::negotiate(Some(accept)),
                Some(expected),
                "{accept}"
            );
        }
    }

    #[test]
    fn weight_zero_refuses_a_type() {
        assert_eq!(
            ResponseMediaType::negotiate(Some("application/json;q=0, */*")),
            Some(GraphQLResponseJson)
        );
        assert_eq!(ResponseMediaType::negotiate(Some("*/*;q=0")), None);
    }

    #[test]
    fn nothing_acceptable_is_none() {
        for accept in [
            "text/html",
            "application/xml, text/*",
            "nonsense",
            "application/json;q=2",
        ] {
            assert_eq!(ResponseMediaType::negotiate(Some(accept)), None, "{accept}");
        }
    }

    #[test]
    fn only_json_in_utf8_is_a_request_body() {
        assert!(check_request_content_type(Some("application/json")).is_ok());
        assert!(check_request_content_type(Some("application/json; charset=UTF-8")).is_ok());
        assert!(check_request_content_type(Some("application/json;charset=\"utf-8\"")).is_ok());
        for bad in [
            None,
            Some("text/plain"),
            Some("text/plain;charset=UTF-8"),
            Some("application/graphql"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/json; charset=latin1"),
            Some("json"),
        ] {
            assert!(check_request_content_type(bad).is_err(), "{bad:?}");
        }
    }
}
