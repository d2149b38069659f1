//! A JPEG's structure, read without decoding pixels: the frame header (size
//! and components, checked before any decoding memory is spent) and a strict
//! walk of every entropy-coded scan.
//!
//! The walk exists because `jpeg-decoder` fills a scan that ends early with
//! zero bits: a file cut after 30% of its scan with `FF D9` appended, or a
//! header with `FF D9` and no scan at all, decoded "fine". Here every block of
//! every scan must be read from the file's own bits (Huffman codes, baseline
//! and progressive, restart markers in order), and every component must be
//! coded by some scan, or the image is refused.

/// The frame header's facts that decide what a decode costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameHeader {
    pub width: u16,
    pub height: u16,
    pub components: u8,
}

#[derive(Debug, Clone)]
struct Frame {
    width: usize,
    height: usize,
    progressive: bool,
    /// (id, horizontal, vertical sampling factor)
    components: Vec<(u8, usize, usize)>,
}

impl Frame {
    fn max_sampling(&self) -> (usize, usize) {
        let h = self.components.iter().map(|c| c.1).max().unwrap_or(1);
        let v = self.components.iter().map(|c| c.2).max().unwrap_or(1);
        (h, v)
    }

    fn mcus(&self) -> (usize, usize) {
        let (h, v) = self.max_sampling();
        (self.width.div_ceil(8 * h), self.height.div_ceil(8 * v))
    }
}

type Result<T> = std::result::Result<T, String>;

/// The segments before the first scan, up to and including the frame header.
pub fn frame_header(bytes: &[u8]) -> Result<FrameHeader> {
    let mut at = start(bytes)?;
    loop {
        let (marker, body, next) = segment(bytes, at)?;
        match marker {
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                let frame = parse_frame(body, marker)?;
                return Ok(FrameHeader {
                    width: frame.width as u16,
                    height: frame.height as u16,
                    components: frame.components.len() as u8,
                });
            }
            0xDA | 0xD9 => return Err("no frame header before the scan".into()),
            _ => at = next,
        }
    }
}

/// Walks every scan; `Err` says why the image is not whole.
pub fn check_scans(bytes: &[u8]) -> Result<()> {
    let mut at = start(bytes)?;
    let mut frame: Option<Frame> = None;
    let mut tables: [[Option<Huffman>; 4]; 2] = Default::default();
    let mut restart_interval = 0;
    let mut coded = Vec::new();
    let mut nonzero: Vec<Vec<u64>> = Vec::new();
    loop {
        let (marker, body, next) = segment(bytes, at)?;
        at = next;
        match marker {
            0xD9 => break,
            0xC0..=0xC2 if frame.is_none() => {
                let f = parse_frame(body, marker)?;
                let (mx, my) = f.mcus();
                if f.progressive {
                    nonzero = f.components.iter().map(|c| vec![0; mx * c.1 * my * c.2]).collect();
                }
                frame = Some(f);
            }
            0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => {
                return Err("a second or unsupported frame header".into());
            }
            0xC4 => parse_tables(body, &mut tables)?,
            0xDD => restart_interval = usize::from(u16_at(body, 0)?),
            0xDA => {
                let frame = frame.as_ref().ok_or("a scan before the frame header")?;
                let scan = parse_scan(body, frame)?;
                coded.extend(scan.components.iter().map(|c| c.index));
                let mut walk =
                    Walk { bits: Bits::new(bytes, at), frame, tables: &tables, nonzero: &mut nonzero };
                at = walk.scan(&scan, restart_interval)?;
            }
            _ => {}
        }
    }
    let frame = frame.ok_or("no frame header")?;
    if coded.is_empty() {
        return Err("it has no scan data".into());
    }
    if (0..frame.components.len()).any(|i| !coded.contains(&i)) {
        return Err("a colour component is never coded".into());
    }
    Ok(())
}

