//! The JUnit XML report (`--junit FILE`): one test case per scenario, its
//! failures as the failure message and description, its transcript as
//! the case's output.

use std::io;
use std::path::Path;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::result::{RunSummary, Status};
use crate::transcript::View;

/// The report's XML.
pub fn render(summary: &RunSummary) -> Result<String, String> {
    let mut report = Report::new("p4ha");
    let mut suite = TestSuite::new("scenarios");
    for r in &summary.results {
        let status = match r.status {
            Status::Passed | Status::Accepted => TestCaseStatus::success(),
            Status::Failed => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                if let Some(f) = r.failures.first() {
                    s.set_message(format!("{}: {}", f.place(), f.message));
                }
                let text: Vec<String> = r.failures.iter().map(ToString::to_string).collect();
                s.set_description(text.join("\n\n"));
                s
            }
        };
        let mut case = TestCase::new(r.name.clone(), status);
        case.set_classname(r.file.display().to_string());
        case.set_time(r.duration);
        case.set_system_out(r.execution.transcript.render(View::Full));
        suite.add_test_case(case);
    }
    suite.set_time(summary.duration);
    report.add_test_suite(suite);
    report.set_time(summary.duration);
    report.to_string().map_err(|e| e.to_string())
}

/// Writes the report.
pub fn write(path: &Path, summary: &RunSummary) -> io::Result<()> {
    let xml = render(summary).map_err(io::Error::other)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, xml)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}
