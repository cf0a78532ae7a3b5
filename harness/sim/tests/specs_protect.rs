//! The protections table and groups: `protect`, `group`, `groups`, and
//! the access they grant to other commands.

mod common;
mod specs_support;

use specs_support::{SUPER, fails_with, journal, rig, seed_setup, super_ok};

fn as_user(user: &str) -> String {
    format!("p4 -u {user} -p master:1666")
}

#[test]
fn seed_protections_with_the_service_user() {
    let mut rig = rig("2019.1");
    let before = journal(&rig);
    seed_setup(&mut rig);
    let out = super_ok(&mut rig, "protect -o", "");
    assert!(
        out.ends_with("Protections:\n\twrite user * * //...\n\tlist user * * -//spec/...\n\tsuper user super * //...\n\tsuper user service * //...\n\n"),
        "{out}"
    );
    // Each line is a db.protect row: level masks, exclusion flag.
    let j = &journal(&rig)[before.len()..];
    for line in [
        "@pv@ 5 @db.protect@ 1 0 @*@ @*@ 16 0 @//...@ @@ 1571",
        "@pv@ 5 @db.protect@ 2 0 @*@ @*@ 1 1 @//spec/...@ @@ 1571",
        "@pv@ 5 @db.protect@ 3 0 @super@ @*@ 64 0 @//...@ @@ 1571",
        "@pv@ 5 @db.protect@ 4 0 @service@ @*@ 64 0 @//...@ @@ 1571",
    ] {
        assert!(j.contains(line), "missing {line} in {j}");
    }
}

#[test]
fn a_new_server_shows_the_default_table() {
    let mut rig = rig("2023.2");
    let out = super_ok(&mut rig, "protect -o", "");
    assert!(
        out.ends_with("\nProtections:\n\twrite user * * //...\n\tsuper user super * //...\n\n"),
        "{out}"
    );
    assert!(!out.contains("\nUpdate:"), "{out}");
}

#[test]
fn a_table_that_locks_out_the_super_user_is_refused() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    let before = journal(&rig);
    for table in [
        "Protections:\n\twrite user * * //...\n",
        "Protections:\n",
        "Protections:\n\tsuper user super * //...\n\tsuper user super * -//...\n",
    ] {
        let out = rig.run_with("master", &format!("{SUPER} protect -i"), table);
        fails_with(
            &out,
            "Can't delete last valid 'super' entry from protections table.\n",
        );
    }
    assert_eq!(journal(&rig), before);
    let out = rig.run_with(
        "master",
        &format!("{SUPER} protect -i"),
        "Protections:\n\tsuper usr super * //...\n",
    );
    fails_with(
        &out,
        "Error in protections specification.\nIndicator must be 'user' or 'group', not 'usr'.\n",
    );
}

#[test]
fn saving_replaces_every_row() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    let before = journal(&rig);
    let table = "Protections:\n\tsuper user super * //...\n\twrite group dev * //depot/...\n";
    assert_eq!(
        super_ok(&mut rig, "protect -i", table),
        "Protections saved.\n"
    );
    let added = &journal(&rig)[before.len()..];
    let ops: Vec<&str> = added
        .lines()
        .filter(|l| !l.starts_with("@ex@"))
        .map(|l| &l[..4])
        .collect();
    assert_eq!(
        ops,
        vec!["@dv@", "@dv@", "@dv@", "@dv@", "@pv@", "@pv@"],
        "{added}"
    );
    assert!(
        added.contains("@pv@ 5 @db.protect@ 2 1 @dev@ @*@ 16 0 @//depot/...@ @@ "),
        "{added}"
    );
}

#[test]
fn access_follows_users_groups_hosts_and_exclusions() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    super_ok(&mut rig, "group -i", "Group:\tadmins\nUsers:\n\tann\n");
    super_ok(&mut rig, "group -i", "Group:\tops\nSubgroups:\n\tadmins\n");
    let table = "Protections:\n\tsuper user super * //...\n\twrite user * * //...\n\twrite user bob * -//...\n\tadmin group ops * //...\n\t=read user carl * -//...\n\tsuper user dan 10.0.0.0/8 //...\n";
    assert_eq!(
        super_ok(&mut rig, "protect -i", table),
        "Protections saved.\n"
    );
    // bob keeps open (write taken away): list-level commands run, protect
    // does not.
    assert!(
        rig.run("master", &format!("{} counters", as_user("bob")))
            .ok()
            .contains("upgrade")
    );
    fails_with(
        &rig.run("master", &format!("{} protect -o", as_user("bob"))),
        "You don't have permission for this operation.\n",
    );
    // ann is admin through ops, which includes admins.
    fails_with(
        &rig.run("master", &format!("{} protect -o", as_user("ann"))),
        "You don't have permission for this operation.\n",
    );
    assert_eq!(
        rig.run("master", &format!("{} groups -i ann", as_user("ann")))
            .ok(),
        "admins\nops\n"
    );
    // dan's super applies from 10.x addresses only.
    fails_with(
        &rig.run("master", &format!("{} protect -o", as_user("dan"))),
        "You don't have permission for this operation.\n",
    );
    // Nobody is granted anything by a table without them.
    super_ok(
        &mut rig,
        "protect -i",
        "Protections:\n\tsuper user super * //...\n",
    );
    fails_with(
        &rig.run("master", &format!("{} users", as_user("bob"))),
        "Access for user 'bob' has not been enabled by 'p4 protect'.\n",
    );
}

#[test]
fn groups_are_created_updated_and_listed() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    let form = super_ok(&mut rig, "group -o service_group", "")
        .replace("Users:\n\tservice\n", "Users:\n\tservice\n\tsvc2\n");
    assert_eq!(
        super_ok(&mut rig, "group -i", &form),
        "Group service_group updated.\n"
    );
    assert!(journal(&rig).contains("@pv@ 9 @db.group@ @svc2@ @service_group@ 1 0 0 0 0 -1 0 0 \n"));
    assert_eq!(
        super_ok(&mut rig, "group -i", "Group:\tempty\n"),
        "Group empty not created.\n"
    );
    assert_eq!(super_ok(&mut rig, "groups", ""), "service_group\n");
    assert_eq!(
        super_ok(&mut rig, "groups -v", ""),
        "service_group unset unset unset unlimited\n"
    );
    assert_eq!(super_ok(&mut rig, "groups svc2", ""), "service_group\n");
    let bad = form.replace("Timeout:\tunlimited", "Timeout:\tforever");
    fails_with(
        &rig.run_with("master", &format!("{SUPER} group -i"), &bad),
        "Invalid Timeout value 'forever'.\n",
    );
    fails_with(
        &rig.run("master", &format!("{SUPER} group -d nosuch")),
        "Group 'nosuch' doesn't exist.\n",
    );
    assert_eq!(
        super_ok(&mut rig, "group -d service_group", ""),
        "Group service_group deleted.\n"
    );
    assert_eq!(super_ok(&mut rig, "groups", ""), "");
    // Non-super users may not edit groups.
    fails_with(
        &rig.run_with(
            "master",
            "p4 -u bob -p master:1666 group -i",
            "Group:\tg\nUsers:\n\tbob\n",
        ),
        "You don't have permission for this operation.\n",
    );
}
