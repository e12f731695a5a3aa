//! What stands between a judge file's bytes and the JSON parser: a reader that passes the bytes
//! on unchanged while checking that they are UTF-8, that no JSON string is longer than
//! [`MAX_STRING_BYTES`] and that nothing is nested deeper than [`MAX_DEPTH`]. The parser holds
//! one string at a time in its scratch buffer (and keeps a stack of the brackets it skips), so
//! these two caps bound its memory whatever the file holds.
//!
//! The checks run on the raw bytes, ahead of the parser, with a small lexer that only tracks
//! whether it is inside a string; on invalid JSON it may misjudge, but then the parse fails too.
//! A failed check ends the read with an error and leaves the reason in [`Guard::fault_cell`].

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// Longest JSON string accepted (in bytes, as encoded). Real answers, reasoning traces included,
/// are tens of kilobytes.
pub(super) const MAX_STRING_BYTES: u64 = 4 * 1024 * 1024;

/// Deepest nesting accepted: a judge file needs three levels (object, list, entry).
pub(super) const MAX_DEPTH: u32 = 64;

/// Why the guard stopped the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
    /// The byte at this offset (from the start of the file) starts no valid UTF-8 sequence.
    NotUtf8 {
        offset: u64,
    },
    LongString,
    TooDeep,
}

/// The checks' state between chunks: whether the bytes so far end inside a string (and right
/// after a backslash), how long that string is, and how deep the brackets are.
#[derive(Default)]
struct Lexer {
    in_string: bool,
    escape: bool,
    string_len: u64,
    depth: u32,
}

impl Lexer {
    /// Checks the next bytes. Inside a string it jumps from quote or backslash to the next
    /// (memchr): answers are long strings, and a byte-at-a-time loop over them cost as much as
    /// parsing them.
    fn scan(&mut self, bytes: &[u8]) -> Result<(), Fault> {
        let mut i = 0;
        while i < bytes.len() {
            if self.in_string {
                if self.escape {
                    self.escape = false;
                    self.grow(1)?;
                    i += 1;
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                    None => return self.grow((bytes.len() - i) as u64),
                    Some(j) => {
                        self.grow(j as u64)?;
                        i += j;
                        if bytes[i] == b'\\' {
                            self.escape = true;
                            self.grow(1)?;
                        } else {
                            self.in_string = false;
                        }
                        i += 1;
                    }
                }
            } else {
                match bytes[i] {
                    b'"' => {
                        self.in_string = true;
                        self.string_len = 0;
                    }
                    b'[' | b'{' => {
                        self.depth += 1;
                        if self.depth > MAX_DEPTH {
                            return Err(Fault::TooDeep);
                        }
                    }
                    b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                    _ => {}
                }
                i += 1;
            }
        }
        Ok(())
    }

    /// Counts `n` more bytes of the current string (quotes excluded, escapes as written).
    fn grow(&mut self, n: u64) -> Result<(), Fault> {
        self.string_len += n;
        if self.string_len > MAX_STRING_BYTES { Err(Fault::LongString) } else { Ok(()) }
    }
}

/// A whole file held in memory as text, if it passes every check the streaming guard makes.
pub(super) fn checked(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    Lexer::default().scan(bytes).ok().map(|()| text)
}

pub(super) struct Guard<'r> {
    inner: &'r mut dyn Read,
    buf: Box<[u8]>,
    /// Checked bytes not yet handed on: `buf[start..end]`.
    start: usize,
    end: usize,
    /// An incomplete UTF-8 sequence at the end of the last read, completed by the next.
    carry: usize,
    /// Offset of `buf[0]` in the file.
    offset: u64,
    lexer: Lexer,
    fault: Rc<Cell<Option<Fault>>>,
}

