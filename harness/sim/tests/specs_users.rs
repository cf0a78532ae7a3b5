//! Users, passwords, logins and tickets: `user`, `users`, `passwd`,
//! `login`, `logout`, `p4 tickets`, and the errors p4d gives.

mod common;
mod specs_support;

use common::Rig;
use specs_support::{SUPER, data, fails_with, journal, rig, seed_setup, super_ok};

const SERVICE_ON_STANDBY: &str =
    "p4 -p 192.168.56.114:1666 -u service -E P4TICKETS=/standby/.p4tickets";

/// The seed set-up plus a password for super, who then needs a login.
fn locked_rig(release: &str) -> Rig {
    let mut rig = rig(release);
    seed_setup(&mut rig);
    assert_eq!(
        super_ok(&mut rig, "passwd", "Sup3r!pw\nSup3r!pw\n"),
        "Enter new password: \nRe-enter new password: \nPassword updated.\n"
    );
    rig
}

#[test]
fn service_user_is_created_with_type_service() {
    let mut rig = rig("2019.1");
    // Seed 000 section 2: the form of `p4 user -f service` ...
    let form = super_ok(&mut rig, "user -o service", "");
    assert!(form.ends_with("\nUser:\tservice\n\nEmail:\tservice@master\n\nFullName:\tservice\n\nAuthMethod:\tperforce\n\n"), "{form}");
    // ... saved with the added `Type: service` line.
    let with_type = form.replace("User:\tservice\n", "User:\tservice\n\nType:\tservice\n");
    let before = journal(&rig);
    assert_eq!(
        super_ok(&mut rig, "user -f -i", &with_type),
        "User service saved.\n"
    );
    let added = &journal(&rig)[before.len()..];
    assert!(
        added.contains("\n@pv@ 7 @db.user@ @service@ @service@@master@ @@ 1571"),
        "{added}"
    );
    assert!(
        added.contains(" @service@ @@ 2 @@ 0 1 0 0 0 0 \n@ex@ "),
        "{added}"
    );
    // Service users are listed with -a only.
    let alice = data("inputs/service-user.spec")
        .replace("service", "alice")
        .replace("Type: alice\n", "");
    assert_eq!(
        rig.run_with("master", "p4 -u alice -p master:1666 user -i", &alice)
            .ok(),
        "User alice saved.\n"
    );
    assert_eq!(
        super_ok(&mut rig, "users", ""),
        "alice <alice@master> (alice) accessed 2019/10/18\n"
    );
    assert_eq!(
        super_ok(&mut rig, "users -a", ""),
        "alice <alice@master> (alice) accessed 2019/10/18\nservice <service@master> (service) accessed 2019/10/18\n"
    );
    let tagged = super_ok(&mut rig, "-ztag users -a service", "");
    assert!(
        tagged.starts_with(
            "... User service\n... Type service\n... Email service@master\n... Update 1571"
        ),
        "{tagged}"
    );
    let missing = rig.run("master", &format!("{SUPER} users bob"));
    assert_eq!(
        (missing.status, missing.stderr.as_str()),
        (0, "bob - no such user(s).\n")
    );
    // The type is set once.
    let back =
        super_ok(&mut rig, "user -o service", "").replace("Type:\tservice", "Type:\tstandard");
    fails_with(
        &rig.run_with("master", &format!("{SUPER} user -f -i"), &back),
        "User type can't be changed.\n",
    );
    // Another user's spec needs -f.
    fails_with(
        &rig.run_with("master", &format!("{SUPER} user -i"), &back),
        "You don't have permission for this operation.\n",
    );
}

