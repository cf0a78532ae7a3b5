//! Installing p4d on a machine the way an administrator does with Helix
//! Core's packages: a p4dctl configuration per server, an empty root with
//! its server ID, then `p4dctl start`. The runner does this through the
//! backend's `write_file` and `exec`, identically for every backend.

use p4ha_scenario::{CaseHandling, Server};

/// p4dctl's main configuration file.
pub const P4DCTL_CONF: &str = "/etc/perforce/p4dctl.conf";

/// The folder of per-service files the main file includes.
pub const P4DCTL_CONF_D: &str = "/etc/perforce/p4dctl.conf.d";

/// The p4d binary the packages install.
pub const P4D_PROGRAM: &str = "/opt/perforce/sbin/p4d";

/// The main configuration: only the include of the per-service folder.
pub fn main_config() -> String {
    format!(
        "# p4dctl configuration: one file per service in {P4DCTL_CONF_D}\ninclude {P4DCTL_CONF_D}\n"
    )
}

/// Where a server's p4dctl file goes.
pub fn service_config_path(server: &Server) -> String {
    format!("{P4DCTL_CONF_D}/{}.conf", server.p4dctl.name)
}

/// A value as p4dctl reads it: quoted when it holds blanks, `#`, `;` or braces.
fn value(v: &str) -> String {
    if v.is_empty()
        || v.chars()
            .any(|c| c.is_whitespace() || matches!(c, '#' | ';' | '{' | '}' | '"'))
    {
        format!("\"{}\"", v.replace('"', "\\\""))
    } else {
        v.to_string()
    }
}

/// The server's p4dctl file, in the layout of seed 000's
/// `p4dctl.conf.d/server-name.conf`: P4ROOT, P4PORT (the port alone: p4d
/// listens on every interface), P4JOURNAL when the scenario sets it, TZ,
/// PATH, then the scenario's own environment lines (which replace ours of
/// the same name). `timezone` overrides the server's time zone (the
/// `timezone` fault). A case-insensitive server gets `Args = -C1`, which
/// decides the case handling of the database it creates on first start.
pub fn service_config(server: &Server, timezone: Option<&str>) -> String {
    let mut env: Vec<(String, String)> = vec![
        ("P4ROOT".into(), server.root.clone()),
        ("P4PORT".into(), server.port.to_string()),
    ];
    if let Some(j) = &server.journal {
        env.push(("P4JOURNAL".into(), j.clone()));
    }
    env.push(("TZ".into(), server.timezone.clone()));
    env.push(("PATH".into(), crate::plan::P4DCTL_PATH.into()));
    for (k, v) in &server.p4dctl.environment {
        match env.iter_mut().find(|(n, _)| n == k) {
            Some(slot) => slot.1 = v.clone(),
            None => env.push((k.clone(), v.clone())),
        }
    }
    if let Some(tz) = timezone
        && let Some(slot) = env.iter_mut().find(|(n, _)| n == "TZ")
    {
        slot.1 = tz.to_string();
    }
    let width = env.iter().map(|(k, _)| k.len()).max().unwrap_or(0).max(9);
    let mut out = String::new();
    out.push_str(&format!("p4d {}\n{{\n", server.p4dctl.name));
    out.push_str("    Owner    =    perforce\n");
    out.push_str(&format!("    Execute  =    {P4D_PROGRAM}\n"));
    out.push_str("    Umask    =    077\n");
    if server.case == CaseHandling::Windows {
        out.push_str(&format!(
            "    Args     =    {}\n",
            CaseHandling::Windows.flag()
        ));
    }
    out.push_str("    Environment\n    {\n");
    for (k, v) in &env {
        out.push_str(&format!("        {k:<width$} =    {}\n", value(v)));
    }
    out.push_str("    }\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_file_layout() {
        let s = p4ha_scenario::load_str(
            "t.yaml",
            r#"
servers:
  standby:
    version: "2019.1"
    timezone: Asia/Tokyo
    case: windows
    p4dctl: {name: p4standby, environment: {P4USER: super, P4SSLDIR: ssl, TZ: Europe/Berlin}}
steps:
  - {on: standby, run: "true"}
"#,
        )
        .unwrap();
        let server = &s.servers[0];
        assert_eq!(
            service_config_path(server),
            "/etc/perforce/p4dctl.conf.d/p4standby.conf"
        );
        assert_eq!(
            service_config(server, None),
            "p4d p4standby\n{\n    Owner    =    perforce\n    Execute  =    /opt/perforce/sbin/p4d\n    Umask    =    077\n    Args     =    -C1\n    Environment\n    {\n        P4ROOT    =    /standby\n        P4PORT    =    1666\n        TZ        =    Europe/Berlin\n        PATH      =    /bin:/usr/bin:/usr/local/bin:/opt/perforce/bin:/opt/perforce/sbin\n        P4USER    =    super\n        P4SSLDIR  =    ssl\n    }\n}\n"
        );
        assert!(service_config(server, Some("UTC")).contains("        TZ        =    UTC\n"));
    }
}
