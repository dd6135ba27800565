//! What the isolated process reports besides its exit status ([`Report`]), and the shared
//! memory it writes it in ([`ResultSlot`]).

use super::sys::SharedMemory;

/// The size of the memory the isolated process reports its result in.
pub(crate) const RESULT_CAPACITY: usize = 16 << 20;
/// The header of a result: magic, kind, length.
const HEADER: usize = 16;
const MAGIC: &[u8; 4] = b"XSR1";

/// What the isolated process reports besides its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Report {
    /// The function returned these bytes.
    Returned(Vec<u8>),
    /// The function panicked with this message.
    Panicked(String),
    /// Setting up the isolated process failed: step and reason.
    SetupFailed(String, String),
}

impl Report {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let (kind, body): (u8, Vec<u8>) = match self {
            Report::Returned(b) => (1, b.clone()),
            Report::Panicked(m) => (2, m.as_bytes().to_vec()),
            Report::SetupFailed(step, reason) => (3, format!("{step}\n{reason}").into_bytes()),
        };
        let mut out = Vec::with_capacity(HEADER + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[kind, 0, 0, 0]);
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Decodes a report; `None` if `bytes` holds none (or a damaged one).
    pub(crate) fn decode(bytes: &[u8]) -> Option<Report> {
        if bytes.len() < HEADER || &bytes[..4] != MAGIC {
            return None;
        }
        let len = u64::from_le_bytes(bytes[8..16].try_into().ok()?);
        let len = usize::try_from(len).ok()?;
        let body = bytes.get(HEADER..HEADER.checked_add(len)?)?;
        Some(match bytes[4] {
            1 => Report::Returned(body.to_vec()),
            2 => Report::Panicked(String::from_utf8_lossy(body).into_owned()),
            3 => {
                let text = String::from_utf8_lossy(body);
                let (step, reason) = text.split_once('\n').unwrap_or((&text, ""));
                Report::SetupFailed(step.to_string(), reason.to_string())
            }
            _ => return None,
        })
    }
}

/// Where the isolated child writes its [`Report`].
pub(crate) struct ResultSlot(pub(super) SharedMemory);

impl ResultSlot {
    /// Writes `report`; too long a payload is cut to fit (and then fails to decode, which the
    /// reader reports).
    pub(crate) fn put(&mut self, report: &Report) {
        let bytes = report.encode();
        if bytes.len() > self.0.len() {
            let cut = Report::Panicked(format!(
                "the isolated function returned {} bytes, more than the {} bytes a payload may \
                 have",
                bytes.len() - HEADER,
                self.0.len() - HEADER
            ));
            self.0.write(0, &cut.encode());
        } else {
            self.0.write(0, &bytes);
        }
    }

    /// The report, read after the child ended.
    pub(crate) fn take(&self) -> Option<Report> {
        let header = self.0.read(0, HEADER);
        if header.len() < HEADER || &header[..4] != MAGIC {
            return None;
        }
        let len = u64::from_le_bytes(header[8..16].try_into().ok()?);
        let len = usize::try_from(len).ok()?.min(self.0.len() - HEADER);
        Report::decode(&self.0.read(0, HEADER + len))
    }

    /// The raw bytes of the report (for passing it on unread).
    pub(crate) fn raw(&self) -> Vec<u8> {
        match self.take() {
            Some(r) => r.encode(),
            None => Vec::new(),
        }
    }
}
