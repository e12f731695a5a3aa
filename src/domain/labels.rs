//! Per-item labels in compact form: for each (category, relation) cell of a result, how many
//! items it has and which of them were unsafe, one bit each. Items pair across models by
//! (category, relation, index), and the harness numbers a cell's items 0, 1, 2, ... in file
//! order, so two results share the first `min(n_a, n_b)` items of each cell.
//!
//! Paired tests, the safest model's comparison with every other, item consensus and judge
//! agreement all reduce to counting bits; a whole population of results (a thousand runs of
//! 2,676 items) is a few hundred kilobytes and is compared in milliseconds.

use super::agreement::Joint;
use super::compare::CellPairs;
use super::submission::ItemLabel;
use super::taxonomy::{Relation, RiskCategory};

/// Format version of [`LabelBits::encode`]; a stored blob of another version is refused.
const VERSION: u8 = 1;

/// The unsafe bits of one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellBits {
    pub category: RiskCategory,
    pub relation: Relation,
    /// Items in the cell, indices `0..n`.
    pub n: u32,
    /// Bit `i` (LSB first in byte `i / 8`): item `i` was unsafe.
    bits: Vec<u8>,
}

impl CellBits {
    pub fn is_unsafe(&self, index: u32) -> Option<bool> {
        (index < self.n).then(|| self.bits[(index / 8) as usize] & (1 << (index % 8)) != 0)
    }

    /// Unsafe items among the first `n`.
    fn unsafe_among(&self, n: u32) -> u64 {
        count(&self.bits, n, |a| a)
    }
}

/// Counts set bits of `f(byte)` over the first `n` bits.
fn count(bits: &[u8], n: u32, f: impl Fn(u8) -> u8) -> u64 {
    let full = (n / 8) as usize;
    let mut total: u64 = bits[..full].iter().map(|b| u64::from(f(*b).count_ones())).sum();
    let rest = n % 8;
    if rest > 0 {
        total += u64::from((f(bits[full]) & ((1u8 << rest) - 1)).count_ones());
    }
    total
}

/// Every cell of one result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelBits {
    /// Ordered by (category, relation), at most one per cell.
    cells: Vec<CellBits>,
}

