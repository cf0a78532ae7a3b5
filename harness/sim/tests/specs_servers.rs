//! Server specs (`server`, `servers`, `serverid`), the configurables their
//! DistributedConfig field edits, and `configure show` / `info`.

mod common;
mod specs_support;

use specs_support::{SUPER, data, fails_with, journal, rig, seed_setup, super_ok, undate};

#[test]
fn seed_standby_spec_sets_its_configurables() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    // Seed 000 section 1: the lines typed into DistributedConfig became
    // standby's configurables.
    let out = super_ok(&mut rig, "configure show standby", "");
    assert_eq!(
        out,
        "standby: P4LOG = log\nstandby: P4TARGET = 192.168.56.114:1666\nstandby: P4TICKETS = /standby/.p4tickets\n\
standby: db.replication = readonly\nstandby: lbr.replication = readonly\nstandby: monitor = 2\n\
standby: rpl.journalcopy.location = 1\nstandby: serviceUser = service\nstandby: startup.1 = journalcopy -i 1\n\
standby: startup.2 = pull -L -i 1\nstandby: startup.3 = pull -u -i 1\n"
    );
    let all = super_ok(&mut rig, "configure show allservers", "");
    assert!(
        all.starts_with("any: P4LOG = ../logs/log\nany: unicode = 1\nstandby: P4LOG = log\n"),
        "{all}"
    );
    // The spec itself: Services and Options as db.server bit masks.
    let j = journal(&rig);
    assert!(j.contains("@pv@ 3 @db.server@ @standby@ 0 @@ @@ @@ 35141 @Created by super.\n@ @@ 0 @master@ @@ \n"), "{j}");
    assert!(
        j.contains("@pv@ 1 @db.config@ @standby@ @P4TARGET@ @192.168.56.114:1666@ \n"),
        "{j}"
    );
    assert!(
        j.contains("@pv@ 1 @db.config@ @standby@ @startup.1@ @journalcopy -i 1@ \n"),
        "{j}"
    );
}

#[test]
fn configure_show_standby_uses_the_short_form_from_2023_2() {
    let mut rig = rig("2023.2");
    seed_setup(&mut rig);
    let out = super_ok(&mut rig, "configure show standby", "");
    assert!(
        out.starts_with("P4LOG = log\nP4TARGET = 192.168.56.114:1666\n"),
        "{out}"
    );
}

#[test]
fn seed_mandatory_switch_and_standby_rules() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    // Seed 000 section 6: the existing standby becomes mandatory.
    let form = super_ok(&mut rig, "server -o standby", "")
        .replace("Options:\tnomandatory", "Options:\tmandatory");
    assert_eq!(
        super_ok(&mut rig, "server -i", &form),
        "Server standby saved.\n"
    );
    assert!(journal(&rig).contains(
        "@rv@ 3 @db.server@ @standby@ 0 @@ @@ @@ 35141 @Created by super.\n@ @@ 1 @master@ @@ \n"
    ));
    // A new standby may not start mandatory.
    let new = data("inputs/standby.spec")
        .replace("ServerID:   standby\n", "ServerID:   standby2\n")
        .replace("nomandatory", "mandatory");
    let out = rig.run_with("master", &format!("{SUPER} server -i"), &new);
    fails_with(
        &out,
        "New 'standby' or 'forwarding-standby' server can't have the 'mandatory' option set. Set the 'mandatory' option after the server's 'journalcopy' thread is current.\n",
    );
    // A mandatory standby needs ReplicatingFrom.
    let no_from = form.replace("ReplicatingFrom:\tmaster\n", "");
    let out = rig.run_with("master", &format!("{SUPER} server -i"), &no_from);
    fails_with(
        &out,
        "'ReplicatingFrom' field required for a 'standby' or 'forwarding-standby' server.\n",
    );
    // 2019.1 lets a nomandatory standby go without it.
    let lax = "ServerID:\tstandby3\nType:\tserver\nServices:\tstandby\nOptions:\tnomandatory\n";
    assert_eq!(
        super_ok(&mut rig, "server -i", lax),
        "Server standby3 saved.\n"
    );
    let out = rig.run_with(
        "master",
        &format!("{SUPER} server -i"),
        "ServerID:\tx\nType:\tserver\nServices:\tstandard\nReplicatingFrom:\tmaster\n",
    );
    fails_with(
        &out,
        "'ReplicatingFrom' field can't be specified for this type of server.\n",
    );
    let out = rig.run_with(
        "master",
        &format!("{SUPER} server -i"),
        "ServerID:\tx\nType:\tproxy\nServices:\tstandard\n",
    );
    fails_with(
        &out,
        "Server type is not appropriate for specified server services.\n",
    );
}

