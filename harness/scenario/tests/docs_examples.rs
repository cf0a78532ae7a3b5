//! The examples of docs/scenario-language.md are valid: every YAML block
//! that is a whole scenario loads, and every block that is a list of steps
//! loads inside a small scenario around it.

use std::path::Path;

/// A scenario around step snippets: the servers and variables the
/// documentation's snippets use.
const VARS: &str = r#"vars:
  master_ip: 192.168.56.114
  standby_ip: 192.168.56.115
  super: p4 -u super -p {{master_ip}}:1666
  svc_password: "Service#1"
"#;

/// The servers the documentation's snippets use.
const SERVERS: &str = r#"servers:
  master: {version: "2019.1", services: commit-server, ip: 192.168.56.114, root: /master}
  standby: {version: "2019.1", services: standby, ip: 192.168.56.115, root: /standby}
"#;

fn blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (number, line) in markdown.lines().enumerate() {
        match &mut current {
            None if line.trim_start() == "```yaml" => current = Some((number + 1, String::new())),
            Some(_) if line.trim_start() == "```" => out.extend(current.take()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    out
}

/// Removes the indentation of a block nested in a list item.
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn documentation_examples_load() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = manifest.join("../../docs/scenario-language.md");
    let markdown = std::fs::read_to_string(&doc).expect("docs/scenario-language.md");
    // Fragments the examples include live beside the valid test scenarios.
    let name = manifest.join("tests/valid/documentation.yaml");
    let mut whole = 0;
    let mut snippets = 0;
    let mut failures = Vec::new();
    for (line, block) in blocks(&markdown) {
        let block = dedent(&block);
        let first = block
            .lines()
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .unwrap_or("");
        // Fragments are checked through the scenarios that include them.
        let fragment = block
            .lines()
            .next()
            .is_some_and(|l| l.contains("fragments/"));
        let text = if fragment {
            continue;
        } else if block.lines().any(|l| l.starts_with("steps:")) {
            whole += 1;
            // A scenario shown without its topology gets the snippets' one.
            let has_servers = block
                .lines()
                .any(|l| l.starts_with("servers:") || l.starts_with("include:"));
            if has_servers {
                block.clone()
            } else {
                format!("{SERVERS}{block}")
            }
        } else if first.starts_with("- ") {
            snippets += 1;
            let indented: String = block.lines().map(|l| format!("  {l}\n")).collect();
            format!("{VARS}{SERVERS}steps:\n{indented}")
        } else {
            continue;
        };
        if let Err(diagnostics) = p4ha_scenario::load_str(&name, &text) {
            failures.push(format!("block at docs line {line}:\n{diagnostics}\n{text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        whole >= 2 && snippets >= 10,
        "found {whole} scenarios and {snippets} step lists"
    );
}
