//! Users and logins: `user`, `users`, `passwd`, `login`, `logout`.
//!
//! A user is a `db.user` row. Passwords are kept as their MD5; a login
//! issues a ticket (32 upper-case hex digits), keeps its MD5 and expiry in
//! the user's row (in `db.user.rp` on a replica, whose logins are its own)
//! and hands the ticket to the client, which stores it in its P4TICKETS
//! file under the server's identity.

use super::forms;
use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::{self, Authenticated, Perm, UserType, user_col};
use crate::db::{Db, Row, Value};
use crate::protocol::ServerMsg;
use crate::spec::{self, Form, SpecKind};

const USAGE_USER: &str = "user [ -f -F -d -i -o ] [ username ]";
const USAGE_USER_O: &str = "user -o username";
const USAGE_USER_D: &str = "user -d [ -f | -F ] username";
const USAGE_USER_I: &str = "user -i [ -f ]";
const USAGE_USERS: &str = "users [ -l -a -r -c ] [ -m max ] [ user ... ]";
const USAGE_PASSWD: &str = "passwd [ -O oldPasswd -P newPasswd ] [ username ]";
const USAGE_LOGIN: &str = "login [ -a -p ] [ -s ] [ -r remotespec ] [ -h host username ]";
const USAGE_LOGOUT: &str = "logout [ -a ] [ username ]";

/// `db.user.auth` by AuthMethod word.
const AUTH_METHODS: &[(&str, i64)] = &[
    ("perforce", 0),
    ("ldap", 1),
    ("perforce+2fa", 16),
    ("ldap+2fa", 17),
];

fn auth_word(code: i64) -> &'static str {
    AUTH_METHODS
        .iter()
        .find(|(_, c)| *c == code)
        .map_or("perforce", |(w, _)| w)
}

/// True when the caller has `super` (from the host they connect from).
fn is_super(cx: &Cx<'_>, db: &mut Db) -> Result<bool, CmdError> {
    Ok(
        auth::max_perm_from(db, &cx.user, &cx.peer.ip().to_string())?
            .is_some_and(|p| p >= Perm::Super),
    )
}

/// Checks the caller's own password or ticket (for the commands that run
/// without the usual login check).
fn authenticate_caller(cx: &Cx<'_>, db: &mut Db) -> Result<Authenticated, CmdError> {
    let ticket = cx.req.ticket_for(&cx.srv.address()).map(str::to_string);
    auth::authenticate(
        db,
        &cx.user,
        cx.req.password.as_deref(),
        ticket.as_deref(),
        cx.now(),
    )
    .map_err(|f| CmdError::failed(f.message()))
}

/// The form of an existing user.
fn user_form(cx: &Cx<'_>, row: &Row) -> Form {
    let mut form = Form::new();
    form.set("User", row[user_col::USER].as_str());
    let ty = UserType::from_code(row[user_col::TYPE].as_int());
    // The Type line appears for service and operator users only (seed 000
    // adds it by hand to a new user's form).
    if ty != UserType::Standard {
        form.set("Type", ty.as_str());
    }
    form.set("Email", row[user_col::EMAIL].as_str());
    form.set(
        "Update",
        forms::datetime(cx, row[user_col::UPDATE].as_int()),
    );
    form.set(
        "Access",
        forms::datetime(cx, row[user_col::ACCESS].as_int()),
    );
    form.set("FullName", row[user_col::FULLNAME].as_str());
    form.set("JobView", row[user_col::JOBVIEW].as_str());
    if !row[user_col::PASSWORD].as_str().is_empty() {
        form.set("Password", "******");
    }
    form.set("AuthMethod", auth_word(row[user_col::AUTH].as_int()));
    form
}

/// The form of a user who does not exist yet.
fn new_user_form(cx: &Cx<'_>, name: &str) -> Form {
    let mut form = Form::new();
    form.set("User", name);
    form.set("Email", format!("{name}@{}", cx.req.host));
    form.set("FullName", name);
    form.set("AuthMethod", "perforce");
    form
}

fn print_form(cx: &mut Cx<'_>, def: &spec::SpecDef, form: &Form) {
    if cx.is_tagged() {
        cx.tagged(spec::tagged(def, form));
    } else {
        cx.info(spec::format(def, form));
    }
}

