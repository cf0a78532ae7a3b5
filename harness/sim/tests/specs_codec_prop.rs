//! Property: a form printed by `spec::format` reads back with `spec::parse`
//! as the same form, for any values p4 can represent.

use p4ha_sim::spec::{self, FieldDef, FieldType, Form, SpecDef};
use proptest::prelude::*;

const FIELDS: &[FieldDef] = &[
    FieldDef::new("Name", FieldType::Word).required(),
    FieldDef::new("Address", FieldType::Line),
    FieldDef::new("Description", FieldType::Text),
    FieldDef::new("Users", FieldType::WordList).always(),
    FieldDef::new("Files", FieldType::LineList),
    FieldDef::new("Config", FieldType::Text),
];
const DEF: SpecDef = SpecDef {
    domain: "test",
    comment: "# A test form.\n#\n#  Name: a name.\n",
    fields: FIELDS,
};

fn word() -> impl Strategy<Value = String> {
    "[A-Za-z0-9./_@=-]{1,12}"
}

fn line() -> impl Strategy<Value = String> {
    "[A-Za-z0-9./_@=-]([A-Za-z0-9 ./_@=:-]{0,20}[A-Za-z0-9./_@=-])?"
}

/// Text lines: empty, or starting with anything but a blank (p4 keeps
/// blanks after the one it strips, but a blank-only line reads as empty).
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just(String::new()),
            "[A-Za-z0-9#:=.]([A-Za-z0-9 \t#:=./-]{0,25})"
        ],
        0..6,
    )
    .prop_map(|lines| {
        let mut lines = lines;
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        while lines.first().is_some_and(|l| l.is_empty()) {
            lines.remove(0);
        }
        lines.iter().map(|l| format!("{l}\n")).collect()
    })
}

fn form() -> impl Strategy<Value = Form> {
    (
        word(),
        prop::option::of(line()),
        text(),
        prop::collection::vec(word(), 0..4),
        prop::collection::vec(line(), 0..4),
        text(),
    )
        .prop_map(|(name, address, description, users, files, config)| {
            let mut f = Form::new();
            f.set("Name", name);
            if let Some(a) = address {
                f.set("Address", a);
            }
            if !description.is_empty() {
                f.set_text("Description", description);
            }
            f.set_list("Users", users);
            if !files.is_empty() {
                f.set_list("Files", files);
            }
            if !config.is_empty() {
                f.set_text("Config", config);
            }
            f
        })
}

proptest! {
    #[test]
    fn printed_forms_read_back_unchanged(f in form()) {
        let text = spec::format(&DEF, &f);
        let back = spec::parse(&DEF, &text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(spec::format(&DEF, &back), text.clone());
        prop_assert_eq!(back, f);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(input in "[ -~\t\n]{0,200}") {
        let _ = spec::parse(&DEF, &input);
    }
}
