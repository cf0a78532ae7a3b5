//! Operation markers: the first word of every journal record.

use std::fmt;
use std::str::FromStr;

/// The operation marker that starts a journal record (`@pv@`, `@ex@`, ...).
///
/// Every marker p4d has written since 97.x is known; the version history
/// is pv/dv/rv since 98.1, vv since 99.2, ex/mx since 2006.2, nx since
/// 2010.1, dl since 2011.1, and put/del before 98.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// `@pv@` put value (insert or overwrite a row); the only data marker in checkpoints.
    Pv,
    /// `@rv@` replace value (update an existing row).
    Rv,
    /// `@dv@` delete value.
    Dv,
    /// `@vv@` verify value.
    Vv,
    /// `@dl@` delete librarian.
    Dl,
    /// `@ex@` end of transaction: `@ex@ pid time`.
    Ex,
    /// `@mx@` mid-transaction marker: `@mx@ pid time`.
    Mx,
    /// `@nx@` journal note: `@nx@ type date @version@ i1..i5 @s1@..@s5@`.
    Nx,
    /// `@put@`, the pre-98.1 spelling of `@pv@`.
    Put,
    /// `@del@`, the pre-98.1 spelling of `@dv@`.
    Del,
}

/// How the words after a marker are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpClass {
    /// `@op@ tableVersion @table@ column...`: pv rv dv vv dl put del.
    Data,
    /// `@op@ pid time`: ex mx.
    Transaction,
    /// `@nx@ type date @version@ ...`.
    Note,
}

impl Op {
    /// Every marker, in a stable order (used for per-operation counts).
    pub const ALL: [Op; 10] = [
        Op::Pv,
        Op::Rv,
        Op::Dv,
        Op::Vv,
        Op::Dl,
        Op::Ex,
        Op::Mx,
        Op::Nx,
        Op::Put,
        Op::Del,
    ];

    /// The marker text without the `@` quotes, e.g. `"pv"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Pv => "pv",
            Op::Rv => "rv",
            Op::Dv => "dv",
            Op::Vv => "vv",
            Op::Dl => "dl",
            Op::Ex => "ex",
            Op::Mx => "mx",
            Op::Nx => "nx",
            Op::Put => "put",
            Op::Del => "del",
        }
    }

    /// The layout of the words that follow this marker.
    pub const fn class(self) -> OpClass {
        match self {
            Op::Ex | Op::Mx => OpClass::Transaction,
            Op::Nx => OpClass::Note,
            _ => OpClass::Data,
        }
    }

    /// True for markers that carry a table row (`pv rv dv vv dl put del`).
    pub const fn is_data(self) -> bool {
        matches!(self.class(), OpClass::Data)
    }

    /// Position of this marker in [`Op::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The marker for the unquoted text `bytes` (`b"pv"`), if it is one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Op> {
        Some(match bytes {
            b"pv" => Op::Pv,
            b"rv" => Op::Rv,
            b"dv" => Op::Dv,
            b"vv" => Op::Vv,
            b"dl" => Op::Dl,
            b"ex" => Op::Ex,
            b"mx" => Op::Mx,
            b"nx" => Op::Nx,
            b"put" => Op::Put,
            b"del" => Op::Del,
            _ => return None,
        })
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text given to [`Op::from_str`] is not an operation marker.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown journal operation '{0}' (expected one of pv rv dv vv dl ex mx nx put del)")]
pub struct UnknownOp(pub String);

impl FromStr for Op {
    type Err = UnknownOp;

    /// Accepts the bare marker (`pv`) or the quoted form (`@pv@`).
    fn from_str(s: &str) -> Result<Op, UnknownOp> {
        let bare = s
            .strip_prefix('@')
            .and_then(|rest| rest.strip_suffix('@'))
            .unwrap_or(s);
        Op::from_bytes(bare.as_bytes()).ok_or_else(|| UnknownOp(s.to_string()))
    }
}