/// `p4 user ...`.
async fn user(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "", "fFdio", &[], USAGE_USER)?;
    let def = spec::definition(SpecKind::User, cx.srv.version());
    let force = opts.has('f') || opts.has('F');
    if opts.has('o') {
        let name = match opts.args.as_slice() {
            [] => cx.user.clone(),
            [n] => n.clone(),
            _ => return Err(CmdError::usage(USAGE_USER_O)),
        };
        let mut db = cx.db();
        let form = match auth::user_row(&mut db, &name)? {
            Some(row) => user_form(cx, &row),
            None => new_user_form(cx, &name),
        };
        print_form(cx, &def, &form);
        return Ok(());
    }
    if opts.has('d') {
        let [name] = opts.args.as_slice() else {
            return Err(CmdError::usage(USAGE_USER_D));
        };
        if let Some(r) = forms::write_on_replica(cx).await {
            return r;
        }
        return delete_user(cx, name, force, opts.has('F'));
    }
    if opts.has('i') {
        if !opts.args.is_empty() {
            return Err(CmdError::usage(USAGE_USER_I));
        }
        if let Some(r) = forms::write_on_replica(cx).await {
            return r;
        }
        let form = spec::parse(&def, &forms::form_input(cx))
            .map_err(|e| CmdError::failed(e.render(def.domain)))?;
        return save_user(cx, &form, force);
    }
    match opts.args.as_slice() {
        [] => Err(forms::no_editor("user", None)),
        [name] => Err(forms::no_editor(
            if force { "user -f" } else { "user" },
            Some(name),
        )),
        _ => Err(CmdError::usage(USAGE_USER)),
    }
}

fn save_user(cx: &mut Cx<'_>, form: &Form, force: bool) -> CmdResult {
    let name = form.get("User").unwrap_or_default().to_string();
    let mut db = cx.db();
    if force && !is_super(cx, &mut db)? {
        return Err(CmdError::no_permission());
    }
    if name != cx.user && !force {
        return Err(CmdError::no_permission());
    }
    let existing = auth::user_row(&mut db, &name)?;
    let old_type = existing.as_ref().map_or(UserType::Standard, |r| {
        UserType::from_code(r[user_col::TYPE].as_int())
    });
    let new_type = match form.get("Type").filter(|t| !t.is_empty()) {
        Some(t) => {
            UserType::from_word(t).ok_or_else(|| CmdError::failed("User type can't be changed."))?
        }
        None => old_type,
    };
    // The type is set once, by a super user creating the user with -f.
    if new_type != old_type && (existing.is_some() || !force) {
        return Err(CmdError::failed("User type can't be changed."));
    }
    let auth_code = match form.get("AuthMethod").filter(|a| !a.is_empty()) {
        Some(a) => AUTH_METHODS
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(a))
            .map_or(0, |(_, c)| *c),
        None => existing.as_ref().map_or(0, |r| r[user_col::AUTH].as_int()),
    };
    if let Some(old) = &existing
        && old[user_col::AUTH].as_int() != auth_code
        && !force
    {
        return Err(CmdError::failed(
            "User's authentication method can't be changed; use -f to force switch.",
        ));
    }
    let now = cx.now();
    let mut row = existing
        .clone()
        .unwrap_or_else(|| auth::new_user_row(&name, &cx.req.host, now));
    row[user_col::EMAIL] = Value::text(form.get("Email").unwrap_or_default());
    row[user_col::FULLNAME] = Value::text(form.get("FullName").unwrap_or_default());
    row[user_col::JOBVIEW] = Value::text(form.get("JobView").unwrap_or_default());
    row[user_col::TYPE] = Value::Int(new_type.code());
    row[user_col::AUTH] = Value::Int(auth_code);
    // At security level 0 the form's Password field sets the password;
    // `******` (what -o prints) leaves it as it is.
    match form.get("Password") {
        Some("******") => {}
        Some(p) if !p.is_empty() => set_password(&mut row, Some(p), now),
        _ => {}
    }
    if existing.as_ref() == Some(&row) {
        cx.info(format!("User {name} not changed."));
        return Ok(());
    }
    row[user_col::UPDATE] = Value::Int(now);
    db.put("db.user", row)?;
    cx.commit(&mut db)?;
    cx.info(format!("User {name} saved."));
    Ok(())
}

