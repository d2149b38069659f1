//! Where log lines go: stdout, through a buffer that a background thread
//! writes out every 50 ms (or as soon as it holds 256 KiB). A request's line
//! then costs a copy instead of a `write(2)` on the async worker (4.5% of the
//! server's CPU with its syscall in the benchmark's first profile), and there
//! is no wake-up per line. Past 4 MiB unwritten (stdout blocked), the writer
//! writes itself, so memory stays bounded and lines are kept, not dropped.
//! [`Flush`], held by `main`, writes what is left when the server stops.

use std::{
    io::Write,
    sync::{Arc, Condvar, Mutex, PoisonError},
    time::Duration,
};

use tracing_subscriber::fmt::MakeWriter;

const INTERVAL: Duration = Duration::from_millis(50);
const WAKE_AT: usize = 256 * 1024;
const MAX: usize = 4 * 1024 * 1024;

#[derive(Default)]
struct Shared {
    buffer: Mutex<Vec<u8>>,
    full: Condvar,
}

impl Shared {
    /// Writes out what the buffer holds (the lock is held only to swap it).
    fn drain(&self, spare: &mut Vec<u8>) {
        {
            let mut buffer = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
            std::mem::swap(&mut *buffer, spare);
        }
        if !spare.is_empty() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(spare);
            let _ = out.flush();
            spare.clear();
        }
    }
}

/// The subscriber's writer; see the module's doc.
#[derive(Clone)]
pub struct Batched(Arc<Shared>);

/// Writes the lines still buffered when dropped.
#[must_use = "dropping it at once would write the last lines too early"]
pub struct Flush(Option<Arc<Shared>>);

impl Drop for Flush {
    fn drop(&mut self) {
        if let Some(shared) = &self.0 {
            shared.drain(&mut Vec::new());
        }
    }
}

impl Flush {
    /// For a subscriber that writes elsewhere: nothing to flush.
    pub fn none() -> Self {
        Self(None)
    }
}

/// The process's buffer, once [`batched`] made it.
static INSTALLED: std::sync::OnceLock<Arc<Shared>> = std::sync::OnceLock::new();

/// Writes the buffered lines out now: before something printed straight to
/// stdout (the development banner) that must come after them.
pub fn write_out() {
    if let Some(shared) = INSTALLED.get() {
        shared.drain(&mut Vec::new());
    }
}

/// The writer and its guard, with the thread that writes the buffer out.
pub fn batched() -> (Batched, Flush) {
    let shared = Arc::new(Shared::default());
    let _ = INSTALLED.set(Arc::clone(&shared));
    let background = Arc::clone(&shared);
    let spawned = std::thread::Builder::new().name("log-writer".into()).spawn(move || {
        let mut spare = Vec::with_capacity(WAKE_AT);
        loop {
            {
                let buffer = background.buffer.lock().unwrap_or_else(PoisonError::into_inner);
                let _ = background.full.wait_timeout_while(buffer, INTERVAL, |b| b.len() < WAKE_AT);
            }
            background.drain(&mut spare);
        }
    });
    if let Err(e) = spawned {
        eprintln!("log writer thread not started ({e}): lines stay buffered until 4 MiB");
    }
    (Batched(Arc::clone(&shared)), Flush(Some(shared)))
}

/// One event's line(s), appended to the shared buffer.
pub struct Line<'a>(&'a Shared);

impl<'a> MakeWriter<'a> for Batched {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        Line(&self.0)
    }
}

impl Write for Line<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut buffer = self.0.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        if buffer.len() + bytes.len() > MAX {
            // stdout is not keeping up: write here rather than grow or drop.
            let mut out = std::io::stdout().lock();
            out.write_all(&buffer)?;
            buffer.clear();
            out.write_all(bytes)?;
            return Ok(bytes.len());
        }
        buffer.extend_from_slice(bytes);
        if buffer.len() >= WAKE_AT {
            self.0.full.notify_one();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_kept_in_order_until_drained() {
        let shared = Arc::new(Shared::default());
        let writer = Batched(Arc::clone(&shared));
        writer.make_writer().write_all(b"one\n").unwrap();
        writer.make_writer().write_all(b"two\n").unwrap();
        assert_eq!(&*shared.buffer.lock().unwrap(), b"one\ntwo\n");
    }
}