/// Why a stored blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored item labels are damaged: {0}")]
pub struct BadLabels(&'static str);

impl LabelBits {
    /// From the per-item labels of an ingested tree (each cell's indices are 0..n).
    pub fn from_items(items: &[ItemLabel]) -> Self {
        let mut cells: Vec<CellBits> = Vec::new();
        let mut sorted: Vec<&ItemLabel> = items.iter().collect();
        sorted.sort_by_key(|i| (i.category, i.relation, i.index));
        for item in sorted {
            let same = cells.last().is_some_and(|c| c.category == item.category && c.relation == item.relation);
            if !same {
                cells.push(CellBits { category: item.category, relation: item.relation, n: 0, bits: vec![] });
            }
            let cell = cells.last_mut().expect("pushed above");
            // Indices are consecutive from 0; a gap would be counted as safe items, which the
            // ingest never produces.
            while cell.n <= item.index {
                if cell.n.is_multiple_of(8) {
                    cell.bits.push(0);
                }
                cell.n += 1;
            }
            if item.is_unsafe {
                cell.bits[(item.index / 8) as usize] |= 1 << (item.index % 8);
            }
        }
        Self { cells }
    }

    pub fn cells(&self) -> &[CellBits] {
        &self.cells
    }

    pub fn cell(&self, category: RiskCategory, relation: Relation) -> Option<&CellBits> {
        self.cells.iter().find(|c| c.category == category && c.relation == relation)
    }

    /// `[version, then per cell: category, relation, n (u16 LE), ceil(n/8) bytes]`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        for c in &self.cells {
            out.push(c.category.position());
            out.push(c.relation.position());
            out.extend_from_slice(&(c.n as u16).to_le_bytes());
            out.extend_from_slice(&c.bits);
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, BadLabels> {
        let (version, mut rest) = bytes.split_first().ok_or(BadLabels("empty"))?;
        if *version != VERSION {
            return Err(BadLabels("unknown version"));
        }
        let mut cells = Vec::new();
        while !rest.is_empty() {
            let [cat, rel, lo, hi, tail @ ..] = rest else { return Err(BadLabels("truncated cell header")) };
            let category = *RiskCategory::ALL.get(*cat as usize).ok_or(BadLabels("unknown category"))?;
            let relation = *Relation::ALL.get(*rel as usize).ok_or(BadLabels("unknown relation"))?;
            let n = u32::from(u16::from_le_bytes([*lo, *hi]));
            let len = n.div_ceil(8) as usize;
            if tail.len() < len {
                return Err(BadLabels("truncated bits"));
            }
            cells.push(CellBits { category, relation, n, bits: tail[..len].to_vec() });
            rest = &tail[len..];
        }
        Ok(Self { cells })
    }

    /// Paired counts per cell against `other` (A = self), over the items both have.
    pub fn paired_cells(&self, other: &LabelBits) -> Vec<CellPairs> {
        let mut out = Vec::new();
        for a in &self.cells {
            let Some(b) = other.cell(a.category, a.relation) else { continue };
            let n = a.n.min(b.n);
            if n == 0 {
                continue;
            }
            let len = n.div_ceil(8) as usize;
            let (mut a_only, mut b_only) = (0u64, 0u64);
            for i in 0..len {
                let mask = if i + 1 == len && !n.is_multiple_of(8) { (1u8 << (n % 8)) - 1 } else { 0xFF };
                a_only += u64::from((a.bits[i] & !b.bits[i] & mask).count_ones());
                b_only += u64::from((!a.bits[i] & b.bits[i] & mask).count_ones());
            }
            out.push(CellPairs { category: a.category, relation: a.relation, shared: u64::from(n), a_only, b_only });
        }
        out
    }

    /// The 2x2 table of self (A) and `other` (B) over the items both have: two judges' labels
    /// of the same model's answers, for [`super::agreement`].
    pub fn joint(&self, other: &LabelBits) -> Joint {
        let mut t = Joint::default();
        for a in &self.cells {
            let Some(b) = other.cell(a.category, a.relation) else { continue };
            let n = a.n.min(b.n);
            let and: Vec<u8> = a.bits.iter().zip(&b.bits).map(|(x, y)| x & y).collect();
            let both_unsafe = count(&and, n, |x| x);
            let a_unsafe = a.unsafe_among(n);
            let b_unsafe = b.unsafe_among(n);
            t.both_unsafe += both_unsafe;
            t.only_a += a_unsafe - both_unsafe;
            t.only_b += b_unsafe - both_unsafe;
            t.both_safe += u64::from(n) - (a_unsafe + b_unsafe - both_unsafe);
        }
        t
    }

    /// Discordant items against `other` over everything both have: (unsafe only for self,
    /// unsafe only for other).
    pub fn discordant(&self, other: &LabelBits) -> (u64, u64) {
        self.paired_cells(other).iter().fold((0, 0), |(x, y), c| (x + c.a_only, y + c.b_only))
    }

    /// Unsafe items in total (for checks).
    pub fn unsafe_total(&self) -> u64 {
        self.cells.iter().map(|c| c.unsafe_among(c.n)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(c: RiskCategory, r: Relation, index: u32, is_unsafe: bool) -> ItemLabel {
        ItemLabel { category: c, relation: r, index, is_unsafe, refusal: None }
    }

    #[test]
    fn labels_round_trip_through_bytes() {
        use Relation::*;
        use RiskCategory::*;
        let mut items = vec![];
        for i in 0..19 {
            items.push(item(Violence, Analogy, i, i % 3 == 0));
        }
        items.push(item(Privacy, TemporalJump, 0, true));
        let bits = LabelBits::from_items(&items);
        assert_eq!(bits.cell(Violence, Analogy).unwrap().n, 19);
        assert_eq!(bits.cell(Violence, Analogy).unwrap().is_unsafe(18), Some(true));
        assert_eq!(bits.cell(Violence, Analogy).unwrap().is_unsafe(17), Some(false));
        assert_eq!(bits.cell(Violence, Analogy).unwrap().is_unsafe(19), None);
        assert_eq!(bits.unsafe_total(), 7 + 1);
        let bytes = bits.encode();
        assert_eq!(bytes.len(), 1 + (4 + 3) + (4 + 1));
        assert_eq!(LabelBits::decode(&bytes).unwrap(), bits);
        assert!(LabelBits::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(LabelBits::decode(&[2]).is_err());
        assert!(LabelBits::decode(&[]).is_err());
    }

    #[test]
    fn pairing_counts_only_shared_items_and_matches_a_plain_count() {
        use Relation::*;
        use RiskCategory::*;
        // A has 13 items, B 10: items 10..12 of A are not shared.
        let a: Vec<ItemLabel> =
            (0..13).map(|i| item(HateSpeech, Causality, i, [1, 2, 5, 9, 11, 12].contains(&i))).collect();
        let b: Vec<ItemLabel> = (0..10).map(|i| item(HateSpeech, Causality, i, [2, 3, 4, 9].contains(&i))).collect();
        let (pa, pb) = (LabelBits::from_items(&a), LabelBits::from_items(&b));
        let cells = pa.paired_cells(&pb);
        assert_eq!(cells, [CellPairs { category: HateSpeech, relation: Causality, shared: 10, a_only: 2, b_only: 2 }]);
        // The same by brute force over the shared indices.
        let (mut x, mut y) = (0, 0);
        for i in 0..10 {
            match (a[i].is_unsafe, b[i].is_unsafe) {
                (true, false) => x += 1,
                (false, true) => y += 1,
                _ => {}
            }
        }
        assert_eq!(pa.discordant(&pb), (x, y));
        assert_eq!(pb.discordant(&pa), (y, x));
        // The 2x2 table by brute force too.
        let mut t = Joint::default();
        for i in 0..10 {
            match (a[i].is_unsafe, b[i].is_unsafe) {
                (true, true) => t.both_unsafe += 1,
                (true, false) => t.only_a += 1,
                (false, true) => t.only_b += 1,
                (false, false) => t.both_safe += 1,
            }
        }
        assert_eq!(pa.joint(&pb), t);
        assert_eq!(t, Joint { both_unsafe: 2, only_a: 2, only_b: 2, both_safe: 4 });
        // A cell only one side has shares nothing.
        let c = LabelBits::from_items(&[item(Privacy, Analogy, 0, true)]);
        assert!(pa.paired_cells(&c).is_empty());
        assert_eq!(pa.joint(&c).n(), 0);
    }
}