#[test]
fn every_standby_needs_replicating_from_in_2023_2() {
    let mut rig = rig("2023.2");
    let out = rig.run_with(
        "master",
        &format!("{SUPER} server -i"),
        "ServerID:\tsb\nType:\tserver\nServices:\tstandby\n",
    );
    fails_with(
        &out,
        "'ReplicatingFrom' field required for a 'standby' or 'forwarding-standby' server.\n",
    );
}

#[test]
fn removing_a_distributed_config_line_unsets_it() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    let form = super_ok(&mut rig, "server -o standby", "")
        .replace("\tmonitor=2\n", "")
        .replace("\tP4LOG=log\n", "\tP4LOG=standby.log\n");
    let before = journal(&rig);
    assert_eq!(
        super_ok(&mut rig, "server -i", &form),
        "Server standby saved.\n"
    );
    let added: String = journal(&rig)[before.len()..].to_string();
    let records: Vec<&str> = added.lines().filter(|l| !l.starts_with("@ex@")).collect();
    assert_eq!(
        records,
        vec![
            "@rv@ 1 @db.config@ @standby@ @P4LOG@ @standby.log@ ",
            "@dv@ 1 @db.config@ @standby@ @monitor@ @2@ "
        ]
    );
    let shown = super_ok(&mut rig, "configure show standby", "");
    assert!(
        !shown.contains("monitor") && shown.contains("standby: P4LOG = standby.log\n"),
        "{shown}"
    );
    // A line that is not var=value is refused before anything changes.
    let bad = form.replace("\tP4LOG=standby.log\n", "\tP4LOG standby.log\n");
    fails_with(
        &rig.run_with("master", &format!("{SUPER} server -i"), &bad),
        "Invalid DistributedConfig syntax: must use 'var=value'\n",
    );
    let other = form.replace("\tP4LOG=standby.log\n", "\tedge#P4LOG=x\n");
    fails_with(
        &rig.run_with("master", &format!("{SUPER} server -i"), &other),
        "Only configuration variables for server 'standby' may be changed here.\n",
    );
}

#[test]
fn edge_template_with_dash_c() {
    let mut rig = rig("2019.1");
    let out = super_ok(&mut rig, "server -o -c edge-server edge1", "");
    let tail = &out[out.find("\nServerID:\t").map_or(0, |i| i + 1)..];
    assert_eq!(
        tail,
        "ServerID:\tedge1\n\nType:\tserver\n\nServices:\tedge-server\n\nOptions:\tnomandatory\n\nDescription:\n\tCreated by super.\n\n\
DistributedConfig:\n\tdb.replication=readonly\n\tlbr.replication=readonly\n\tlbr.autocompress=1\n\trpl.compress=4\n\
\tstartup.1=pull -i 1\n\tstartup.2=pull -u -i 1\n\tstartup.3=pull -u -i 1\n\tP4TARGET=<unset>\n\tserviceUser=<unset>\n\
\tmonitor=1 # optional\n\tjournalPrefix=<unset> # optional\n\tP4TICKETS=<unset> # optional\n\tP4LOG=<unset> # optional\n\n"
    );
    // Saved as printed, the <unset> lines and # comments set nothing else.
    assert_eq!(
        super_ok(&mut rig, "server -i -c edge-server", tail),
        "Server edge1 saved.\n"
    );
    let shown = super_ok(&mut rig, "configure show edge1", "");
    assert!(
        shown.contains("edge1: monitor = 1\n") && !shown.contains("P4TARGET"),
        "{shown}"
    );
}

#[test]
fn servers_lists_and_deletes() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    let master =
        "ServerID:\tmaster\nType:\tserver\nServices:\tcommit-server\nDescription:\n\tmaster\n";
    assert_eq!(
        super_ok(&mut rig, "server -i", master),
        "Server master saved.\n"
    );
    assert_eq!(
        super_ok(&mut rig, "servers", ""),
        "master server   commit-server 'master '\nstandby server   standby 'Created by super. '\n"
    );
    let tagged = super_ok(&mut rig, "-ztag servers", "");
    assert!(
        tagged.starts_with("... ServerID master\n... Name \n... Address \n... Type server\n... Services commit-server\n... Options nomandatory\n... Description master\n\n"),
        "{tagged}"
    );
    assert!(tagged.contains("... ReplicatingFrom master\n"), "{tagged}");
    let second = master.replace("master\nType", "other\nType");
    fails_with(
        &rig.run_with("master", &format!("{SUPER} server -i"), &second),
        "At most one commit-server may be defined. Server master is already specified to be a commit-server.\n",
    );
    // This server's spec decides `p4 info`'s services line.
    let info = super_ok(&mut rig, "info", "");
    assert!(
        info.contains("\nServerID: master\nServer services: commit-server\nServer license: none\n"),
        "{info}"
    );
    assert_eq!(
        super_ok(&mut rig, "server -d standby", ""),
        "Server standby deleted.\n"
    );
    fails_with(
        &rig.run("master", &format!("{SUPER} server -d standby")),
        "Server 'standby' doesn't exist.\n",
    );
    fails_with(
        &rig.run("master", &format!("{SUPER} servers -x")),
        "Usage: servers [ -J | --replication-status ]\nInvalid option: -x.\n",
    );
}

