//! Image target bodies: read with a limit sized from `MAX_IMAGE_BYTES` (the
//! global 64 KiB limit would refuse any real image), and the check that an
//! `image` field is a real JPEG, decoded off the async workers.

use std::{borrow::Cow, sync::LazyLock};

use axum::{
    extract::{FromRequest, Request},
    http::header,
};
use base64::{
    Engine as _, alphabet,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
};
use futures_util::StreamExt as _;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use validator::Validate;

use crate::{
    error::ApiError,
    image_budget::{ImageBudget, Reservation, decode_cost},
    jpeg,
    state::AppState,
};

/// Standard alphabet; padding optional, as encoders differ on it.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Accepted in front of the base64 text (what a browser's `FileReader` gives).
const DATA_URL_PREFIX: &str = "data:image/jpeg;base64,";

/// Largest image accepted, in pixels: a small JPEG may declare a huge image,
/// and decoding it would take gigabytes.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Room in a body for the other fields and JSON escapes beside the image.
const BODY_SLACK: usize = 256 * 1024;

/// At most one decode per core at a time: decoding is CPU and memory bound.
static PERMITS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(1, usize::from)));

/// The largest body an image route reads: the image's base64 (with a `\n`
/// escape every 76 characters, as `base64` tools wrap lines) plus slack.
pub fn body_limit(max_image_bytes: usize) -> usize {
    let encoded = max_image_bytes.div_ceil(3) * 4;
    encoded + encoded / 38 + DATA_URL_PREFIX.len() + BODY_SLACK
}

/// A JSON body of an image route, like [`crate::extract::Json`] but with the
/// limit of [`body_limit`]; an oversized body is 413. Its bytes are reserved
/// from the image memory budget before they are read (twice: the body, then
/// the parsed text beside it or the decoded image), and stay reserved while
/// the handler holds the [`Reservation`]; 503 when the budget is spent.
pub struct ImageJson<T>(pub T, pub Reservation);

impl<T: DeserializeOwned + Validate> FromRequest<AppState> for ImageJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !crate::extract::is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType(
                "expected a request with `Content-Type: application/json`".into(),
            ));
        }
        let limit = body_limit(state.config.max_image_bytes);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
            .unwrap_or(limit);
        if declared > limit {
            return Err(ApiError::PayloadTooLarge("the request body is too large".into()));
        }
        let reservation = match state.images.try_reserve(declared.saturating_mul(2)) {
            Ok(reservation) => reservation,
            Err(refused) => {
                // Read and drop the body (it costs no memory) so the client,
                // still sending it, gets the 503 rather than a reset connection.
                let mut body = req.into_body().into_data_stream();
                let mut read = 0;
                while let Some(Ok(chunk)) = body.next().await {
                    read += chunk.len();
                    if read > limit {
                        break;
                    }
                }
                return Err(refused);
            }
        };
        let bytes = axum::body::to_bytes(req.into_body(), limit).await.map_err(|e| {
            if e.into_inner().is::<http_body_util::LengthLimitError>() {
                ApiError::PayloadTooLarge("the request body is too large".into())
            } else {
                ApiError::BadRequest("the request body could not be read".into())
            }
        })?;
        Ok(Self(crate::extract::from_object_bytes(&bytes)?, reservation))
    }
}

/// Decodes the `image` field and checks it is a whole JPEG of at most
/// `max_bytes`: 413 when larger, 422 when not base64 or not a JPEG, 503 when
/// the image memory budget cannot hold its decode now. The decode's memory is
/// reserved before waiting for a decode slot, so the uploads waiting are
/// bounded by the budget too, and one that cannot have it is refused at once.
pub async fn decode_jpeg(
    encoded: String,
    max_bytes: usize,
    budget: &ImageBudget,
) -> Result<Vec<u8>, ApiError> {
    let budget = budget.clone();
    let (bytes, reservation) = tokio::task::spawn_blocking(move || {
        let bytes = decode_base64(encoded, max_bytes)?;
        let reservation = reserve_decode(&bytes, &budget)?;
        Ok::<_, ApiError>((bytes, reservation))
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("image task failed: {e}")))??;
    let _permit = PERMITS
        .acquire()
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("image semaphore closed: {e}")))?;
    tokio::task::spawn_blocking(move || {
        check_jpeg(&bytes)?;
        drop(reservation);
        Ok(bytes)
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("image task failed: {e}")))?
}

/// The bytes of the base64 text; the text is freed before they are checked.
fn decode_base64(encoded: String, max_bytes: usize) -> Result<Vec<u8>, ApiError> {
    let data = encoded.strip_prefix(DATA_URL_PREFIX).unwrap_or(&encoded);
    let data: Cow<'_, str> = if data.bytes().any(|b| b.is_ascii_whitespace()) {
        Cow::Owned(data.chars().filter(|c| !c.is_ascii_whitespace()).collect())
    } else {
        Cow::Borrowed(data)
    };
    let too_large = || ApiError::PayloadTooLarge(format!("the image is larger than {max_bytes} bytes"));
    // Refuse before decoding when even the shortest reading is too large.
    if (data.len() / 4).saturating_mul(3).saturating_sub(2) > max_bytes {
        return Err(too_large());
    }
    let bytes =
        BASE64.decode(data.as_bytes()).map_err(|_| ApiError::invalid("image", "is not valid base64"))?;
    if bytes.len() > max_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The frame header, read before anything is decoded: the image must be
/// grayscale or colour (1 or 3 components: a 4-component CMYK image costs a
/// third more and no AR client reads it), at most [`MAX_PIXELS`], and its
/// decode must fit in the whole budget (422 otherwise: it never would). The
/// decode's memory is then reserved ([`decode_cost`]; 503 when not free now).
pub fn reserve_decode(bytes: &[u8], budget: &ImageBudget) -> Result<Reservation, ApiError> {
    let header = jpeg::frame_header(bytes).map_err(|why| not_jpeg(&why))?;
    if !matches!(header.components, 1 | 3) {
        return Err(ApiError::invalid(
            "image",
            format!(
                "has {} colour components; only grayscale (1) and colour (3) JPEGs are accepted",
                header.components
            ),
        ));
    }
    if u64::from(header.width) * u64::from(header.height) > MAX_PIXELS {
        return Err(ApiError::invalid("image", format!("has more than {MAX_PIXELS} pixels")));
    }
    let cost = decode_cost(header.width, header.height, header.components);
    if cost > budget.total() {
        return Err(ApiError::invalid(
            "image",
            "is too large to decode within the server's image memory budget",
        ));
    }
    budget.try_reserve(cost)
}

fn not_jpeg(why: &str) -> ApiError {
    ApiError::invalid("image", format!("is not a valid JPEG: {why}"))
}

/// Every scan walked (`jpeg.rs`), then a full decode (at 1/8 scale: every
/// coded block is still read and checked, only the output is small), after
/// the header checks of [`reserve_decode`], so a PNG, a truncated file or a
/// JPEG header on garbage are all refused.
fn check_jpeg(bytes: &[u8]) -> Result<(), ApiError> {
    jpeg::check_scans(bytes).map_err(|why| not_jpeg(&why))?;
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(|e| not_jpeg(&e.to_string()))?;
    decoder.scale(1, 1).map_err(|e| not_jpeg(&e.to_string()))?;
    decoder.decode().map_err(|e| not_jpeg(&e.to_string()))?;
    Ok(())
}

/// Standard base64 of a stored image.
pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
