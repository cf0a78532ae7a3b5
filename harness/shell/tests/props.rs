//! Properties: the parser and the interpreter never panic, and quoting
//! round-trips through the shell.

mod common;

use common::FakeHost;
use p4ha_shell::{RunOptions, block_on, quote, run_script, syntax};
use proptest::prelude::*;

/// Pieces of shell text, chosen to reach every corner of the grammar.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "if",
            "then",
            "elif",
            "else",
            "fi",
            "for",
            "in",
            "do",
            "done",
            "while",
            "until",
            "case",
            "esac",
            "{",
            "}",
            "(",
            ")",
            "!",
            ";",
            ";;",
            "&&",
            "||",
            "|",
            "\n",
            "'",
            "\"",
            "`",
            "\\",
            "$",
            "$(",
            "$((",
            "))",
            "${",
            "}",
            "${x:-",
            "${#",
            "${x%%",
            "<",
            ">",
            ">>",
            "2>&1",
            "<<EOF\n",
            "<<-'EOF'\n",
            "EOF\n",
            "#",
            "~",
            "*",
            "?",
            "[",
            "]",
            "=",
            "x=",
            "echo",
            "test",
            "[",
            "printf",
            "%s",
            "read",
            "set",
            "-e",
            "exit",
            "return",
            "break",
            "f()",
            "local",
            "shift",
            "eval",
            ":",
            "true",
            "false",
            "0",
            "1",
            "-1",
            "+",
            "/",
            "%",
            "\t",
            " ",
        ])
        .prop_map(str::to_string),
        "[a-z]{1,4}",
        "[0-9]{1,3}",
    ]
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 0..40).prop_map(|v| v.join(" "))
}

/// Commands that touch nothing outside the shell's own state.
fn safe_script() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        prop::sample::select(vec![
            "echo",
            "printf",
            "test",
            "[",
            "]",
            "true",
            "false",
            ":",
            "x=1",
            "y=$x",
            "$x",
            "\"$@\"",
            "$#",
            "$?",
            "$((x+1))",
            "$((1/0))",
            "${x:-d}",
            "${x#?}",
            "${y:?e}",
            "$(echo a)",
            "`echo b`",
            "-n",
            "-z",
            "=",
            "!=",
            "-eq",
            "a",
            "b",
            "'q'",
            "\"d q\"",
            ";",
            "&&",
            "||",
            "|",
            "\n",
            "if",
            "then",
            "else",
            "fi",
            "while",
            "do",
            "done",
            "for",
            "i",
            "in",
            "case",
            "esac",
            ")",
            ";;",
            "{",
            "}",
            "break",
            "continue",
            "return",
            "exit",
            "set",
            "-e",
            "-u",
            "shift",
            "read",
            "v",
            "<<E\nline\nE\n",
            "2>&1",
            ">/dev/null",
            "f()",
        ])
        .prop_map(str::to_string),
        "[a-z]{1,3}",
    ];
    prop::collection::vec(word, 0..30).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parser_never_panics_on_any_text(s in any::<String>()) {
        let _ = syntax::parse(&s);
    }

    #[test]
    fn parser_never_panics_on_shell_like_text(s in soup()) {
        let _ = syntax::parse(&s);
    }

    #[test]
    fn interpreter_never_panics(s in safe_script()) {
        let host = FakeHost::new(1_570_693_680);
        let opts = RunOptions { command_limit: Some(500), ..RunOptions::default() };
        let out = block_on(run_script(&host, &s, opts));
        prop_assert!((0..=255).contains(&out.status));
    }

    #[test]
    fn quoted_text_is_one_word_with_that_text(s in any::<String>().prop_filter("no NUL", |s| !s.contains('\0'))) {
        let host = FakeHost::new(0);
        let script = format!("printf '%s' {}", quote(&s));
        let out = block_on(run_script(&host, &script, RunOptions::default()));
        prop_assert_eq!(out.status, 0);
        prop_assert_eq!(out.stdout, s.as_bytes().to_vec());
        let list = syntax::parse(&quote(&s)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match list.0.as_slice() {
            [item] => match item.first.commands.as_slice() {
                [syntax::Command::Simple(cmd)] => {
                    prop_assert_eq!(cmd.words.len() + cmd.assignments.len(), 1);
                }
                other => prop_assert!(false, "not a simple command: {other:?}"),
            },
            other => prop_assert!(false, "not one command: {other:?}"),
        }
    }

    #[test]
    fn quoted_words_survive_field_splitting(words in prop::collection::vec("[ -~]{0,8}", 0..6)) {
        let host = FakeHost::new(0);
        let quoted: Vec<String> = words.iter().map(|w| quote(w)).collect();
        let script = format!("set -- {}; for w in \"$@\"; do printf '<%s>' \"$w\"; done", quoted.join(" "));
        let out = block_on(run_script(&host, &script, RunOptions::default()));
        let want: String = words.iter().map(|w| format!("<{w}>")).collect();
        prop_assert_eq!(out.stdout_text(), want);
    }
}
