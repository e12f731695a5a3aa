//! How much an upload may hold: the caller's [`Limits`] and the fixed caps on metadata, all
//! checked against bytes actually read.

pub(super) const KIB: u64 = 1024;
pub(super) const MIB: u64 = 1024 * KIB;
pub(super) const GIB: u64 = 1024 * MIB;

/// Extension headers (tar long names, PAX records) carry only metadata. Real ones are a few
/// hundred bytes; the tar crate itself would read any size into memory, so we cap them.
pub(super) const MAX_METADATA_BYTES: u64 = MIB;

/// How much data may follow the end-of-archive marker inside a `.tar.gz`. Tar pads archives to
/// 10 KiB records, so legitimate padding is far smaller than this.
pub(super) const MAX_TRAILING_BYTES: u64 = MIB;

/// Size limits for one upload. Every limit is checked against bytes actually read, never against
/// sizes declared in headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of entries, directories included (the root itself is not an entry).
    pub max_entries: u64,
    /// Maximum sum of the uncompressed sizes of all files.
    pub max_total_bytes: u64,
    /// Maximum uncompressed size of one file.
    pub max_entry_bytes: u64,
}

impl Default for Limits {
    /// 20 000 entries, 512 MiB in total, 64 MiB per file. The largest real judge file (441
    /// items with long reasoning answers) is a few MB. A judge file is held whole only up to
    /// 16 MiB and streamed beyond, so these bound time, not memory.
    fn default() -> Self {
        Limits { max_entries: 20_000, max_total_bytes: 512 * MIB, max_entry_bytes: 64 * MIB }
    }
}

/// A limit as messages show it: `2 GiB`, `512 MiB`, or a plain byte count.
pub(super) fn human_size(bytes: &u64) -> String {
    let n = *bytes;
    for (unit, name) in [(GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")] {
        if n >= unit && n.is_multiple_of(unit) {
            return format!("{} {name}", n / unit);
        }
    }
    format!("{n} bytes")
}
