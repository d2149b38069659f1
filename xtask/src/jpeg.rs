//! `cargo xtask jpeg WIDTH HEIGHT OUT`: a progressive colour JPEG of a smooth
//! gradient (a small file that decodes to WIDTH x HEIGHT), for
//! `bench/image-flood.sh`.

use anyhow::Context;

pub fn run(width: u16, height: u16, out: &str) -> anyhow::Result<()> {
    let (w, h) = (usize::from(width), usize::from(height));
    let mut pixels = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            pixels.extend_from_slice(&[(x * 255 / w) as u8, (y * 255 / h) as u8, 128]);
        }
    }
    let mut bytes = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, 90);
    encoder.set_progressive(true);
    encoder.encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb)?;
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {out}"))?;
    println!("{out}: {} bytes, {width}x{height} progressive", bytes.len());
    Ok(())
}
