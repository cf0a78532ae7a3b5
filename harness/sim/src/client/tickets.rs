//! The p4 ticket file (`P4TICKETS`, default `$HOME/.p4tickets`).
//!
//! One entry per line, `key=user:ticket`. Reading splits at the first `=`
//! and then at the last `:`; lines without `=` are ignored; keys without a
//! `:` get `localhost:` prefixed (p4's `support/ticket.cc`).

use std::path::Path;

use p4ha_hostfs::HostFs;

/// One ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Server identity the ticket is stored under (`master:1666`).
    pub key: String,
    /// User.
    pub user: String,
    /// The ticket.
    pub ticket: String,
}

/// Parses a ticket file.
pub fn parse(text: &str) -> Vec<Ticket> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_end_matches('\r');
            let (key, rest) = line.split_once('=')?;
            let (user, ticket) = rest.rsplit_once(':')?;
            let key = if key.contains(':') {
                key.to_string()
            } else {
                format!("localhost:{key}")
            };
            Some(Ticket {
                key,
                user: user.to_string(),
                ticket: ticket.to_string(),
            })
        })
        .collect()
}

/// Renders a ticket file.
pub fn render(tickets: &[Ticket]) -> String {
    tickets
        .iter()
        .map(|t| format!("{}={}:{}\n", t.key, t.user, t.ticket))
        .collect()
}

/// Reads the ticket file (empty when missing).
pub fn load(fs: &HostFs, path: &Path) -> Vec<Ticket> {
    fs.read_to_string(path)
        .map(|t| parse(&t))
        .unwrap_or_default()
}

/// Stores or replaces the ticket of `user` under `key`. The file is left
/// readable by its owner only, as p4 leaves it.
pub fn store(fs: &HostFs, path: &Path, key: &str, user: &str, ticket: &str) -> std::io::Result<()> {
    let mut all = load(fs, path);
    all.retain(|t| !(t.key == key && t.user == user));
    all.push(Ticket {
        key: key.to_string(),
        user: user.to_string(),
        ticket: ticket.to_string(),
    });
    write(fs, path, &all)
}

/// Removes the ticket of `user` under `key`.
pub fn remove(fs: &HostFs, path: &Path, key: &str, user: &str) -> std::io::Result<()> {
    let mut all = load(fs, path);
    let before = all.len();
    all.retain(|t| !(t.key == key && t.user == user));
    if all.len() == before {
        return Ok(());
    }
    write(fs, path, &all)
}

fn write(fs: &HostFs, path: &Path, all: &[Ticket]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs.create_dir_all(dir)?;
    }
    if fs.exists(path) {
        // The file is kept read-only; make it writable for the update.
        fs.set_mode(path, 0o600)?;
    }
    fs.write(path, render(all).as_bytes())?;
    fs.set_mode(path, 0o400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_p4() {
        let t =
            parse("master:1666=service:ABC\n1666=super:DEF\nno equals here\nhost:1=a:b:c:GHI\n");
        assert_eq!(t.len(), 3);
        assert_eq!(t[1].key, "localhost:1666");
        assert_eq!(t[2].user, "a:b:c");
        assert_eq!(t[2].ticket, "GHI");
        assert_eq!(render(&t[..1]), "master:1666=service:ABC\n");
    }
}
