//! A generator of realistic checkpoints of a chosen size, for benchmarks,
//! tests and `p4ha journal generate`.
//!
//! The output looks like a 2024.1 server's checkpoint: a header note,
//! tables in order (config, counters, users with `@@` in e-mail
//! addresses, depots, client workspaces and views, changes, multi-line
//! descriptions, db.revcx, then the bulk: db.rev), and a trailer note.
//! Descriptions include lines that begin with `@`, such as an escaped
//! `@@pv@@`, to exercise quote tracking. Output is deterministic for a
//! seed.

use std::io::{self, Write};

use crate::field::{Digest, Field};
use crate::note::{Note, NoteKind};
use crate::op::Op;
use crate::record::Record;
use crate::writer::Writer;

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenerateOptions {
    /// Approximate size of the output in bytes (the result is within a
    /// few percent of it).
    pub target_bytes: u64,
    /// Seed of the pseudo-random choices.
    pub seed: u64,
    /// Date of the header note, epoch seconds; other dates precede it.
    pub date: i64,
    /// Server protocol level written in the notes (58 = 2024.1).
    pub server_level: u32,
    /// P4ROOT written in the header note.
    pub root: String,
}

impl Default for GenerateOptions {
    fn default() -> GenerateOptions {
        GenerateOptions {
            target_bytes: 1024 * 1024,
            seed: 1,
            date: 1_717_171_717,
            server_level: 58,
            root: "/p4/1/root".into(),
        }
    }
}

/// What was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generated {
    /// Records written.
    pub records: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Changes generated.
    pub changes: u64,
}

/// SplitMix64: small, fast, good enough for synthetic data.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const USERS: [&str; 12] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "p4admin",
];
const DIRS: [&str; 10] = [
    "src/server",
    "src/client",
    "src/common",
    "docs/manual",
    "tests/integration",
    "tools/build",
    "assets/textures",
    "third_party/zlib",
    "config",
    "scripts",
];
const EXTS: [&str; 8] = [".cc", ".h", ".py", ".md", ".txt", ".png", ".json", ".sh"];
const VERBS: [&str; 8] = [
    "Fix", "Add", "Remove", "Refactor", "Update", "Document", "Speed up", "Revert",
];
const THINGS: [&str; 10] = [
    "journal rotation",
    "checkpoint verification",
    "replica pull threads",
    "the build script",
    "edge server retargeting",
    "ticket expiry",
    "depot mapping",
    "unicode handling",
    "failover preview",
    "the test harness",
];
const DETAILS: [&str; 8] = [
    "Reported by ops@example.com during the weekend rollout.",
    "@pv@ lines in descriptions must not confuse journal readers.",
    "Reviewed-by: carol@example.com",
    "See job004242 for the background.",
    "@",
    "Tested with p4d -jv on a copy of the production checkpoint.",
    "No behaviour change intended.",
    "Ticket: https://tracker.example.com/browse/OPS-1234",
];

/// File count in the synthetic depot: paths repeat, so revisions climb.
const FILE_POOL: u64 = 50_000;

struct Change {
    number: i64,
    user: &'static str,
    client: String,
    date: i64,
    description: String,
    files: Vec<u64>,
}

