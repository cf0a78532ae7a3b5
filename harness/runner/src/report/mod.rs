//! Reports of a run: the `--out` folder, the JUnit XML file and the
//! progress display.

pub mod junit;
pub mod out_dir;
pub mod progress;
