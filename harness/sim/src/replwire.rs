//! Messages between a replica's threads and its target server.
//!
//! A replica opens a connection to its `P4TARGET`, sends one
//! [`crate::protocol::ClientMsg::Replication`] frame (its service user's
//! credentials in the [`crate::protocol::Request`], what it wants in a
//! [`ReplRequest`]) and reads one [`ReplResponse`] back. Positions are
//! `(journal number, byte offset)` pairs, the `journal/sequence` of p4d's
//! messages.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A position in a server's journal history: journal number and byte
/// offset ("Sequence") in that journal. Orders by journal, then offset.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Position {
    /// Journal number (the `journal` counter of the journal written).
    pub journal: i64,
    /// Byte offset in that journal.
    pub sequence: i64,
}

impl Position {
    /// A position.
    pub const fn new(journal: i64, sequence: i64) -> Self {
        Position { journal, sequence }
    }

    /// Parses `journal/sequence` (surrounding white space ignored).
    pub fn parse(text: &str) -> Option<Position> {
        let (j, s) = text.trim().split_once('/')?;
        Some(Position {
            journal: j.trim().parse().ok()?,
            sequence: s.trim().parse().ok()?,
        })
    }
}

impl fmt::Display for Position {
    /// `journal/sequence`, as p4d's messages and `p4 servers -J` print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.journal, self.sequence)
    }
}

/// Request flags as `p4 servers -J` shows them (reference 4.6).
pub mod flags {
    /// `W`: a long-poll request (`-i 0`).
    pub const LONG_POLL: u32 = 8;
    /// `A`: the request acknowledges the records received before.
    pub const ACK: u32 = 4;
    /// `D`: only durable records are returned.
    pub const DURABLE: u32 = 2;
    /// `L`: data about the local journal (the synthesized own row).
    pub const LOCAL: u32 = 1;

    /// `wAdl/4`: each letter upper-case when set, then the sum.
    pub fn render(bits: u32) -> String {
        let letter = |bit: u32, c: char| {
            if bits & bit != 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        };
        format!(
            "{}{}{}{}/{}",
            letter(LONG_POLL, 'w'),
            letter(ACK, 'a'),
            letter(DURABLE, 'd'),
            letter(LOCAL, 'l'),
            bits & 0xF
        )
    }
}

/// What a journalcopy or pull thread asks for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JournalRequest {
    /// Requesting server's ID (empty when it has none).
    pub server_id: String,
    /// The requester's Services word (`standby`), shown by `servers -J`
    /// when the target holds no spec for it.
    pub services: String,
    /// Where to read from.
    pub from: Position,
    /// Most bytes to send.
    pub max: u64,
    /// The replica's persisted position (acknowledged by this request).
    pub persisted: Position,
    /// The replica's applied position.
    pub applied: Position,
    /// Request flags (`flags::*`).
    pub flags: u32,
    /// Polling interval in seconds (0 = long poll).
    pub interval: u64,
}

/// A replica's request to its target.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum ReplRequest {
    /// Journal bytes from a position (journalcopy and pull).
    Journal(JournalRequest),
    /// The target's journal state, for `p4 pull -lj`.
    Status {
        /// Requesting server's ID.
        server_id: String,
    },
    /// An archive revision's content (`pull -u`).
    Archive {
        /// Requesting server's ID.
        server_id: String,
        /// `lbrFile`.
        file: String,
        /// `lbrRev`.
        rev: String,
        /// `lbrType`.
        lbr_type: i64,
    },
    /// A standby failing over asks the server it fails over from.
    Failover(crate::failover::wire::MasterRequest),
}

/// The target's journal state.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct TargetState {
    /// Its current journal and that journal's length.
    pub current: Position,
    /// The logical end of file: how far replicas that are not mandatory
    /// standbys may read (everything every alive mandatory standby has
    /// persisted; `current` when it has none).
    pub leof: Position,
}

/// Journal bytes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JournalChunk {
    /// Where the bytes start (the position asked for).
    pub from: Position,
    /// The bytes.
    #[serde(with = "octets")]
    pub bytes: Vec<u8>,
    /// True when journal `from.journal` was rotated and these bytes reach
    /// its end: the replica moves on to the next journal.
    pub complete: bool,
    /// The target's state when it answered.
    pub state: TargetState,
    /// Set when the answer was held back because a mandatory standby of the
    /// target is not alive: the message a replica reports.
    pub stalled: Option<String>,
}

/// The target's answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum ReplResponse {
    /// Journal data.
    Journal(JournalChunk),
    /// Journal state.
    Status(TargetState),
    /// Archive content.
    Archive {
        /// The content (uncompressed).
        #[serde(with = "octets")]
        bytes: Vec<u8>,
    },
    /// The answer to a failover request.
    Failover(crate::failover::wire::MasterAnswer),
    /// The request was refused or failed; the text is the error chain to
    /// report, outermost first.
    Refused {
        /// Error lines.
        lines: Vec<String>,
    },
}

/// Bytes as a JSON string of one character per byte (U+0000..U+00FF):
/// journal text stays readable and compact on the wire, and any byte
/// survives the trip.
mod octets {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let text: String = bytes.iter().map(|&b| char::from(b)).collect();
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        text.chars()
            .map(|c| {
                u8::try_from(u32::from(c))
                    .map_err(|_| serde::de::Error::custom("byte string out of range"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_render_like_servers_j() {
        assert_eq!(flags::render(flags::ACK), "wAdl/4");
        assert_eq!(flags::render(flags::DURABLE), "waDl/2");
        assert_eq!(flags::render(flags::LONG_POLL | flags::ACK), "WAdl/12");
        assert_eq!(flags::render(flags::LONG_POLL | flags::DURABLE), "WaDl/10");
        assert_eq!(flags::render(flags::LOCAL), "wadL/1");
    }

    #[test]
    fn positions_parse_and_order() {
        assert_eq!(Position::parse("1/8403\n"), Some(Position::new(1, 8403)));
        assert_eq!(Position::parse("x/1"), None);
        assert!(Position::new(1, 9000) < Position::new(2, 0));
        assert_eq!(Position::new(4, 6065).to_string(), "4/6065");
    }

    #[test]
    fn any_byte_survives_the_wire() {
        let bytes: Vec<u8> = (0..=255).collect();
        let chunk = ReplResponse::Archive {
            bytes: bytes.clone(),
        };
        let text = serde_json::to_string(&chunk).unwrap();
        let back: ReplResponse = serde_json::from_str(&text).unwrap();
        assert_eq!(back, ReplResponse::Archive { bytes });
        let bad = r#"{"Archive":{"bytes":"\u0100"}}"#;
        assert!(serde_json::from_str::<ReplResponse>(bad).is_err());
    }
}
