//! A minimum request-body rate, as Apache's mod_reqtimeout enforces it: a body must deliver at
//! least `min_bytes` in every `window` of time spent waiting for it. An idle timeout alone lets a
//! client that sends one byte just before each timeout hold a connection, a task and a temp file
//! for as long as it likes; a rate cannot be met that way.
//!
//! Only time spent waiting on the client counts. While the handler is busy elsewhere (writing a
//! chunk to disk, querying the store) the client cannot send anyway (TCP backpressure), so that
//! time is credited back.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The body arrived more slowly than the configured minimum rate.
#[derive(Debug, thiserror::Error)]
#[error("the request body arrived more slowly than {min_bytes} bytes per {window:?}")]
pub struct BodyTooSlow {
    pub min_bytes: u64,
    pub window: Duration,
}

/// Wraps a body so that it fails with [`BodyTooSlow`] when a window passes without its quota.
pub struct MinRateBody<B> {
    inner: B,
    window: Duration,
    min_bytes: u64,
    /// Bytes received in the current window.
    got: u64,
    deadline: Instant,
    sleep: Pin<Box<Sleep>>,
    /// When the consumer last got a frame: from then until its next poll, nobody was waiting
    /// on the client.
    away_since: Option<Instant>,
    failed: bool,
}

impl<B> MinRateBody<B> {
    pub fn new(inner: B, window: Duration, min_bytes: u64) -> Self {
        let now = Instant::now();
        let deadline = now + window;
        Self {
            inner,
            window,
            min_bytes,
            got: 0,
            deadline,
            sleep: Box::pin(tokio::time::sleep_until(deadline)),
            // The handler may start reading the body well after the headers arrived.
            away_since: Some(now),
            failed: false,
        }
    }

    fn too_slow(&self) -> BodyTooSlow {
        BodyTooSlow { min_bytes: self.min_bytes, window: self.window }
    }
}

impl<B> Body for MinRateBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.failed {
            return Poll::Ready(Some(Err(Box::new(this.too_slow()))));
        }
        if let Some(since) = this.away_since.take() {
            this.deadline += since.elapsed();
            let deadline = this.deadline;
            this.sleep.as_mut().reset(deadline);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.got += data.len() as u64;
                    if this.got >= this.min_bytes {
                        this.got = 0;
                        this.deadline = Instant::now() + this.window;
                        let deadline = this.deadline;
                        this.sleep.as_mut().reset(deadline);
                    }
                }
                this.away_since = Some(Instant::now());
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match this.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.failed = true;
                    Poll::Ready(Some(Err(Box::new(this.too_slow()))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Whether an error (anywhere in its source chain) is a body that arrived too slowly.
pub fn is_too_slow(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<BodyTooSlow>() {
            return true;
        }
        cur = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use http_body_util::StreamBody;

    fn trickle(
        bytes_per_tick: usize,
        tick: Duration,
        ticks: usize,
    ) -> impl Body<Data = Bytes, Error = std::io::Error> + Unpin {
        let stream = futures_util::stream::unfold(0, move |i| async move {
            if i == ticks {
                return None;
            }
            tokio::time::sleep(tick).await;
            Some((Ok::<_, std::io::Error>(Frame::data(Bytes::from(vec![b'x'; bytes_per_tick]))), i + 1))
        });
        StreamBody::new(Box::pin(stream))
    }

    #[tokio::test(start_paused = true)]
    async fn a_trickle_below_the_rate_is_cut_and_a_steady_body_passes() {
        // 100 bytes per second against a minimum of 1 KiB per 10 s: cut after 10 s.
        let slow = MinRateBody::new(trickle(100, Duration::from_secs(1), 60), Duration::from_secs(10), 1024);
        let started = Instant::now();
        let err = slow.collect().await.expect_err("cut off");
        assert!(is_too_slow(err.as_ref()), "{err}");
        assert!(started.elapsed() <= Duration::from_secs(11), "{:?}", started.elapsed());

        // One byte just before every idle timeout would pass an idle timeout; not this rule.
        let sneaky = MinRateBody::new(trickle(1, Duration::from_secs(9), 10), Duration::from_secs(10), 1024);
        assert!(sneaky.collect().await.is_err());

        // 3 KiB per second for 20 s: well above the rate, arrives whole.
        let steady = MinRateBody::new(trickle(3072, Duration::from_secs(1), 20), Duration::from_secs(10), 1024);
        assert_eq!(steady.collect().await.expect("whole").to_bytes().len(), 3072 * 20);
    }
}
