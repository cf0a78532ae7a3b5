//! No input makes the loader panic: mutated versions of every test scenario,
//! random YAML-like text, and pathological shapes (deep nesting, alias
//! bombs) all end in a scenario or in diagnostics.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

/// Every scenario and fragment under `tests/`, with its text.
fn corpus() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "yaml")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                files.push((path, text));
            }
        }
    }
    files.sort();
    assert!(files.len() > 20, "the corpus is missing");
    files
}

/// Loads `text` as if it were the file `path`, and checks the diagnostics
/// are well formed.
fn load(path: &Path, text: &str) {
    if let Err(diagnostics) = p4ha_scenario::load_str(path, text) {
        assert!(!diagnostics.is_empty());
        for d in &diagnostics {
            assert!(
                !d.message.trim().is_empty(),
                "empty message at {}",
                d.location
            );
            assert!(
                !d.message.contains('\n'),
                "multi-line message: {}",
                d.message
            );
            let shown = d.to_string();
            assert!(shown.starts_with(&d.location.to_string()), "{shown}");
        }
    }
}

/// Pieces that matter to YAML, templates and the language.
const PIECES: &[&str] = &[
    ":",
    ": ",
    "- ",
    " ",
    "  ",
    "\t",
    "\n",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    "&a ",
    "*a",
    "!",
    "|",
    ">",
    "#",
    "%",
    "@",
    "`",
    "{{",
    "}}",
    "{{x}}",
    "<<: ",
    "? ",
    ",",
    "~",
    "null",
    "a",
    "1",
    "-1",
    "1.5",
    "é",
    "日本",
    "\u{feff}",
    "\r\n",
    "\\",
    "---\n",
    "...\n",
    "run: ",
    "on: ",
    "fault: ",
    "include: ",
    "steps:\n",
    "servers:\n",
    "[..]",
    "...",
    "0x10",
    "99999999999999999999",
    "\u{0}",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, usize),
    Delete(usize, usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Indent(usize, usize),
    Dedent(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Edit::Insert(at, piece)),
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Edit::Delete(at, len)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), 1usize..4).prop_map(|(line, by)| Edit::Indent(line, by)),
        any::<usize>().prop_map(Edit::Dedent),
    ]
}

fn char_boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    match *edit {
        Edit::Insert(at, piece) => {
            let at = char_boundary(text, at);
            return format!("{}{}{}", &text[..at], PIECES[piece], &text[at..]);
        }
        Edit::Delete(at, len) => {
            let start = char_boundary(text, at);
            let end = char_boundary(text, start.saturating_add(len).min(text.len()));
            return format!("{}{}", &text[..start], &text[end.max(start)..]);
        }
        Edit::DuplicateLine(i) => {
            let i = i % lines.len();
            let line = lines[i].clone();
            lines.insert(i, line);
        }
        Edit::SwapLines(a, b) => {
            let (a, b) = (a % lines.len(), b % lines.len());
            lines.swap(a, b);
        }
        Edit::Indent(i, by) => {
            let i = i % lines.len();
            lines[i] = format!("{}{}", " ".repeat(by), lines[i]);
        }
        Edit::Dedent(i) => {
            let i = i % lines.len();
            lines[i] = lines[i].trim_start().to_owned();
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_never_panic(file in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..6)) {
        let files = corpus();
        let (path, text) = &files[file.index(files.len())];
        let mutated = edits.iter().fold(text.clone(), |t, e| apply(&t, e));
        load(path, &mutated);
    }

    #[test]
    fn random_yaml_like_text_never_panics(pieces in prop::collection::vec(0..PIECES.len(), 0..60)) {
        let text: String = pieces.iter().map(|&i| PIECES[i]).collect();
        load(Path::new("random.yaml"), &text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(?s).{0,200}") {
        load(Path::new("arbitrary.yaml"), &text);
    }
}

#[test]
fn deep_nesting_is_rejected_without_overflow() {
    for text in [
        format!("steps: {}{}", "[".repeat(400), "]".repeat(400)),
        format!("steps: {}{}", "{a: ".repeat(400), "}".repeat(400)),
        (0..400)
            .map(|i| format!("{}- \n", "  ".repeat(i)))
            .collect::<String>(),
        (0..400)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect::<String>(),
    ] {
        load(Path::new("deep.yaml"), &text);
    }
}

#[test]
fn alias_bombs_are_rejected() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    let error = p4ha_scenario::load_str("bomb.yaml", &text)
        .unwrap_err()
        .to_string();
    assert!(error.contains("expands to more than"), "{error}");
}

#[test]
fn self_referencing_alias_is_an_error() {
    let error = p4ha_scenario::load_str("self.yaml", "a: &a [*a]\n")
        .unwrap_err()
        .to_string();
    assert!(!error.is_empty());
}
