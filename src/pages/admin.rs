//! `/admin`: maintainers sign in with the configured token. The session is a random cookie
//! (HttpOnly, SameSite=Strict) whose hash is stored; every state-changing form also carries
//! the session's CSRF token. Without `MIR_ADMIN_TOKEN` nobody can sign in.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The CSRF token of the signed-in maintainer, or `None` for everyone else.
#[server(prefix = "/fn", endpoint = "admin")]
pub async fn get_admin() -> Result<Option<String>, AppError> {
    let state = super::ssr::state()?;
    let headers = super::ssr::headers().await?;
    Ok(crate::api::auth::maintainer(&state.pool, &headers).await?.map(|m| m.csrf_token))
}

#[cfg(feature = "ssr")]
fn redirect_with_error(path: &str, e: &AppError) {
    let q = form_urlencoded::Serializer::new(String::new()).append_pair("error", &e.to_string()).finish();
    let sep = if path.contains('?') { '&' } else { '?' };
    leptos_axum::redirect(&format!("{path}{sep}{q}"));
}

/// Adds a `Set-Cookie` header to the server function's response.
#[cfg(feature = "ssr")]
fn set_cookie(cookie: &str) {
    if let (Some(res), Ok(v)) =
        (use_context::<leptos_axum::ResponseOptions>(), axum::http::HeaderValue::from_str(cookie))
    {
        res.insert_header(axum::http::header::SET_COOKIE, v);
    }
}

#[server(prefix = "/fn", endpoint = "sign-in")]
pub async fn sign_in(token: String) -> Result<(), AppError> {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let state = super::ssr::state()?;
    let headers = super::ssr::headers().await?;
    let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await.ok().map(|c| c.0);
    let client = crate::api::auth::client_key(&state.settings, &headers, peer);
    let result = async {
        crate::api::auth::check_same_origin(&headers)?;
        crate::api::auth::sign_in(&state.pool, &state.settings, &client, &token).await
    }
    .await;
    match result {
        Ok(cookie) => {
            set_cookie(&cookie);
            leptos_axum::redirect("/submissions?status=pending");
        }
        Err(e) => redirect_with_error("/admin", &e),
    }
    Ok(())
}

#[server(prefix = "/fn", endpoint = "sign-out")]
pub async fn sign_out(csrf: String) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    let headers = super::ssr::headers().await?;
    crate::api::auth::require_maintainer(&state.pool, &headers, &csrf).await?;
    let cookie = crate::api::auth::sign_out(&state.pool, &state.settings, &headers).await?;
    set_cookie(&cookie);
    leptos_axum::redirect("/admin");
    Ok(())
}

/// Approve or reject a submission.
#[server(prefix = "/fn", endpoint = "moderate")]
pub async fn moderate(
    id: i64,
    decision: String,
    reason: Option<String>,
    // An unticked checkbox sends nothing, so both free fields are optional.
    verified: Option<String>,
    csrf: String,
) -> Result<(), AppError> {
    use crate::domain::model::Source;
    let state = super::ssr::state()?;
    let headers = super::ssr::headers().await?;
    let result = async {
        crate::api::auth::require_maintainer(&state.pool, &headers, &csrf).await?;
        let outcome = match decision.as_str() {
            "approve" => {
                let source = if verified.as_deref() == Some("true") { Source::Verified } else { Source::SelfReported };
                crate::db::approve(&state.pool, id, source, "maintainer (web)").await
            }
            "reject" => {
                let reason = reason.as_deref().unwrap_or("").trim();
                if reason.is_empty() {
                    return Err(AppError::BadRequest(
                        "give a reason: it is shown to the submitter and the public".into(),
                    ));
                }
                if reason.chars().count() > 500 {
                    return Err(AppError::BadRequest("the reason is longer than 500 characters".into()));
                }
                crate::db::reject(&state.pool, id, reason, "maintainer (web)").await
            }
            other => return Err(AppError::BadRequest(format!("unknown decision `{other}`"))),
        };
        outcome.map_err(|e| match e {
            crate::db::DecisionError::NotFound(_) => AppError::NotFound(format!("submission #{id}")),
            crate::db::DecisionError::Db(db) => AppError::from(db),
            other => AppError::Conflict(other.to_string()),
        })
    }
    .await;
    match result {
        Ok(()) => leptos_axum::redirect(&format!("/submissions/{id}")),
        Err(e) => redirect_with_error(&format!("/submissions/{id}"), &e),
    }
    Ok(())
}

/// Set or clear a model's capability score.
#[server(prefix = "/fn", endpoint = "capability-score")]
pub async fn set_capability(
    slug: String,
    score: String,
    benchmark: String,
    source: String,
    csrf: String,
) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    let headers = super::ssr::headers().await?;
    let result = async {
        crate::api::auth::require_maintainer(&state.pool, &headers, &csrf).await?;
        let capability = crate::domain::model::Capability::parse(&score, &benchmark, &source)?;
        let (id, _) = crate::db::model_by_slug(&state.pool, &slug)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("model `{slug}`")))?;
        crate::db::set_capability(&state.pool, id, capability.as_ref()).await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => leptos_axum::redirect(&format!("/models/{slug}")),
        Err(e) => redirect_with_error(&format!("/models/{slug}"), &e),
    }
    Ok(())
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let query = use_query_map();
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    // Refetched after each sign-in or sign-out, so the page never shows a stale state.
    let admin = Resource::new(move || (sign_in.version().get(), sign_out.version().get()), |_| get_admin());
    view! {
        <Title text="Maintainers" />
        <article class="admin-page" data-test="admin-page">
            <header class="page-head"><h1>"Maintainers"</h1></header>
            {move || query.get().get("error").map(|e| view! { <p class="notice error" role="alert" data-test="admin-error">{e}</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match admin.await {
                        Ok(Some(csrf)) => view! {
                            <p data-test="signed-in">"You are signed in. Pending submissions: " <a href="/submissions?status=pending">"the queue"</a> "."</p>
                            <ActionForm action=sign_out>
                                <input type="hidden" name="csrf" value=csrf />
                                <button type="submit">"Sign out"</button>
                            </ActionForm>
                        }.into_any(),
                        _ => view! {
                            <p>"Sign in with the maintainer token from the server's configuration (" <code>"MIR_ADMIN_TOKEN"</code> ")."</p>
                            <ActionForm action=sign_in attr:data-test="sign-in-form">
                                <label>"Token " <input type="password" name="token" required autocomplete="current-password" data-test="token" /></label>
                                <button type="submit" data-test="sign-in">"Sign in"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </article>
    }
}
