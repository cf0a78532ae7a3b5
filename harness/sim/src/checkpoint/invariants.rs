//! The journal counter's promise, checked over many generated histories:
//! `checkpoint.N` followed by the journals rotated after it replays to
//! the next checkpoint's content, and the last checkpoint followed by every
//! later journal (the live one last) replays to the database as it is.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use p4ha_hostfs::HostFs;
use p4ha_journal::Reader;

use super::*;
use crate::clock::Zone;
use crate::db::{Value, initialize};
use crate::journaling::{CaseFlag, JournalLog};
use crate::version::ServerVersion;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn site(fs: &HostFs, root: &str) -> Site {
    let version: ServerVersion = "2019.1".parse().unwrap();
    Site {
        fs: fs.clone(),
        root: PathBuf::from(root),
        root_name: root.to_string(),
        journal: Some(JournalLog::new(
            fs.clone(),
            Path::new(root).join("journal"),
            root,
            "journal",
            version,
            CaseFlag::Unix,
        )),
        version,
        fold_case: false,
        zone: Zone::from_tz(Some("Asia/Tokyo")),
        config_name: None,
    }
}

fn data(bytes: &[u8]) -> Vec<Vec<u8>> {
    Reader::new(bytes)
        .map(|r| r.unwrap())
        .filter(|r| r.is_data())
        .map(|r| r.to_bytes())
        .collect()
}

fn dump(site: &Site) -> Vec<Vec<u8>> {
    let tables = tables_named(&[]).unwrap();
    data(&dump_text(site, &mut site.db(), &tables, 0).unwrap())
}

/// Replays `files` (host paths, each compressed or not) into a new root.
fn replayed(fs: &HostFs, root: &str, files: &[PathBuf]) -> Vec<Vec<u8>> {
    let _ = fs.remove_dir_all(Path::new(root));
    fs.create_dir_all(Path::new(root)).unwrap();
    let target = site(fs, root);
    for f in files {
        let gzip = f.to_string_lossy().ends_with(".gz");
        let input = ReplayInput::File {
            name: f.display().to_string(),
            path: f.clone(),
        };
        let out = replay_files(
            &target,
            &[input],
            &ReplayOptions {
                gzip,
                ..Default::default()
            },
            1,
            0,
        );
        assert_eq!(out.status, 0, "{}: {:?}", f.display(), out.blocks);
    }
    dump(&target)
}

#[test]
fn checkpoints_and_journals_replay_to_the_same_tables() {
    for seed in 0..24u64 {
        let dir = tempfile::tempdir().unwrap();
        let fs = HostFs::sandbox(dir.path(), Arc::new(|| 0)).unwrap();
        fs.create_dir_all(Path::new("/r")).unwrap();
        let s = site(&fs, "/r");
        initialize(&mut s.db(), s.version).unwrap();
        let mut rng = Lcg(seed);
        let mut now = 1_571_371_200;
        // Rotation events in order: (kind, number), kind 'c' checkpoint, 'j' journal.
        let mut events: Vec<(char, i64, bool)> = Vec::new();
        for _ in 0..50 {
            now += 1 + rng.next(100) as i64;
            let mut out = Vec::new();
            match rng.next(12) {
                0 => {
                    let (z, big_z) = (rng.next(3) == 0, rng.next(3) == 0);
                    let r = take_checkpoint(
                        &s,
                        &CheckpointOptions::from_flags(None, z, big_z),
                        7,
                        now,
                        &mut out,
                    )
                    .unwrap();
                    events.push(('c', r.number, z || big_z));
                    events.push(('j', r.number - 1, z));
                }
                1 => {
                    let z = rng.next(4) == 0;
                    let r = rotate_journal(
                        &s,
                        &RotateOptions {
                            prefix: None,
                            gzip: z,
                        },
                        7,
                        now,
                        &mut out,
                    )
                    .unwrap()
                    .unwrap();
                    events.push(('j', r.number, z));
                }
                2 | 3 => {
                    let mut db = s.db();
                    db.delete("db.counters", &[Value::text(format!("k{}", rng.next(6)))])
                        .unwrap();
                    s.commit(&mut db, 8, now).unwrap();
                }
                _ => {
                    let mut db = s.db();
                    let value = format!("v{}@{}\nline", rng.next(1000), rng.next(9));
                    db.put(
                        "db.counters",
                        vec![Value::text(format!("k{}", rng.next(6))), Value::text(value)],
                    )
                    .unwrap();
                    if rng.next(2) == 0 {
                        db.put(
                            "db.config",
                            vec![
                                Value::text("any"),
                                Value::text(format!("c{}", rng.next(4))),
                                Value::text("x"),
                            ],
                        )
                        .unwrap();
                    }
                    s.commit(&mut db, 8, now).unwrap();
                }
            }
        }
        let name = |kind: char, n: i64, z: bool| {
            let base = if kind == 'c' {
                format!("/r/checkpoint.{n}")
            } else {
                format!("/r/journal.{n}")
            };
            PathBuf::from(if z { format!("{base}.gz") } else { base })
        };
        let checkpoints: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.0 == 'c')
            .map(|(i, _)| i)
            .collect();
        // Every checkpoint plus the journals after it reaches the next one.
        for pair in checkpoints.windows(2) {
            let (first, next) = (events[pair[0]], events[pair[1]]);
            let mut files = vec![name('c', first.1, first.2)];
            files.extend(
                events[pair[0] + 1..pair[1]]
                    .iter()
                    .filter(|e| e.0 == 'j' && e.1 >= first.1)
                    .map(|e| name('j', e.1, e.2)),
            );
            files.push(name('j', next.1 - 1, events[pair[1] + 1].2));
            let expected = data(&fs.read(&name('c', next.1, next.2)).unwrap());
            assert_eq!(
                replayed(&fs, "/x", &files),
                expected,
                "seed {seed}: {files:?}"
            );
        }
        // The last checkpoint, the journals since and the live journal give
        // the tables as they are.
        if let Some(&last) = checkpoints.last() {
            let ckp = events[last];
            let mut files = vec![name('c', ckp.1, ckp.2)];
            files.extend(
                events[last + 1..]
                    .iter()
                    .filter(|e| e.0 == 'j' && e.1 >= ckp.1)
                    .map(|e| name('j', e.1, e.2)),
            );
            files.push(PathBuf::from("/r/journal"));
            assert_eq!(
                replayed(&fs, "/y", &files),
                dump(&s),
                "seed {seed}: {files:?}"
            );
        }
    }
}
