//! Data-driven tests: every `tests/valid/*.yaml` must load, and its model,
//! rendered as text, must equal the sibling `.model` file; every
//! `tests/invalid/*.yaml` must be rejected with exactly the diagnostics of
//! the sibling `.err` file (paths relative to `tests/`).
//!
//! Adding a file adds a test. `P4HA_BLESS=1 cargo test --test files` writes
//! missing or changed expectation files; review them before committing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use p4ha_scenario::{Action, Expect, Fault, Scenario, Step, format_duration};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

/// Paths in output, relative to `tests/`.
fn relative(text: &str) -> String {
    let prefix = format!("{}/", tests_dir().display());
    text.replace(&prefix, "")
}

/// Compares `actual` with the file `expected`, or writes it when blessing.
fn compare(expected: &Path, actual: &str) -> Result<(), Failed> {
    let bless = std::env::var_os("P4HA_BLESS").is_some();
    match std::fs::read_to_string(expected) {
        Ok(wanted) if wanted == actual => Ok(()),
        _ if bless => {
            std::fs::write(expected, actual).map_err(|e| Failed::from(e.to_string()))?;
            Ok(())
        }
        Ok(wanted) => {
            let diff = similar::TextDiff::from_lines(wanted.as_str(), actual)
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            Err(format!(
                "{} differs (P4HA_BLESS=1 rewrites it):\n{diff}",
                relative(&expected.display().to_string())
            )
            .into())
        }
        Err(_) => Err(format!(
            "{} is missing (P4HA_BLESS=1 writes it); the output is:\n{actual}",
            relative(&expected.display().to_string())
        )
        .into()),
    }
}

fn valid(path: &Path) -> Result<(), Failed> {
    let scenario =
        p4ha_scenario::load_file(path).map_err(|d| Failed::from(relative(&d.to_string())))?;
    compare(&path.with_extension("model"), &relative(&render(&scenario)))
}

fn invalid(path: &Path) -> Result<(), Failed> {
    match p4ha_scenario::load_file(path) {
        Ok(_) => Err("loaded without errors, but an error was expected".into()),
        Err(diagnostics) => {
            for d in &diagnostics {
                if d.message.trim().is_empty() {
                    return Err(format!("empty message at {}", d.location).into());
                }
            }
            compare(
                &path.with_extension("err"),
                &format!("{}\n", relative(&diagnostics.to_string())),
            )
        }
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for (folder, test) in [
        ("valid", valid as fn(&Path) -> Result<(), Failed>),
        ("invalid", invalid),
    ] {
        for path in yaml_files(&tests_dir().join(folder)) {
            let name = format!(
                "{folder}/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            trials.push(Trial::test(name, move || test(&path)));
        }
    }
    // Every expectation file belongs to a scenario file.
    for (folder, ext) in [("valid", "model"), ("invalid", "err")] {
        let dir = tests_dir().join(folder);
        let orphans: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == ext) && !p.with_extension("yaml").exists()
            })
            .map(|p| p.display().to_string())
            .collect();
        trials.push(Trial::test(
            format!("{folder}/no orphan .{ext} files"),
            move || {
                if orphans.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "expectation files without a scenario: {}",
                        orphans.join(", ")
                    )
                    .into())
                }
            },
        ));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// The model as stable, readable text.