fn delete_user(cx: &mut Cx<'_>, name: &str, force: bool, everywhere: bool) -> CmdResult {
    let mut db = cx.db();
    if name != cx.user && !force {
        return Err(CmdError::failed(format!(
            "Not user '{name}'; use -f to force delete."
        )));
    }
    if force && !is_super(cx, &mut db)? {
        return Err(CmdError::no_permission());
    }
    if auth::user_row(&mut db, name)?.is_none() {
        return Err(CmdError::failed(format!("User {name} doesn't exist.")));
    }
    let mut clients: Vec<String> = db
        .rows("db.working")?
        .iter()
        .filter(|r| r[3].as_str() == name)
        .map(|r| r[2].as_str().into_owned())
        .collect();
    clients.sort();
    clients.dedup();
    if !clients.is_empty() {
        cx.info(format!(
            "User {name} has file(s) open on {} client(s) and can't be deleted.",
            clients.len()
        ));
        return Ok(());
    }
    db.delete("db.user", &[Value::text(name)])?;
    if everywhere {
        // -F: also out of every group and protections line naming the user.
        for r in db
            .rows("db.group")?
            .into_iter()
            .filter(|r| r[0].as_str() == name)
        {
            db.delete("db.group", &r[..2])?;
        }
        for r in db
            .rows("db.protect")?
            .into_iter()
            .filter(|r| r[1].as_int() == 0 && r[2].as_str() == name)
        {
            db.delete("db.protect", &r[..1])?;
        }
    }
    cx.commit(&mut db)?;
    cx.info(format!("User {name} deleted."));
    Ok(())
}

/// `p4 users`.
async fn users(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "m", "larc", &[], USAGE_USERS)?;
    let max = match opts.value('m') {
        Some(m) => Some(
            m.parse::<usize>()
                .map_err(|_| CmdError::usage(USAGE_USERS))?,
        ),
        None => None,
    };
    let mut db = cx.db();
    let rows: Vec<Row> = db
        .rows("db.user")?
        .into_iter()
        .filter(|r| {
            opts.has('a') || UserType::from_code(r[user_col::TYPE].as_int()) == UserType::Standard
        })
        .filter(|r| {
            opts.args.is_empty()
                || opts
                    .args
                    .iter()
                    .any(|p| auth::wildcard(p, r[user_col::USER].as_str().as_ref()))
        })
        .take(max.unwrap_or(usize::MAX))
        .collect();
    if rows.is_empty() {
        if opts.args.is_empty() {
            cx.warn("No such user(s).");
        } else {
            for a in &opts.args {
                cx.warn(format!("{a} - no such user(s)."));
            }
        }
        return Ok(());
    }
    for r in rows {
        let get = |c: usize| r[c].as_str().into_owned();
        let ty = UserType::from_code(r[user_col::TYPE].as_int());
        if cx.is_tagged() {
            let mut rec = vec![
                ("User".to_string(), get(user_col::USER)),
                ("Type".to_string(), ty.as_str().to_string()),
                ("Email".to_string(), get(user_col::EMAIL)),
                ("Update".to_string(), get(user_col::UPDATE)),
                ("Access".to_string(), get(user_col::ACCESS)),
                ("FullName".to_string(), get(user_col::FULLNAME)),
            ];
            if r[user_col::PASSDATE].as_int() > 0 {
                rec.push(("PasswordChange".to_string(), get(user_col::PASSDATE)));
            }
            cx.tagged(rec);
            continue;
        }
        let mut line = format!(
            "{} <{}> ({}) accessed {}",
            get(user_col::USER),
            get(user_col::EMAIL),
            get(user_col::FULLNAME),
            forms::date(cx, r[user_col::ACCESS].as_int())
        );
        if opts.has('l') {
            let when = |t: i64| {
                if t > 0 {
                    forms::date(cx, t)
                } else {
                    "none".to_string()
                }
            };
            line.push_str(&format!(
                " type {} ticket expires {} password last changed {}",
                ty.as_str(),
                when(r[user_col::END].as_int()),
                when(r[user_col::PASSDATE].as_int())
            ));
        }
        cx.info(line);
    }
    Ok(())
}

/// Sets (or, with `None` or an empty password, removes) a user row's
/// password.
fn set_password(row: &mut Row, password: Option<&str>, now: i64) {
    match password.filter(|p| !p.is_empty()) {
        Some(p) => {
            row[user_col::PASSWORD] = Value::text(auth::md5_hex(p));
            // Strength: 1 for a "strong" password (8+ characters, mixed
            // case or a non-letter), else 0.
            let strong = p.len() >= 8
                && ((p.chars().any(char::is_lowercase) && p.chars().any(char::is_uppercase))
                    || p.chars().any(|c| !c.is_alphabetic()));
            row[user_col::STRENGTH] = Value::Int(i64::from(strong));
        }
        None => {
            row[user_col::PASSWORD] = Value::text("");
            row[user_col::STRENGTH] = Value::Int(2);
        }
    }
    row[user_col::PASSDATE] = Value::Int(now);
}

