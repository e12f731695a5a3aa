//! Entry names: normalising a name as stored into an [`EntryPath`], refusing names that escape
//! the root or could disguise themselves, and making uploader-chosen text safe to quote in
//! messages.

use std::fmt;

/// A path inside the archive, as normalised components ("a/b/c.json" -> ["a","b","c.json"]).
///
/// Components are never empty, `.` or `..`, and contain neither `/` nor `\`. Ordering is by
/// component, which is the order in which a directory is visited.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryPath(Vec<String>);

impl EntryPath {
    /// The normalised components, outermost first.
    pub fn components(&self) -> &[String] {
        &self.0
    }

    /// The last component: the file's own name.
    pub fn file_name(&self) -> &str {
        self.0.last().map_or("", String::as_str)
    }

    /// The path an entry stored as `name` gets, if the reader would accept the name.
    pub fn parse(name: &str) -> Option<Self> {
        normalise(name).ok().filter(|path| !path.0.is_empty())
    }
}

impl fmt::Display for EntryPath {
    /// Components joined by `/`, e.g. `a/b/c.json`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

#[cfg(test)]
impl EntryPath {
    /// The path an archive entry stored as `name` gets, for tests of the code that consumes
    /// entries. Panics on a name the reader would refuse.
    pub(crate) fn for_test(name: &str) -> Self {
        match normalise(name) {
            Ok(path) if !path.0.is_empty() => path,
            _ => panic!("not a usable entry name: {name:?}"),
        }
    }
}

pub(super) enum NameProblem {
    Absolute,
    Traversal,
    Invalid(&'static str),
}

/// Normalises a name as stored into path components.
///
/// Backslashes count as separators: Windows tools write them into zips, and treating them as
/// plain characters would let `..\evil.json` slip past the `..` check in any consumer that later
/// runs on Windows. `.` and empty segments are dropped; `..` is resolved lexically (no links
/// exist to make that ambiguous) and refused once it would leave the root.
pub(super) fn normalise(name: &str) -> Result<EntryPath, NameProblem> {
    if name.chars().any(char::is_control) {
        return Err(NameProblem::Invalid("it contains control characters (such as a line break or NUL)"));
    }
    if name.chars().any(is_bidi_control) {
        return Err(NameProblem::Invalid("it contains invisible text-direction characters, which can disguise a name"));
    }
    let unified = name.replace('\\', "/");
    let bytes = unified.as_bytes();
    // "/x", "\x", "\\server\share" and Windows drive paths ("C:\x", "C:x") are all anchored
    // somewhere other than the archive's root.
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if unified.starts_with('/') || drive {
        return Err(NameProblem::Absolute);
    }
    let mut components: Vec<String> = Vec::new();
    for segment in unified.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if components.pop().is_none() {
                    return Err(NameProblem::Traversal);
                }
            }
            other => components.push(other.to_owned()),
        }
    }
    Ok(EntryPath(components))
}

/// Unicode characters that reorder how text is displayed (the "Trojan Source" set).
pub(super) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

pub(super) fn is_dir_name(name: &[u8]) -> bool {
    matches!(name.last(), Some(b'/') | Some(b'\\'))
}

pub(super) fn lossy(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// Decoder messages can quote header bytes, which the uploader controls: escape control
/// characters and cap the length before they reach a message.
pub(super) fn sanitize(text: impl fmt::Display) -> String {
    let mut out = String::new();
    for c in text.to_string().chars().take(300) {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
