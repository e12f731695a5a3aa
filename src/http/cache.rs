//! Rendered responses served from memory. The site's public pages, exports and charts change
//! only when the store does (a maintainer approves something), so a read should cost a lookup,
//! not a render. Entries are keyed by the store's version, the route and the *normalised* query
//! (only the parameters the route understands, in their canonical spelling), which bounds the
//! key space; the cache itself is bounded in entries and bytes (least recently used go first).
//!
//! Pages carry a CSP nonce that must be fresh per response. A rendered page is therefore kept
//! split at its nonce, and each answer joins the parts with the request's own nonce: no
//! re-render, no copy of the page. Validators are content hashes without the nonce, so a
//! repeat visit revalidates to a `304` (which carries no CSP: a browser keeps the stored one,
//! whose nonce matches the stored page).

use super::edge::headers::{CspNonce, has_session};
use crate::domain::consensus::ItemsQuery;
use crate::domain::leaderboard::query::LeaderboardQuery;
use crate::state::{AppState, CachedResponse as Entry, ResponseKey as Key};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

/// The parameters each cacheable route understands; `None`: not cached.
fn known_params(path: &str) -> Option<&'static [&'static str]> {
    const JUDGE: &[&str] = &["judge"];
    const COMPARE: &[&str] = &["models", "judge"];
    const NONE: &[&str] = &[];
    match path {
        "/insights" | "/charts/capability.svg" | "/charts/items.svg" => Some(JUDGE),
        "/judges" | "/api/v1/judges/agreement" => Some(NONE),
        "/charts/judges.svg" => Some(&["a", "b"]),
        "/compare" | "/api/v1/compare" => Some(COMPARE),
        "/about" | "/feed.xml" => Some(NONE),
        "/changes" => Some(&["page"]),
        "/submissions" => Some(&["status"]),
        p if p.starts_with("/charts/compare/") => Some(COMPARE),
        p if p.starts_with("/relations/")
            || p.starts_with("/categories/")
            || p.starts_with("/charts/relations/")
            || p.starts_with("/charts/categories/") =>
        {
            Some(&["judge", "access", "reasoning"])
        }
        p if p.starts_with("/models/") || p.starts_with("/charts/models/") => Some(&["judge", "order"]),
        p if p.starts_with("/items/") || p.starts_with("/badges/") => Some(JUDGE),
        p if p.starts_with("/submissions/") => Some(NONE),
        _ => None,
    }
}

/// Routes whose query is a leaderboard view.
fn is_board(path: &str) -> bool {
    matches!(path, "/" | "/api/v1/leaderboard" | "/api/v1/leaderboard.csv" | "/charts/leaderboard.svg")
}

/// Routes whose query is an item list's filters ([`ItemsQuery`]).
fn is_item_list(path: &str) -> bool {
    matches!(path, "/items" | "/api/v1/items" | "/api/v1/items.csv")
}

/// The query in its canonical form: the parameters the route knows, in a fixed order.
/// `Err(())` when the query has problems the handler must report (not cached).
fn normalised(path: &str, raw: &str) -> Option<Result<String, ()>> {
    if is_board(path) {
        let (q, problems) = LeaderboardQuery::parse(raw);
        return Some(if problems.is_empty() { Ok(q.to_query_string()) } else { Err(()) });
    }
    if is_item_list(path) {
        let (q, problems) = ItemsQuery::parse(raw);
        return Some(if problems.is_empty() { Ok(q.to_query_string()) } else { Err(()) });
    }
    let known = known_params(path)?;
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .filter(|(k, v)| known.contains(&k.as_ref()) && !v.trim().is_empty())
        .map(|(k, v)| (k.into_owned(), v.trim().to_owned()))
        .collect();
    pairs.sort_by_key(|(k, _)| known.iter().position(|n| n == k));
    Some(Ok(form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()))
}

fn etag_of(parts: &[Bytes]) -> HeaderValue {
    let mut h = Sha256::new();
    for p in parts {
        h.update(&p[..]);
        h.update([0]);
    }
    let digest = hex::encode(h.finalize());
    HeaderValue::from_str(&format!("\"{}\"", &digest[..32])).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

fn not_modified(req_headers: &HeaderMap, etag: &HeaderValue) -> bool {
    req_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == etag.to_str().unwrap_or(""))
}

fn answer(entry: &Entry, nonce: Option<&CspNonce>, head: bool) -> Response {
    let body = if head || entry.parts.is_empty() {
        Body::empty()
    } else if entry.parts.len() == 1 {
        Body::from(entry.parts[0].clone())
    } else {
        // The parts with this response's nonce between them, as one body of known length:
        // hyper then writes headers and body at once, where a stream of parts would go out
        // chunk-encoded, part by part. Copying a page costs microseconds.
        let n = nonce.map(|n| n.0.as_bytes()).unwrap_or_default();
        let mut body = bytes::BytesMut::with_capacity(entry.size + n.len() * entry.parts.len());
        for (i, p) in entry.parts.iter().enumerate() {
            if i > 0 {
                body.extend_from_slice(n);
            }
            body.extend_from_slice(p);
        }
        Body::from(body.freeze())
    };
    let mut res = Response::new(body);
    *res.status_mut() = entry.status;
    *res.headers_mut() = entry.headers.clone();
    res.headers_mut().insert(header::ETAG, entry.etag.clone());
    res
}

