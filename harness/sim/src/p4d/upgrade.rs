//! `p4d -xu`: upgrading a database to the installed release.
//!
//! The tables are rewritten at the release's record versions and the
//! `upgrade` counter is set to the release's level; the upgrade is
//! journaled as a server-upgrade note (seed 002, type 5: from and to
//! levels) with the counter change, except on a standby, whose journal is
//! its master's copied journal. p4d's console text for an upgrade is
//! not public; the simulator prints nothing on success.

use std::rc::Rc;

use p4ha_journal::{Note, NoteKind};

use crate::db::Value;
use crate::host::Host;
use crate::p4d::P4dArgs;
use crate::p4d_offline::{Report, create_new_database, open_site};
use crate::schema;
use crate::server::ServerConfig;
use crate::services::Services;

/// Runs `p4d -xu`.
pub(crate) fn run(host: &Rc<Host>, args: &P4dArgs, cfg: &ServerConfig, report: &mut Report) {
    let site = match open_site(host, args, cfg) {
        Ok(s) => s,
        Err(lines) => return report.error(lines),
    };
    let now = host.clock.now();
    let pid = host.next_pid();
    if site.db().is_new() {
        // A new database is created at the release's level: nothing to upgrade.
        return create_new_database(&site, report);
    }
    let mut db = site.db();
    // A standby's journal holds only what journalcopy copied from its
    // target (with `rpl.journalcopy.location=1` P4JOURNAL is the copy being
    // written), so its own upgrade is not journaled: the upgrade reaches
    // its journal with the target's own `p4d -xu`, through replication.
    // Not documented; chosen so that a standby upgraded before its master
    // (the documented order) keeps copying the master's journal.
    let journalcopy_replica = crate::server::identity::read_server_id(&site.fs, &site.root)
        .and_then(|id| db.get("db.server", &[Value::text(id)]).ok().flatten())
        .is_some_and(|row| Services::from_bits(row[5].as_int() as u32).is_standby());
    let target = i64::from(site.version.upgrade_level());
    let level = match db.get("db.counters", &[Value::text("upgrade")]) {
        Ok(row) => row.map(|r| r[1].as_int()).unwrap_or(0),
        Err(e) => return report.error(e.to_string().lines().map(str::to_string).collect()),
    };
    if level > target {
        return report.error(vec![format!(
            "Database is at upgrade level {level} past this server's level {target}."
        )]);
    }
    if level == target {
        return;
    }
    let mut rewrite = || -> Result<(), crate::db::DbError> {
        for def in schema::TABLES {
            // Re-applying every row marks the table for writing at the
            // release's record version.
            for row in db.rows(def.name)? {
                db.apply(p4ha_journal::Op::Pv, def.name, row)?;
            }
        }
        db.put(
            "db.counters",
            vec![Value::text("upgrade"), Value::text(target.to_string())],
        )
    };
    if let Err(e) = rewrite() {
        return report.error(e.to_string().lines().map(str::to_string).collect());
    }
    if journalcopy_replica {
        let _ = db.take_records();
        if let Err(e) = db.flush().and_then(|_| db.create_missing()) {
            report.error(e.to_string().lines().map(str::to_string).collect());
        }
        return;
    }
    let mut records = vec![
        Note::from_kind(
            now,
            site.version.level(),
            &NoteKind::ServerUpgrade {
                from: level,
                to: target,
            },
        )
        .to_record(),
    ];
    records.extend(db.take_records());
    if let Some(j) = &site.journal
        && let Err(e) = j.append_transaction(&records, pid, now)
    {
        return report.error(vec![format!(
            "write: {}: {}",
            j.journal_name(),
            crate::client::os_error(&e)
        )]);
    }
    if let Err(e) = db.flush().and_then(|_| db.create_missing()) {
        report.error(e.to_string().lines().map(str::to_string).collect());
    }
}
