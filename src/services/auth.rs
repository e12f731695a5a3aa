//! Who is calling, and what they may do: maintainer sessions, the same-origin rule for
//! state-changing requests, and per-client rate limits.
//!
//! Sessions and counters live in the store, so several app servers behind a load balancer
//! agree on them. The session cookie is HttpOnly and SameSite=Strict; every state-changing
//! form also carries the session's CSRF token, and requests whose Origin names another site
//! are refused outright. The HTTP layer and the pages' server functions both read a request
//! into a [`Caller`] and hand it here.

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::error::AppError;
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "mir_session";
const SESSION_TTL_SECS: i64 = 12 * 3600;
const LOGIN_ATTEMPTS_PER_HOUR: i64 = 20;

/// What a use case needs to know about the request it serves.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The client's address (see [`client_key`]), for rate limits and logs.
    pub client: String,
    /// The maintainer session cookie's value, if one was sent.
    pub session_token: Option<String>,
    /// Whether a browser said the request came from another site.
    pub cross_site: bool,
}

impl Caller {
    pub fn from_headers(settings: &Settings, headers: &HeaderMap, peer: Option<SocketAddr>) -> Self {
        Self {
            client: client_key(settings, headers, peer),
            session_token: cookie_value(headers, SESSION_COOKIE),
            cross_site: !same_origin(headers),
        }
    }

    /// State-changing requests must not come from another site's page.
    pub fn require_same_origin(&self) -> Result<(), AppError> {
        if self.cross_site { Err(AppError::Forbidden("cross-site request refused".into())) } else { Ok(()) }
    }
}

/// Compares two secrets in time that does not depend on where they differ. Both sides are
/// hashed first, so the length of the secret does not leak either.
pub fn secrets_match(expected: &str, candidate: &str) -> bool {
    let a = Sha256::digest(expected.as_bytes());
    let b = Sha256::digest(candidate.as_bytes());
    a.as_slice().ct_eq(b.as_slice()).into()
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A signed-in maintainer.
#[derive(Debug, Clone)]
pub struct Maintainer {
    pub csrf_token: String,
}

/// The maintainer behind this caller's cookie, if any.
pub async fn maintainer(pool: &Pool, caller: &Caller) -> Result<Option<Maintainer>, AppError> {
    let Some(token) = &caller.session_token else { return Ok(None) };
    Ok(db::session(pool, &hash(token)).await?.map(|s| Maintainer { csrf_token: s.csrf_token }))
}

/// Checks a state-changing request: same-origin, signed in, and carrying the session's CSRF token.
pub async fn require_maintainer(pool: &Pool, caller: &Caller, csrf: &str) -> Result<Maintainer, AppError> {
    caller.require_same_origin()?;
    let m = maintainer(pool, caller)
        .await?
        .ok_or_else(|| AppError::Unauthorized("sign in as a maintainer first (/admin)".into()))?;
    if !secrets_match(&m.csrf_token, csrf.trim()) {
        return Err(AppError::Forbidden(
            "the form's security token is missing or stale; reload the page and try again".into(),
        ));
    }
    Ok(m)
}

/// Whether the request's `Origin` header, if any, names the host that was requested.
/// Browsers send Origin on every cross-site POST; its absence (curl, same-origin GET) is fine.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    origin != "null" && origin_host == host
}