fn render(s: &Scenario) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "name: {}", s.name);
    let _ = writeln!(o, "file: {}", s.file.display());
    for f in &s.files[1..] {
        let _ = writeln!(o, "fragment: {}", f.display());
    }
    let _ = writeln!(o, "description: {:?}", s.description);
    let _ = writeln!(o, "source: {:?}", s.source);
    let _ = writeln!(o, "tags: {:?}", s.tags);
    let _ = writeln!(o, "seed: {:?}", s.seed);
    let _ = writeln!(o, "clock: {:?}", s.clock.map(|c| c.to_string()));
    for v in &s.servers {
        let _ = writeln!(
            o,
            "server {} ({}): host={} ip={:?} port={} root={} serverid={} services={} version={} timezone={} case={} journal={:?} state={} p4dctl={}:{:?} env={:?} image={:?}",
            v.name,
            v.location,
            v.host,
            v.ip.map(|i| i.to_string()),
            v.port,
            v.root,
            v.server_id,
            v.services,
            v.version,
            v.timezone,
            v.case.as_str(),
            v.journal,
            v.state.as_str(),
            v.p4dctl.name,
            v.p4dctl.environment,
            v.env,
            v.image,
        );
    }
    let p = &s.preflight;
    let _ = writeln!(
        o,
        "preflight: same-timezone={} same-version={} servers={:?} at={:?} violations={:?}",
        p.same_timezone,
        p.same_version,
        p.servers,
        p.location.as_ref().map(ToString::to_string),
        s.preflight_violations()
            .iter()
            .map(|v| v.check)
            .collect::<Vec<_>>()
    );
    for step in &s.steps {
        render_step(&mut o, step);
    }
    o
}

fn render_step(o: &mut String, step: &Step) {
    let _ = write!(o, "step {}", step.location);
    for at in &step.included_from {
        let _ = write!(o, " <- {at}");
    }
    let _ = writeln!(o, " section={:?} name={:?}", step.section, step.name);
    let _ = writeln!(o, "  title: {}", step.title());
    match &step.action {
        Action::Run(r) => {
            let _ = writeln!(
                o,
                "  run on {}: {:?} stdin={:?} env={:?} snapshot={} timeout={:?}",
                r.command.on,
                r.command.script,
                r.command.stdin,
                r.command.env,
                r.snapshot,
                r.timeout.map(format_duration)
            );
            render_expect(o, "expect", &r.expect);
        }
        Action::Wait(w) => {
            let _ = writeln!(
                o,
                "  wait on {}: {:?} stdin={:?} env={:?} timeout={} every={} snapshot={}",
                w.command.on,
                w.command.script,
                w.command.stdin,
                w.command.env,
                format_duration(w.timeout),
                format_duration(w.every),
                w.snapshot
            );
            render_expect(o, "until", &w.until.expect);
            for same in &w.until.same {
                let _ = writeln!(o, "    same /{}/", same.regex.as_str());
            }
        }
        Action::EditSpec(e) => {
            let _ = writeln!(
                o,
                "  edit-spec on {}: fetch={:?} save={:?} env={:?} snapshot={} timeout={:?}",
                e.on,
                e.fetch_command(),
                e.save_command(),
                e.env,
                e.snapshot,
                e.timeout.map(format_duration)
            );
            let _ = writeln!(o, "    set={:?}", e.set);
            let _ = writeln!(o, "    append={:?}", e.append);
            let _ = writeln!(o, "    remove={:?}", e.remove);
            render_expect(o, "expect", &e.expect);
        }
        Action::Fault(f) => {
            let _ = writeln!(o, "  fault: {f}");
            if let Fault::Partition { .. } | Fault::Heal { .. } = f {
                let _ = writeln!(o, "    servers: {:?}", f.servers());
            }
        }
        other => {
            let _ = writeln!(o, "  {}: {:?}", other.key(), other);
        }
    }
}

fn render_expect(o: &mut String, label: &str, e: &Expect) {
    let _ = writeln!(o, "    {label} exit={}", e.exit);
    if let Some(p) = &e.stdout {
        let _ = writeln!(o, "    {label} stdout={:?}", p.as_str());
    }
    if let Some(p) = &e.stderr {
        let _ = writeln!(o, "    {label} stderr={:?}", p.as_str());
    }
    for (key, list) in [("contains", &e.contains), ("not-contains", &e.not_contains)] {
        if !list.is_empty() {
            let _ = writeln!(o, "    {label} {key}={list:?}");
        }
    }
    for (key, list) in [("matches", &e.matches), ("not-matches", &e.not_matches)] {
        for regex in list {
            let _ = writeln!(o, "    {label} {key} /{}/", regex.as_str());
        }
    }
}
