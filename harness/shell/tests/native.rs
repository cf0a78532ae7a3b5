//! The native host: real files in a temporary directory, real programs
//! (this machine's `/bin/sh`), and `sh_main`'s entry points.

use p4ha_shell::{NativeHost, RunOptions, block_on, run_script, sh_main};

fn opts_in(dir: &std::path::Path) -> RunOptions {
    let mut env = std::collections::BTreeMap::new();
    env.insert(
        "PATH".to_string(),
        "/usr/local/bin:/usr/bin:/bin".to_string(),
    );
    RunOptions {
        cwd: dir.to_path_buf(),
        env,
        ..RunOptions::default()
    }
}

#[test]
fn builtins_work_on_real_files() {
    let dir = tempfile::tempdir().unwrap();
    let host = NativeHost::new();
    let script = "mkdir -p standby/server.locks && echo '@pv@ 1' > standby/journal && \
                  rm -rf standby/server.locks && ls standby && wc -c < standby/journal";
    let out = block_on(run_script(&host, script, opts_in(dir.path())));
    assert_eq!(out.stderr_text(), "");
    assert_eq!(out.stdout_text(), "journal\n7\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("standby/journal")).unwrap(),
        "@pv@ 1\n"
    );
}

#[test]
fn unknown_commands_run_as_real_programs() {
    let dir = tempfile::tempdir().unwrap();
    let host = NativeHost::new();
    let script = "echo piped | sh -c 'read l; echo \"dash read $l\"; exit 3'; echo \"status $?\"; \
                  no-such-program-here; echo \"status $?\"";
    let out = block_on(run_script(&host, script, opts_in(dir.path())));
    assert_eq!(out.stdout_text(), "dash read piped\nstatus 3\nstatus 127\n");
    assert_eq!(
        out.stderr_text(),
        "sh: 1: no-such-program-here: not found\n"
    );
}

#[test]
fn sh_main_returns_the_script_status() {
    assert_eq!(sh_main(vec!["sh".into(), "-c".into(), "exit 4".into()]), 4);
    assert_eq!(
        sh_main(vec!["sh".into(), "-c".into(), "true && (exit 5)".into()]),
        5
    );
    assert_eq!(sh_main(vec!["sh".into(), "-c".into(), "if".into()]), 2);
    assert_eq!(sh_main(vec!["sh".into(), "-c".into()]), 2);
    assert_eq!(
        sh_main(vec![
            "sh".into(),
            "-e".into(),
            "-c".into(),
            "false; exit 0".into()
        ]),
        1
    );
}

#[test]
fn sh_main_runs_a_script_file_with_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.sh");
    std::fs::write(&file, "[ \"$1\" = standby ] && exit 7\nexit 1\n").unwrap();
    let path = file.display().to_string();
    assert_eq!(sh_main(vec!["sh".into(), path, "standby".into()]), 7);
    assert_eq!(sh_main(vec!["sh".into(), "/no/such/script".into()]), 2);
}
