//! The leaderboard as open data: the JSON of `/api/v1/leaderboard` and the CSV download. Both
//! show exactly the rows of the page for the same query, in the same order; the CSV also keeps
//! the page's column choice.

use crate::domain::leaderboard::query::{LeaderboardQuery, visible};
use crate::domain::leaderboard::{Entry, VsSafest};
use crate::domain::metrics::{Score, format_pct};
use crate::domain::page_data::{LeaderboardData, SAMPLE_NOTICE};
use crate::domain::refusal::RuleSet;
use crate::domain::taxonomy::{Relation, RelationGroup, RiskCategory};
use serde_json::{Value, json};

fn score_json(s: &Score, with_interval: bool) -> Value {
    let mut v = json!({
        "unsafe": s.unsafe_count,
        "total": s.total,
        "asr": s.asr,
        "refusals": s.refusals,
        "safe_without_refusal": s.safe_without_refusal(),
    });
    if with_interval {
        v["ci_low"] = json!(s.ci_low);
        v["ci_high"] = json!(s.ci_high);
    }
    v
}

fn vs_safest_json(v: VsSafest) -> Value {
    match v {
        VsSafest::Safest => json!({"verdict": "safest"}),
        VsSafest::NotSignificant { p_holm } => json!({"verdict": "not_significantly_different", "p_holm": p_holm}),
        VsSafest::Significant { p_holm } => json!({"verdict": "significantly_less_safe", "p_holm": p_holm}),
        VsSafest::NotTestable => json!({"verdict": "not_testable"}),
    }
}

pub fn entry_json(e: &Entry) -> Value {
    let relations: serde_json::Map<String, Value> = Relation::ALL
        .into_iter()
        .filter_map(|r| e.relation(r).map(|s| (r.harness_name().to_owned(), score_json(s, true))))
        .collect();
    let groups: serde_json::Map<String, Value> = RelationGroup::ALL
        .into_iter()
        .filter_map(|g| e.group(g).map(|s| (g.name().to_owned(), score_json(s, true))))
        .collect();
    let categories: serde_json::Map<String, Value> = RiskCategory::ALL
        .into_iter()
        .filter_map(|c| e.category(c).map(|s| (c.harness_name().to_owned(), score_json(s, true))))
        .collect();
    json!({
        "model": e.model.name,
        "slug": e.model.slug,
        "rank": e.rank,
        "organization": e.model.organization,
        "access": e.model.access,
        "reasoning": e.model.reasoning,
        "parameters_b": e.model.parameters_b,
        "link": e.model.link,
        "capability": e.model.capability,
        "sample": e.is_sample(),
        "submission": {
            "id": e.submission.id,
            "judge": e.submission.judge,
            "source": e.submission.source,
            "granularity": e.submission.granularity,
            "date": e.submission.date,
        },
        "overall": score_json(&e.overall, true),
        "relations": relations,
        "groups": groups,
        "categories": categories,
        "vs_safest": vs_safest_json(e.vs_safest),
    })
}

/// The JSON document of one view.
pub fn to_json(data: &LeaderboardData, q: &LeaderboardQuery) -> Value {
    let rows = visible(&data.entries, q);
    let sample = rows.iter().any(|e| e.is_sample());
    json!({
        "benchmark": "MIR-SafetyBench",
        "judge": data.judge,
        "judges": data.judges,
        "query": q.to_query_string(),
        "notice": sample.then_some(SAMPLE_NOTICE),
        "metric": "attack success rate in percent: unsafe answers / judged answers x 100, pooled over items (lower is safer)",
        "interval": "95% Wilson score interval, in percent",
        "rank": "1 + the number of models whose whole interval lies below this model's interval",
        "refusal_estimate": {
            "rule_set": RuleSet::builtin().version(),
            "about": "/about#refusal-estimate",
            "note": "refusals and safe_without_refusal are an estimate from refusal phrases, null when the source had no answer text",
        },
        "entries": rows.iter().map(|e| entry_json(e)).collect::<Vec<_>>(),
    })
}

fn csv_pct(s: Option<&Score>) -> String {
    s.map(|s| format_pct(s.asr)).unwrap_or_default()
}