fn start(bytes: &[u8]) -> Result<usize> {
    if bytes.starts_with(&[0xFF, 0xD8]) { Ok(2) } else { Err("it does not start like one".into()) }
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16> {
    match bytes.get(at..at + 2) {
        Some(&[a, b]) => Ok(u16::from_be_bytes([a, b])),
        _ => Err("a segment ends early".into()),
    }
}

/// The marker at `at` (after any fill bytes), its segment's body (empty for
/// markers without one) and where the next thing starts.
fn segment(bytes: &[u8], mut at: usize) -> Result<(u8, &[u8], usize)> {
    if bytes.get(at) != Some(&0xFF) {
        return Err("data where a marker was expected (or the file ends before its end marker)".into());
    }
    while bytes.get(at) == Some(&0xFF) {
        at += 1;
    }
    let marker = *bytes.get(at).ok_or("the file ends inside a marker")?;
    at += 1;
    match marker {
        0xD9 | 0x01 => Ok((marker, &[], at)),
        0x00 | 0xD0..=0xD8 => Err(format!("marker FF {marker:02X} where it is not allowed")),
        _ => {
            let len = usize::from(u16_at(bytes, at)?);
            let body = bytes.get(at + 2..at + len).filter(|_| len >= 2).ok_or("a segment ends early")?;
            Ok((marker, body, at + len))
        }
    }
}

fn parse_frame(body: &[u8], marker: u8) -> Result<Frame> {
    if !matches!(marker, 0xC0..=0xC2) {
        return Err("only baseline, extended and progressive Huffman JPEGs are accepted".into());
    }
    let height = usize::from(u16_at(body, 1)?);
    let width = usize::from(u16_at(body, 3)?);
    let count = usize::from(*body.get(5).ok_or("a short frame header")?);
    if width == 0 || height == 0 || count == 0 || count > 4 || body.len() < 6 + 3 * count {
        return Err("a malformed frame header".into());
    }
    let components = (0..count)
        .map(|i| {
            let c = &body[6 + 3 * i..9 + 3 * i];
            let (h, v) = (usize::from(c[1] >> 4), usize::from(c[1] & 15));
            if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
                return Err("a malformed sampling factor".to_owned());
            }
            Ok((c[0], h, v))
        })
        .collect::<Result<_>>()?;
    Ok(Frame { width, height, progressive: marker == 0xC2, components })
}

/// A canonical Huffman table (JPEG Annex C), decoded bit by bit.
#[derive(Debug, Clone)]
struct Huffman {
    /// Per code length 1..=16: (first code, last code + 1, index of its first symbol).
    lengths: [(u32, u32, usize); 16],
    symbols: Vec<u8>,
}

fn parse_tables(mut body: &[u8], tables: &mut [[Option<Huffman>; 4]; 2]) -> Result<()> {
    while !body.is_empty() {
        let (class, id) = (usize::from(body[0] >> 4), usize::from(body[0] & 15));
        if class > 1 || id > 3 {
            return Err("a malformed Huffman table".into());
        }
        let counts = body.get(1..17).ok_or("a short Huffman table")?;
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        let symbols = body.get(17..17 + total).ok_or("a short Huffman table")?.to_vec();
        let (mut code, mut index) = (0u32, 0usize);
        let mut lengths = [(0, 0, 0); 16];
        for (l, &count) in counts.iter().enumerate() {
            lengths[l] = (code, code + u32::from(count), index);
            code = (code + u32::from(count)) << 1;
            index += usize::from(count);
        }
        tables[class][id] = Some(Huffman { lengths, symbols });
        body = &body[17 + total..];
    }
    Ok(())
}

struct ScanComponent {
    index: usize,
    dc: usize,
    ac: usize,
}

struct Scan {
    components: Vec<ScanComponent>,
    start: usize,
    end: usize,
    /// Successive approximation high bit: 0 on a first pass, else a refinement.
    high: u8,
}

fn parse_scan(body: &[u8], frame: &Frame) -> Result<Scan> {
    let count = usize::from(*body.first().ok_or("a short scan header")?);
    if count == 0 || count > 4 || body.len() < 1 + 2 * count + 3 {
        return Err("a malformed scan header".into());
    }
    let components = (0..count)
        .map(|i| {
            let (id, tables) = (body[1 + 2 * i], body[2 + 2 * i]);
            let index =
                frame.components.iter().position(|c| c.0 == id).ok_or("a scan of an unknown component")?;
            Ok(ScanComponent { index, dc: usize::from(tables >> 4), ac: usize::from(tables & 15) })
        })
        .collect::<Result<Vec<_>>>()?;
    let rest = &body[1 + 2 * count..];
    let (start, end, high) = (usize::from(rest[0]), usize::from(rest[1]), rest[2] >> 4);
    if start > end || end > 63 || (start == 0 && end != 0 && frame.progressive) || (start > 0 && count != 1) {
        return Err("a malformed scan header".into());
    }
    Ok(Scan { components, start, end, high })
}

/// Reads entropy-coded bits; a marker inside them (other than where a restart
/// marker is expected) means the scan ended before its last block.
struct Bits<'a> {
    bytes: &'a [u8],
    at: usize,
    byte: u32,
    left: u32,
}

impl<'a> Bits<'a> {
    fn new(bytes: &'a [u8], at: usize) -> Self {
        Self { bytes, at, byte: 0, left: 0 }
    }

