//! Tar and tar.gz archives, with GNU long names and PAX headers applied by hand.

use super::limits::{MAX_METADATA_BYTES, MAX_TRAILING_BYTES};
use super::names::{is_dir_name, lossy, sanitize};
use super::{
    ArchiveError, LinkKind, SourceKind, Summary, VisitError, Visitor, Walker, corrupt, looks_like_tar, read_prefix,
};
use std::io::{self, Read};

/// A `.tar.gz` made of several gzip members (`cat a.gz b.gz`) is read whole, as `tar -xzf`
/// reads it, so that the leaderboard sees what every other tool sees.
pub(super) fn visit_tar_gz<R: Read, E>(
    reader: R,
    walker: Walker<'_>,
    visitor: &mut Visitor<'_, E>,
) -> Result<Summary, VisitError<E>> {
    let kind = SourceKind::TarGz;
    let mut gz = flate2::read::MultiGzDecoder::new(io::BufReader::new(reader));
    let mut head = [0u8; 512];
    let n = read_prefix(&mut gz, &mut head).map_err(|e| corrupt(kind, None, e))?;
    if !looks_like_tar(&head[..n]) {
        return Err(ArchiveError::UnrecognizedFormat {
            detail: "it is gzip-compressed, but what is inside is not a tar archive",
        }
        .into());
    }
    let stream = io::Cursor::new(head[..n].to_vec()).chain(gz);
    let (summary, mut rest) = visit_tar(stream, walker, visitor)?;
    // The tar reader stops at the end-of-archive marker, before the gzip trailer. Reading on to
    // the end of the gzip stream verifies its checksum and length, so a damaged or truncated
    // upload is refused rather than half-accepted; the cap keeps a bomb hidden after the marker
    // from costing anything.
    let trailing =
        io::copy(&mut (&mut rest).take(MAX_TRAILING_BYTES + 1), &mut io::sink()).map_err(|e| corrupt(kind, None, e))?;
    if trailing > MAX_TRAILING_BYTES {
        return Err(corrupt(kind, None, "more than 1 MiB of data follows the end of the tar archive").into());
    }
    Ok(summary)
}

/// Tar members are processed in raw mode: the tar crate would otherwise read GNU long names and
/// PAX headers into memory whatever their size. Here they are read with a 1 MiB cap and applied
/// to the next member by hand. Every header block (512 bytes) and extension record counts
/// against the total size, like the files.
pub(super) fn visit_tar<R: Read, E>(
    reader: R,
    mut walker: Walker<'_>,
    visitor: &mut Visitor<'_, E>,
) -> Result<(Summary, R), VisitError<E>> {
    let kind = walker.kind;
    let mut archive = tar::Archive::new(reader);
    {
        let entries = archive.entries().map_err(|e| corrupt(kind, None, e))?.raw(true);
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link = false;
        let mut pax: Option<Vec<u8>> = None;
        let mut previous: Option<String> = None;
        for member in entries {
            // A broken header is reported with the last good entry, the best "where" we have.
            let mut member = member.map_err(|e| {
                let detail = match &previous {
                    Some(prev) => format!("after entry {prev:?}: {e}"),
                    None => e.to_string(),
                };
                corrupt(kind, None, detail)
            })?;
            let entry_type = member.header().entry_type();
            walker.charge(HEADER_BYTES, previous.as_deref().unwrap_or(""))?;
            let pending_extension = match entry_type {
                tar::EntryType::GNULongName => Some(&mut long_name),
                tar::EntryType::XHeader => Some(&mut pax),
                tar::EntryType::GNULongLink if !long_link => {
                    long_link = true;
                    read_metadata(&mut walker, &mut member, &previous)?;
                    continue;
                }
                tar::EntryType::GNULongLink => {
                    return Err(corrupt(kind, None, "two long link names describe the same member").into());
                }
                _ => None,
            };
            if let Some(slot) = pending_extension {
                if slot.is_some() {
                    return Err(corrupt(kind, None, "two extended headers of one kind describe the same member").into());
                }
                *slot = Some(read_metadata(&mut walker, &mut member, &previous)?);
                continue;
            }

            let raw = tar_name(&member, long_name.take(), pax.take(), kind)?;
            long_link = false;
            let entry = lossy(&raw);
            walker.count_entry(&entry)?;
            previous = Some(entry.clone());

            let is_dir = match entry_type {
                // Global PAX headers (git archive writes one) only hold metadata; counted so that
                // a flood of them is still bounded, and read with a cap rather than left for the
                // tar crate to skip (skipping decompresses everything, however large).
                tar::EntryType::XGlobalHeader => {
                    read_metadata(&mut walker, &mut member, &previous)?;
                    continue;
                }
                tar::EntryType::Regular | tar::EntryType::Continuous => is_dir_name(&raw),
                tar::EntryType::Directory => true,
                tar::EntryType::Symlink => {
                    return Err(ArchiveError::Link { entry, kind: LinkKind::Symbolic }.into());
                }
                tar::EntryType::Link => {
                    return Err(ArchiveError::Link { entry, kind: LinkKind::Hard }.into());
                }
                other => {
                    return Err(ArchiveError::SpecialFile { entry, kind: tar_type_name(other) }.into());
                }
            };
            let Some(path) = walker.claim(&raw, &entry, is_dir)? else {
                continue;
            };
            if is_dir {
                // Directories have no data, but a header can claim some; the tar crate would
                // decompress all of it to skip it, so read it here, within a cap.
                if walker.read_metadata(&mut member, &entry, MAX_METADATA_BYTES)?.is_none() {
                    return Err(
                        corrupt(kind, Some(&entry), "this directory entry carries more than 1 MiB of data").into()
                    );
                }
                continue;
            }
            let declared = member.size();
            let read = walker.deliver(&path, &entry, &mut member, visitor)?;
            // The tar crate hands out short data when the archive ends mid-file. The declared
            // size is only used here, to notice that; limits were checked on real bytes.
            if read < declared {
                return Err(corrupt(kind, Some(&entry), "the archive ends in the middle of this file").into());
            }
        }
        if long_name.is_some() || long_link || pax.is_some() {
            return Err(corrupt(kind, None, "the archive ends with an extended header but no member after it").into());
        }
    }
    Ok((walker.summary(), archive.into_inner()))
}

