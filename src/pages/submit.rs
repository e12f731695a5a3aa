//! `/submit`: upload harness output (or the aggregate CSV), see every problem or a preview, then
//! send it for review. The form is a plain multipart POST that works without JavaScript; with
//! JavaScript the same POST goes through XMLHttpRequest to show upload progress and the
//! validation result without a page reload.

use crate::components::{ErrorBox, ScrollTable};
use crate::domain::submission::{PostedUpload, SubmissionView, UploadError, UploadFields};
use crate::domain::taxonomy::DEFAULT_JUDGE;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn SubmitPage() -> impl IntoView {
    // Present only when this render answers a refused upload made without JavaScript.
    let posted = use_context::<PostedUpload>();
    let fields = posted.as_ref().map(|p| p.fields.clone()).unwrap_or_default();
    let error = posted.map(|p| p.error);
    view! {
        <Title text="Submit results" />
        <article class="submit-page" data-test="submit-page">
            <header class="page-head">
                <h1>"Submit results"</h1>
                <p class="lede">
                    "Upload the harness's judge output for one model exactly as "
                    <code>"eval.py"</code>
                    " wrote it: the folder "
                    <code>"results/harmbench/<model>/"</code>
                    " (or the whole "
                    <code>"results/"</code>
                    " folder) as .zip or .tar.gz. The site checks every file, shows every problem or a preview, and only then lets you send it for review. "
                    "A maintainer approves it before it is ranked."
                </p>
                <p class="muted">
                    "Only labels and counts are kept; answer and question text are read once to classify refusals and then discarded, never stored or logged. "
                    "Already have a paper table? Upload the " <a href="/about#aggregate-csv">"aggregate CSV"</a> " instead. Pipelines can use the "
                    <a href="/api/v1/openapi.json">"API"</a> "."
                </p>
                <p class="muted" data-test="sample-archive">
                    "No run at hand? " <a href="/submit/sample.zip" download="" data-test="sample-download">"Download a sample archive"</a>
                    " (a fictional model's full run in the harness's layout, all 2,676 items, in the folder sample_model_0) and upload it to see the checks and the preview. "
                    "It is sample data, not a result: do not send it for review."
                </p>
            </header>
            <UploadForm fields error />
        </article>
    }
}

/// The upload form. Without JavaScript it is a plain multipart POST; with it, the same POST
/// goes through XMLHttpRequest, whose upload events are the only way a page can show upload
/// progress, and the outcome appears without a page load.
#[island]
fn UploadForm(fields: UploadFields, error: Option<UploadError>) -> impl IntoView {
    let outcome = RwSignal::new(error);
    let progress = RwSignal::new(None::<f64>);
    // The folder picker needs JavaScript (a browser sends a folder's files with their paths
    // only through FormData), so it appears once the island runs; the archive input works
    // everywhere.
    let hydrated = RwSignal::new(false);
    let folder_files = RwSignal::new(0u32);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let folder_ref = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        // `webkitdirectory` (a folder instead of files) is not in Leptos' attribute list.
        if let Some(input) = folder_ref.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
        hydrated.set(true);
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    let on_folder = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let n = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.files())
                .map_or(0, |f| f.length());
            folder_files.set(n);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            if let Some(form) = form_ref.get() {
                outcome.set(None);
                progress.set(Some(0.0));
                browser::send_with_progress(&form, progress, outcome);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, form_ref, progress);
    };
    let f = fields;
    view! {
        // Above the form, so a refused upload's problems are the first thing seen (with
        // JavaScript, focus moves to them; without, the page opens on them).
        {move || outcome.get().map(|e| view! { <UploadErrors e /> })}
            <form
                method="post"
                action="/submit"
                enctype="multipart/form-data"
                class="upload"
                node_ref=form_ref
                on:submit=on_submit
                data-test="upload-form"
            >
                <fieldset>
                    <legend>"Model"</legend>
                    <label>"Name " <span class="req">"(required)"</span>
                        <input name="model" required maxlength="100" value=f.model placeholder="e.g. Qwen2.5-VL-7B-Instruct" />
                    </label>
                    <label>"Organisation" <input name="organization" maxlength="100" value=f.organization /></label>
                    <label>"Weights"
                        <select name="access">
                            <option value="" selected=f.access.is_empty()>"unknown"</option>
                            <option value="open" selected=f.access == "open">"open"</option>
                            <option value="closed" selected=f.access == "closed">"closed"</option>
                        </select>
                    </label>
                    <label>"Reasoning model"
                        <select name="reasoning">
                            <option value="" selected=f.reasoning.is_empty()>"unknown"</option>
                            <option value="true" selected=f.reasoning == "true">"yes"</option>
                            <option value="false" selected=f.reasoning == "false">"no"</option>
                        </select>
                    </label>
                    <label>"Parameters" <input name="parameters" value=f.parameters placeholder="e.g. 7B" /></label>
                    <label>"Link to the model card" <input name="link" type="url" value=f.link placeholder="https://…" /></label>
                </fieldset>
                <fieldset>
                    <legend>"Run"</legend>
                    <label>"Judge" <input name="judge" value=if f.judge.is_empty() { DEFAULT_JUDGE.to_owned() } else { f.judge } /></label>
                    <label>"Note for the maintainers" <textarea name="note" maxlength="2000" rows="3">{f.note}</textarea></label>
                    <label>"Results file " <span class="req">"(required)"</span>
                        <input type="file" name="file" required=move || folder_files.get() == 0 accept=".zip,.tar.gz,.tgz,.tar,.csv,application/zip,application/gzip,text/csv" data-test="file" />
                    </label>
                    <label hidden=move || !hydrated.get() data-test="folder-picker">"… or pick the results folder itself ("
                        <code>"results/harmbench/<model>/"</code> ")"
                        <input type="file" name="files" multiple node_ref=folder_ref on:change=on_folder data-test="folder" />
                        {move || (folder_files.get() > 0).then(|| view! { <span class="muted" data-test="folder-count">{format!("{} files chosen", folder_files.get())}</span> })}
                    </label>
                </fieldset>
                <button type="submit" data-test="validate">"Validate and preview"</button>
                {move || progress.get().map(|p| view! {
                    <div class="progress" data-test="progress">
                        <progress max="100" value=p.to_string()>{format!("{p:.0}%")}</progress>
                        <span>{if p >= 100.0 { "Uploaded; validating…".to_owned() } else { format!("Uploading… {p:.0}%") }}</span>
                    </div>
                })}
            </form>
    }
}

