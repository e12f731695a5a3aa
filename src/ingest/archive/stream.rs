//! An entry's bytes as the visitor reads them ([`Counted`]), and the flag that stops a visit
//! from outside ([`Cancel`]).

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set from elsewhere (another thread: the request that gave up) to stop a visit: the next entry
/// or read fails with [`ArchiveError::Cancelled`]. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

pub(super) enum Failure {
    TooLarge,
    Cancelled,
    Io(io::Error),
}

/// One entry's bytes as the visitor reads them: counted as they arrive (never a declared size:
/// a zip bomb declares a small size and inflates to gigabytes), failing once `cap + 1` bytes
/// have come (one more than allowed, which is how the limit is noticed) or the visit is
/// cancelled. The reason is kept for `Walker::deliver`; the visitor sees an I/O error.
pub(super) struct Counted<'r> {
    pub(super) inner: &'r mut dyn Read,
    pub(super) cap: u64,
    pub(super) read: u64,
    pub(super) failure: Option<Failure>,
    pub(super) cancel: &'r Cancel,
}

impl Read for Counted<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let stop = || io::Error::other("the entry could not be read to its end");
        if self.failure.is_some() {
            return Err(stop());
        }
        if self.cancel.is_cancelled() {
            self.failure = Some(Failure::Cancelled);
            return Err(stop());
        }
        let allowed = (self.cap.saturating_add(1) - self.read).min(out.len() as u64) as usize;
        if allowed == 0 && !out.is_empty() {
            self.failure = Some(Failure::TooLarge);
            return Err(stop());
        }
        let n = loop {
            match self.inner.read(&mut out[..allowed]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.failure = Some(Failure::Io(e));
                    return Err(stop());
                }
            }
        };
        self.read += n as u64;
        if self.read > self.cap {
            self.failure = Some(Failure::TooLarge);
            return Err(stop());
        }
        Ok(n)
    }
}
