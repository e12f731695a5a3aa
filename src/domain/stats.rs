//! Statistics behind the MIR-SafetyBench leaderboard.
//!
//! Models are ranked by attack success rate (ASR = unsafe / total). These
//! functions give each ASR an uncertainty (Wilson interval), test whether two
//! models differ on the same prompts (exact McNemar, Holm-corrected across
//! pairs) and check whether rankings agree (Spearman).
//!
//! Everything is pure `std` so that the numbers can be audited: no crate sits
//! between a published p-value and the formula that produced it. The special
//! functions (log-gamma, incomplete beta) are the textbook algorithms, kept
//! private except where the leaderboard needs them directly.

use std::f64::consts::PI;

/// Two-sided 95% quantile of the standard normal, `Φ⁻¹(0.975)`.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// A closed interval of proportions, both ends in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// Wilson score interval for `successes / trials` at normal quantile `z`.
///
/// Wilson rather than the textbook Wald interval because leaderboard ASRs sit
/// near 0 or 1 for strong or weak models, where Wald collapses to a zero-width
/// interval (0/n gives [0, 0]) and can leave `[0, 1]`; Wilson keeps honest
/// width there and close to nominal coverage at small n.
///
/// It is computed in counts, `(s + z²/2 ± z·√(s(n−s)/n + z²/4)) / (n + z²)`,
/// which avoids forming `p(1−p)`. When `successes == 0` the lower end is
/// mathematically 0 but rounding could give ±1e-17, so it is set to exactly
/// 0; likewise the upper end is exactly 1 when `successes == trials`. Tables
/// can then print "0.0%" and compare ends without tolerance.
///
/// Returns `None` when `trials == 0` (no proportion exists) and also when
/// `successes > trials`, which can only be a counting bug upstream and should
/// not be turned into a plausible-looking interval. `z` is used by absolute
/// value so the ends never come out swapped.
pub fn wilson_interval(successes: u64, trials: u64, z: f64) -> Option<Interval> {
    if trials == 0 || successes > trials {
        return None;
    }
    let (s, n, z) = (successes as f64, trials as f64, z.abs());
    let z2 = z * z;
    let center = s + z2 / 2.0;
    let half = z * (s * (n - s) / n + z2 / 4.0).sqrt();
    let denom = n + z2;
    let low = if successes == 0 { 0.0 } else { (center - half) / denom };
    let high = if successes == trials { 1.0 } else { (center + half) / denom };
    Some(Interval { low: low.clamp(0.0, 1.0), high: high.clamp(0.0, 1.0) })
}

/// `P[X ≤ k]` for `X ~ Binomial(n, 1/2)`; 1 when `k ≥ n`.
///
/// Neither the naive form nor log space is good enough at the sizes we test
/// (n up to ~10 000). `2⁻ⁿ` underflows past n = 1074, and in log space the
/// log of a term is ≈ n·ln 2 ≈ 7000, whose rounding alone (ulp ≈ 1e-12, times
/// thousands of accumulations) eats most of a 1e-10 relative budget. Instead:
///
/// * for `k > n/2` the symmetry `P[X ≤ k] = 1 − P[X ≤ n−k−1]` is used, so the
///   summed tail is at most 1/2 and the subtraction loses nothing relative;
/// * the top term `C(n,k)/2ⁿ` is built as a product of ratios, halving the
///   running value whenever it exceeds 1. Halving is exact in binary floating
///   point, so this costs no accuracy and never overflows;
/// * the lower terms are summed relative to the top one via
///   `pmf(i−1) = pmf(i)·i/(n−i+1)`, a ratio below 1 when `k ≤ n/2`, so every
///   partial sum stays in `[1, k+1]`.
///
/// That is about 3k roundings in all: relative error ≲ 2e-12 at n = 10 000 in
/// the worst case, ~1e-14 measured against exact rational sums.
/// Tails below ~1e-308 underflow to 0, which is the correct `f64` answer.
pub fn binomial_cdf_half(k: u64, n: u64) -> f64 {
    if k >= n {
        return 1.0;
    }
    if k > n / 2 {
        return 1.0 - binomial_cdf_half(n - k - 1, n);
    }
    let mut top = 1.0;
    let mut halvings = n;
    for i in 1..=k {
        top *= (n - k + i) as f64 / i as f64;
        while top > 1.0 && halvings > 0 {
            top *= 0.5;
            halvings -= 1;
        }
    }
    for _ in 0..halvings {
        top *= 0.5;
    }
    let (mut term, mut sum) = (1.0, 1.0);
    for i in (1..=k).rev() {
        term *= i as f64 / (n - i + 1) as f64;
        sum += term;
    }
    (top * sum).min(1.0)
}

