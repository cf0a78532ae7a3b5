//! `p4ha journal ...`: check, summarise, filter and generate journal and
//! checkpoint files.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand};
use p4ha_journal::generate::{GenerateOptions, generate_checkpoint};
use p4ha_journal::{
    CheckOptions, FileKind, LocatedNote, Md5File, Md5Writer, NoteKind, Op, Scanner, Summary,
    check_file, is_gzip_file, server_level_release, summarize_file,
};

/// Arguments of `p4ha journal`.
#[derive(Debug, Args)]
pub struct JournalArgs {
    #[command(subcommand)]
    command: JournalCommand,
}

#[derive(Debug, Subcommand)]
enum JournalCommand {
    /// Validate journal or checkpoint files (plain or gzip), as `p4d -jv` does.
    ///
    /// Every record is checked with p4d's rules; a checkpoint must end with
    /// its trailer note; when a `.md5` file lies beside a checkpoint
    /// (`NAME.md5`, or `NAME.gz.md5` / `NAME.md5` for `NAME.gz`) its digest
    /// must match the uncompressed content. Prints `FILE:LINE: message` on
    /// stderr for the first problem of each file. Exit 0 when every file is
    /// valid, 1 otherwise.
    Check(CheckArgs),
    /// Print records per table and per operation, the header note and
    /// whether the trailer note is present.
    Stats(StatsArgs),
    /// Print the records of a table (and/or operation) byte for byte as in the file.
    Filter(FilterArgs),
    /// Write a synthetic checkpoint of about the given size (for benchmarks).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Journal or checkpoint files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Do not compare with `.md5` side files.
    #[arg(long)]
    no_md5: bool,
    /// Threads for a large plain file (default: every core). `--threads 1`
    /// keeps a check on a busy production server to one core.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

#[derive(Debug, Args)]
struct StatsArgs {
    /// Journal or checkpoint file (plain or gzip).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("select").required(true).multiple(true).args(["table", "op"])))]
struct FilterArgs {
    /// Journal or checkpoint file (plain or gzip).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Keep records of this table (e.g. db.rev).
    #[arg(long, value_name = "TABLE")]
    table: Option<String>,
    /// Keep records with this operation marker (pv rv dv vv dl ex mx nx put
    /// del); may be repeated.
    #[arg(long, value_name = "OP")]
    op: Vec<Op>,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// Approximate size in megabytes (10^6 bytes) of the uncompressed checkpoint.
    #[arg(long, value_name = "MB")]
    size_mb: u64,
    /// Seed of the pseudo-random content.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Compress the output with gzip.
    #[arg(long)]
    gzip: bool,
    /// Also write FILE.md5 in p4d's format.
    #[arg(long)]
    md5: bool,
    /// Output file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// Runs `p4ha journal ...`.
pub fn run(args: JournalArgs) -> ExitCode {
    match args.command {
        JournalCommand::Check(args) => check(&args),
        JournalCommand::Stats(args) => stats(&args),
        JournalCommand::Filter(args) => filter(&args),
        JournalCommand::Generate(args) => generate(&args),
    }
}

fn check(args: &CheckArgs) -> ExitCode {
    let defaults = CheckOptions::default();
    let options = CheckOptions {
        verify_md5: !args.no_md5,
        threads: args.threads.map_or(defaults.threads, usize::from),
        ..defaults
    };
    let mut failed = false;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for file in &args.files {
        match check_file(file, &options) {
            Ok(report) => {
                let mut line = format!(
                    "{}: OK ({}, {} records",
                    file.display(),
                    kind_name(report.summary.kind()),
                    report.summary.records,
                );
                if report.gzip {
                    line.push_str(", gzip");
                }
                if report.summary.kind() == FileKind::Checkpoint {
                    line.push_str(", trailer present");
                }
                if let Some(md5) = &report.md5 {
                    line.push_str(&format!(
                        ", MD5 {} matches {}",
                        md5.digest,
                        md5.md5_file.display()
                    ));
                }
                line.push(')');
                if writeln!(out, "{line}").is_err() {
                    return ExitCode::FAILURE;
                }
            }
            Err(err) => {
                failed = true;
                eprintln!("{err}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Checkpoint => "checkpoint",
        FileKind::Journal => "journal",
        FileKind::Unknown => "journal/checkpoint (no header note)",
    }
}

fn open(path: &Path) -> Result<File, ExitCode> {
    File::open(path).map_err(|e| {
        eprintln!("{}: cannot open: {e}", path.display());
        ExitCode::FAILURE
    })
}

fn stats(args: &StatsArgs) -> ExitCode {
    // Opened first for the same "cannot open" message as the other verbs.
    if let Err(code) = open(&args.file) {
        return code;
    }
    let options = CheckOptions {
        count_tables: true,
        ..CheckOptions::default()
    };
    let report = match summarize_file(&args.file, &options) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let text = render_stats(&args.file, report.gzip, &report.summary);
    match io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn render_stats(path: &Path, gzip: bool, summary: &Summary) -> String {
    let mut s = String::new();
    let mut line = |text: String| {
        s.push_str(&text);
        s.push('\n');
    };
    line(format!("file: {}", path.display()));
    line(format!("kind: {}", kind_name(summary.kind())));
    line(format!(
        "compression: {}",
        if gzip { "gzip" } else { "none" }
    ));
    line(format!(
        "size: {} bytes (uncompressed), {} lines, {} records",
        summary.bytes, summary.lines, summary.records
    ));
    match &summary.header {
        Some(header) => {
            for text in describe_note("header", header) {
                line(text);
            }
        }
        None => line("header: none".into()),
    }
    match &summary.trailer {
        Some(trailer) => {
            let mut text = format!(
                "trailer: present ({}, line {}, written {})",
                trailer.note.kind().name(),
                trailer.position.line,
                utc(trailer.note.date())
            );
            if let Some(header) = &summary.header {
                let took = trailer.note.date() - header.note.date();
                text.push_str(&format!(", {took} s after the header"));
            }
            line(text);
        }
        None if summary.kind() == FileKind::Checkpoint => {
            line("trailer: MISSING (incomplete checkpoint)".into())
        }
        None => line("trailer: none".into()),
    }
    line("records per operation:".into());
    for (op, n) in &summary.by_op {
        line(format!("  {:<4} {n:>12}", op.as_str()));
    }
    if !summary.by_note_type.is_empty() {
        line("notes per type:".into());
        for (t, n) in &summary.by_note_type {
            line(format!(
                "  {t:>2} {:<20} {n:>9}",
                p4ha_journal::note_type_name(*t)
            ));
        }
    }
    if !summary.by_table.is_empty() {
        line("records per table:".into());
        let width = summary.by_table.keys().map(String::len).max().unwrap_or(0);
        for (table, stats) in &summary.by_table {
            let ops: Vec<String> = stats
                .by_op
                .iter()
                .map(|(op, n)| format!("{op} {n}"))
                .collect();
            line(format!(
                "  {table:<width$} {:>12}  ({})",
                stats.records,
                ops.join(", ")
            ));
        }
    }
    s
}

fn describe_note(label: &str, located: &LocatedNote) -> Vec<String> {
    let note = &located.note;
    let level = match note.server_level() {
        Some(level) => match server_level_release(level) {
            Some(release) => format!("{level} ({release})"),
            None => level.to_string(),
        },
        None => note.version().to_text().into_owned(),
    };
    let mut lines = vec![
        format!(
            "{label}: {} (line {}, written {})",
            note.kind().name(),
            located.position.line,
            utc(note.date())
        ),
        format!("  server level: {level}"),
    ];
    match note.kind() {
        NoteKind::CheckpointHeader {
            case_handling,
            root,
            journal,
        } => {
            lines.push(format!("  case handling: {case_handling}"));
            lines.push(format!("  root: {root}"));
            lines.push(format!("  journal: {journal}"));
        }
        NoteKind::JournalHeader {
            case_handling,
            journal_type,
            root,
            journal,
            server_version,
        } => {
            lines.push(format!("  case handling: {case_handling}"));
            lines.push(format!("  journal type: {}", journal_type.describe()));
            lines.push(format!("  root: {root}"));
            lines.push(format!("  journal: {journal}"));
            if !server_version.is_empty() {
                lines.push(format!("  server version: {server_version}"));
            }
        }
        _ => {}
    }
    lines
}

/// `YYYY/MM/DD hh:mm:ss UTC (epoch)` without a time-zone database.
fn utc(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    // Civil-from-days (proleptic Gregorian), after H. Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}/{month:02}/{day:02} {:02}:{:02}:{:02} UTC ({epoch})",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn filter(args: &FilterArgs) -> ExitCode {
    let file = match open(&args.file) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let scanner = Scanner::new(file).with_file_name(&args.file);
    let mut scanner = if is_gzip_file(&args.file) {
        scanner.with_read_ahead()
    } else {
        scanner
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let table = args.table.as_ref().map(|t| t.as_bytes());
    while let Some(record) = scanner.next_record() {
        let record = match record {
            Ok(r) => r,
            Err(err) => {
                let _ = out.flush();
                eprintln!("{err}");
                return ExitCode::FAILURE;
            }
        };
        if !args.op.is_empty() && !args.op.contains(&record.op()) {
            continue;
        }
        if let Some(wanted) = table
            && record.table().as_deref() != Some(wanted)
        {
            continue;
        }
        if let Err(e) = out.write_all(record.bytes()) {
            return write_failure(&e);
        }
    }
    match out.flush() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => write_failure(&e),
    }
}

fn write_failure(e: &io::Error) -> ExitCode {
    if e.kind() == io::ErrorKind::BrokenPipe {
        // The reader of our output went away (`| head`): not an error.
        ExitCode::SUCCESS
    } else {
        eprintln!("p4ha: cannot write output: {e}");
        ExitCode::FAILURE
    }
}

fn generate(args: &GenerateArgs) -> ExitCode {
    match generate_file(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e:#}", args.file.display());
            ExitCode::FAILURE
        }
    }
}

fn generate_file(args: &GenerateArgs) -> anyhow::Result<()> {
    let options = GenerateOptions {
        target_bytes: args.size_mb.saturating_mul(1_000_000),
        seed: args.seed,
        ..GenerateOptions::default()
    };
    let file = BufWriter::with_capacity(1 << 20, File::create(&args.file)?);
    // The digest is of the uncompressed text, so it is computed before gzip.
    let digest = if args.gzip {
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut hashed = Md5Writer::new(gz);
        generate_checkpoint(&mut hashed, &options)?;
        let (gz, digest) = hashed.finish();
        gz.finish()?.flush()?;
        digest
    } else {
        let mut hashed = Md5Writer::new(file);
        generate_checkpoint(&mut hashed, &options)?;
        let (mut file, digest) = hashed.finish();
        file.flush()?;
        digest
    };
    if args.md5 {
        let name = args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut md5_path = args.file.clone().into_os_string();
        md5_path.push(".md5");
        Md5File::new(name, digest).write(Path::new(&md5_path))?;
    }
    Ok(())
}
