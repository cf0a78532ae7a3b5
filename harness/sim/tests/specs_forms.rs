//! Spec forms printed exactly as p4d prints them, for 2019.1 and 2023.2
//! (fixtures under tests/specs/forms), and read back unchanged.

mod common;
mod specs_support;

use specs_support::{SUPER, data, rig, seed_setup, undate};

/// The fixture cases: `(command, fixture file)`.
fn cases() -> Vec<(String, String)> {
    data("forms/cases.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (cmd, file) = l
                .trim()
                .rsplit_once(' ')
                .expect("a case line is `command fixture`");
            (cmd.trim().to_string(), file.to_string())
        })
        .collect()
}

fn forms_print_exactly(release: &str) {
    let mut rig = rig(release);
    seed_setup(&mut rig);
    let cases = cases();
    assert!(cases.len() >= 10);
    for (cmd, file) in cases {
        let out = rig.run("master", &format!("{SUPER} {cmd}"));
        let expected = data(&format!("forms/{release}/{file}"));
        assert_eq!(
            undate(out.ok()),
            expected,
            "{release}: p4 {cmd} differs from {file}"
        );
    }
}

#[test]
fn forms_print_exactly_2019_1() {
    forms_print_exactly("2019.1");
}

#[test]
fn forms_print_exactly_2023_2() {
    forms_print_exactly("2023.2");
}

/// `-o` then `-i` with the same text changes nothing and says so; the
/// journal gains nothing.
fn round_trip(release: &str) {
    let mut rig = rig(release);
    seed_setup(&mut rig);
    let cases = [
        (
            "server -o standby",
            "server -i",
            "Server standby not changed.\n",
        ),
        (
            "user -o service",
            "user -f -i",
            "User service not changed.\n",
        ),
        ("user -o super", "user -i", "User super not changed.\n"),
        (
            "group -o service_group",
            "group -i",
            "Group service_group not updated.\n",
        ),
        ("protect -o", "protect -i", "Protections not changed.\n"),
        ("client -o ws", "client -i", "Client ws not changed.\n"),
        ("depot -o depot", "depot -i", "Depot depot not changed.\n"),
    ];
    // `user -o super` needs super to exist.
    let super_form = rig.run("master", &format!("{SUPER} user -o super")).stdout;
    rig.run_with("master", &format!("{SUPER} user -i"), &super_form)
        .ok();
    for (out_cmd, in_cmd, message) in cases {
        let form = rig
            .run("master", &format!("{SUPER} {out_cmd}"))
            .ok()
            .to_string();
        let before = specs_support::journal(&rig);
        let saved = rig.run_with("master", &format!("{SUPER} {in_cmd}"), &form);
        assert_eq!(saved.ok(), message, "{release}: {out_cmd} | {in_cmd}");
        assert_eq!(
            specs_support::journal(&rig),
            before,
            "{release}: {in_cmd} of an unchanged form journaled something"
        );
    }
}

#[test]
fn round_trip_2019_1() {
    round_trip("2019.1");
}

#[test]
fn round_trip_2023_2() {
    round_trip("2023.2");
}

#[test]
fn tagged_forms_list_fields_in_order() {
    let mut rig = rig("2019.1");
    seed_setup(&mut rig);
    let out = rig.run("master", "p4 -u super -p master:1666 -ztag protect -o");
    assert_eq!(
        undate(out.ok()),
        "... Update <DATE>\n... Protections0 write user * * //...\n... Protections1 list user * * -//spec/...\n... Protections2 super user super * //...\n... Protections3 super user service * //...\n\n"
    );
    let out = rig.run("master", "p4 -u super -p master:1666 -ztag user -o newbie");
    assert_eq!(
        out.ok(),
        "... User newbie\n... Email newbie@master\n... FullName newbie\n... AuthMethod perforce\n\n"
    );
}

#[test]
fn bad_forms_are_refused_with_the_line() {
    let mut rig = rig("2023.2");
    let out = rig.run_with(
        "master",
        &format!("{SUPER} client -i"),
        "Client:\tws\nRoot:\t/ws\nFoo:\tbar\n",
    );
    specs_support::fails_with(
        &out,
        "Error in client specification.\nError detected at line 3.\nUnknown field name 'Foo'.\n",
    );
    let out = rig.run_with(
        "master",
        &format!("{SUPER} server -i"),
        "Type:\tserver\nServices:\tstandard\n",
    );
    specs_support::fails_with(
        &out,
        "Error in server specification.\nMissing required field 'ServerID'.\n",
    );
    let out = rig.run_with(
        "master",
        &format!("{SUPER} server -i"),
        "ServerID:\tx\nType:\tserver\nServices:\tstandard\nOptions:\tsometimes\n",
    );
    specs_support::fails_with(
        &out,
        "Error in server specification.\nError detected at line 4.\nValue for field 'Options' must be one of nomandatory/mandatory.\n",
    );
    let out = rig.run_with(
        "master",
        &format!("{SUPER} protect -i"),
        "Protections:\n\twrite user * //...\n",
    );
    specs_support::fails_with(
        &out,
        "Error in protections specification.\nError detected at line 2.\nWrong number of words for field 'Protections'.\n",
    );
    let out = rig.run_with("master", &format!("{SUPER} user -i"), "User:\tsuper\n");
    specs_support::fails_with(
        &out,
        "Error in user specification.\nMissing required field 'Email'.\n",
    );
}

#[test]
fn spec_commands_without_o_or_i_would_need_an_editor() {
    let mut rig = rig("2019.1");
    let out = rig.run("master", &format!("{SUPER} server standby"));
    specs_support::fails_with(
        &out,
        "'p4 server standby' would open the form in an editor, which the simulator does not run: print it with 'p4 server -o standby' and save it with 'p4 server -i'.\n",
    );
    let out = rig.run("master", &format!("{SUPER} protect"));
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("'p4 protect -o'"), "{out:?}");
}
