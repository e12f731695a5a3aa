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
    let caller = super::ssr::caller(&state).await?;
    Ok(crate::services::auth::maintainer(&state.pool, &caller).await?.map(|m| m.csrf_token))
}

/// A form's outcome without JavaScript: back to `path`, with the error in the query if any.
#[cfg(feature = "ssr")]
fn redirect_after(path: &str, result: Result<(), AppError>) {
    match result {
        Ok(()) => leptos_axum::redirect(path),
        Err(e) => {
            let q = form_urlencoded::Serializer::new(String::new()).append_pair("error", &e.to_string()).finish();
            let sep = if path.contains('?') { '&' } else { '?' };
            leptos_axum::redirect(&format!("{path}{sep}{q}"));
        }
    }
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
    let state = super::ssr::state()?;
    let caller = super::ssr::caller(&state).await?;
    match crate::services::auth::sign_in(&state.pool, &state.settings, &caller, &token).await {
        Ok(cookie) => {
            set_cookie(&cookie);
            leptos_axum::redirect("/submissions?status=pending");
        }
        Err(e) => redirect_after("/admin", Err(e)),
    }
    Ok(())
}

#[server(prefix = "/fn", endpoint = "sign-out")]
pub async fn sign_out(csrf: String) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    let caller = super::ssr::caller(&state).await?;
    let cookie = crate::services::auth::sign_out(&state.pool, &state.settings, &caller, &csrf).await?;
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
    use crate::services::{auth, moderation};
    let state = super::ssr::state()?;
    let caller = super::ssr::caller(&state).await?;
    let result = async {
        auth::require_maintainer(&state.pool, &caller, &csrf).await?;
        match decision.as_str() {
            "approve" => {
                moderation::approve(&state.pool, id, verified.as_deref() == Some("true"), "maintainer (web)").await?;
                Ok(())
            }
            "reject" => moderation::reject(&state.pool, id, reason.as_deref().unwrap_or(""), "maintainer (web)").await,
            other => Err(AppError::BadRequest(format!("unknown decision `{other}`: use approve or reject"))),
        }
    }
    .await;
    redirect_after(&format!("/submissions/{id}"), result);
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
    use crate::services::{auth, moderation};
    let state = super::ssr::state()?;
    let caller = super::ssr::caller(&state).await?;
    let result = async {
        auth::require_maintainer(&state.pool, &caller, &csrf).await?;
        let capability = crate::domain::model::Capability::parse(&score, &benchmark, &source)?;
        moderation::set_capability(&state.pool, moderation::ModelRef::Slug(&slug), capability.as_ref()).await
    }
    .await;
    redirect_after(&format!("/models/{slug}"), result);
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