impl<'r> Guard<'r> {
    pub(super) fn new(inner: &'r mut dyn Read) -> Self {
        Guard {
            inner,
            buf: vec![0u8; 64 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
            carry: 0,
            offset: 0,
            lexer: Lexer::default(),
            fault: Rc::new(Cell::new(None)),
        }
    }

    /// Where the reason for a failed read is found once the parser has given up.
    pub(super) fn fault_cell(&self) -> Rc<Cell<Option<Fault>>> {
        Rc::clone(&self.fault)
    }

    fn fail(&self, fault: Fault) -> io::Error {
        self.fault.set(Some(fault));
        io::Error::new(io::ErrorKind::InvalidData, "the judge file was refused while reading")
    }

    /// Reads more bytes after the carried ones and checks them; returns false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        let carry = self.carry;
        // The carried bytes are the last `carry` of the previous fill.
        self.buf.copy_within(self.end..self.end + carry, 0);
        self.offset += self.end as u64;
        self.start = 0;
        self.end = 0;
        let n = loop {
            match self.inner.read(&mut self.buf[carry..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            if carry > 0 {
                return Err(self.fail(Fault::NotUtf8 { offset: self.offset }));
            }
            return Ok(false);
        }
        let filled = carry + n;
        let valid = match std::str::from_utf8(&self.buf[..filled]) {
            Ok(_) => filled,
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(self.fail(Fault::NotUtf8 { offset: self.offset + e.valid_up_to() as u64 })),
        };
        if let Err(fault) = self.lexer.scan(&self.buf[..valid]) {
            return Err(self.fail(fault));
        }
        self.end = valid;
        self.carry = filled - valid;
        Ok(true)
    }
}

impl Read for Guard<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.fault.get().is_some() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "the judge file was refused while reading"));
        }
        while self.start == self.end {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.end - self.start);
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: &[u8]) -> (Vec<u8>, Option<Fault>) {
        let mut input = bytes;
        let mut guard = Guard::new(&mut input);
        let fault = guard.fault_cell();
        let mut out = Vec::new();
        let _ = guard.read_to_end(&mut out);
        (out, fault.get())
    }

    #[test]
    fn passes_valid_text_through_unchanged() {
        let text = "{\"a\": \"é ✓ 😀 \\\" ]\", \"b\": [1, {}]}".repeat(5000);
        assert_eq!(run(text.as_bytes()), (text.into_bytes(), None));
    }

    #[test]
    fn finds_invalid_utf8_with_its_offset() {
        assert_eq!(run(b"{\"x\": [\xff]}").1, Some(Fault::NotUtf8 { offset: 7 }));
        assert_eq!(run(b"\"\xe2\x9c").1, Some(Fault::NotUtf8 { offset: 1 }), "cut off at the end");
        let mut long = vec![b' '; 100_000];
        long.push(0xc3);
        long.push(b'(');
        assert_eq!(run(&long).1, Some(Fault::NotUtf8 { offset: 100_000 }));
    }

    #[test]
    fn caps_strings_and_nesting() {
        let mut long = b"[\"".to_vec();
        long.resize(MAX_STRING_BYTES as usize + 10, b'a');
        assert_eq!(run(&long).1, Some(Fault::LongString));
        let mut exact = b"[\"".to_vec();
        exact.resize(MAX_STRING_BYTES as usize + 2, b'a');
        exact.extend_from_slice(b"\"]");
        assert_eq!(run(&exact).1, None);
        assert_eq!(run(&b"[".repeat(MAX_DEPTH as usize)).1, None);
        assert_eq!(run(&b"[".repeat(MAX_DEPTH as usize + 1)).1, Some(Fault::TooDeep));
        assert_eq!(run(&b"\"[[[[\"".repeat(100)).1, None, "brackets inside strings do not count");
    }

    #[test]
    fn the_whole_file_check_agrees_with_the_stream() {
        // One byte over the cap, and (cut by one) exactly at it.
        let mut long = b"[\"".to_vec();
        long.resize(MAX_STRING_BYTES as usize + 3, b'a');
        let mut escapes = b"[\"".to_vec();
        escapes.extend(b"\\\"".repeat(MAX_STRING_BYTES as usize / 2));
        escapes.extend_from_slice(b"x\"]");
        let cases: Vec<Vec<u8>> = vec![
            b"{\"a\": [\"\\\\\", {\"b\": \"\\\"]]]\"}]}".to_vec(),
            "\"é ✓ 😀\"".repeat(30_000).into_bytes(),
            b"[\"\xff\"]".to_vec(),
            b"[".repeat(MAX_DEPTH as usize + 1),
            b"\"[[[[\"".repeat(100),
            long.clone(),
            long[..long.len() - 1].to_vec(),
            escapes,
        ];
        for case in cases {
            assert_eq!(
                checked(&case).is_some(),
                run(&case).1.is_none(),
                "{:?}",
                String::from_utf8_lossy(&case[..40.min(case.len())])
            );
        }
    }
}