/// Exact two-sided McNemar test for paired outcomes of two models on the
/// same prompts; `b` and `c` are the discordant counts (unsafe for only one
/// of the two models).
///
/// Exact rather than the χ² approximation because per-category discordant
/// counts are often a handful, where χ² is badly miscalibrated; and because
/// `Bin(b+c, 1/2)` is symmetric, doubling the smaller tail is exactly the
/// "sum of outcomes no more likely than observed" p-value that
/// `scipy.stats.binomtest` reports. The cap at 1 matters when `b == c`
/// (both tails contain the centre). `b + c == 0` needs no special case:
/// `k ≥ n` gives a cdf of 1, so p = 1, i.e. no evidence of a difference.
pub fn mcnemar_exact(b: u64, c: u64) -> f64 {
    (2.0 * binomial_cdf_half(b.min(c), b + c)).min(1.0)
}

/// Holm step-down adjusted p-values, returned in the caller's order.
///
/// Holm rather than Bonferroni: it controls the family-wise error rate under
/// any dependence between the pairwise tests (which share models, so they are
/// dependent) and is uniformly more powerful. The running maximum makes the
/// adjusted values monotone in the raw ones, so a smaller raw p can never get
/// a larger adjusted p than a bigger raw p, and reject/accept at any α is
/// consistent with the step-down procedure. A side effect is that tied raw
/// p-values get identical adjusted values whatever order the sort put them in.
///
/// A NaN input (only ever a bug upstream) is returned as NaN at its position
/// so it stays visible. It still counts in the family size m, the
/// conservative choice: a comparison that was attempted is part of the family
/// even if its p-value is missing.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let mut adjusted = vec![f64::NAN; m];
    let mut running = 0.0_f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Spearman rank correlation with its two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spearman {
    pub rho: f64,
    pub p: f64,
    pub n: usize,
}

/// 1-based ranks; tied values share the mean of the ranks they span
/// (`scipy.stats.rankdata(method="average")`).
///
/// Average ranks are what makes Spearman with ties equal to Pearson on ranks,
/// and they keep the rank sum at n(n+1)/2, which [`spearman`] relies on.
/// Sorting uses `total_cmp`, so NaNs cannot panic the sort; each NaN gets its
/// own rank (callers that care, like [`spearman`], reject them first).
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut ranks = vec![0.0; values.len()];
    let mut before = 0;
    for group in order.chunk_by(|&i, &j| values[i] == values[j]) {
        // The group occupies ranks before+1 ..= before+len.
        let mean = (2 * before + group.len() + 1) as f64 / 2.0;
        for &i in group {
            ranks[i] = mean;
        }
        before += group.len();
    }
    ranks
}

/// Spearman's rho between two paired samples, with the two-sided p-value of
/// the t approximation `t = ρ·√((n−2)/(1−ρ²))` on n−2 degrees of freedom.
///
/// Defined as Pearson's r of average ranks, which is what
/// `scipy.stats.spearmanr` computes; the shortcut `1 − 6Σd²/(n(n²−1))` is
/// wrong with ties, and leaderboard scores tie often. The rank mean is exactly
/// (n+1)/2 and ranks are multiples of ½, so the sums below are exact for n
/// below ~10⁵: a perfectly monotone pair gives ρ = ±1 exactly, and then p = 0
/// (t is infinite). scipy's floating-point mean gives 0.9999999999999999 and
/// a p of ~1e-24 there instead.
///
/// `None` when the lengths differ, n < 3 (no degrees of freedom), any value is
/// not finite, or either sample is constant (ρ undefined, scipy gives NaN):
/// an absent statistic is easier to render honestly than a NaN.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<Spearman> {
    let n = x.len();
    if n != y.len() || n < 3 || !x.iter().chain(y).all(|v| v.is_finite()) {
        return None;
    }
    let mean = (n + 1) as f64 / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (rx, ry) in average_ranks(x).into_iter().zip(average_ranks(y)) {
        let (dx, dy) = (rx - mean, ry - mean);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    let rho = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
    let df = (n - 2) as f64;
    let p = if rho.abs() == 1.0 {
        0.0
    } else {
        // (1−ρ)(1+ρ) rather than 1−ρ² keeps precision when |ρ| is near 1.
        student_t_two_sided_p(rho * (df / ((1.0 - rho) * (1.0 + rho))).sqrt(), df)
    };
    Some(Spearman { rho, p, n })
}