/// A tar header block: charged for every member, extension headers included.
const HEADER_BYTES: u64 = 512;

/// An extension header's data (long name, PAX records), within the 1 MiB cap and counted
/// against the total.
fn read_metadata<R: Read>(
    walker: &mut Walker<'_>,
    member: &mut tar::Entry<'_, R>,
    previous: &Option<String>,
) -> Result<Vec<u8>, ArchiveError> {
    let kind = walker.kind;
    let at = previous.as_deref().unwrap_or("");
    match walker.read_metadata(member, at, MAX_METADATA_BYTES) {
        Ok(Some(data)) => Ok(data),
        Ok(None) => Err(corrupt(kind, None, "an extended header (long name or PAX record) is larger than 1 MiB")),
        Err(ArchiveError::Corrupt { format, detail, .. }) => Err(ArchiveError::Corrupt { format, entry: None, detail }),
        Err(e) => Err(e),
    }
}

/// The member's name: a PAX `path` record, else a GNU long name, else the header's own name.
/// Two different long names, or a PAX size that disagrees with the header, are refused: tools
/// resolve such conflicts differently, so the archive would not mean the same thing everywhere.
fn tar_name<R: Read>(
    member: &tar::Entry<'_, R>,
    long_name: Option<Vec<u8>>,
    pax: Option<Vec<u8>>,
    kind: SourceKind,
) -> Result<Vec<u8>, ArchiveError> {
    let header_name = member.path_bytes().into_owned();
    let broken = |detail: &str| corrupt(kind, Some(&lossy(&header_name)), detail);
    let mut pax_path = None;
    if let Some(records) = &pax {
        for record in tar::PaxExtensions::new(records) {
            let record = record.map_err(|_| broken("its PAX header is malformed"))?;
            match record.key_bytes() {
                b"path" => pax_path = Some(record.value_bytes().to_vec()),
                b"size" => {
                    let size = record.value().ok().and_then(|v| v.parse::<u64>().ok());
                    if size != Some(member.size()) {
                        return Err(broken("its PAX header declares a different size than its tar header"));
                    }
                }
                key if key.starts_with(b"GNU.sparse.") => {
                    return Err(ArchiveError::SpecialFile {
                        entry: lossy(&pax_path.unwrap_or(header_name)),
                        kind: "sparse file (tar --sparse)".to_owned(),
                    });
                }
                _ => {}
            }
        }
    }
    let long_name = long_name.map(|mut name| {
        while name.last() == Some(&0) {
            name.pop();
        }
        name
    });
    match (pax_path, long_name) {
        (Some(a), Some(b)) if a != b => Err(broken("its PAX path and GNU long name disagree")),
        (Some(name), _) | (None, Some(name)) => Ok(name),
        (None, None) => Ok(header_name),
    }
}

fn tar_type_name(entry_type: tar::EntryType) -> String {
    match entry_type {
        tar::EntryType::Char => "character device".to_owned(),
        tar::EntryType::Block => "block device".to_owned(),
        tar::EntryType::Fifo => "FIFO (named pipe)".to_owned(),
        tar::EntryType::GNUSparse => "sparse file (tar --sparse)".to_owned(),
        other => format!("tar member of unsupported type {}", sanitize(format!("{:?}", other.as_byte() as char))),
    }
}