    fn bit(&mut self) -> Result<u32> {
        if self.left == 0 {
            let byte = *self.bytes.get(self.at).ok_or("the scan data ends before its last block")?;
            if byte == 0xFF {
                if self.bytes.get(self.at + 1) != Some(&0) {
                    return Err("the scan data ends before its last block".into());
                }
                self.at += 1;
            }
            self.at += 1;
            (self.byte, self.left) = (u32::from(byte), 8);
        }
        self.left -= 1;
        Ok((self.byte >> self.left) & 1)
    }

    fn bits(&mut self, count: u32) -> Result<u32> {
        (0..count).try_fold(0, |acc, _| Ok((acc << 1) | self.bit()?))
    }

    fn decode(&mut self, table: &Huffman) -> Result<u8> {
        let mut code = 0;
        for &(first, end, index) in &table.lengths {
            code = (code << 1) | self.bit()?;
            if code < end {
                return table.symbols.get(index + (code - first) as usize).copied().ok_or_else(bad_code);
            }
        }
        Err(bad_code())
    }

    /// Drops the partial byte and expects `RSTn`.
    fn restart(&mut self, n: usize) -> Result<()> {
        self.left = 0;
        while self.bytes.get(self.at) == Some(&0xFF) && self.bytes.get(self.at + 1) == Some(&0xFF) {
            self.at += 1;
        }
        if self.bytes.get(self.at..self.at + 2) != Some(&[0xFF, 0xD0 + (n % 8) as u8]) {
            return Err("a restart marker is missing: the scan data ends early".into());
        }
        self.at += 2;
        Ok(())
    }

    /// Where the scan's data ends: the next marker (a few stray bytes before
    /// it are tolerated, as decoders do).
    fn end(self) -> usize {
        let mut at = self.at;
        while at + 1 < self.bytes.len() && !(self.bytes[at] == 0xFF && self.bytes[at + 1] != 0) {
            at += 1;
        }
        at
    }
}

fn bad_code() -> String {
    "an invalid Huffman code in the scan data".into()
}

struct Walk<'a, 'b> {
    bits: Bits<'a>,
    frame: &'b Frame,
    tables: &'b [[Option<Huffman>; 4]; 2],
    /// Progressive only: per component and block, which AC coefficients are nonzero.
    nonzero: &'b mut Vec<Vec<u64>>,
}