/// `p4 passwd [-O old -P new] [user]`.
async fn passwd(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "OP", "", &[], USAGE_PASSWD)?;
    let target = match opts.args.as_slice() {
        [] => cx.user.clone(),
        [u] => u.clone(),
        _ => return Err(CmdError::usage(USAGE_PASSWD)),
    };
    let mut db = cx.db();
    let now = cx.now();
    let existing = auth::user_row(&mut db, &target)?;
    if target != cx.user {
        // A super user sets another user's password without the old one.
        authenticate_caller(cx, &mut db)?;
        if !is_super(cx, &mut db)? {
            return Err(CmdError::no_permission());
        }
        if existing.is_none() {
            return Err(CmdError::failed(format!("User {target} doesn't exist.")));
        }
    } else if let Some(row) = &existing {
        let stored = row[user_col::PASSWORD].as_str().into_owned();
        if !stored.is_empty() {
            let old = match opts.value('O') {
                Some(o) => o.to_string(),
                None => cx.prompt("Enter old password: ").await.unwrap_or_default(),
            };
            if auth::md5_hex(&old) != stored {
                return Err(CmdError::failed("Password invalid."));
            }
        }
    }
    let new = match opts.value('P') {
        Some(p) => p.to_string(),
        None => {
            let first = cx.prompt("Enter new password: ").await.unwrap_or_default();
            let again = cx
                .prompt("Re-enter new password: ")
                .await
                .unwrap_or_default();
            if first != again {
                return Err(CmdError::failed("Passwords don't match."));
            }
            first
        }
    };
    let mut row = existing
        .clone()
        .unwrap_or_else(|| auth::new_user_row(&target, &cx.req.host, now));
    let had = !row[user_col::PASSWORD].as_str().is_empty();
    if new.is_empty() && !had {
        cx.info("Password not changed.");
        return Ok(());
    }
    set_password(&mut row, Some(&new), now);
    db.put("db.user", row)?;
    cx.commit(&mut db)?;
    cx.info(if new.is_empty() {
        "Password deleted."
    } else {
        "Password updated."
    });
    Ok(())
}

/// The table a server keeps its logins in: a replica's own `db.user.rp`,
/// else `db.user`.
fn ticket_table(cx: &Cx<'_>) -> &'static str {
    if cx.srv.services().is_replica() {
        "db.user.rp"
    } else {
        "db.user"
    }
}

fn expires_in(user: &str, end: i64, now: i64) -> String {
    let left = (end - now).max(0);
    format!(
        "User {user} ticket expires in {} hours {} minutes.",
        left / 3600,
        (left % 3600) / 60
    )
}

/// `p4 login [-a -p] [-s] [-h host] [user]`.
async fn login(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "hr", "aps", &[], USAGE_LOGIN)?;
    let target = match opts.args.as_slice() {
        [] => cx.user.clone(),
        [u] => u.clone(),
        _ => return Err(CmdError::usage(USAGE_LOGIN)),
    };
    if opts.has('h') && opts.args.is_empty() {
        return Err(CmdError::usage(USAGE_LOGIN));
    }
    if let Some(remote) = opts.value('r') {
        return Err(CmdError::failed(format!(
            "Remote '{remote}' doesn't exist."
        )));
    }
    let mut db = cx.db();
    let now = cx.now();
    if opts.has('s') {
        return login_status(cx, &mut db, &target);
    }
    let Some(row) = auth::user_row(&mut db, &target)? else {
        return Err(CmdError::failed(format!("User {target} doesn't exist.")));
    };
    if row[user_col::PASSWORD].as_str().is_empty() {
        cx.info("'login' not necessary, no password set for this user.");
        return Ok(());
    }
    if opts.has('a') && UserType::from_code(row[user_col::TYPE].as_int()) == UserType::Service {
        return Err(CmdError::failed("Service user may not login to all hosts."));
    }
    // A super user logs another user in without their password; anyone
    // else gives the password of the user they log in as.
    let by_super =
        target != cx.user && authenticate_caller(cx, &mut db).is_ok() && is_super(cx, &mut db)?;
    if opts.has('h') && !by_super {
        return Err(CmdError::no_permission());
    }
    if !by_super {
        let password = cx.prompt("Enter password: ").await.unwrap_or_default();
        if auth::md5_hex(&password) != row[user_col::PASSWORD].as_str() {
            return Err(CmdError::failed("Password invalid."));
        }
    }
    let timeout = auth::ticket_timeout(&mut db, &target)?;
    let table = ticket_table(cx);
    let mut record = match table {
        "db.user" => row.clone(),
        _ => db
            .get(table, &[Value::text(&target)])?
            .unwrap_or_else(|| row.clone()),
    };
    // A user has one ticket at a time, whichever host logs in: while it is
    // valid, another login hands out the same ticket (so one service user
    // can serve several replicas, as with p4d); otherwise a new one is
    // issued. The server keeps only the ticket's MD5, so a ticket is
    // derived from the user, password and expiry it was issued with.
    let hash = record[user_col::TICKET].as_str().into_owned();
    let end = record[user_col::END].as_int();
    let password_hash = row[user_col::PASSWORD].as_str().into_owned();
    let current = (!hash.is_empty() && end != -1 && (end == 0 || end >= now))
        .then(|| derive_ticket(&target, &password_hash, end))
        .filter(|t| auth::md5_hex(t) == hash);
    let (ticket, end) = match current {
        Some(t) => (t, end),
        None => {
            let end = auth::ticket_end(now, timeout);
            (derive_ticket(&target, &password_hash, end), end)
        }
    };
    record[user_col::TICKET] = Value::text(auth::md5_hex(&ticket));
    record[user_col::END] = Value::Int(end);
    record[user_col::ACCESS] = Value::Int(now);
    db.put(table, record)?;
    cx.commit(&mut db)?;
    if opts.has('p') {
        cx.info(ticket);
        return Ok(());
    }
    cx.send(ServerMsg::SetTicket {
        key: cx.srv.address(),
        user: target.clone(),
        ticket,
    });
    cx.info(format!("User {target} logged in."));
    Ok(())
}

