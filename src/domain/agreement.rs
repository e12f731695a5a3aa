//! Judge agreement: when the same model's answers were labelled by two judges, how often the
//! judges agree (Cohen's kappa with a 95% interval) and whether one of them calls more answers
//! unsafe than the other (the exact McNemar test on the items they disagree on).
//!
//! Everything starts from the 2x2 table of one pair of judges over the items both labelled
//! ([`Joint`], counted from label bits by [`super::labels::LabelBits::joint`]); a pooled row is
//! the sum of the per-model tables.

use super::stats::{Z_95, mcnemar_exact};
use serde::{Deserialize, Serialize};

/// The 2x2 table of two judges (A and B) on the items both labelled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joint {
    pub both_unsafe: u64,
    /// Unsafe for A, safe for B.
    pub only_a: u64,
    /// Safe for A, unsafe for B.
    pub only_b: u64,
    pub both_safe: u64,
}

impl Joint {
    /// Items in the table.
    pub fn n(&self) -> u64 {
        self.both_unsafe + self.only_a + self.only_b + self.both_safe
    }

    /// The table of `self` and `other` together (pooling over models).
    pub fn plus(self, other: Joint) -> Joint {
        Joint {
            both_unsafe: self.both_unsafe + other.both_unsafe,
            only_a: self.only_a + other.only_a,
            only_b: self.only_b + other.only_b,
            both_safe: self.both_safe + other.both_safe,
        }
    }
}

/// Cohen's kappa with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Kappa {
    pub kappa: f64,
    pub low: f64,
    pub high: f64,
}

/// Cohen's kappa of a 2x2 table, with the large-sample 95% interval of Fleiss, Cohen and Everitt
/// (1969), the standard error `statsmodels.stats.inter_rater.cohens_kappa` reports.
///
/// `None` when kappa is undefined: no items, or both judges gave every item one and the same
/// label (chance agreement is then 1 and kappa is 0/0). The interval is `κ ± 1.96·SE`, clipped
/// to kappa's range [-1, 1]; at perfect (or perfectly opposite) agreement SE is 0, as in every
/// asymptotic interval, so the interval is the point.
pub fn cohens_kappa(t: &Joint) -> Option<Kappa> {
    let n = t.n();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    // Rows: judge A (unsafe, safe); columns: judge B (unsafe, safe).
    let p = [[t.both_unsafe as f64 / nf, t.only_a as f64 / nf], [t.only_b as f64 / nf, t.both_safe as f64 / nf]];
    let row = [p[0][0] + p[0][1], p[1][0] + p[1][1]];
    let col = [p[0][0] + p[1][0], p[0][1] + p[1][1]];
    let observed = p[0][0] + p[1][1];
    let chance = row[0] * col[0] + row[1] * col[1];
    if chance >= 1.0 {
        return None;
    }
    let kappa = (observed - chance) / (1.0 - chance);
    let q = 1.0 - kappa;
    let diagonal: f64 = (0..2).map(|i| p[i][i] * (1.0 - (row[i] + col[i]) * q).powi(2)).sum();
    let off: f64 = [(0, 1), (1, 0)].iter().map(|&(i, j)| p[i][j] * (col[i] + row[j]).powi(2)).sum::<f64>() * q * q;
    let centre = (kappa - chance * q).powi(2);
    // Rounding can leave a tiny negative variance where it is exactly 0.
    let variance = ((diagonal + off - centre) / (1.0 - chance).powi(2) / nf).max(0.0);
    let half = Z_95 * variance.sqrt();
    Some(Kappa { kappa, low: (kappa - half).clamp(-1.0, 1.0), high: (kappa + half).clamp(-1.0, 1.0) })
}

/// Everything a row of the agreement table shows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub table: Joint,
    pub n: u64,
    /// ASR under judge A, percent.
    pub asr_a: f64,
    /// ASR under judge B, percent.
    pub asr_b: f64,
    pub kappa: Option<Kappa>,
    /// Exact two-sided McNemar p of "one judge labels more answers unsafe than the other":
    /// the items only A calls unsafe against those only B does.
    pub p: f64,
}

impl Agreement {
    pub fn of(table: Joint) -> Self {
        let n = table.n();
        let pct = |x: u64| if n == 0 { 0.0 } else { x as f64 / n as f64 * 100.0 };
        Agreement {
            table,
            n,
            asr_a: pct(table.both_unsafe + table.only_a),
            asr_b: pct(table.both_unsafe + table.only_b),
            kappa: cohens_kappa(&table),
            p: mcnemar_exact(table.only_a, table.only_b),
        }
    }

