//! The memory budget of image work (`IMAGE_MEMORY_BUDGET_BYTES`): the bytes
//! of image uploads in flight plus what their decodes will allocate, and the
//! admin panel's thumbnails. Each piece of work reserves its share before it
//! allocates; when the budget is spent it is refused at once (503 with
//! `Retry-After`) rather than queued, so any number of concurrent uploads
//! costs at most the budget, and a flood answers fast instead of timing out.
//!
//! 95 concurrent uploads once took the server to 1.35 GB, and one progressive
//! CMYK 6324×6324 JPEG of 940 KB to 310 MB: the decoder keeps every
//! coefficient of a progressive image (2 bytes per sample) whatever the
//! output scale. [`decode_cost`] is that worst case, read from the frame
//! header before anything is decoded.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// The budget is counted in KiB (a semaphore takes at most `u32` permits at once).
const UNIT: usize = 1024;

/// A share of the budget, given back when dropped.
#[derive(Debug)]
pub struct Reservation(#[expect(dead_code, reason = "held for its Drop")] OwnedSemaphorePermit);

#[derive(Clone)]
pub struct ImageBudget {
    permits: Arc<Semaphore>,
    total: usize,
}

impl ImageBudget {
    pub fn new(bytes: usize) -> Self {
        let units = (bytes / UNIT).min(Semaphore::MAX_PERMITS);
        Self { permits: Arc::new(Semaphore::new(units)), total: units * UNIT }
    }

    /// The whole budget, in bytes.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Takes `bytes` of the budget now, or 503 when they are not free (a piece
    /// of work larger than the whole budget is refused earlier, by its caller's
    /// size rules, see `config.rs`).
    pub fn try_reserve(&self, bytes: usize) -> Result<Reservation, ApiError> {
        let units = u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX);
        self.permits.clone().try_acquire_many_owned(units).map(Reservation).map_err(|_| {
            ::metrics::counter!("image_budget_refusals_total").increment(1);
            ApiError::Unavailable("too many images are being processed; try again shortly".into())
        })
    }

    /// Bytes of the budget free now.
    pub fn available(&self) -> usize {
        self.permits.available_permits() * UNIT
    }
}

/// What decoding a JPEG of this frame costs at most, in bytes: a coefficient
/// (2 bytes) for every sample of every component, over the image padded to
/// whole 16×16 MCUs (the largest subsampling), plus an eighth for the
/// decoder's planes at 1/8 scale and its buffers. Pessimistic for baseline
/// images, which keep one row of blocks at a time.
pub fn decode_cost(width: u16, height: u16, components: u8) -> usize {
    let pad = |side: u16| usize::from(side).div_ceil(16) * 16;
    let coefficients = pad(width) * pad(height) * usize::from(components) * 2;
    coefficients + coefficients / 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_are_refused_past_the_budget_and_given_back_on_drop() {
        let budget = ImageBudget::new(10 * UNIT);
        let a = budget.try_reserve(6 * UNIT).unwrap();
        assert!(budget.try_reserve(5 * UNIT).is_err());
        let b = budget.try_reserve(4 * UNIT).unwrap();
        drop(a);
        assert_eq!(budget.available(), 6 * UNIT);
        drop(b);
        assert_eq!(budget.available(), budget.total());
    }

    #[test]
    fn the_cost_of_a_large_progressive_cmyk_image_is_counted_before_decoding() {
        // The image that cost 310 MB to decode.
        assert!(decode_cost(6324, 6324, 4) >= 310_000_000);
    }
}