fn login_status(cx: &mut Cx<'_>, db: &mut Db, target: &str) -> CmdResult {
    let now = cx.now();
    if target != cx.user {
        authenticate_caller(cx, db)?;
        if !is_super(cx, db)? {
            return Err(CmdError::no_permission());
        }
        let Some(row) = auth::user_row(db, target)? else {
            return Err(CmdError::failed(format!("User {target} doesn't exist.")));
        };
        if row[user_col::PASSWORD].as_str().is_empty() {
            cx.info("'login' not necessary, no password set for this user.");
            return Ok(());
        }
        let local = db.get("db.user.rp", &[Value::text(target)])?;
        let end = local.as_ref().unwrap_or(&row)[user_col::END].as_int();
        if end > now {
            cx.info(expires_in(target, end, now));
            return Ok(());
        }
        return Err(CmdError::failed(format!(
            "User {target} session has expired."
        )));
    }
    match authenticate_caller(cx, db)? {
        Authenticated::NoPassword => {
            cx.info("'login' not necessary, no password set for this user.")
        }
        Authenticated::Password => cx.info(format!(
            "User {target} was authenticated by password not ticket."
        )),
        Authenticated::Ticket { end } => cx.info(expires_in(target, end, now)),
    }
    Ok(())
}

/// `p4 logout [-a] [user]`.
async fn logout(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "h", "a", &[], USAGE_LOGOUT)?;
    let target = match opts.args.as_slice() {
        [] => cx.user.clone(),
        [u] => u.clone(),
        _ => return Err(CmdError::usage(USAGE_LOGOUT)),
    };
    let mut db = cx.db();
    authenticate_caller(cx, &mut db)?;
    if target != cx.user && !is_super(cx, &mut db)? {
        return Err(CmdError::no_permission());
    }
    if opts.has('a') {
        // -a invalidates the ticket on the server for every host.
        let table = ticket_table(cx);
        if let Some(mut row) = db.get(table, &[Value::text(&target)])?
            && !row[user_col::TICKET].as_str().is_empty()
        {
            row[user_col::END] = Value::Int(auth::LOGGED_OUT_END);
            db.put(table, row)?;
            cx.commit(&mut db)?;
        }
    }
    cx.send(ServerMsg::ClearTicket {
        key: cx.srv.address(),
        user: target.clone(),
    });
    cx.info(format!("User {target} logged out."));
    Ok(())
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[
    cmd("user", Access::Level(Perm::List), OnReplica::Read),
    cmd("users", Access::Level(Perm::List), OnReplica::Read),
    cmd("passwd", Access::Anyone, OnReplica::Write),
    cmd("login", Access::Anyone, OnReplica::Local),
    cmd("logout", Access::Anyone, OnReplica::Local),
];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "user" => Some(user(cx).await),
        "users" => Some(users(cx).await),
        "passwd" => Some(passwd(cx).await),
        "login" => Some(login(cx).await),
        "logout" => Some(logout(cx).await),
        _ => None,
    }
}

/// The ticket issued to `user` with this password hash and expiry: 32
/// upper-case hex digits, the same on every server holding the same
/// `db.user` row (tickets survive replication and failover).
fn derive_ticket(user: &str, password_hash: &str, end: i64) -> String {
    auth::md5_hex(&format!("p4ha-ticket:{user}:{password_hash}:{end}"))
}
