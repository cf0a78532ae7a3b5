//! Finding scenario files in folders.

use std::path::{Path, PathBuf};

/// The scenario files among `paths`: each file as given, and every `*.yaml`
/// or `*.yml` file under each folder, recursively. Folders named
/// `fragments` (they hold pieces of scenarios, not scenarios) and hidden
/// folders (`.git`, `.github`) are skipped. Sorted, without duplicates.
///
/// A path that does not exist is kept, so that loading it reports the
/// problem.
pub fn discover<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for path in paths {
        let path = path.as_ref();
        if path.is_dir() {
            walk(path, &mut found);
        } else {
            found.push(path.to_path_buf());
        }
    }
    found.sort();
    found.dedup();
    found
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if name != "fragments" && !name.starts_with('.') {
                walk(&path, found);
            }
        } else if path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml")
        {
            found.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_scenarios_and_skips_fragments() {
        let root = std::env::temp_dir().join(format!("p4ha-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for file in [
            "b.yaml",
            "a.yml",
            "notes.txt",
            "nested/c.yaml",
            "fragments/topology.yaml",
            "nested/fragments/x.yaml",
            ".github/workflows/ci.yml",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "").unwrap();
        }
        let found = discover([&root, &root.join("b.yaml"), &root.join("missing.yaml")]);
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.yml", "b.yaml", "missing.yaml", "nested/c.yaml"]);
        let _ = std::fs::remove_dir_all(&root);
    }
}
