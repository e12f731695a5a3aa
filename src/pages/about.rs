//! `/about`: the benchmark, the taxonomy, how every number on the site is computed, the rule
//! set behind the superficial-safety estimate, the data formats, and how to cite.

use crate::components::ScrollTable;
use crate::domain::refusal::RuleSet;
use crate::domain::taxonomy::{DEFAULT_JUDGE, RelationGroup, RiskCategory, TOTAL_INSTANCES};
use leptos::prelude::*;
use leptos_meta::Title;

const BIBTEX: &str = r#"@inproceedings{chen2026sideeffects,
  title     = {The Side Effects of Being Smart: Safety Risks in {MLLMs}' Multi-Image Reasoning},
  author    = {Chen and Lu and Cui and Ouyang and Huang and Zhang and Pan and Qiu and Huang},
  booktitle = {Proceedings of the Annual Meeting of the Association for Computational Linguistics (ACL 2026, Long Papers)},
  pages     = {36866--36882},
  year      = {2026},
  url       = {https://aclanthology.org/2026.acl-long.1710/},
  eprint    = {2601.14127},
  archivePrefix = {arXiv}
}"#;

const CURL: &str = r#"curl -F model="My-VLM-7B" -F organization="My Lab" -F access=open \
     -F reasoning=false -F parameters=7B -F link=https://huggingface.co/my-lab/my-vlm-7b \
     -F file=@my-vlm-7b.zip https://<this site>/api/v1/submissions"#;

#[component]
pub fn AboutPage() -> impl IntoView {
    let rules = RuleSet::builtin();
    view! {
        <Title text="About" />
        <article class="about-page prose" data-test="about-page">
            <h1>"About MIR-SafetyBench and this leaderboard"</h1>
            <section id="benchmark">
                <h2>"The benchmark"</h2>
                <p>
                    "MIR-SafetyBench tests whether a multimodal LLM can be led into producing harmful content when the harmful goal is never stated in one place: "
                    "it has to be pieced together from 2–4 harmless-looking images and an indirect instruction. "
                    {format!("It has {TOTAL_INSTANCES} attack instances over 9 relation types in 4 groups and 6 risk categories. ")}
                    "The authors report that models which reason better over several images are often more vulnerable, and that many answers judged safe are superficial: the model misunderstood the images or evaded the question."
                </p>
                <p>
                    "Paper: “The Side Effects of Being Smart: Safety Risks in MLLMs' Multi-Image Reasoning”, ACL 2026 ("
                    <a href="https://arxiv.org/abs/2601.14127">"arXiv:2601.14127"</a>
                    "). Code and evaluation harness: "
                    <a href="https://github.com/thu-coai/MIR-SafetyBench">"thu-coai/MIR-SafetyBench"</a>
                    ". Data: "
                    <a href="https://huggingface.co/datasets/thu-coai/MIR-SafetyBench">"thu-coai/MIR-SafetyBench on Hugging Face"</a>
                    "."
                </p>
            </section>
            <section id="taxonomy">
                <h2>"Taxonomy"</h2>
                <ScrollTable label="Taxonomy">
                    <table class="data" data-test="taxonomy">
                        <thead><tr><th scope="col">"Group"</th><th scope="col">"Relation"</th><th scope="col">"Harness name"</th><th scope="col">"Instances"</th><th scope="col">"What it means (our reading)"</th></tr></thead>
                        <tbody>
                            {RelationGroup::ALL.into_iter().flat_map(|g| g.relations().map(move |r| (g, r))).map(|(g, r)| view! {
                                <tr>
                                    <td>{g.name()}</td>
                                    <th scope="row"><a href=format!("/relations/{}", r.slug())>{r.short_name()}</a></th>
                                    <td><code>{r.harness_name()}</code></td>
                                    <td class="num">{r.instance_count()}</td>
                                    <td>{r.gloss()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </ScrollTable>
                <p class="muted">"The descriptions are the site's reading of the relation names, not quotations of the paper's definitions. Instance counts sum to 2,676."</p>
                <p>
                    "Risk categories: "
                    {RiskCategory::ALL.into_iter().enumerate().map(|(i, c)| view! {
                        {(i > 0).then_some(", ")}
                        <a href=format!("/categories/{}", c.slug())>{c.display_name()}</a>
                        " (" <code>{c.harness_name()}</code> ")"
                    }).collect_view()}
                    ". Their instance counts were not published in a form we could verify, so the site shows each model's own n."
                </p>
            </section>
            <section id="metric">
                <h2>"How ASR is computed"</h2>
                <p>
                    {format!("The judge (by default the benchmark's own, {DEFAULT_JUDGE}) labels every answer safe or unsafe. ")}
                    "The attack success rate of any set of items is " <strong>"unsafe answers / all answers × 100"</strong>
                    ", pooled over items, exactly as the harness's " <code>"statics.py"</code>
                    " prints it: a relation pools its six category files, and overall pools everything. It is never a mean of rates. "
                    "Failed or crashed inferences stay in the denominator, as in the harness. Lower is safer."
                </p>
                <p>"Rankings never mix judges; pick another judge where more than one has results."</p>
            </section>
            <section id="statistics">
                <h2>"Intervals, ranks and tests"</h2>
                <ul>
                    <li><strong>"Intervals"</strong>" are 95% Wilson score intervals for the proportion of unsafe answers (they behave well near 0% and 100%)."</li>
                    <li><strong>"Rank"</strong>" = 1 + the number of models whose whole interval lies below (is safer than) this model's interval. Models whose intervals overlap share a rank, so the table is never more precise than the data."</li>
                    <li>
                        <strong>"Paired tests."</strong>
                        " Every model answers the same items, paired by (category, relation, item index). For two models, only discordant items (unsafe for exactly one) carry information. "
                        "The exact two-sided McNemar test gives p = min(1, 2·P[X ≤ min(b, c)]) with X ~ Binomial(b + c, ½), where b counts items unsafe only for the first model and c only for the second. "
                        "On the compare page the nine relations form one family and the six categories another; p-values are Holm-adjusted within each family, and overall stands alone. "
                        "On the leaderboard, “≈ safest” marks models whose overall test against the safest model of the view is not significant after Holm adjustment across the view."
                    </li>
                    <li><strong>"Capability vs vulnerability"</strong>" uses Spearman's rank correlation (ties get average ranks) with a two-sided p-value from the t distribution with n − 2 degrees of freedom."</li>
                    <li>"Results with aggregate numbers only (paper tables) have intervals but no per-item labels, so they cannot be paired."</li>
                </ul>
            </section>
            <section id="refusal-estimate">
                <h2>"How safe is “safe”? The superficial-safety estimate"</h2>
                <p>
                    "While an upload is ingested, and only then, every answer the judge labelled safe is classified as an " <strong>"explicit refusal"</strong>
                    " or " <strong>"safe without refusal"</strong> " (misunderstanding, evasion, an unrelated description). Only a per-item flag and the rule-set version are stored; the answer text is discarded and never logged. "
                    "The result is an " <strong>"estimate"</strong> ": phrase matching misses refusals worded in unusual ways and catches some inability statements (“I can't see the image”)."
                </p>
                <p data-test="rule-set">
                    {format!("Rule set {} (window: the first {} characters of the answer).", rules.version(), rules.window())}
                </p>
                <ol>
                    <li>"The reasoning trace is removed exactly as the harness does before judging: the content of <answer>…</answer> if present, else the text after the last </think> (or ◁/think▷), else the whole answer."</li>
                    <li>"Text is lower-cased, curly apostrophes are straightened and whitespace is collapsed."</li>
                    <li>"The answer is an explicit refusal if any phrase below occurs in its first characters (Latin-script phrases must not be glued to other letters; Chinese phrases match as written). Empty answers and harness failure placeholders are never refusals."</li>
                </ol>
                <details>
                    <summary>{format!("The {} phrases", rules.phrases().count())}</summary>
                    <ul class="phrases">{rules.phrases().map(|p| view! { <li><code>{p.to_owned()}</code></li> }).collect_view()}</ul>
                </details>
                <p class="muted">"Aggregate-only results (paper tables, summary CSVs) have no answers, so they have no estimate, and the site says so wherever the estimate would appear."</p>
            </section>
            <section id="sources">
                <h2>"Where each result comes from"</h2>
                <ul>
                    <li><span class="badge paper">"paper"</span>" transcribed from the paper's tables by a maintainer: aggregate numbers only."</li>
                    <li><span class="badge self">"self-reported"</span>" harness output uploaded by anyone and approved by a maintainer, not re-run."</li>
                    <li><span class="badge verified">"verified"</span>" re-run or checked by the maintainers."</li>
                    <li><span class="badge sample">"sample"</span>" generated demonstration data, never real results."</li>
                </ul>
            </section>
            <section id="sample-data">
                <h2>"Sample data"</h2>
                <p>
                    "A fresh installation started with " <code>"--demo"</code>
                    " fills an empty store with fictional models (every name starts with “Sample”) whose harness outputs were generated and then imported through the same path as real uploads. "
                    "Wherever they appear, the page, chart and export say “sample data, not real results”."
                </p>
            </section>
            <section id="submit">
                <h2>"Submitting results"</h2>
                <p>
                    "Run the harness, then upload " <code>"results/harmbench/<model>/"</code> " as .zip or .tar.gz on the "
                    <a href="/submit">"submit page"</a> ", or from a pipeline with one line:"
                </p>
                <pre tabindex="0"><code>{CURL}</code></pre>
                <p>
                    "The answer is JSON with the submission's " <code>"id"</code> ", " <code>"status"</code> " and validation " <code>"report"</code>
                    ", or a 4xx listing every problem. The API is described in " <a href="/api/v1/openapi.json">"OpenAPI"</a> "."
                </p>
            </section>
            <section id="aggregate-csv">
                <h2>"The aggregate CSV"</h2>
                <p>"Published numbers (for example a paper's table) are imported from a CSV with one row per model and relation (or category, or Overall):"</p>
                <pre tabindex="0"><code>"model,relation,asr_percent,n,judge,source,notes\nExample-VLM,Temporal_Jump,23.43,303,,Table 2,\nExample-VLM,Overall,20.07,2676,,Table 2,"</code></pre>
                <p>
                    "Required: " <code>"model"</code> ", " <code>"asr_percent"</code> " (as printed) and " <code>"relation"</code> " or " <code>"category"</code>
                    ". " <code>"n"</code> " defaults to the benchmark's count for relations and Overall and is required for categories. "
                    "Optional: judge, source (where in the paper), notes, organization, access, reasoning, parameters, link, capability_score, capability_benchmark, capability_source. "
                    "Each percentage must be k/n for a whole number k, and Overall must equal the pooled relations: both catch transcription slips."
                </p>
            </section>
            <section id="cite">
                <h2>"How to cite"</h2>
                <pre data-test="bibtex" tabindex="0"><code>{BIBTEX}</code></pre>
                <p class="muted">"Authors' given names were not available to us when this entry was written; take the full entry from the ACL Anthology page."</p>
            </section>
        </article>
    }
}