#[test]
fn passwd_prompts_and_messages() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    // Own password, none set yet: only the new one is asked for.
    let out = rig.run_with(
        "master",
        "p4 -u alice -p master:1666 passwd",
        "Al1ce-pw\nAl1ce-pw\n",
    );
    assert_eq!(
        out.ok(),
        "Enter new password: \nRe-enter new password: \nPassword updated.\n"
    );
    // Now the old one first.
    let out = rig.run_with(
        "master",
        "p4 -u alice -p master:1666 -P Al1ce-pw passwd",
        "Al1ce-pw\nN3w-pass\nN3w-pass\n",
    );
    assert_eq!(
        out.ok(),
        "Enter old password: \nEnter new password: \nRe-enter new password: \nPassword updated.\n"
    );
    let out = rig.run_with(
        "master",
        "p4 -u alice -p master:1666 -P N3w-pass passwd",
        "wrong\n",
    );
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (1, "Enter old password: \n", "Password invalid.\n")
    );
    let out = rig.run_with(
        "master",
        "p4 -u alice -p master:1666 -P N3w-pass passwd",
        "N3w-pass\none\ntwo\n",
    );
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (1, "Passwords don't match.\n")
    );
    let out = rig.run_with(
        "master",
        "p4 -u alice -p master:1666 -P N3w-pass passwd",
        "N3w-pass\n\n\n",
    );
    assert_eq!(
        out.ok(),
        "Enter old password: \nEnter new password: \nRe-enter new password: \nPassword deleted.\n"
    );
    // A non-super user may not set another's password.
    fails_with(
        &rig.run_with(
            "master",
            "p4 -u alice -p master:1666 passwd service",
            "x\nx\n",
        ),
        "You don't have permission for this operation.\n",
    );
    fails_with(
        &rig.run_with("master", &format!("{SUPER} passwd ghost"), "x\nx\n"),
        "User ghost doesn't exist.\n",
    );
    assert_eq!(
        super_ok(&mut rig, "passwd -P Other-pw1 service", ""),
        "Password updated.\n"
    );
}

#[test]
fn service_login_stores_the_ticket_under_the_masters_identity() {
    let mut rig = locked_rig("2019.1");
    // Seed 000 section 5: on the standby, by the master's IP address.
    let out = rig.run_with(
        "standby",
        &format!("{SERVICE_ON_STANDBY} login"),
        "Sv3cret!\n",
    );
    assert_eq!(out.ok(), "Enter password: \nUser service logged in.\n");
    let file = rig.read("standby", "/standby/.p4tickets");
    assert_eq!(
        file.len(),
        53,
        "seed 000 lists the file at 53 bytes: {file:?}"
    );
    let (key, rest) = file.trim_end().split_once('=').unwrap_or_default();
    assert_eq!(key, "master:1666");
    let ticket = rest
        .strip_prefix("service:")
        .unwrap_or_default()
        .to_string();
    assert!(
        ticket.len() == 32
            && ticket
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()),
        "{ticket}"
    );
    let mode = std::fs::metadata(rig.path("standby", "/standby/.p4tickets"))
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777);
    assert_eq!(mode.ok(), Some(0o400));
    // The group's unlimited Timeout.
    let out = rig.run("standby", &format!("{SERVICE_ON_STANDBY} login -s"));
    assert_eq!(
        out.ok(),
        "User service ticket expires in 596523 hours 14 minutes.\n"
    );
    let out = rig.run("standby", "p4 -E P4TICKETS=/standby/.p4tickets tickets");
    assert_eq!(out.ok(), format!("master:1666 (service) {ticket}\n"));
    // db.user keeps the ticket's MD5 and expiry, journaled.
    assert!(journal(&rig).contains("@rv@ 7 @db.user@ @service@ @service@@master@"));
    // A service user runs only the inter-server commands.
    let out = rig.run("standby", &format!("{SERVICE_ON_STANDBY} counters"));
    fails_with(&out, "Command not allowed for a service user.\n");
    let out = rig.run_with(
        "standby",
        &format!("{SERVICE_ON_STANDBY} login -a"),
        "Sv3cret!\n",
    );
    fails_with(&out, "Service user may not login to all hosts.\n");
}

