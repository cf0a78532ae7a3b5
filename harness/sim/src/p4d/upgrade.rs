//! `p4d -xu`: upgrading a database to the installed release.
//!
//! The tables are rewritten at the release's record versions and the
//! `upgrade` counter is set to the release's level; the upgrade is
//! journaled as a server-upgrade note (seed 002, type 5: from and to
//! levels) with the counter change. p4d's console text for an upgrade is
//! not public; the simulator prints nothing on success.

use std::rc::Rc;

use p4ha_journal::{Note, NoteKind};

use crate::db::Value;
use crate::host::Host;
use crate::p4d::P4dArgs;
use crate::p4d_offline::{Report, create_new_database, open_site};
use crate::schema;
use crate::server::ServerConfig;

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
