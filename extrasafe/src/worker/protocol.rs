//! The bytes between a pool and its workers: length-prefixed frames on a stream socket.
//!
//! A frame is a 4-byte little-endian length `n`, one byte of kind, and `n` bytes of
//! payload. The pool first sends the start token (raw bytes, no frame); then it sends
//! [`CALL`] frames and the worker answers each with one frame. Every frame a worker sends is
//! untrusted: [`FrameReader`] refuses a length above the limit before allocating anything,
//! and grows its buffer only as bytes arrive.

/// The length of the token that authenticates a worker's start, in bytes.
pub(crate) const TOKEN_LEN: usize = 16;

/// The size of a frame's header: length and kind.
pub(crate) const HEADER: usize = 5;

/// Pool to worker: the serialized input of one call.
pub(crate) const CALL: u8 = b'C';
/// Worker to pool: the sandbox holds; the payload is the enforcement report (UTF-8).
pub(crate) const READY: u8 = b'R';
/// Worker to pool: the sandbox could not be applied; the payload says why (UTF-8). The
/// worker exits after it.
pub(crate) const SETUP_FAILED: u8 = b'S';
/// Worker to pool: the serialized output of the call.
pub(crate) const OUTPUT: u8 = b'O';
/// Worker to pool: the function panicked; the payload is the serialized [`PanicReport`].
/// The worker exits after it.
pub(crate) const PANICKED: u8 = b'P';
/// Worker to pool: the input could not be deserialized, or the output serialized; the
/// payload says why (UTF-8).
pub(crate) const SERDE_FAILED: u8 = b'D';

/// What a worker reports of a panic: the message, and where (file, line, column).
pub(crate) type PanicReport = (String, Option<(String, u32, u32)>);

/// One frame: header and payload.
pub(crate) fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.push(kind);
    out.extend_from_slice(payload);
    out
}

/// Why a frame from a worker was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FrameError {
    /// Its length is above the limit.
    TooLarge { len: u64, limit: usize },
}

/// Collects one frame from bytes as they arrive.
#[derive(Debug)]
pub(crate) struct FrameReader {
    limit: usize,
    buf: Vec<u8>,
    /// The payload's length, once the header is in.
    len: Option<usize>,
}

impl FrameReader {
    /// A reader that refuses payloads longer than `limit` bytes.
    pub(crate) fn new(limit: usize) -> FrameReader {
        FrameReader {
            limit,
            buf: Vec::new(),
            len: None,
        }
    }

    /// How many more bytes the frame needs (at least 1 until it is complete).
    pub(crate) fn wanted(&self) -> usize {
        match self.len {
            None => HEADER - self.buf.len(),
            Some(len) => HEADER + len - self.buf.len(),
        }
    }

    /// Adds bytes read from the worker (at most [`wanted`](FrameReader::wanted) of them).
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<(), FrameError> {
        debug_assert!(bytes.len() <= self.wanted());
        self.buf.extend_from_slice(bytes);
        if self.len.is_none() && self.buf.len() >= HEADER {
            let len = u32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]);
            if len as u64 > self.limit as u64 {
                return Err(FrameError::TooLarge {
                    len: len as u64,
                    limit: self.limit,
                });
            }
            self.len = Some(len as usize);
        }
        Ok(())
    }

    /// The frame's kind and payload, once complete.
    pub(crate) fn finish(&mut self) -> Option<(u8, Vec<u8>)> {
        if self.len.is_some() && self.wanted() == 0 {
            let mut buf = std::mem::take(&mut self.buf);
            self.len = None;
            let kind = buf[4];
            buf.drain(..HEADER);
            Some((kind, buf))
        } else {
            None
        }
    }

    /// Whether some bytes of a frame have arrived.
    pub(crate) fn started(&self) -> bool {
        !self.buf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reads_back_in_pieces_of_any_size() {
        let payload: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let bytes = frame(OUTPUT, &payload);
        for piece in [1, 2, 5, 7, 1005] {
            let mut reader = FrameReader::new(1000);
            let mut at = 0;
            while reader.finish().is_none() {
                let n = piece.min(reader.wanted());
                reader.push(&bytes[at..at + n]).unwrap();
                at += n;
                if let Some((kind, got)) = reader.finish() {
                    assert_eq!((kind, got), (OUTPUT, payload.clone()));
                    break;
                }
            }
            assert_eq!(at, bytes.len());
        }
    }

    #[test]
    fn a_length_above_the_limit_is_refused_before_the_payload() {
        let mut reader = FrameReader::new(10);
        let err = reader.push(&frame(OUTPUT, &[0; 11])[..HEADER]).unwrap_err();
        assert_eq!(err, FrameError::TooLarge { len: 11, limit: 10 });
        let mut reader = FrameReader::new(10);
        let err = reader.push(&[0xff, 0xff, 0xff, 0xff, OUTPUT]).unwrap_err();
        assert_eq!(
            err,
            FrameError::TooLarge {
                len: u32::MAX as u64,
                limit: 10
            }
        );
        assert!(reader.buf.capacity() < 64);
    }

    #[test]
    fn an_empty_payload_is_a_frame() {
        let mut reader = FrameReader::new(0);
        reader.push(&frame(READY, &[])).unwrap();
        assert_eq!(reader.finish(), Some((READY, Vec::new())));
        assert!(!reader.started());
    }
}
