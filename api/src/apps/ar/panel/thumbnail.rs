//! Thumbnails of /ar image targets: a stored JPEG (up to `MAX_IMAGE_BYTES`)
//! decoded at the smallest scale `jpeg-decoder` offers that still covers the
//! thumbnail (down to 1/8), sampled down to at most [`SIDE`] pixels a side and
//! encoded again, so a page of 50 targets costs kilobytes, not megabytes.
//! Done off the async workers, one at a time: the panel must never starve the
//! API of CPU.

use std::sync::LazyLock;

use jpeg_decoder::PixelFormat;
use jpeg_encoder::{ColorType, Encoder};
use tokio::sync::Semaphore;

use crate::{
    error::ApiError,
    image_budget::{ImageBudget, decode_cost},
};

/// The longest side of a thumbnail, in pixels.
pub const SIDE: u16 = 160;
const QUALITY: u8 = 80;

static PERMIT: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(1));

/// The thumbnail of a JPEG; the JPEG itself when it cannot be made (a CMYK or
/// 16-bit image stored before uploads refused them, which this does not
/// convert): the browser scales it down instead. The stored bytes and the
/// decode are reserved from the image memory budget first, like an upload's:
/// 503 with `Retry-After` when it is spent.
pub async fn make(jpeg: Vec<u8>, budget: &ImageBudget) -> Result<Vec<u8>, ApiError> {
    let _bytes = budget.try_reserve(jpeg.len())?;
    let _decode = match crate::jpeg::frame_header(&jpeg) {
        Ok(h) => Some(budget.try_reserve(decode_cost(h.width, h.height, h.components))?),
        Err(_) => return Ok(jpeg),
    };
    let _permit = PERMIT
        .acquire()
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("thumbnail semaphore closed: {e}")))?;
    tokio::task::spawn_blocking(move || shrink(&jpeg).unwrap_or(jpeg))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("thumbnail task failed: {e}")))
}

/// `None` when the image is not one this can shrink.
fn shrink(jpeg: &[u8]) -> Option<Vec<u8>> {
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (channels, color) = match info.pixel_format {
        PixelFormat::L8 => (1, ColorType::Luma),
        PixelFormat::RGB24 => (3, ColorType::Rgb),
        PixelFormat::L16 | PixelFormat::CMYK32 => return None,
    };
    let (w, h) = fit(info.width, info.height);
    let (sw, sh) = decoder.scale(w, h).ok()?;
    let pixels = decoder.decode().ok()?;
    let (sw, sh, w, h) = (usize::from(sw), usize::from(sh), usize::from(w), usize::from(h));
    if pixels.len() < sw * sh * channels {
        return None;
    }
    // Nearest neighbour from the already reduced image: plenty for 160 px.
    let mut small = Vec::with_capacity(w * h * channels);
    for y in 0..h {
        let row = (y * sh / h) * sw;
        for x in 0..w {
            let at = (row + x * sw / w) * channels;
            small.extend_from_slice(&pixels[at..at + channels]);
        }
    }
    let mut out = Vec::new();
    Encoder::new(&mut out, QUALITY).encode(&small, w as u16, h as u16, color).ok()?;
    Some(out)
}

/// The thumbnail's size: the image's, scaled to fit [`SIDE`], never enlarged.
fn fit(width: u16, height: u16) -> (u16, u16) {
    let longest = width.max(height).max(1);
    if longest <= SIDE {
        return (width.max(1), height.max(1));
    }
    let scale = |side: u16| ((u32::from(side) * u32::from(SIDE)) / u32::from(longest)).max(1) as u16;
    (scale(width), scale(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let pixels: Vec<u8> =
            (0..usize::from(width) * usize::from(height) * 3).map(|i| (i % 251) as u8).collect();
        let mut out = Vec::new();
        Encoder::new(&mut out, 90).encode(&pixels, width, height, ColorType::Rgb).unwrap();
        out
    }

    #[test]
    fn sizes_fit_the_side_and_keep_the_aspect_ratio() {
        assert_eq!(fit(1600, 800), (160, 80));
        assert_eq!(fit(90, 3000), (4, 160));
        assert_eq!(fit(100, 50), (100, 50));
        assert_eq!(fit(0, 0), (1, 1));
    }

    #[test]
    fn a_large_jpeg_becomes_a_small_valid_one() {
        let big = jpeg(1200, 900);
        let small = shrink(&big).expect("a thumbnail");
        assert!(small.len() < big.len());
        let mut decoder = jpeg_decoder::Decoder::new(small.as_slice());
        decoder.decode().unwrap();
        let info = decoder.info().unwrap();
        assert_eq!((info.width, info.height), (160, 120));
    }

    #[test]
    fn what_cannot_be_shrunk_is_left_alone() {
        assert!(shrink(b"not a jpeg").is_none());
    }
}
