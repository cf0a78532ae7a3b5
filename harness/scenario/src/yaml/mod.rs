//! The YAML front end: scenario files and fragments to a [`Scenario`].
//!
//! Reading goes in two stages. The YAML text becomes a tree that keeps every
//! value's position and its text as written (module `node`, on the YAML
//! parser serde-saphyr ships); then each key is read by hand (modules
//! `loader`, `servers`, `steps`, `faults`, `expect`), so that every problem
//! in a file can be reported at once, with its position and a message that
//! says how to fix it. Serde's derived deserialisers stop at the first error
//! and cannot say "did you mean", which is why the schema is not derived.

mod expect;
mod faults;
mod loader;
mod node;
mod read;
mod servers;
mod steps;
mod syntax;
mod template;

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Location, Scenario};

/// Reads and checks the scenario file at `path` with its fragments.
///
/// Paths in diagnostics and in the model are shown as `path` names them
/// (relative stays relative); includes resolve relative to each including
/// file.
pub fn load_file(path: impl AsRef<Path>) -> Result<Scenario, Diagnostics> {
    let path = path.as_ref();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => loader::load(path, text),
            Err(_) => Err(file_error(
                path,
                "the file is not UTF-8 text; save it as UTF-8",
            )),
        },
        Err(error) => {
            let why = match error.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_owned(),
                std::io::ErrorKind::IsADirectory => {
                    "it is a folder; name a scenario file, or pass the folder to `discover`"
                        .to_owned()
                }
                _ => error.to_string(),
            };
            Err(file_error(
                path,
                &format!("cannot read the scenario file: {why}"),
            ))
        }
    }
}

/// Reads and checks a scenario given as text. `name` stands for the file in
/// diagnostics, gives the default scenario name, and is where includes are
/// resolved from.
pub fn load_str(name: impl AsRef<Path>, text: &str) -> Result<Scenario, Diagnostics> {
    loader::load(name.as_ref(), text.to_owned())
}

fn file_error(path: &Path, message: &str) -> Diagnostics {
    Diagnostics::from_unsorted(vec![Diagnostic::new(
        Location::file(Arc::from(loader::normalise(path))),
        message,
    )])
}

/// The keys of each mapping of the language, for documentation and tools.
pub mod keys {
    pub use super::expect::{EXPECT_KEYS, UNTIL_KEYS};
    pub use super::faults::fault_keys;
    pub use super::loader::{FRAGMENT_KEYS, SCENARIO_KEYS, STEP_FRAGMENT_KEYS};
    pub use super::servers::{P4DCTL_KEYS, PREFLIGHT_KEYS, SERVER_KEYS};
    pub use super::steps::{ACTION_KEYS, COMMON_KEYS, action_keys};
}