/// Every problem of a refused upload: where, what, how to fix.
#[component]
pub fn UploadErrors(e: UploadError) -> impl IntoView {
    view! {
        <section class="upload-errors" role="alert" id="upload-errors" tabindex="-1" data-test="upload-errors">
            <h2>{e.message.clone()}</h2>
            {(!e.problems.is_empty()).then(|| view! {
                <ScrollTable label="Problems found">
                    <table class="data problems">
                        <thead><tr><th scope="col">"Where"</th><th scope="col">"Item"</th><th scope="col">"What is wrong"</th><th scope="col">"How to fix it"</th></tr></thead>
                        <tbody>
                            {e.problems.iter().map(|p| view! {
                                <tr data-test="problem">
                                    <td><code>{p.location.clone()}</code></td>
                                    <td class="num">{p.item.map(|i| i.to_string()).unwrap_or_default()}</td>
                                    <td>{p.message.clone()}</td>
                                    <td>{p.fix.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </ScrollTable>
            })}
            {(e.more > 0).then(|| view! { <p>{format!("… and {} more.", e.more)}</p> })}
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::domain::submission::UploadError;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    #[derive(serde::Deserialize)]
    struct Accepted {
        preview_url: String,
    }

    #[derive(serde::Deserialize)]
    struct Refused {
        message: String,
        #[serde(default)]
        problems: Vec<crate::domain::submission::Problem>,
        #[serde(default)]
        more_problems: usize,
    }

    /// Posts the form like the browser would, but through XMLHttpRequest, whose upload events
    /// are the only way a page can show upload progress.
    pub fn send_with_progress(
        form: &web_sys::HtmlFormElement,
        progress: RwSignal<Option<f64>>,
        outcome: RwSignal<Option<UploadError>>,
    ) {
        let fail = move |message: String| {
            progress.set(None);
            outcome.set(Some(UploadError { message, problems: vec![], more: 0 }));
        };
        let (Ok(data), Ok(xhr)) = (web_sys::FormData::new_with_form(form), web_sys::XmlHttpRequest::new()) else {
            fail("Your browser could not prepare the upload; submit the form again.".into());
            return;
        };
        // A picked folder goes as one `files` part per file, named by its relative path.
        let folder = form
            .query_selector("input[name=files]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .filter(|f| f.length() > 0);
        if let Some(list) = folder {
            data.delete("files");
            data.delete("file");
            for i in 0..list.length() {
                let Some(file) = list.get(i) else { continue };
                // web-sys does not bind `webkitRelativePath`; it is a plain property of the File.
                let path = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| file.name());
                if data.append_with_blob_and_filename("files", &file, &path).is_err() {
                    fail("Your browser could not prepare the folder; pick it again.".into());
                    return;
                }
            }
        }
        if xhr.open_with_async("POST", "/submit", true).is_err()
            || xhr.set_request_header("Accept", "application/json").is_err()
        {
            fail("Your browser could not start the upload.".into());
            return;
        }
        if let Ok(upload) = xhr.upload() {
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    progress.set(Some(e.loaded() / e.total() * 100.0));
                }
            });
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            // One closure per upload, released with the request object.
            on_progress.forget();
        }
        let done = xhr.clone();
        let on_load = Closure::<dyn FnMut()>::new(move || {
            let status = done.status().unwrap_or(0);
            let body = done.response_text().ok().flatten().unwrap_or_default();
            if (200..300).contains(&status) {
                match serde_json::from_str::<Accepted>(&body) {
                    Ok(a) => {
                        progress.set(Some(100.0));
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().assign(&a.preview_url);
                        }
                    }
                    Err(_) => fail("The server's answer could not be read; reload the page.".into()),
                }
            } else {
                progress.set(None);
                let e = match serde_json::from_str::<Refused>(&body) {
                    Ok(r) if !r.problems.is_empty() => UploadError::refused(r.problems, r.more_problems),
                    Ok(r) => UploadError::message(r.message),
                    Err(_) => UploadError::message(format!("The upload failed (HTTP {status})")),
                };
                outcome.set(Some(e));
                // Once the problems are on the page, focus goes to them.
                request_animation_frame(|| {
                    if let Some(el) = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.get_element_by_id("upload-errors"))
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        let _ = el.focus();
                    }
                });
            }
        });
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        on_load.forget();
        let on_error = Closure::<dyn FnMut()>::new(move || {
            fail("The connection failed during the upload; nothing was stored.".into())
        });
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        if xhr.send_with_opt_form_data(Some(&data)).is_err() {
            fail("Your browser could not send the upload.".into());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The preview step.

#[server(prefix = "/fn", endpoint = "draft")]
pub async fn get_draft(id: i64, key: String) -> Result<SubmissionView, AppError> {
    let state = super::ssr::state()?;
    crate::services::submissions::submission_view(&state.pool, id, Some(&key)).await
}

/// Sends a previewed draft for review.
#[server(prefix = "/fn", endpoint = "submit-draft")]
pub async fn submit_draft(id: i64, key: String) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    match crate::services::moderation::submit_draft(&state.pool, id, &key, "web").await {
        Ok(()) => leptos_axum::redirect(&format!("/submissions/{id}?sent=1")),
        Err(e) => {
            let q = form_urlencoded::Serializer::new(String::new())
                .append_pair("key", &key)
                .append_pair("error", &e.to_string())
                .finish();
            leptos_axum::redirect(&format!("/submit/preview/{id}?{q}"));
        }
    }
    Ok(())
}

#[component]
pub fn PreviewPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        (
            params.get().get("id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0),
            query.get().get("key").unwrap_or_default(),
        )
    };
    let data = Resource::new(key, |(id, key)| get_draft(id, key));
    let action = ServerAction::<SubmitDraft>::new();
    view! {
        <Title text="Preview" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let error = query.get().get("error");
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => {
                            let key = query.get_untracked().get("key").unwrap_or_default();
                            view! {
                                <article class="preview-page" data-test="preview-page">
                                    <header class="page-head">
                                        <h1>{format!("Preview: {}", v.model)}</h1>
                                        <p class="lede">{if v.summary.coverage.is_complete() { "Everything checked out. " } else { "The files are valid, but the run is partial (see the warning). " }} "This is what your upload contains and how it would appear. Nothing is public until you send it for review and a maintainer approves it."</p>
                                    </header>
                                    {(!v.summary.coverage.is_complete()).then(|| {
                                        let c = &v.summary.coverage;
                                        view! {
                                            <div class="notice warning" role="alert" data-test="partial-warning">
                                                <p><strong>{format!("This run covers {} of {} items ({:.1}%).", c.received, c.expected, c.percent())}</strong>
                                                " Partial runs are marked “partial” wherever they are shown and get no rank; their intervals are wide. "
                                                "If this is not what you meant to upload, check that the results folder holds all six risk-category folders with their nine relation files."</p>
                                            </div>
                                        }
                                    })}
                                    {error.map(|e| view! { <p class="notice error" role="alert" data-test="preview-error">{e}</p> })}
                                    {(v.status == crate::domain::model::Status::Draft).then(|| view! {
                                        <ActionForm action=action attr:class="send" attr:data-test="send-form">
                                            <input type="hidden" name="id" value=v.id.to_string() />
                                            <input type="hidden" name="key" value=key.clone() />
                                            <button type="submit" data-test="send">"Send for review"</button>
                                        </ActionForm>
                                    })}
                                    <super::submissions::SubmissionDetails v />
                                </article>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