#[test]
fn serverid_gets_and_sets() {
    let mut rig = common::Rig::new(&[("master", "192.168.56.114", "2019.1")]);
    rig.start("master").ok();
    fails_with(
        &rig.run("master", &format!("{SUPER} serverid")),
        "Server does not yet have a server ID.\n",
    );
    assert_eq!(super_ok(&mut rig, "serverid master", ""), "");
    assert_eq!(rig.read("master", "/master/server.id"), "master\n");
    assert_eq!(super_ok(&mut rig, "serverid", ""), "Server ID: master\n");
    fails_with(
        &rig.run("master", &format!("{SUPER} serverid other")),
        "Server already has a server ID: master\n",
    );
    fails_with(
        &rig.run("master", &format!("{SUPER} serverid a b")),
        "Usage: serverid [ serverID ]\nMissing/wrong number of arguments.\n",
    );
}

#[test]
fn info_lines_follow_p4d() {
    let mut rig = rig("2023.2");
    let out = rig.run("standby", "p4 -u super -p master:1666 -c ws info");
    let lines: Vec<&str> = out.ok().lines().collect();
    let labels: Vec<&str> = lines
        .iter()
        .map(|l| l.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        labels,
        vec![
            "User name",
            "Client name",
            "Client host",
            "Client unknown.",
            "Current directory",
            "Peer address",
            "Client address",
            "Server address",
            "Server root",
            "Server date",
            "Server uptime",
            "Server version",
            "ServerID",
            "Server services",
            "Server license",
            "Case Handling",
        ]
    );
    assert!(
        lines[11].starts_with("Server version: P4D/LINUX26X86_64/2023.2/"),
        "{}",
        lines[11]
    );
    assert_eq!(undate(lines[9]), "Server date: <DATE> +0900 JST");
    // -s leaves out the client root line only.
    let short = rig.run("standby", "p4 -u super -p master:1666 info -s");
    assert_eq!(short.ok().lines().count(), 15);
    assert!(!short.stdout.contains("Client unknown."));
    let tagged = rig.run("standby", "p4 -u super -p master:1666 -ztag info");
    assert!(
        tagged
            .ok()
            .starts_with("... userName super\n... clientName standby\n... clientHost standby\n"),
        "{}",
        tagged.stdout
    );
}

#[test]
fn configure_show_effective_settings() {
    let mut rig = rig("2019.1");
    super_ok(&mut rig, "configure set monitor=1", "");
    super_ok(&mut rig, "configure set master#monitor=2", "");
    assert_eq!(
        super_ok(&mut rig, "configure show monitor", ""),
        "monitor=2 (configure)\n"
    );
    assert_eq!(
        super_ok(&mut rig, "configure show security", ""),
        "security=0 (default)\n"
    );
    assert_eq!(
        super_ok(&mut rig, "configure show", ""),
        "P4PORT=1666 (-p)\nP4ROOT=/master (-r)\nmonitor=2 (configure)\n"
    );
    assert_eq!(
        super_ok(&mut rig, "configure unset master#monitor", ""),
        "For server 'master', configuration variable 'monitor' removed.\n"
    );
    assert_eq!(
        super_ok(&mut rig, "configure show monitor", ""),
        "monitor=1 (configure)\n"
    );
    fails_with(
        &rig.run(
            "master",
            &format!("{SUPER} configure set --comment=x monitor=3"),
        ),
        "Usage: configure { show [ allservers | <P4NAME> | <variable> ] | set [<P4NAME>#]variable=value | unset [<P4NAME>#]variable }\nInvalid option: --comment=x.\n",
    );
    let mut rig = specs_support::rig("2023.2");
    assert_eq!(
        super_ok(&mut rig, "configure set --comment=why monitor=3", ""),
        "For server 'any', configuration variable 'monitor' set to '3' with comment 'why'\n"
    );
}
