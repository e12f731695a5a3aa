//! Maintainer sign-in, CSRF protection and per-client rate limits.
//!
//! Sessions and counters live in the store, so several app servers behind a load balancer
//! agree on them. The session cookie is HttpOnly and SameSite=Strict; every state-changing
//! form also carries the session's CSRF token, and requests whose Origin names another site
//! are refused outright.

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::error::AppError;
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "mir_session";
const SESSION_TTL_SECS: i64 = 12 * 3600;
const LOGIN_ATTEMPTS_PER_HOUR: i64 = 20;

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

/// The maintainer behind this request's cookie, if any.
pub async fn maintainer(pool: &Pool, headers: &HeaderMap) -> Result<Option<Maintainer>, AppError> {
    let Some(token) = cookie_value(headers, SESSION_COOKIE) else { return Ok(None) };
    Ok(db::session(pool, &hash(&token)).await?.map(|s| Maintainer { csrf_token: s.csrf_token }))
}

/// Checks a state-changing request: same-origin, signed in, and carrying the session's CSRF token.
pub async fn require_maintainer(pool: &Pool, headers: &HeaderMap, csrf: &str) -> Result<Maintainer, AppError> {
    check_same_origin(headers)?;
    let m = maintainer(pool, headers)
        .await?
        .ok_or_else(|| AppError::Unauthorized("sign in as a maintainer first (/admin)".into()))?;
    if !constant_time_eq(m.csrf_token.as_bytes(), csrf.trim().as_bytes()) {
        return Err(AppError::Unauthorized(
            "the form's security token is missing or stale; reload the page and try again".into(),
        ));
    }
    Ok(m)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses requests whose `Origin` header names a different host than the one requested.
/// Browsers send Origin on every cross-site POST; its absence (curl, same-origin GET) is fine.
pub fn check_same_origin(headers: &HeaderMap) -> Result<(), AppError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return Ok(()) };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    if origin == "null" || origin_host != host {
        return Err(AppError::Unauthorized("cross-site request refused".into()));
    }
    Ok(())
}

/// Signs in with the configured token; returns the `Set-Cookie` value.
pub async fn sign_in(pool: &Pool, settings: &Settings, client: &str, token: &str) -> Result<String, AppError> {
    if settings.admin_token.is_none() {
        return Err(AppError::Unauthorized(
            "maintainer sign-in is disabled: the server has no MIR_ADMIN_TOKEN configured".into(),
        ));
    }
    let hits = db::hit_rate_limit(pool, &format!("login:{client}"), 3600).await?;
    if hits > LOGIN_ATTEMPTS_PER_HOUR {
        return Err(AppError::RateLimited(format!("at most {LOGIN_ATTEMPTS_PER_HOUR} sign-in attempts per hour")));
    }
    if !settings.admin_token_matches(token) {
        tracing::warn!(client, "failed maintainer sign-in");
        return Err(AppError::Unauthorized("wrong token".into()));
    }
    let session = db::random_key() + &db::random_key();
    db::insert_session(pool, &hash(&session), &db::random_key(), SESSION_TTL_SECS).await?;
    tracing::info!(client, "maintainer signed in");
    Ok(session_cookie(&session, SESSION_TTL_SECS, settings.cookie_secure))
}

/// Ends the session; returns the `Set-Cookie` value that deletes the cookie.
pub async fn sign_out(pool: &Pool, settings: &Settings, headers: &HeaderMap) -> Result<String, AppError> {
    if let Some(token) = cookie_value(headers, SESSION_COOKIE) {
        db::delete_session(pool, &hash(&token)).await?;
    }
    Ok(session_cookie("", 0, settings.cookie_secure))
}

fn session_cookie(value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Who the client is, for rate limits: the peer address, or the first `X-Forwarded-For` hop
/// when the server is configured to sit behind a trusted proxy.
pub fn client_key(settings: &Settings, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if settings.trust_proxy
        && let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return first.to_owned();
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Counts an upload against the client's hourly allowance.
pub async fn check_upload_rate(pool: &Pool, settings: &Settings, client: &str) -> Result<(), AppError> {
    let hits = db::hit_rate_limit(pool, &format!("upload:{client}"), 3600).await?;
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
        assert!(check_same_origin(&h).is_ok(), "no Origin: not a browser cross-site request");
        h.insert(header::ORIGIN, HeaderValue::from_static("https://lb.example"));
        assert!(check_same_origin(&h).is_ok());
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(check_same_origin(&h).is_err());
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(check_same_origin(&h).is_err());
    }

    #[test]
    fn session_cookie_attributes() {
        let c = session_cookie("x", 60, true);
        assert_eq!(c, "mir_session=x; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
        assert!(!session_cookie("x", 60, false).contains("Secure"));
    }

    #[test]
    fn client_key_uses_forwarded_for_only_when_trusted() {
        let mut s = Settings::for_tests("sqlite::memory:", "127.0.0.1:0".parse().unwrap());
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 10.0.0.1"));
        let peer: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        assert_eq!(client_key(&s, &h, Some(peer)), "10.0.0.1");
        s.trust_proxy = true;
        assert_eq!(client_key(&s, &h, Some(peer)), "203.0.113.9");
    }
}