/// Two-sided p-value `P[|T| ≥ |t|]` for Student's t with `df` degrees of
/// freedom.
///
/// Through the identity `P[|T| ≥ |t|] = I_{df/(df+t²)}(df/2, 1/2)` rather than
/// `2·(1 − cdf)`: the tail probability is computed directly, so small
/// p-values keep their relative precision instead of drowning in `1 − cdf`
/// cancellation, and non-integer `df` works. Both `x` and `1 − x` are formed
/// from `t²` directly: for tiny `t`, `x` rounds to about 1 and `1 − x` would
/// be mostly rounding noise (a ~6e-9 error in p ≈ 1 at df = 5000).
/// NaN for NaN `t` or `df ≤ 0`; infinite `t` gives 0.
pub fn student_t_two_sided_p(t: f64, df: f64) -> f64 {
    let t2 = t * t;
    // Written as 1/(1 + ·) so that t = 0 and t = ±∞ give exact 0 and 1.
    incomplete_beta(df / 2.0, 0.5, 1.0 / (1.0 + t2 / df), 1.0 / (1.0 + df / t2))
}

/// Regularized incomplete beta `I_x(a, b)`.
///
/// Numerical Recipes' continued fraction evaluated with the modified Lentz
/// method. The fraction converges fast only for `x < (a+1)/(a+b+2)`, so
/// beyond that `I_x(a,b) = 1 − I_{1−x}(b,a)` is used; this also means the
/// small side is always the one computed directly, so small results keep
/// their relative precision. NaN outside `a > 0`, `b > 0`, `0 ≤ x ≤ 1`.
pub fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    incomplete_beta(a, b, x, 1.0 - x)
}

/// `I_x(a, b)` with the caller supplying `y = 1 − x`, for callers that can
/// form the complement without cancellation.
fn incomplete_beta(a: f64, b: f64, x: f64, y: f64) -> f64 {
    let unit = 0.0..=1.0;
    if !(a > 0.0 && b > 0.0 && unit.contains(&x) && unit.contains(&y)) {
        return f64::NAN;
    }
    if x == 0.0 {
        return 0.0;
    }
    if y == 0.0 {
        return 1.0;
    }
    // x^a y^b / B(a,b), in logs because each factor alone can under- or
    // overflow for large a, b.
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * y.ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, y) / b
    }
}

