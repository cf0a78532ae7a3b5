//! Depots and workspaces: `depot`, `depots`, `client`, `clients`.

mod common;
mod specs_support;

use specs_support::{SUPER, fails_with, journal, rig, seed_setup, super_ok};

#[test]
fn depots_are_listed_created_and_deleted() {
    let mut rig = rig("2019.1");
    assert_eq!(
        super_ok(&mut rig, "depots", ""),
        "Depot depot 2019/10/18 local depot/... 'Default depot '\n"
    );
    let form = super_ok(&mut rig, "depot -o -t spec spec", "");
    assert!(
        form.contains("\nType:\tspec\n") && form.contains("\nMap:\tspec/...\n"),
        "{form}"
    );
    assert_eq!(super_ok(&mut rig, "depot -i", &form), "Depot spec saved.\n");
    assert_eq!(
        super_ok(&mut rig, "depots", ""),
        "Depot depot 2019/10/18 local depot/... 'Default depot '\nDepot spec 2019/10/18 spec .p4s spec/... 'Created by super. '\n"
    );
    let j = journal(&rig);
    assert!(
        j.contains("@pv@ 1 @db.depot@ @spec@ 2 @.p4s@ @spec/...@ \n"),
        "{j}"
    );
    assert!(
        j.contains("@pv@ 7 @db.domain@ @spec@ 100 @@ @@ @@ @@ @super@ 1571"),
        "{j}"
    );
    let tagged = super_ok(&mut rig, "-ztag depots", "");
    assert!(tagged.starts_with("... name depot\n... time 1571371200\n... type local\n... map depot/...\n... desc Default depot\n\n"), "{tagged}");
    assert_eq!(
        super_ok(&mut rig, "depot -d spec", ""),
        "Depot spec deleted.\n"
    );
    fails_with(
        &rig.run("master", &format!("{SUPER} depot -d spec")),
        "Depot 'spec' doesn't exist.\n",
    );
}

#[test]
fn depot_changes_need_super() {
    let mut rig = rig("2023.2");
    seed_setup(&mut rig);
    let form = super_ok(&mut rig, "depot -o other", "");
    fails_with(
        &rig.run_with("master", "p4 -u bob -p master:1666 depot -i", &form),
        "You don't have permission for this operation.\n",
    );
    // Reading a depot spec needs list only.
    assert!(
        rig.run("master", "p4 -u bob -p master:1666 depot -o depot")
            .ok()
            .contains("Depot:\tdepot\n")
    );
}

#[test]
fn workspaces_are_stored_in_domain_and_view() {
    let mut rig = rig("2019.1");
    let before = journal(&rig);
    seed_setup(&mut rig);
    let j = &journal(&rig)[before.len()..];
    assert!(
        j.contains("@pv@ 7 @db.domain@ @ws@ 99 @master@ @/ws@ @@ @@ @super@ 1571"),
        "{j}"
    );
    assert!(
        j.contains("@pv@ 1 @db.view@ @ws@ 0 0 @//ws/...@ @//depot/...@ \n"),
        "{j}"
    );
    assert_eq!(
        super_ok(&mut rig, "clients", ""),
        "Client ws 2019/10/18 root /ws 'Created by super. '\n"
    );
    // p4 info now knows the workspace's root.
    assert!(
        rig.run("master", "p4 -u super -p master:1666 -c ws info")
            .ok()
            .contains("\nClient root: /ws\n")
    );
    // A view line must map into the workspace.
    let form = super_ok(&mut rig, "client -o ws", "")
        .replace("//depot/... //ws/...", "//depot/... //other/...");
    fails_with(
        &rig.run_with("master", &format!("{SUPER} client -i"), &form),
        "Mapping '//other/...' is not under '//ws/...'.\n",
    );
    // Editing the view rewrites its rows.
    let form = super_ok(&mut rig, "client -o ws", "").replace(
        "\t//depot/... //ws/...\n",
        "\t//depot/a/... //ws/a/...\n\t-//depot/a/x/... //ws/a/x/...\n",
    );
    let before = journal(&rig);
    assert_eq!(super_ok(&mut rig, "client -i", &form), "Client ws saved.\n");
    let added = &journal(&rig)[before.len()..];
    assert!(
        added.contains("@pv@ 1 @db.view@ @ws@ 1 1 @//ws/a/x/...@ @//depot/a/x/...@ "),
        "{added}"
    );
    assert_eq!(
        super_ok(&mut rig, "client -d ws", ""),
        "Client ws deleted.\n"
    );
    fails_with(
        &rig.run("master", &format!("{SUPER} client -d ws")),
        "Client 'ws' doesn't exist.\n",
    );
    assert_eq!(super_ok(&mut rig, "clients", ""), "");
}

#[test]
fn a_new_users_first_workspace_creates_the_user() {
    let mut rig = rig("2023.2");
    let form = rig
        .run("master", "p4 -u carol -p master:1666 -c carol_ws client -o")
        .ok()
        .to_string();
    assert!(
        form.contains(
            "\nOptions:\tnoallwrite noclobber nocompress unlocked nomodtime normdir noaltsync\n"
        ),
        "{form}"
    );
    let before = journal(&rig);
    assert_eq!(
        rig.run_with("master", "p4 -u carol -p master:1666 client -i", &form)
            .ok(),
        "Client carol_ws saved.\n"
    );
    assert!(journal(&rig)[before.len()..].contains("@pv@ 8 @db.user@ @carol@ @carol@@master@"));
    let tagged = rig
        .run("master", "p4 -u carol -p master:1666 -ztag clients")
        .ok()
        .to_string();
    assert!(
        tagged.starts_with("... client carol_ws\n... Update 1571"),
        "{tagged}"
    );
}