/// A response larger than this is served but not kept.
const MAX_ENTRY_BYTES: usize = 8 * 1024 * 1024;

/// The middleware.
pub async fn cached(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let head = req.method() == Method::HEAD;
    if !(req.method() == Method::GET || head) || has_session(req.headers()) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let raw = req.uri().query().unwrap_or("").to_owned();
    let query = match normalised(&path, &raw) {
        Some(Ok(q)) => q,
        _ => return next.run(req).await,
    };
    // A leaderboard link in any spelling loads at its one canonical URL (the plain filter form
    // sends every default), so links, history and the cache agree.
    if path == "/" && raw != query {
        let target = if query.is_empty() { "/".to_owned() } else { format!("/?{query}") };
        return Redirect::to(&target).into_response();
    }
    let Ok(version) = crate::services::store_version(&state).await else { return next.run(req).await };
    let key = Key { version, method_head: head, path, query };
    let nonce = req.extensions().get::<CspNonce>().cloned();
    if let Some(entry) = state.responses.get(&key) {
        if not_modified(req.headers(), &entry.etag) {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, entry.etag.clone())]).into_response();
        }
        return answer(&entry, nonce.as_ref(), head);
    }
    let if_none_match = req.headers().clone();
    let res = next.run(req).await;
    let cacheable = res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && !res.headers().get(header::CACHE_CONTROL).is_some_and(|v| v.as_bytes().starts_with(b"no-store"));
    if !cacheable {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ENTRY_BYTES).await else {
        // Too large to keep (or a broken body): answer once more, uncached.
        parts.status = StatusCode::SERVICE_UNAVAILABLE;
        return Response::from_parts(parts, Body::from("the response was too large; try again"));
    };
    let pieces: Vec<Bytes> = match &nonce {
        Some(n) if !n.0.is_empty() => split_at(&bytes, n.0.as_bytes()),
        _ => vec![bytes.clone()],
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let entry = Entry {
        status: parts.status,
        etag: etag_of(&pieces),
        size: bytes.len(),
        headers: parts.headers.clone(),
        parts: pieces,
    };
    let fresh = if not_modified(&if_none_match, &entry.etag) {
        (StatusCode::NOT_MODIFIED, [(header::ETAG, entry.etag.clone())]).into_response()
    } else {
        answer(&entry, nonce.as_ref(), head)
    };
    state.responses.put(key, entry);
    fresh
}

/// `bytes` split at every occurrence of `needle`.
fn split_at(bytes: &Bytes, needle: &[u8]) -> Vec<Bytes> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + needle.len() <= bytes.len() {
        if &bytes[i..i + needle.len()] == needle {
            out.push(bytes.slice(start..i));
            i += needle.len();
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(bytes.slice(start..));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_normalised_to_what_the_route_knows() {
        assert_eq!(normalised("/", "utm_source=x&access=all&q="), Some(Ok(String::new())));
        assert_eq!(normalised("/", "sort=Analogy&access=open"), Some(Ok("access=open&sort=Analogy".into())));
        assert_eq!(normalised("/", "sort=nonsense"), Some(Err(())));
        assert_eq!(normalised("/models/x", "judge=J&fbclid=1"), Some(Ok("judge=J".into())));
        assert_eq!(normalised("/compare", "judge=J&models=a,b"), Some(Ok("models=a%2Cb&judge=J".into())));
        assert_eq!(
            normalised("/items", "min_share=0.80&relation=Analogy&utm=1&judge=%20J"),
            Some(Ok("judge=J&relation=Analogy&min_share=0.8".into()))
        );
        assert_eq!(normalised("/api/v1/items", "relation=analogy"), Some(Err(())));
        assert_eq!(normalised("/items/Violence/Analogy/3", "judge=J&x=1"), Some(Ok("judge=J".into())));
        assert_eq!(normalised("/judges", "x=1"), Some(Ok(String::new())));
        assert_eq!(normalised("/admin", ""), None);
        assert_eq!(normalised("/submit", ""), None);
        assert_eq!(normalised("/api/v1/submissions", ""), None);
    }

    #[test]
    fn pages_split_at_their_nonce_and_validators_ignore_it() {
        let page = Bytes::from_static(b"<script nonce=\"N0NCE\">x</script><link crossorigin=\"N0NCE\">");
        let parts = split_at(&page, b"N0NCE");
        assert_eq!(parts.len(), 3);
        let other =
            split_at(&Bytes::from_static(b"<script nonce=\"OTHER\">x</script><link crossorigin=\"OTHER\">"), b"OTHER");
        assert_eq!(etag_of(&parts), etag_of(&other), "the same page under another nonce has the same ETag");
        assert_eq!(split_at(&Bytes::from_static(b"plain"), b"N0NCE").len(), 1);
    }
}
