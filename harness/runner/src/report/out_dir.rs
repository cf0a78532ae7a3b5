//! The `--out` folder: per scenario, the full transcript, each server's
//! normalised journal at the end, and the result. Everything in it comes
//! from the scenario's run in the backend's time, so the same seed gives
//! the same folder, byte for byte.

use std::io;
use std::path::Path;

use crate::result::{ScenarioResult, Status};
use crate::transcript::View;

/// Writes `dir/NAME/` for one scenario, replacing what a previous run left.
pub fn write(dir: &Path, r: &ScenarioResult) -> io::Result<()> {
    let folder = dir.join(&r.name);
    let ctx = |e: io::Error, p: &Path| io::Error::new(e.kind(), format!("{}: {e}", p.display()));
    if folder.exists() {
        std::fs::remove_dir_all(&folder).map_err(|e| ctx(e, &folder))?;
    }
    let journals = folder.join("journals");
    std::fs::create_dir_all(&journals).map_err(|e| ctx(e, &journals))?;
    let put = |p: &Path, text: &str| std::fs::write(p, text).map_err(|e| ctx(e, p));
    put(
        &folder.join("transcript.txt"),
        &r.execution.transcript.render(View::Full),
    )?;
    for j in &r.execution.journals {
        let text = match &j.content {
            Ok(t) => t.clone(),
            Err(reason) => format!("(no journal at {}: {reason})\n", j.path),
        };
        put(&journals.join(format!("{}.jnl", j.server)), &text)?;
    }
    put(&folder.join("result.txt"), &result_text(r))?;
    Ok(())
}

/// The result file: status, seed, steps run, failures (whether the
/// snapshot was just written or already there does not show, so that two
/// runs with the same seed give the same file).
fn result_text(r: &ScenarioResult) -> String {
    let mut out = format!(
        "scenario: {}\nfile: {}\nseed: {}\nresult: {}\nsteps: {} of {}\n",
        r.name,
        r.file.display(),
        r.seed,
        match r.status {
            Status::Passed | Status::Accepted => "passed",
            Status::Failed => "failed",
        },
        r.execution.steps_run,
        r.steps
    );
    for f in &r.failures {
        out.push('\n');
        out.push_str(&f.to_string());
        out.push('\n');
    }
    out
}
