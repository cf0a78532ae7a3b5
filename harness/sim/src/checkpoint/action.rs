//! The `lastCheckpointAction` counter: what the last complete checkpoint
//! was and when it completed.

use crate::clock::Zone;
use crate::db::{Db, DbError, Value};

/// The counter's value after a checkpoint completed at `epoch`, dated in
/// the server's zone: `1571375264 (2019/10/18 14:07:44 +0900 JST)
/// checkpoint completed` (reference 2.4).
pub fn last_checkpoint_action(epoch: i64, zone: &Zone) -> String {
    format!(
        "{epoch} ({}) checkpoint completed",
        zone.datetime_with_zone(epoch)
    )
}

/// Sets the counter in a session (journaled when the session commits).
pub fn set_last_checkpoint_action(db: &mut Db, epoch: i64, zone: &Zone) -> Result<(), DbError> {
    db.put(
        "db.counters",
        vec![
            Value::text("lastCheckpointAction"),
            Value::text(last_checkpoint_action(epoch, zone)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_has_the_published_layout() {
        let tokyo = Zone::from_tz(Some("Asia/Tokyo"));
        assert_eq!(
            last_checkpoint_action(1_571_375_264, &tokyo),
            "1571375264 (2019/10/18 14:07:44 +0900 JST) checkpoint completed"
        );
        let pacific = Zone::from_tz(Some("America/Los_Angeles"));
        assert_eq!(
            last_checkpoint_action(1_736_740_861, &pacific),
            "1736740861 (2025/01/12 20:01:01 -0800 PST) checkpoint completed"
        );
    }
}
