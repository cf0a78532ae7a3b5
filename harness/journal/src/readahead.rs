//! Reading ahead on a background thread.
//!
//! The thread reads (and decompresses, and hashes) fixed-size chunks while
//! the caller scans the previous ones, so the cost of the read system
//! calls, of gzip and of MD5 overlaps with validation. Chunks are handed
//! over whole (no copy) and come back through a free list, so memory stays
//! a few megabytes whatever the file size.

use std::io::Read;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use md5::{Digest as _, Md5};

use crate::error::ErrorKind;
use crate::field::Digest;
use crate::stream::Source;

/// Free bytes kept in front of each chunk's data, where the unscanned end
/// of the previous chunk (a partial record) is copied.
pub(crate) const HEADROOM: usize = 64 * 1024;
/// Data bytes per chunk once the input proved large.
const CHUNK: usize = 256 * 1024;
/// Data bytes of the first chunk (small files stay cheap); chunks double up to [`CHUNK`].
const FIRST_CHUNK: usize = 64 * 1024;
/// Chunks read ahead of the consumer.
const AHEAD: usize = 2;

/// What the reading thread sends.
pub(crate) enum Chunk {
    /// `buf[HEADROOM..HEADROOM + len]` holds the next bytes.
    Data {
        buf: Vec<u8>,
        len: usize,
        gzip: bool,
    },
    /// The input ended; the MD5 of all of it when one was asked for.
    End { md5: Option<Digest>, gzip: bool },
    /// Reading failed.
    Failed(ErrorKind),
}

/// The consumer's end of a reading thread.
pub(crate) struct ReadAhead {
    chunks: Receiver<Chunk>,
    free: Sender<Vec<u8>>,
}

impl ReadAhead {
    /// Starts a thread reading `source`; with `md5`, it also hashes the
    /// (uncompressed) bytes.
    pub(crate) fn spawn<R: Read + Send + 'static>(source: Source<R>, md5: bool) -> ReadAhead {
        let (chunk_tx, chunks) = sync_channel(AHEAD);
        let (free, free_rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("p4ha-journal-read".into())
            .spawn(move || read_loop(source, md5, &chunk_tx, &free_rx));
        if let Err(e) = spawned {
            // No thread: the consumer sees the failure on its first read.
            let (tx, rx) = sync_channel(1);
            let _ = tx.send(Chunk::Failed(ErrorKind::Io(e)));
            return ReadAhead { chunks: rx, free };
        }
        ReadAhead { chunks, free }
    }

    /// The next chunk (blocks until the thread has one).
    pub(crate) fn next(&self) -> Chunk {
        self.chunks.recv().unwrap_or_else(|_| {
            Chunk::Failed(ErrorKind::Io(std::io::Error::other(
                "the reading thread stopped unexpectedly",
            )))
        })
    }

    /// Gives a consumed chunk buffer back for reuse.
    pub(crate) fn recycle(&self, buf: Vec<u8>) {
        if buf.len() == HEADROOM + CHUNK {
            let _ = self.free.send(buf);
        }
    }
}

fn read_loop<R: Read>(
    mut source: Source<R>,
    md5: bool,
    chunks: &SyncSender<Chunk>,
    free: &Receiver<Vec<u8>>,
) {
    let mut hasher = md5.then(Md5::new);
    let mut size = FIRST_CHUNK;
    loop {
        let mut buf = match free.try_recv() {
            Ok(buf) if size == CHUNK => buf,
            _ => vec![0u8; HEADROOM + size],
        };
        size = (size * 2).min(CHUNK);
        let capacity = buf.len() - HEADROOM;
        let mut len = 0;
        let mut ended = false;
        while len < capacity {
            match source.read(&mut buf[HEADROOM + len..]) {
                Ok(0) => {
                    ended = true;
                    break;
                }
                Ok(n) => len += n,
                Err(kind) => {
                    let _ = chunks.send(Chunk::Failed(kind));
                    return;
                }
            }
        }
        if let Some(h) = &mut hasher {
            h.update(&buf[HEADROOM..HEADROOM + len]);
        }
        let gzip = source.is_gzip();
        if len > 0 && chunks.send(Chunk::Data { buf, len, gzip }).is_err() {
            // The consumer is gone.
            return;
        }
        if ended {
            let md5 = hasher.take().map(|h| Digest::from_md5(h.finalize().into()));
            let _ = chunks.send(Chunk::End { md5, gzip });
            return;
        }
    }
}