fn change(seed: u64, number: i64, base_date: i64) -> Change {
    let mut rng = Rng::new(seed ^ (number as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let user = USERS[rng.below(USERS.len() as u64) as usize];
    let mut description = format!("{} {}", rng.pick(&VERBS), rng.pick(&THINGS));
    let extra_lines = rng.below(4);
    if extra_lines > 0 {
        description.push_str("\n\n");
        for i in 0..extra_lines {
            if i > 0 {
                description.push('\n');
            }
            description.push_str(rng.pick(&DETAILS));
        }
    }
    description.push('\n');
    let count = 1 + rng.below(9) as usize;
    let files = (0..count).map(|_| rng.below(FILE_POOL)).collect();
    Change {
        number,
        user,
        client: format!("{user}-ws"),
        date: base_date + number * 37,
        description,
        files,
    }
}

fn depot_file(file: u64) -> String {
    let dir = DIRS[(file % DIRS.len() as u64) as usize];
    let ext = EXTS[((file / 7) % EXTS.len() as u64) as usize];
    format!("//depot/main/{dir}/file{file:05}{ext}")
}

fn digest(seed: u64, file: u64, rev: u64) -> Digest {
    let mut rng = Rng::new(seed ^ file.rotate_left(17) ^ rev);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&rng.next().to_le_bytes());
    bytes[8..].copy_from_slice(&rng.next().to_le_bytes());
    Digest::from_md5(bytes)
}

fn s(text: &str) -> Field {
    Field::string(text)
}

fn i(value: i64) -> Field {
    Field::int(value)
}

struct Out<W: Write> {
    writer: Writer<W>,
}

impl<W: Write> Out<W> {
    fn put(&mut self, version: i64, table: &str, values: Vec<Field>) -> io::Result<()> {
        self.writer
            .write_record(&Record::data(Op::Pv, version, table, values))
    }
}

/// Writes a checkpoint of about `options.target_bytes` bytes to `out`.
pub fn generate_checkpoint<W: Write>(out: W, options: &GenerateOptions) -> io::Result<Generated> {
    let seed = options.seed;
    let start = options.date - 10_000_000;
    let mut out = Out {
        writer: Writer::new(out),
    };
    let header = Note::from_kind(
        options.date,
        options.server_level,
        &NoteKind::CheckpointHeader {
            case_handling: 2,
            root: options.root.clone(),
            journal: "journal".into(),
        },
    );
    out.writer.write_note(&header)?;

    for (name, value) in [
        ("monitor", "2"),
        ("server.depot.root", "/p4/1/depots"),
        ("journalPrefix", "/p4/1/checkpoints/p4_1"),
        ("serverid", "master.1"),
    ] {
        out.put(1, "db.config", vec![s("any"), s(name), s(value)])?;
    }

    // Bytes of everything but the changes (notes, config, users, clients).
    let fixed = 6_500;
    let changes = changes_for(seed, start, options.target_bytes.saturating_sub(fixed));

    for (name, value) in [
        ("change", changes.to_string()),
        ("journal", "41".to_string()),
        (
            "lastCheckpointAction",
            format!(
                "{} (2024/05/31 16:08:37 +0000 UTC) checkpoint completed",
                options.date - 86_400
            ),
        ),
        ("maxCommitChange", changes.to_string()),
        ("upgrade", "54".to_string()),
    ] {
        out.put(1, "db.counters", vec![s(name), s(&value)])?;
    }

    for (n, user) in USERS.iter().enumerate() {
        let email = format!("{user}@example.com");
        let full = format!("{}{} Example", user[..1].to_uppercase(), &user[1..]);
        out.put(
            8,
            "db.user",
            vec![
                s(user),
                s(&email),
                s(""),
                i(start + n as i64),
                i(options.date - 3600),
                s(&full),
                s(""),
                i(0),
                s(""),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
            ],
        )?;
    }

    out.put(
        2,
        "db.depot",
        vec![s("depot"), i(0), s(""), s("depot/..."), s("")],
    )?;
    out.put(
        2,
        "db.depot",
        vec![s("spec"), i(2), s(".p4s"), s("spec/..."), s("")],
    )?;
    for (name, kind, desc) in [
        ("depot", 100, "Default depot\n"),
        ("spec", 100, "Specification depot\n"),
    ] {
        out.put(
            8,
            "db.domain",
            vec![
                s(name),
                i(kind),
                s(""),
                s(""),
                s(""),
                s(""),
                s("p4admin"),
                i(start),
                i(start),
                i(0),
                s(desc),
                s(""),
                s(""),
                i(0),
            ],
        )?;
    }
    for user in USERS {
        let client = format!("{user}-ws");
        out.put(
            8,
            "db.domain",
            vec![
                s(&client),
                i(99),
                s(&format!("{user}-laptop")),
                s(&format!("/home/{user}/ws")),
                s(""),
                s(""),
                s(user),
                i(start + 60),
                i(options.date - 7200),
                i(0),
                s(&format!("Created by {user}.\n")),
                s(""),
                s(""),
                i(0),
            ],
        )?;
    }
    for user in USERS {
        let client = format!("{user}-ws");
        out.put(
            1,
            "db.view",
            vec![
                s(&client),
                i(0),
                i(0),
                s(&format!("//{client}/...")),
                s("//depot/main/..."),
                s(""),
            ],
        )?;
    }

    for number in 1..=changes {
        out.writer
            .write_record(&change_record(&change(seed, number, start)))?;
    }
    for number in 1..=changes {
        out.writer
            .write_record(&desc_record(&change(seed, number, start)))?;
    }
    let mut revs = vec![0u32; FILE_POOL as usize];
    for number in 1..=changes {
        let c = change(seed, number, start);
        for &file in &c.files {
            revs[file as usize] += 1;
            let rev = i64::from(revs[file as usize]);
            out.writer.write_record(&revcx_record(&c, file, rev))?;
        }
    }
    revs.iter_mut().for_each(|r| *r = 0);
    for number in 1..=changes {
        let c = change(seed, number, start);
        for &file in &c.files {
            revs[file as usize] += 1;
            let rev = i64::from(revs[file as usize]);
            out.writer.write_record(&rev_record(seed, &c, file, rev))?;
        }
    }

    let trailer = Note::from_kind(
        options.date + 8,
        options.server_level,
        &NoteKind::CheckpointTrailer,
    );
    out.writer.write_note(&trailer)?;
    out.writer.flush()?;
    Ok(Generated {
        records: out.writer.records_written(),
        bytes: out.writer.bytes_written(),
        changes: changes as u64,
    })
}

fn change_record(c: &Change) -> Record {
    let short: String = c.description.chars().take(31).collect();
    Record::data(
        Op::Pv,
        7,
        "db.change",
        vec![
            i(c.number),
            i(c.number),
            s(&c.client),
            s(c.user),
            i(c.date),
            i(1),
            s(&short),
            s("//depot/main/..."),
            s(""),
            s(""),
            i(c.date),
            i(c.date),
            s(""),
        ],
    )
}

fn desc_record(c: &Change) -> Record {
    Record::data(Op::Pv, 1, "db.desc", vec![i(c.number), s(&c.description)])
}

fn revcx_record(c: &Change, file: u64, rev: i64) -> Record {
    let action = if rev == 1 { 0 } else { 1 };
    Record::data(
        Op::Pv,
        1,
        "db.revcx",
        vec![i(c.number), s(&depot_file(file)), i(rev), i(action)],
    )
}

fn rev_record(seed: u64, c: &Change, file: u64, rev: i64) -> Record {
    let path = depot_file(file);
    let binary = path.ends_with(".png");
    let file_type = if binary { 0x0101 } else { 3 };
    let action = if rev == 1 { 0 } else { 1 };
    let size = ((file * 7919 + rev as u64 * 104_729) % 900_000) as i64 + 12;
    Record::data(
        Op::Pv,
        10,
        "db.rev",
        vec![
            s(&path),
            i(rev),
            i(file_type),
            i(action),
            i(c.number),
            i(c.date),
            i(c.date - 120),
            Field::Digest(digest(seed, file, rev as u64)),
            i(size),
            i(0),
            i(0),
            s(&path),
            s(&format!("1.{}", c.number)),
            i(file_type),
        ],
    )
}

/// Average bytes one change adds across db.change, db.desc, db.revcx and
/// db.rev, measured on changes numbered from `around`.
fn change_bytes(seed: u64, start: i64, around: i64) -> u64 {
    const SAMPLE: i64 = 400;
    let mut total = 0usize;
    for number in around..around + SAMPLE {
        let c = change(seed, number, start);
        total += change_record(&c).to_bytes().len() + desc_record(&c).to_bytes().len();
        for &file in &c.files {
            // Revisions climb slowly over a 50 000-file depot: a few digits.
            let rev = 1 + number * 5 / FILE_POOL as i64;
            total += revcx_record(&c, file, rev).to_bytes().len();
            total += rev_record(seed, &c, file, rev).to_bytes().len();
        }
    }
    (total as u64 / SAMPLE as u64).max(1)
}

/// How many changes make `bytes` of change-related records.
fn changes_for(seed: u64, start: i64, bytes: u64) -> i64 {
    let first = (bytes / change_bytes(seed, start, 1)).max(1) as i64;
    // Change numbers grow longer with the count: measure again mid-way.
    (bytes / change_bytes(seed, start, first / 2 + 1)).max(1) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::Reader;

    #[test]
    fn output_is_deterministic_valid_and_near_the_target() {
        let options = GenerateOptions {
            target_bytes: 300_000,
            ..GenerateOptions::default()
        };
        let mut a = Vec::new();
        let stats = generate_checkpoint(&mut a, &options).unwrap();
        let mut b = Vec::new();
        generate_checkpoint(&mut b, &options).unwrap();
        assert_eq!(a, b);
        assert_eq!(stats.bytes, a.len() as u64);
        let ratio = a.len() as f64 / options.target_bytes as f64;
        assert!((0.9..1.1).contains(&ratio), "size ratio {ratio}");
        let records: Vec<Record> = Reader::new(&a[..]).collect::<Result<_, _>>().unwrap();
        assert_eq!(records.len() as u64, stats.records);
        assert!(records[0].note().unwrap().is_checkpoint_header());
        assert!(
            records
                .last()
                .unwrap()
                .note()
                .unwrap()
                .is_checkpoint_trailer()
        );
        assert!(a.windows(7).any(|w| w == b"\n@@pv@@"));
    }
}