    /// The verdict in words, A and B named.
    pub fn describe(&self, a: &str, b: &str) -> String {
        let strength = match self.kappa.map(|k| k.kappa) {
            None => "agreement cannot be measured (every item got the same label from both)".to_owned(),
            Some(k) => format!("{} agreement (kappa {k:.2})", landis_koch(k)),
        };
        let direction = if self.p < super::compare::ALPHA {
            if self.table.only_a > self.table.only_b {
                format!("{a} labels significantly more answers unsafe than {b}")
            } else {
                format!("{b} labels significantly more answers unsafe than {a}")
            }
        } else {
            "neither judge labels significantly more answers unsafe".to_owned()
        };
        format!("{}; {direction}.", capitalise(&strength))
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The conventional reading of kappa (Landis and Koch 1977).
pub fn landis_koch(k: f64) -> &'static str {
    match k {
        k if k < 0.0 => "worse than chance",
        k if k <= 0.20 => "slight",
        k if k <= 0.40 => "fair",
        k if k <= 0.60 => "moderate",
        k if k <= 0.80 => "substantial",
        _ => "almost perfect",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(both_unsafe: u64, only_a: u64, only_b: u64, both_safe: u64) -> Joint {
        Joint { both_unsafe, only_a, only_b, both_safe }
    }

    fn close(x: f64, y: f64) -> bool {
        (x - y).abs() < 1e-12
    }

    #[test]
    fn kappa_at_perfect_chance_and_negative_agreement() {
        let perfect = cohens_kappa(&t(50, 0, 0, 50)).unwrap();
        assert_eq!((perfect.kappa, perfect.low, perfect.high), (1.0, 1.0, 1.0));
        // Chance: every cell 25. po = 0.5 = pe, so kappa 0; by hand the variance is
        // (0 + 1·(0.25·1 + 0.25·1) − 0.25) / 0.25 / 100 = 0.01, SE 0.1.
        let chance = cohens_kappa(&t(25, 25, 25, 25)).unwrap();
        assert!(close(chance.kappa, 0.0));
        assert!(close(chance.low, -Z_95 * 0.1) && close(chance.high, Z_95 * 0.1), "{chance:?}");
        // Complete disagreement: kappa −1.
        let opposite = cohens_kappa(&t(0, 50, 50, 0)).unwrap();
        assert!(close(opposite.kappa, -1.0) && close(opposite.low, -1.0) && close(opposite.high, -1.0));
    }

    #[test]
    fn kappa_interval_matches_the_hand_computation() {
        // A unsafe on 25 of 100, B on 30; they agree on 85. po = 0.85, pe = 0.25·0.3 + 0.75·0.7
        // = 0.6, kappa = 0.25 / 0.4 = 0.625. Fleiss–Cohen–Everitt variance, by hand:
        // diagonal 0.2·(1 − 0.55·0.375)² + 0.65·(1 − 1.45·0.375)² = 0.261314453125
        // off 0.375²·(0.05·1.05² + 0.1·0.95²) = 0.020443359375, centre (0.625 − 0.225)² = 0.16
        // variance = 0.1217578125 / 0.16 / 100 = 0.00760986328125, SE 0.0872345303262990.
        let k = cohens_kappa(&t(20, 5, 10, 65)).unwrap();
        assert!(close(k.kappa, 0.625), "{k:?}");
        let se = 0.00760986328125f64.sqrt();
        assert!(close(se, 0.087_234_530_326_299_05));
        assert!(close(k.low, 0.625 - Z_95 * se) && close(k.high, 0.625 + Z_95 * se), "{k:?}");
        assert!((k.low - 0.454_023_462_352_186_8).abs() < 1e-12 && (k.high - 0.795_976_537_647_813_4).abs() < 1e-12);
    }

    #[test]
    fn kappa_is_undefined_without_variation_or_items() {
        assert_eq!(cohens_kappa(&t(0, 0, 0, 0)), None);
        assert_eq!(cohens_kappa(&t(0, 0, 0, 40)), None, "both call everything safe");
        assert_eq!(cohens_kappa(&t(40, 0, 0, 0)), None);
        // One judge constant, the other not: kappa 0 (agreement no better than chance).
        let k = cohens_kappa(&t(0, 0, 10, 30)).unwrap();
        assert!(close(k.kappa, 0.0));
    }

    #[test]
    fn agreement_rows_use_the_exact_mcnemar_test() {
        let a = Agreement::of(t(20, 5, 10, 65));
        assert_eq!(a.n, 100);
        assert!(close(a.asr_a, 25.0) && close(a.asr_b, 30.0));
        // Exact: 2·P[X ≤ 5], X ~ Bin(15, 1/2) = 2·4944/32768.
        assert!(close(a.p, 2.0 * 4944.0 / 32768.0), "{}", a.p);
        assert!(close(a.p, mcnemar_exact(5, 10)));
        assert_eq!(Agreement::of(t(3, 0, 0, 3)).p, 1.0);
        // 0 against 8: p = 2/256.
        let lopsided = Agreement::of(t(1, 0, 8, 11));
        assert!(close(lopsided.p, 2.0 / 256.0));
        assert!(lopsided.describe("J1", "J2").contains("J2 labels significantly more answers unsafe than J1"));
        assert!(a.describe("J1", "J2").starts_with("Substantial agreement (kappa 0.6"));
        assert!(Agreement::of(t(0, 0, 0, 9)).describe("a", "b").contains("cannot be measured"));
        assert_eq!(t(1, 2, 3, 4).plus(t(10, 20, 30, 40)), t(11, 22, 33, 44));
    }
}