/// Continued fraction for `I_x(a,b)` (modified Lentz). Denominators are
/// nudged off zero by `TINY`, Lentz's standard guard. The iteration cap is
/// generous: convergence takes O(√max(a,b)) steps, a few hundred even for
/// df in the tens of thousands.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    let nudge = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / nudge(1.0 - (a + b) * x / (a + 1.0));
    let mut h = d;
    for m in 1..=10_000 {
        let m = f64::from(m);
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        let mut delta = 1.0;
        for coef in [even, odd] {
            d = 1.0 / nudge(1.0 + coef * d);
            c = nudge(1.0 + coef / c);
            delta = d * c;
            h *= delta;
        }
        if (delta - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// `ln Γ(x)` for `x > 0`: Lanczos approximation with g = 7 and 9 coefficients
/// (relative error ~1e-15), plus the reflection formula below ½, where the
/// series loses accuracy. Private: only the incomplete beta needs it.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let series = (1..COEF.len()).fold(COEF[0], |acc, i| acc + COEF[i] / (x + i as f64));
    let t = x + G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

#[cfg(test)]
mod tests {
    //! Reference values were computed with Python 3.11.7, scipy 1.17.1 and
    //! statsmodels 0.15.0. Each `py:` comment is the exact expression, run as
    //! `python3 -c "import math; from fractions import Fraction;
    //! from scipy import stats, special;
    //! from statsmodels.stats.multitest import multipletests;
    //! from statsmodels.stats.proportion import proportion_confint;
    //! print(repr(EXPR))"`.
    //! `Fraction` sums are exact rational arithmetic, independent of scipy.

    use super::*;

    #[track_caller]
    fn assert_rel(actual: f64, expected: f64, tol: f64) {
        let err = if expected == 0.0 { actual.abs() } else { ((actual - expected) / expected).abs() };
        assert!(err <= tol, "got {actual:e}, expected {expected:e} (rel err {err:e})");
    }

    #[track_caller]
    fn assert_interval(got: Option<Interval>, low: f64, high: f64) {
        let got = got.expect("interval");
        assert!((got.low - low).abs() < 1e-12, "low {} vs {low}", got.low);
        assert!((got.high - high).abs() < 1e-12, "high {} vs {high}", got.high);
    }

    // Hand computation uses (s + z²/2 ± z·√(s(n−s)/n + z²/4)) / (n + z²),
    // with s, n chosen so the square root is an integer.
    #[test]
    fn wilson_hand_computed() {
        // s=4, n=16, z=2: √(4·12/16 + 1) = √4 = 2 → (4 + 2 ± 4)/20 = [0.1, 0.5]
        assert_interval(wilson_interval(4, 16, 2.0), 0.1, 0.5);
        // s=6, n=12, z=2: √(6·6/12 + 1) = √4 = 2 → (6 + 2 ± 4)/16 = [0.25, 0.75]
        assert_interval(wilson_interval(6, 12, 2.0), 0.25, 0.75);
        // s=10, n=25, z=1: √(10·15/25 + 1/4) = √6.25 = 2.5 → (10.5 ± 2.5)/26 = [8/26, 13/26]
        assert_interval(wilson_interval(10, 25, 1.0), 8.0 / 26.0, 0.5);
        // s=24, n=64, z=2: √(24·40/64 + 1) = √16 = 4 → (26 ± 8)/68 = [18/68, 34/68]
        assert_interval(wilson_interval(24, 64, 2.0), 18.0 / 68.0, 0.5);
    }

    #[test]
    fn wilson_z95_matches_statsmodels() {
        // py: proportion_confint(37, 120, alpha=0.05, method='wilson')
        assert_interval(wilson_interval(37, 120, Z_95), 0.23272736988916298, 0.39582997723800684);
    }

    #[test]
    fn wilson_edges() {
        // 0/12, z=2: low exactly 0; high = (0 + 2 + 2·√1)/16 = 0.25
        let zero = wilson_interval(0, 12, 2.0).unwrap();
        assert_eq!(zero.low, 0.0);
        assert!((zero.high - 0.25).abs() < 1e-12);
        // 12/12, z=2: high exactly 1; low = (12 + 2 − 2·√1)/16 = 0.75
        let all = wilson_interval(12, 12, 2.0).unwrap();
        assert_eq!(all.high, 1.0);
        assert!((all.low - 0.75).abs() < 1e-12);
        // py: proportion_confint(0, 12, alpha=0.05, method='wilson')
        assert_interval(wilson_interval(0, 12, Z_95), 0.0, 0.24249400665524096);
        // statsmodels gives high = 0.9999999999999999 here; we pin exactly 1.
        // py: proportion_confint(12, 12, alpha=0.05, method='wilson')
        assert_interval(wilson_interval(12, 12, Z_95), 0.7575059933447589, 1.0);
        assert_eq!(wilson_interval(12, 12, Z_95).unwrap().high, 1.0);
        assert_eq!(wilson_interval(0, 0, Z_95), None);
        assert_eq!(wilson_interval(5, 4, Z_95), None);
    }

    #[test]
    fn binomial_cdf_small_by_hand() {
        // (1 + 7 + 21 + 35)/128 = 64/128
        assert_eq!(binomial_cdf_half(3, 7), 0.5);
        assert_eq!(binomial_cdf_half(0, 1), 0.5);
        // 1/2^10 + 10/2^10 = 11/1024
        assert_rel(binomial_cdf_half(1, 10), 11.0 / 1024.0, 1e-15);
        assert_eq!(binomial_cdf_half(7, 7), 1.0);
        assert_eq!(binomial_cdf_half(9, 7), 1.0);
        assert_eq!(binomial_cdf_half(0, 0), 1.0);
    }

    #[test]
    fn binomial_cdf_large_n_exact_rational() {
        // py: float(Fraction(sum(math.comb(10000, i) for i in range(4501)), 2**10000))
        assert_rel(binomial_cdf_half(4500, 10_000), 7.755320284123021e-24, 1e-10);
        // py: float(Fraction(sum(math.comb(10000, i) for i in range(4951)), 2**10000))
        assert_rel(binomial_cdf_half(4950, 10_000), 0.161087099897656, 1e-10);
        // py: float(Fraction(sum(math.comb(10000, i) for i in range(5001)), 2**10000))
        assert_rel(binomial_cdf_half(5000, 10_000), 0.5039893230696911, 1e-10);
        // py: float(Fraction(sum(math.comb(100, i) for i in range(18)), 2**100))
        assert_rel(binomial_cdf_half(17, 100), 6.54899932503511e-12, 1e-10);
        // Upper half goes through the symmetry; the exact value rounds to 1.0.
        // py: float(Fraction(sum(math.comb(10000, i) for i in range(6001)), 2**10000))
        assert_eq!(binomial_cdf_half(6000, 10_000), 1.0);
        // 2^-10000 is below the smallest f64.
        assert_eq!(binomial_cdf_half(0, 10_000), 0.0);
    }

    #[test]
    fn mcnemar_by_hand() {
        // P[X=0] for Bin(5, 1/2) is 1/32; doubled: 2/32
        assert_eq!(mcnemar_exact(0, 5), 0.0625);
        assert_eq!(mcnemar_exact(5, 0), 0.0625);
        // (1 + 10)/1024, doubled: 22/1024
        assert_rel(mcnemar_exact(1, 9), 22.0 / 1024.0, 1e-15);
        // Both tails include the centre: 2·P[X ≤ 3] > 1, capped.
        assert_eq!(mcnemar_exact(3, 3), 1.0);
        assert_eq!(mcnemar_exact(0, 0), 1.0);
    }

    #[test]
    fn mcnemar_matches_scipy_binomtest() {
        // py: stats.binomtest(40, 110, 0.5).pvalue
        assert_rel(mcnemar_exact(40, 70), 0.005447429511444476, 1e-9);
        // py: stats.binomtest(80, 200, 0.5).pvalue
        assert_rel(mcnemar_exact(120, 80), 0.005685155996750306, 1e-9);
        // py: stats.binomtest(1000, 2100, 0.5).pvalue
        assert_rel(mcnemar_exact(1000, 1100), 0.03072070786424249, 1e-9);
        // Same value in exact rational arithmetic, to 1e-12:
        // py: float(2*Fraction(sum(math.comb(2100, i) for i in range(1001)), 2**2100))
        assert_rel(mcnemar_exact(1000, 1100), 0.030720707864242296, 1e-12);
    }

    #[track_caller]
    fn assert_all_close(got: &[f64], expected: &[f64]) {
        assert_eq!(got.len(), expected.len());
        for (&g, &e) in got.iter().zip(expected) {
            assert_rel(g, e, 1e-12);
        }
    }

    #[test]
    fn holm_matches_statsmodels() {
        // py: list(multipletests([0.01, 0.04, 0.03, 0.005, 0.5], method='holm')[1])
        let expected = [0.04, 0.09, 0.09, 0.025, 0.5];
        assert_all_close(&holm(&[0.01, 0.04, 0.03, 0.005, 0.5]), &expected);
    }

    #[test]
    fn holm_ties_and_cap_match_statsmodels() {
        // py: list(multipletests([0.02, 0.02, 0.3, 0.6, 0.02, 0.9], method='holm')[1])
        let expected = [0.12, 0.12, 0.8999999999999999, 1.0, 0.12, 1.0];
        let got = holm(&[0.02, 0.02, 0.3, 0.6, 0.02, 0.9]);
        assert_all_close(&got, &expected);
        assert_eq!(got[3], 1.0);
    }

    #[test]
    fn holm_edge_inputs() {
        assert!(holm(&[]).is_empty());
        assert_eq!(holm(&[0.3]), vec![0.3]);
        // NaN still counts in m = 3: 3·0.01 = 0.03, then max(0.03, 2·0.02) = 0.04.
        let got = holm(&[0.01, f64::NAN, 0.02]);
        assert!(got[1].is_nan());
        assert_all_close(&[got[0], got[2]], &[0.03, 0.04]);
        let got = holm(&[0.01, -f64::NAN, 0.02]);
        assert!(got[1].is_nan());
        assert_all_close(&[got[0], got[2]], &[0.03, 0.04]);
    }

    #[test]
    fn average_ranks_with_ties() {
        // sorted: 1.0 (rank 1), 2.0 ×2 (ranks 2,3 → 2.5), 5.0 (4), 7.0 ×3 (5,6,7 → 6)
        let ranks = average_ranks(&[7.0, 2.0, 5.0, 7.0, 1.0, 2.0, 7.0]);
        assert_eq!(ranks, vec![6.0, 2.5, 4.0, 6.0, 1.0, 2.5, 6.0]);
        assert!(average_ranks(&[]).is_empty());
    }

    #[track_caller]
    fn check_spearman(x: &[f64], y: &[f64], rho: f64, p: f64) {
        let s = spearman(x, y).expect("defined");
        assert_eq!(s.n, x.len());
        assert_rel(s.rho, rho, 1e-12);
        assert_rel(s.p, p, 1e-9);
    }

    #[test]
    fn spearman_matches_scipy() {
        // Tie-free.
        // py: tuple(stats.spearmanr([1,2,3,4,5,6,7], [2,1,4,3,7,5,6]))
        check_spearman(
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            &[2.0, 1.0, 4.0, 3.0, 7.0, 5.0, 6.0],
            0.8214285714285715,
            0.0234488083456915,
        );
        // Ties in both variables.
        // py: tuple(stats.spearmanr([1,2,2,3,4,4,4,5], [3,1,2,2,5,4,6,6]))
        check_spearman(
            &[1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0, 5.0],
            &[3.0, 1.0, 2.0, 2.0, 5.0, 4.0, 6.0, 6.0],
            0.7889568540593018,
            0.019936718107142443,
        );
        // n = 3: rho = 1 − 6·2/(3·8) = 0.5; t = 0.5·√(1/0.75) = 1/√3 on 1 df
        // (Cauchy), p = 1 − (2/π)·atan(1/√3) = 1 − (2/π)(π/6) = 2/3.
        // py: tuple(stats.spearmanr([1,2,3], [1,3,2]))
        check_spearman(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0], 0.5, 0.6666666666666666);
    }

    #[test]
    fn spearman_perfect_monotone() {
        // scipy reports rho = ±0.9999999999999999 and p = 1.4042654220543602e-24
        // (float noise in its mean); exact ranks give ±1 and p = 0.
        // py: tuple(stats.spearmanr([1,2,3,4,5], [10,20,30,40,1000]))
        let up = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[10.0, 20.0, 30.0, 40.0, 1000.0]).unwrap();
        assert_rel(up.rho, 0.9999999999999999, 1e-12);
        assert_eq!((up.rho, up.p, up.n), (1.0, 0.0, 5));
        // py: tuple(stats.spearmanr([1,2,3,4,5], [5,4,3,2,-7]))
        let down = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 4.0, 3.0, 2.0, -7.0]).unwrap();
        assert_rel(down.rho, -0.9999999999999999, 1e-12);
        assert_eq!((down.rho, down.p), (-1.0, 0.0));
    }

    #[test]
    fn spearman_undefined_cases() {
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[1.0, 2.0]), None);
        assert_eq!(spearman(&[1.0, 2.0], &[2.0, 1.0]), None);
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]), None);
        assert_eq!(spearman(&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[1.0, f64::INFINITY, 3.0]), None);
    }

    #[test]
    fn student_t_matches_scipy() {
        // py: 2*stats.t.sf(2.0, 5)
        assert_rel(student_t_two_sided_p(2.0, 5.0), 0.10193947882985835, 1e-9);
        // py: 2*stats.t.sf(0.5, 1.5)
        assert_rel(student_t_two_sided_p(0.5, 1.5), 0.68056711066994, 1e-9);
        // py: 2*stats.t.sf(10.0, 30)
        assert_rel(student_t_two_sided_p(10.0, 30.0), 4.575251408229618e-11, 1e-9);
        // Cauchy: P[|T| ≥ 1] = 1 − (2/π)·atan(1) = 1/2.
        // py: 2*stats.t.sf(1.0, 1)
        assert_rel(student_t_two_sided_p(1.0, 1.0), 0.5000000000000001, 1e-9);
        // py: 2*stats.t.sf(3.0, 12)
        assert_rel(student_t_two_sided_p(-3.0, 12.0), 0.01106669568603369, 1e-9);
        // py: 2*stats.t.sf(4.0, 9998)
        assert_rel(student_t_two_sided_p(4.0, 9998.0), 6.379876031120869e-05, 1e-9);
        // Tiny t: p ≈ 1 must not suffer from 1 − x cancellation (was off by ~6e-9).
        // py: 2*stats.t.sf(3e-05, 5000)
        assert_rel(student_t_two_sided_p(3e-5, 5000.0), 0.9999760646599763, 1e-12);
        assert_eq!(student_t_two_sided_p(0.0, 7.0), 1.0);
        assert_eq!(student_t_two_sided_p(f64::INFINITY, 7.0), 0.0);
        assert!(student_t_two_sided_p(f64::NAN, 7.0).is_nan());
    }

    #[test]
    fn incomplete_beta_matches_scipy() {
        // By hand: I_0.4(2,3) = Σ_{j=2..4} C(4,j) 0.4^j 0.6^(4−j)
        //   = 0.3456 + 0.1536 + 0.0256 = 0.5248; scipy agrees (0.5247999999999999):
        // py: special.betainc(2, 3, 0.4)
        assert_rel(regularized_incomplete_beta(2.0, 3.0, 0.4), 0.5248, 1e-12);
        // py: special.betainc(0.5, 0.5, 0.1)
        assert_rel(regularized_incomplete_beta(0.5, 0.5, 0.1), 0.20483276469913345, 1e-9);
        // Above (a+1)/(a+b+2): exercises the symmetry swap.
        // py: special.betainc(10, 20, 0.7)
        assert_rel(regularized_incomplete_beta(10.0, 20.0, 0.7), 0.9999828580828269, 1e-9);
        // py: special.betainc(5000, 0.5, 0.999)
        assert_rel(regularized_incomplete_beta(5000.0, 0.5, 0.999), 0.0015615791602892836, 1e-9);
        // a < 1/2: exercises the ln-gamma reflection.
        // py: special.betainc(0.3, 4.0, 0.05)
        assert_rel(regularized_incomplete_beta(0.3, 4.0, 0.05), 0.6469340499930029, 1e-9);
        // py: special.betainc(7.5, 0.5, 0.2)
        assert_rel(regularized_incomplete_beta(7.5, 0.5, 0.2), 1.2783477850604935e-06, 1e-9);
        assert_eq!(regularized_incomplete_beta(2.0, 3.0, 0.0), 0.0);
        assert_eq!(regularized_incomplete_beta(2.0, 3.0, 1.0), 1.0);
        assert!(regularized_incomplete_beta(0.0, 3.0, 0.5).is_nan());
        assert!(regularized_incomplete_beta(2.0, 3.0, 1.5).is_nan());
    }

    #[test]
    fn ln_gamma_matches_python() {
        // py: [math.lgamma(x) for x in (0.3, 0.5, 7.0, 100.5, 5000.0)]
        let cases = [
            (0.3, 1.0957979948180752),
            (0.5, 0.5723649429247004),
            (7.0, 6.579251212010102),
            (100.5, 361.4355404677776),
            (5000.0, 37582.626315685346),
        ];
        for (x, expected) in cases {
            assert_rel(ln_gamma(x), expected, 1e-13);
        }
        // Γ(1) = 1
        assert!(ln_gamma(1.0).abs() < 1e-15);
    }
}