impl<'b> Walk<'_, 'b> {
    fn table(&self, class: usize, id: usize) -> Result<&'b Huffman> {
        self.tables[class]
            .get(id)
            .and_then(Option::as_ref)
            .ok_or_else(|| "a scan uses a missing Huffman table".into())
    }

    /// Reads every block of the scan; answers where its data ends.
    fn scan(&mut self, scan: &Scan, restart_interval: usize) -> Result<usize> {
        let (mx, my) = self.frame.mcus();
        let (hmax, vmax) = self.frame.max_sampling();
        // A single-component scan codes that component's blocks one by one
        // (only those inside the image); several components code whole MCUs.
        let single = scan.components.len() == 1;
        let (ux, uy) = if single {
            let (_, h, v) = self.frame.components[scan.components[0].index];
            (
                (self.frame.width * h).div_ceil(hmax).div_ceil(8),
                (self.frame.height * v).div_ceil(vmax).div_ceil(8),
            )
        } else {
            (mx, my)
        };
        let mut eob_run = 0u32;
        let mut restarts = 0;
        for n in 0..ux * uy {
            if restart_interval > 0 && n > 0 && n % restart_interval == 0 {
                self.bits.restart(restarts)?;
                restarts += 1;
                eob_run = 0;
            }
            let (x, y) = (n % ux, n / ux);
            for c in &scan.components {
                let (_, h, v) = self.frame.components[c.index];
                let (bh, bv) = if single { (1, 1) } else { (h, v) };
                for by in 0..bv {
                    for bx in 0..bh {
                        let block = (y * bv + by) * (mx * h) + x * bh + bx;
                        self.block(scan, c, block, &mut eob_run)?;
                    }
                }
            }
        }
        let bits = std::mem::replace(&mut self.bits, Bits::new(&[], 0));
        Ok(bits.end())
    }

    fn block(&mut self, scan: &Scan, c: &ScanComponent, block: usize, eob_run: &mut u32) -> Result<()> {
        if !self.frame.progressive {
            let dc = self.table(0, c.dc)?;
            let size = self.bits.decode(dc)?;
            self.bits.bits(u32::from(size.min(16)))?;
            let ac = self.table(1, c.ac)?;
            let mut k = 1;
            while k < 64 {
                let rs = self.bits.decode(ac)?;
                let (run, size) = (usize::from(rs >> 4), u32::from(rs & 15));
                if size == 0 {
                    if run != 15 {
                        break;
                    }
                    k += 16;
                    continue;
                }
                k += run;
                self.bits.bits(size)?;
                k += 1;
            }
            return Ok(());
        }
        if scan.start == 0 {
            if scan.high == 0 {
                let dc = self.table(0, c.dc)?;
                let size = self.bits.decode(dc)?;
                self.bits.bits(u32::from(size.min(16)))?;
            } else {
                self.bits.bit()?;
            }
            return Ok(());
        }
        let ac = self.table(1, c.ac)?;
        let mask = self.nonzero[c.index].get_mut(block).ok_or("a block outside the image")?;
        let (start, end) = (scan.start, scan.end);
        if scan.high == 0 {
            if *eob_run > 0 {
                *eob_run -= 1;
                return Ok(());
            }
            let mut k = start;
            while k <= end {
                let rs = self.bits.decode(ac)?;
                let (run, size) = (u32::from(rs >> 4), u32::from(rs & 15));
                if size == 0 {
                    if run < 15 {
                        *eob_run = (1 << run) - 1 + self.bits.bits(run)?;
                        break;
                    }
                    k += 16;
                    continue;
                }
                k += run as usize;
                self.bits.bits(size)?;
                if k <= end {
                    *mask |= 1 << k;
                }
                k += 1;
            }
            return Ok(());
        }
        // Refinement (libjpeg's decode_mcu_AC_refine): a correction bit for
        // every coefficient already nonzero, new ones placed by zero runs.
        let mut k = start;
        if *eob_run == 0 {
            while k <= end {
                let rs = self.bits.decode(ac)?;
                let (mut run, size) = (i32::from(rs >> 4), rs & 15);
                if size != 0 {
                    self.bits.bit()?;
                } else if run != 15 {
                    *eob_run = (1 << run) + self.bits.bits(run as u32)?;
                    break;
                }
                while k <= end {
                    if *mask & (1 << k) != 0 {
                        self.bits.bit()?;
                    } else {
                        run -= 1;
                        if run < 0 {
                            break;
                        }
                    }
                    k += 1;
                }
                if size != 0 && k <= end {
                    *mask |= 1 << k;
                }
                k += 1;
            }
        }
        if *eob_run > 0 {
            while k <= end {
                if *mask & (1 << k) != 0 {
                    self.bits.bit()?;
                }
                k += 1;
            }
            *eob_run -= 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let pixels: Vec<u8> =
            (0..usize::from(width) * usize::from(height) * 3).map(|i| ((i * 7) % 251) as u8).collect();
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, 90)
            .encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    }

    fn progressive(width: u16, height: u16) -> Vec<u8> {
        let pixels: Vec<u8> =
            (0..usize::from(width) * usize::from(height) * 3).map(|i| ((i * 13) % 241) as u8).collect();
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
        encoder.set_progressive(true);
        encoder.set_restart_interval(7);
        encoder.encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb).unwrap();
        out
    }

    /// Where the last scan's data starts (after its SOS segment).
    fn last_scan_data(bytes: &[u8]) -> usize {
        let sos = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
        sos + 2 + usize::from(u16::from_be_bytes([bytes[sos + 2], bytes[sos + 3]]))
    }

    #[test]
    fn whole_images_pass_baseline_and_progressive() {
        for image in [jpeg(97, 61), jpeg(8, 8), progressive(203, 117), progressive(16, 9)] {
            check_scans(&image).unwrap();
            assert_eq!(frame_header(&image).unwrap().components, 3);
        }
    }

    #[test]
    fn a_cut_scan_with_an_end_marker_is_refused() {
        for image in [jpeg(300, 200), progressive(300, 200)] {
            let data = last_scan_data(&image);
            let cut = data + (image.len() - data) * 3 / 10;
            let mut truncated = image[..cut].to_vec();
            truncated.extend_from_slice(&[0xFF, 0xD9]);
            assert!(check_scans(&truncated).is_err());
        }
    }

    #[test]
    fn a_header_without_a_scan_is_refused() {
        let image = jpeg(64, 64);
        let sos = image.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let mut header = image[..sos].to_vec();
        header.extend_from_slice(&[0xFF, 0xD9]);
        assert_eq!(check_scans(&header).unwrap_err(), "it has no scan data");
        assert_eq!(frame_header(&header).unwrap(), FrameHeader { width: 64, height: 64, components: 3 });
    }
}