#[test]
fn a_ticket_opens_commands_until_logout() {
    let mut rig = locked_rig("2019.1");
    let p4 = "p4 -u super -p master:1666 -E P4TICKETS=/home/master/t";
    fails_with(
        &rig.run("master", &format!("{p4} protect -o")),
        "Perforce password (P4PASSWD) invalid or unset.\n",
    );
    fails_with(
        &rig.run("master", &format!("{p4} login -s")),
        "Perforce password (P4PASSWD) invalid or unset.\n",
    );
    let out = rig.run_with("master", &format!("{p4} login"), "nope\n");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (1, "Enter password: \n", "Password invalid.\n")
    );
    let out = rig.run_with("master", &format!("{p4} login"), "Sup3r!pw\n");
    assert_eq!(out.ok(), "Enter password: \nUser super logged in.\n");
    assert!(
        rig.run("master", &format!("{p4} protect -o"))
            .ok()
            .contains("super user service * //...")
    );
    assert_eq!(
        rig.run("master", &format!("{p4} login -s")).ok(),
        "User super ticket expires in 12 hours 0 minutes.\n"
    );
    let by_password = rig.run("master", "p4 -u super -p master:1666 -P Sup3r!pw login -s");
    assert_eq!(
        by_password.ok(),
        "User super was authenticated by password not ticket.\n"
    );
    // A super user logs another user in without a password.
    let out = rig.run("master", &format!("{p4} login service"));
    assert_eq!(out.ok(), "User service logged in.\n");
    assert!(
        rig.read("master", "/home/master/t")
            .contains("master:1666=service:")
    );
    // -p prints the ticket and stores nothing.
    let before = rig.read("master", "/home/master/t");
    let out = rig.run_with("master", &format!("{p4} login -p"), "Sup3r!pw\n");
    let printed = out
        .ok()
        .strip_prefix("Enter password: \n")
        .unwrap_or_default()
        .trim_end()
        .to_string();
    assert_eq!(printed.len(), 32);
    assert_eq!(rig.read("master", "/home/master/t"), before);
    // The printed ticket works as a password; logout removes the stored one.
    assert!(
        rig.run(
            "master",
            &format!("p4 -u super -p master:1666 -P {printed} protect -o")
        )
        .ok()
        .contains("Protections:")
    );
    assert_eq!(
        rig.run("master", &format!("{p4} logout")).ok(),
        "User super logged out.\n"
    );
    assert!(!rig.read("master", "/home/master/t").contains("=super:"));
    fails_with(
        &rig.run("master", &format!("{p4} protect -o")),
        "Perforce password (P4PASSWD) invalid or unset.\n",
    );
    // logout -a invalidates the ticket on the server.
    assert_eq!(
        rig.run(
            "master",
            &format!("p4 -u super -p master:1666 -P {printed} logout -a")
        )
        .ok(),
        "User super logged out.\n"
    );
    fails_with(
        &rig.run(
            "master",
            &format!("p4 -u super -p master:1666 -P {printed} protect -o"),
        ),
        "Your session was logged out, please login again.\n",
    );
}

#[test]
fn tickets_expire_with_the_group_timeout() {
    let mut rig = locked_rig("2023.2");
    super_ok(
        &mut rig,
        "-P Sup3r!pw group -i",
        "Group:\tshort\nTimeout:\t60\nUsers:\n\tsuper\n",
    );
    let p4 = "p4 -u super -p master:1666";
    assert_eq!(
        rig.run_with("master", &format!("{p4} login"), "Sup3r!pw\n")
            .ok(),
        "Enter password: \nUser super logged in.\n"
    );
    assert_eq!(
        rig.run("master", &format!("{p4} login -s")).ok(),
        "User super ticket expires in 0 hours 1 minutes.\n"
    );
    rig.sleep(120);
    fails_with(
        &rig.run("master", &format!("{p4} protect -o")),
        "Your session has expired, please login again.\n",
    );
}

#[test]
fn login_failures() {
    let mut rig = locked_rig("2019.1");
    fails_with(
        &rig.run_with("master", "p4 -u ghost -p master:1666 login", "x\n"),
        "User ghost doesn't exist.\n",
    );
    super_ok(
        &mut rig,
        "-P Sup3r!pw user -i",
        "User:\tsuper\nEmail:\tsuper@master\nFullName:\tsuper\n",
    );
    let out = rig.run("master", "p4 -u alice -p master:1666 login");
    fails_with(&out, "User alice doesn't exist.\n");
    super_ok(
        &mut rig,
        "-P Sup3r!pw user -f -i",
        "User:\talice\nEmail:\talice@master\nFullName:\talice\n",
    );
    let out = rig.run("master", "p4 -u alice -p master:1666 login");
    assert_eq!(
        out.ok(),
        "'login' not necessary, no password set for this user.\n"
    );
    fails_with(
        &rig.run("master", "p4 -u alice -p master:1666 login -x"),
        "Usage: login [ -a -p ] [ -s ] [ -r remotespec ] [ -h host username ]\nInvalid option: -x.\n",
    );
}

#[test]
fn users_can_be_deleted() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    fails_with(
        &rig.run("master", &format!("{SUPER} user -d service")),
        "Not user 'service'; use -f to force delete.\n",
    );
    assert_eq!(
        super_ok(&mut rig, "user -d -f service", ""),
        "User service deleted.\n"
    );
    fails_with(
        &rig.run("master", &format!("{SUPER} user -d -f service")),
        "User service doesn't exist.\n",
    );
    assert!(journal(&rig).contains("@dv@ 7 @db.user@ @service@"));
}
