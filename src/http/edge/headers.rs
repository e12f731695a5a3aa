//! Security headers on every response, and the per-response nonce of the Content-Security-
//! Policy.
//!
//! Pages get a strict policy: scripts only with this response's nonce (Leptos puts it on its
//! bootstrap and data scripts, read from the context this module provides), plus
//! `'wasm-unsafe-eval'` because compiling the wasm bundle counts as eval; no inline handlers
//! anywhere and one inline style, allowed by its hash: the charts' dark-mode rules, which `/`
//! carries with its ranking chart drawn inline; no framing. Charts are SVG documents with their
//! own `<style>`, and get a policy that allows exactly that and nothing else. Responses that must not be stored by any
//! cache (anything a maintainer sees, a draft's preview, anything that sets a cookie) say so.

use crate::services::auth::SESSION_COOKIE;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;

/// This response's CSP nonce, kept in the request's extensions for the renderers.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

impl CspNonce {
    fn fresh() -> Self {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }
}

/// Makes Leptos use this request's nonce (leptos_axum would otherwise invent its own, which
/// the header would not name). Call from every render's additional context.
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(parts) = use_context::<axum::http::request::Parts>()
        && let Some(n) = parts.extensions.get::<CspNonce>()
    {
        provide_context(leptos::nonce::Nonce::from_value(n.0.clone()));
    }
}

/// `'sha256-…'` of the one `<style>` text a page may carry inline ([`crate::charts::dark_style`]).
fn chart_style_source() -> &'static str {
    use base64::Engine as _;
    use sha2::Digest as _;
    static SOURCE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let digest = sha2::Sha256::digest(crate::charts::dark_style().as_bytes());
        format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
    });
    &SOURCE
}

fn page_policy(nonce: &str) -> String {
    let chart_style = chart_style_source();
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' {chart_style}; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// Chart SVGs style themselves with one `<style>` element and never run scripts.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
/// JSON, CSV, files: nothing to load, nothing to frame.
const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), \
     fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), \
     picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()";
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Whether the request carries a maintainer session (its pages hold a CSRF token).
pub fn has_session(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim().split_once('=').is_some_and(|(k, v)| k == SESSION_COOKIE && !v.is_empty()))
}

/// Paths whose pages carry a secret in themselves: the maintainers' page (a CSRF token) and a
/// draft's preview (its key is in the URL and in the page's send form).
fn private_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/submit/preview/")
}

/// How long a static file may be kept. The bundle's files are named by their content hash, so
/// a name never changes meaning: a year, immutable. Other static files (the icon) an hour.
fn asset_caching(path: &str) -> Option<&'static str> {
    let file = path.strip_prefix("/pkg/").map(|f| f.trim_end_matches(".br").trim_end_matches(".gz"));
    match file {
        // `name.<hash>.ext`: three dot-separated parts, the middle one a 22-character hash.
        Some(f) if f.split('.').nth(1).is_some_and(|h| h.len() >= 16) && f.split('.').count() == 3 => {
            Some("public, max-age=31536000, immutable")
        }
        Some(_) => Some("public, max-age=300"),
        None if path == "/favicon.svg" => Some("public, max-age=3600"),
        None => None,
    }
}

/// Responses a browser may show as a document of their own (with a window and features).
fn is_document(content_type: &str) -> bool {
    content_type.starts_with("text/html") || content_type.starts_with("image/svg+xml")
}

/// The middleware: a nonce in, the headers out.
pub async fn security_headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let nonce = CspNonce::fresh();
    req.extensions_mut().insert(nonce.clone());
    let private = has_session(req.headers()) || private_path(req.uri().path());
    let asset = asset_caching(req.uri().path());
    let mut res = next.run(req).await;
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let policy = if content_type.starts_with("text/html") {
        page_policy(&nonce.0)
    } else if content_type.starts_with("image/svg+xml") {
        SVG_POLICY.to_owned()
    } else {
        DATA_POLICY.to_owned()
    };
    let sets_cookie = res.headers().contains_key(header::SET_COOKIE);
    let not_modified = res.status() == axum::http::StatusCode::NOT_MODIFIED;
    let h = res.headers_mut();
    // A 304's headers update the stored response: a new policy would name a nonce the stored
    // page does not carry.
    if !not_modified && let Ok(v) = HeaderValue::from_str(&policy) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Feature and opener policies govern documents (pages, and SVGs opened on their own);
    // a script, a stylesheet or the wasm never gets a window. HTTP/1.1 sends headers
    // uncompressed, so these 450 bytes on each asset were 1% of a first visit.
    if is_document(&content_type) {
        h.insert("permissions-policy", HeaderValue::from_static(PERMISSIONS_POLICY));
        h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    }
    if state.settings.https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    if private || sets_cookie {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if let Some(policy) = asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_the_page_policy_names_them() {
        let (a, b) = (CspNonce::fresh(), CspNonce::fresh());
        assert_ne!(a.0, b.0);
        assert_eq!(a.0.len(), 32);
        let p = page_policy(&a.0);
        assert!(p.contains(&format!("script-src 'nonce-{}' 'strict-dynamic' 'wasm-unsafe-eval'", a.0)));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!p.contains("unsafe-inline"));
    }

    #[test]
    fn sessions_and_secret_pages_are_private() {
        let mut h = HeaderMap::new();
        assert!(!has_session(&h));
        h.insert(header::COOKIE, HeaderValue::from_static("theme=dark; mir_session=abc"));
        assert!(has_session(&h));
        h.insert(header::COOKIE, HeaderValue::from_static("mir_session="));
        assert!(!has_session(&h), "a deleted cookie is no session");
        assert!(private_path("/admin") && private_path("/submit/preview/3"));
        assert!(!private_path("/") && !private_path("/submissions/3"));
    }

    #[test]
    fn hashed_assets_are_immutable_and_plain_ones_are_not() {
        assert_eq!(
            asset_caching("/pkg/mir-leaderboard.AbCdEfGhIjKlMnOpQrStUv.wasm"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(asset_caching("/pkg/mir-leaderboard.css"), Some("public, max-age=300"));
        assert_eq!(asset_caching("/favicon.svg"), Some("public, max-age=3600"));
        assert_eq!(asset_caching("/"), None);
    }

    #[test]
    fn documents_are_told_apart_from_what_they_load() {
        assert!(is_document("text/html; charset=utf-8") && is_document("image/svg+xml"));
        for t in ["application/wasm", "text/javascript", "text/css", "application/json", "text/csv", ""] {
            assert!(!is_document(t), "{t}");
        }
    }
}
