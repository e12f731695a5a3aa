//! Ranks that are no more precise than the data.
//!
//! A model's rank is 1 + the number of models whose whole 95% interval lies below (safer than)
//! its own interval. Models whose intervals overlap share a rank, so two models a hair apart are
//! not presented as 1st and 2nd. This is the rule LMArena uses for its "Rank (UB)".

/// `intervals[i]` is model i's (low, high) ASR interval; returns each model's rank.
/// Quadratic, which is fine: a leaderboard holds tens of models, not millions.
pub fn honest_ranks(intervals: &[(f64, f64)]) -> Vec<u32> {
    let highs: Vec<f64> = intervals.iter().map(|i| i.1).collect();
    intervals.iter().map(|&(low, _)| rank_against(low, &highs)).collect()
}

/// The rank of an interval starting at `low` among intervals ending at `highs` (its own
/// included, which never lies wholly below itself).
pub fn rank_against(low: f64, highs: &[f64]) -> u32 {
    1 + highs.iter().filter(|&&high| high < low).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separated_intervals_give_distinct_ranks() {
        assert_eq!(honest_ranks(&[(10.0, 12.0), (20.0, 22.0), (30.0, 33.0)]), [1, 2, 3]);
    }

    #[test]
    fn overlapping_intervals_share_a_rank() {
        // B overlaps A, so B is not significantly worse than A: both rank 1.
        // C lies above A and B: two models are entirely safer, so C ranks 3.
        let ranks = honest_ranks(&[(10.0, 15.0), (14.0, 19.0), (20.0, 25.0)]);
        assert_eq!(ranks, [1, 1, 3]);
    }

    #[test]
    fn chain_of_overlaps_is_not_transitive() {
        // A overlaps B, B overlaps C, but A lies entirely below C.
        let ranks = honest_ranks(&[(10.0, 14.0), (13.0, 18.0), (17.0, 21.0)]);
        assert_eq!(ranks, [1, 1, 2]);
    }

    #[test]
    fn touching_intervals_overlap() {
        // high == low is not "entirely below".
        assert_eq!(honest_ranks(&[(10.0, 15.0), (15.0, 20.0)]), [1, 1]);
    }

    #[test]
    fn order_of_input_does_not_matter() {
        let ranks = honest_ranks(&[(30.0, 33.0), (10.0, 12.0), (20.0, 22.0)]);
        assert_eq!(ranks, [3, 1, 2]);
        assert!(honest_ranks(&[]).is_empty());
    }
}
