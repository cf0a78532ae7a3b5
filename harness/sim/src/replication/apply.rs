//! Reading journal bytes as transactions and applying them to a replica's
//! tables.
//!
//! Only complete transactions are applied: data records count once the
//! `@ex@` that ends their transaction has arrived, so a replica never holds
//! half of a change. Notes between transactions (journal headers and
//! trailers) are consumed as they come; `@mx@` markers stay inside their
//! transaction.

use p4ha_journal::{LineEnd, Op, Record, Scanner};

use crate::db::{Db, DbError, record_to_row};

/// One complete transaction.
#[derive(Debug, Clone)]
pub struct Transaction {
    /// Its data records, in journal order.
    pub records: Vec<Record>,
    /// Offset (in the bytes given) just past its `@ex@` line.
    pub end: usize,
}

/// The complete part of some journal bytes.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Complete transactions, in order.
    pub transactions: Vec<Transaction>,
    /// Bytes consumed: through the last complete transaction or the last
    /// note that follows it. Everything after is an incomplete tail.
    pub consumed: usize,
    /// The first malformed record, if parsing stopped at one (line within
    /// the bytes and p4d's message); a truncated tail is not malformed.
    pub error: Option<(u64, String)>,
}

/// Splits journal bytes into their complete transactions.
pub fn split(bytes: &[u8]) -> Parsed {
    let mut parsed = Parsed::default();
    let mut pending: Vec<Record> = Vec::new();
    let mut in_transaction = false;
    let mut scanner = Scanner::new(bytes);
    while let Some(next) = scanner.next_record() {
        let raw = match next {
            Ok(raw) => raw,
            Err(e) => {
                // A record cut by the end of the bytes is merely incomplete:
                // the input ends inside a quoted word, or no line end
                // follows the fault.
                let at_end = matches!(e.kind(), p4ha_journal::ErrorKind::EndOfInput)
                    || e.offset().is_none_or(|o| {
                        !bytes.get(o as usize..).unwrap_or_default().contains(&b'\n')
                    });
                if !at_end {
                    parsed.error = Some((e.line().unwrap_or(0), e.message()));
                }
                break;
            }
        };
        if raw.line_end() == LineEnd::Missing {
            break;
        }
        let end = (raw.offset() as usize) + raw.bytes().len();
        match raw.op() {
            Op::Ex => {
                parsed.transactions.push(Transaction {
                    records: std::mem::take(&mut pending),
                    end,
                });
                parsed.consumed = end;
                in_transaction = false;
            }
            Op::Nx if !in_transaction => parsed.consumed = end,
            Op::Nx | Op::Mx => {}
            _ => match raw.decode() {
                Ok(rec) => {
                    pending.push(rec);
                    in_transaction = true;
                }
                Err(e) => {
                    parsed.error = Some((e.line().unwrap_or(0), e.message()));
                    break;
                }
            },
        }
    }
    parsed
}

/// Applies a transaction's records to `db` (not journaled). Records of
/// tables the simulator does not keep are skipped, as are deletions of
/// rows that are not there.
pub fn apply(db: &mut Db, tx: &Transaction) -> Result<(), DbError> {
    for rec in &tx.records {
        let (Some(table), Some(row)) = (rec.table(), record_to_row(rec)) else {
            continue;
        };
        let table = table.to_string();
        match db.apply(rec.op, &table, row) {
            Ok(_) | Err(DbError::UnknownTable(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOURNAL: &[u8] = b"@nx@ 2 1571371200 @47@ 1 0 0 0 0 @/master@ @journal@ @@ @@ @@ \n\
@pv@ 1 @db.counters@ @build@ @42@ \n\
@ex@ 1001 1571371201 \n\
@pv@ 1 @db.counters@ @a@ @1@ \n\
@pv@ 1 @db.counters@ @b@ @2@ \n\
@ex@ 1002 1571371202 \n";

    #[test]
    fn only_complete_transactions_count() {
        let all = split(JOURNAL);
        assert_eq!(all.transactions.len(), 2);
        assert_eq!(all.consumed, JOURNAL.len());
        assert_eq!(all.transactions[1].records.len(), 2);
        // Cut anywhere inside the second transaction: only the first counts.
        let first_end = all.transactions[0].end;
        for cut in first_end..JOURNAL.len() {
            let part = split(&JOURNAL[..cut]);
            assert_eq!(part.transactions.len(), 1, "cut at {cut}");
            assert_eq!(part.consumed, first_end, "cut at {cut}");
            assert!(part.error.is_none(), "cut at {cut}: {:?}", part.error);
        }
        // Cut inside the header: nothing at all.
        let head = split(&JOURNAL[..10]);
        assert_eq!(head.consumed, 0);
    }

    #[test]
    fn trailing_notes_are_consumed() {
        let mut j = JOURNAL.to_vec();
        j.extend_from_slice(b"@nx@ 3 1571371300 @47@ 0 0 0 0 0 @@ @@ @@ @@ @@ \n");
        assert_eq!(split(&j).consumed, j.len());
    }
}
