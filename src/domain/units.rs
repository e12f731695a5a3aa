//! Sizes as people read them, in the one spelling every message of the site uses.

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// `2 GiB`, `256 MiB`, `1.5 MiB`, `700 bytes`: whole units when the size is a whole number of
/// them (limits usually are), one decimal otherwise.
pub fn format_bytes(n: u64) -> String {
    for (unit, name) in [(GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")] {
        if n >= unit {
            return if n.is_multiple_of(unit) {
                format!("{} {name}", n / unit)
            } else {
                format!("{:.1} {name}", n as f64 / unit as f64)
            };
        }
    }
    format!("{n} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_units_stay_whole_and_the_rest_gets_one_decimal() {
        assert_eq!(format_bytes(2 * GIB), "2 GiB");
        assert_eq!(format_bytes(256 * MIB), "256 MiB");
        assert_eq!(format_bytes(MIB + MIB / 2), "1.5 MiB");
        assert_eq!(format_bytes(KIB), "1 KiB");
        assert_eq!(format_bytes(1000), "1000 bytes");
        assert_eq!(format_bytes(0), "0 bytes");
    }
}