/// Signs in with the configured token; returns the `Set-Cookie` value.
pub async fn sign_in(pool: &Pool, settings: &Settings, caller: &Caller, token: &str) -> Result<String, AppError> {
    caller.require_same_origin()?;
    let Some(expected) = &settings.admin_token else {
        return Err(AppError::Unauthorized(
            "maintainer sign-in is disabled: the server has no MIR_ADMIN_TOKEN configured".into(),
        ));
    };
    let client = &caller.client;
    let hits = db::hit_rate_limit(pool, &format!("login:{client}"), 3600).await?;
    if hits > LOGIN_ATTEMPTS_PER_HOUR {
        return Err(AppError::RateLimited(format!("at most {LOGIN_ATTEMPTS_PER_HOUR} sign-in attempts per hour")));
    }
    use secrecy::ExposeSecret;
    if !secrets_match(expected.expose_secret(), token.trim()) {
        tracing::warn!(client, "failed maintainer sign-in");
        return Err(AppError::Unauthorized("wrong token".into()));
    }
    let session = db::random_key() + &db::random_key();
    db::insert_session(pool, &hash(&session), &db::random_key(), SESSION_TTL_SECS).await?;
    tracing::info!(client, "maintainer signed in");
    Ok(session_cookie(&session, SESSION_TTL_SECS, settings.cookie_secure))
}

/// Ends the session; returns the `Set-Cookie` value that deletes the cookie.
pub async fn sign_out(pool: &Pool, settings: &Settings, caller: &Caller, csrf: &str) -> Result<String, AppError> {
    require_maintainer(pool, caller, csrf).await?;
    if let Some(token) = &caller.session_token {
        db::delete_session(pool, &hash(token)).await?;
    }
    Ok(session_cookie("", 0, settings.cookie_secure))
}

fn session_cookie(value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Who the client is, for rate limits: the peer address, or, behind a trusted proxy, the
/// address that proxy appended to `X-Forwarded-For`: the last hop. Every earlier hop was
/// written by the client itself and proves nothing (a client could send a fresh one with each
/// request and never be limited).
pub fn client_key(settings: &Settings, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if settings.trust_proxy
        && let Some(last) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty())
    {
        return last.to_owned();
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Counts an upload against the client's hourly allowance.
pub async fn check_upload_rate(pool: &Pool, settings: &Settings, caller: &Caller) -> Result<(), AppError> {
    let hits = db::hit_rate_limit(pool, &format!("upload:{}", caller.client), 3600).await?;
    if hits > settings.uploads_per_hour {
        let now = db::now();
        let minutes = (3600 - now.rem_euclid(3600)) / 60 + 1;
        return Err(AppError::RateLimited(format!(
            "at most {} uploads per hour from one client; try again in {minutes} minutes",
            settings.uploads_per_hour
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; mir_session=abc; b=2"));
        assert_eq!(cookie_value(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie_value(&h, "c"), None);
    }

    #[test]
    fn cross_site_origins_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("lb.example"));
        assert!(same_origin(&h), "no Origin: not a browser cross-site request");
        h.insert(header::ORIGIN, HeaderValue::from_static("https://lb.example"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
    }

    #[test]
    fn session_cookie_attributes() {
        let c = session_cookie("x", 60, true);
        assert_eq!(c, "mir_session=x; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
        assert!(!session_cookie("x", 60, false).contains("Secure"));
    }

    #[test]
    fn client_key_uses_the_proxys_hop_only_when_trusted() {
        let mut s = Settings::for_tests("sqlite::memory:", "127.0.0.1:0".parse().unwrap());
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 198.51.100.20"));
        let peer: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        assert_eq!(client_key(&s, &h, Some(peer)), "10.0.0.1");
        s.trust_proxy = true;
        // The proxy appended the last hop; the first is whatever the client claimed.
        assert_eq!(client_key(&s, &h, Some(peer)), "198.51.100.20");
        h.insert("x-forwarded-for", HeaderValue::from_static("1.2.3.4, 198.51.100.7"));
        assert_eq!(client_key(&s, &h, Some(peer)), "198.51.100.7");
        // Several header lines count as one list, in order.
        h.append("x-forwarded-for", HeaderValue::from_static("192.0.2.1"));
        assert_eq!(client_key(&s, &h, Some(peer)), "192.0.2.1");
    }

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(secrets_match("0123456789abcdef0123", "0123456789abcdef0123"));
        assert!(!secrets_match("0123456789abcdef0123", "0123456789abcdef0124"));
        assert!(!secrets_match("0123456789abcdef0123", ""));
    }
}