fn csv_n(s: Option<&Score>) -> String {
    s.map(|s| s.total.to_string()).unwrap_or_default()
}

/// A free-text cell as spreadsheet programs cannot mistake it for a formula (OWASP's CSV
/// injection advice): a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
/// gets a leading apostrophe, which spreadsheets show as text and hide.
fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

/// The CSV of one view: the rows on screen, the columns on screen (each ASR with its n), and a
/// `notice` column that says "sample data, not real results" on every sample row.
pub fn to_csv(data: &LeaderboardData, q: &LeaderboardQuery) -> String {
    let rows = visible(&data.entries, q);
    let mut header: Vec<String> = [
        "rank",
        "model",
        "organization",
        "access",
        "reasoning",
        "source",
        "judge",
        "date",
        "overall_asr",
        "overall_ci_low",
        "overall_ci_high",
        "overall_unsafe",
        "overall_n",
    ]
    .map(String::from)
    .to_vec();
    if q.columns.relations {
        for r in Relation::ALL {
            header.push(format!("{}_asr", r.harness_name()));
            header.push(format!("{}_n", r.harness_name()));
        }
    }
    if q.columns.groups {
        for g in RelationGroup::ALL {
            header.push(format!("{}_asr", g.name()));
            header.push(format!("{}_n", g.name()));
        }
    }
    if q.columns.categories {
        for c in RiskCategory::ALL {
            header.push(format!("{}_asr", c.harness_name()));
            header.push(format!("{}_n", c.harness_name()));
        }
    }
    if q.columns.safety {
        header.extend(
            [
                "refusal_rate_estimate",
                "safe_without_refusal_rate_estimate",
                "refusals_estimate",
                "safe_without_refusal_estimate",
            ]
            .map(String::from),
        );
    }
    header.push("vs_safest".into());
    header.push("notice".into());

    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(&header);
    for e in rows {
        let o = &e.overall;
        let mut rec: Vec<String> = vec![
            e.rank.to_string(),
            text_cell(&e.model.name),
            text_cell(e.model.organization.as_deref().unwrap_or_default()),
            e.model.access.map(|a| a.as_str().to_owned()).unwrap_or_default(),
            e.model.reasoning.to_string(),
            e.submission.source.as_str().to_owned(),
            text_cell(&e.submission.judge),
            e.submission.date.clone(),
            format_pct(o.asr),
            format_pct(o.ci_low),
            format_pct(o.ci_high),
            o.unsafe_count.to_string(),
            o.total.to_string(),
        ];
        if q.columns.relations {
            for r in Relation::ALL {
                rec.push(csv_pct(e.relation(r)));
                rec.push(csv_n(e.relation(r)));
            }
        }
        if q.columns.groups {
            for g in RelationGroup::ALL {
                rec.push(csv_pct(e.group(g)));
                rec.push(csv_n(e.group(g)));
            }
        }
        if q.columns.categories {
            for c in RiskCategory::ALL {
                rec.push(csv_pct(e.category(c)));
                rec.push(csv_n(e.category(c)));
            }
        }
        if q.columns.safety {
            rec.push(o.refusal_rate().map(format_pct).unwrap_or_default());
            rec.push(o.superficial_rate().map(format_pct).unwrap_or_default());
            rec.push(o.refusals.map(|r| r.to_string()).unwrap_or_default());
            rec.push(o.safe_without_refusal().map(|r| r.to_string()).unwrap_or_default());
        }
        rec.push(
            match e.vs_safest {
                VsSafest::Safest => "safest",
                VsSafest::NotSignificant { .. } => "not significantly different",
                VsSafest::Significant { .. } => "significantly less safe",
                VsSafest::NotTestable => "not testable",
            }
            .to_owned(),
        );
        rec.push(if e.is_sample() { SAMPLE_NOTICE.to_owned() } else { String::new() });
        let _ = w.write_record(&rec);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn formula_like_cells_are_neutralised() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text_cell(bad), format!("'{bad}"));
        }
        assert_eq!(text_cell("Qwen2.5-VL-7B"), "Qwen2.5-VL-7B");
        assert_eq!(text_cell(""), "");
    }
}
