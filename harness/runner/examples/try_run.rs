fn main() {
    let args: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let opts = p4ha_runner::RunOptions {
        snapshots: Some("/tmp/p4ha-snaps".into()),
        out: Some("/tmp/p4ha-out".into()),
        accept: true,
        ..Default::default()
    };
    match p4ha_runner::run(&args, &opts) {
        Ok(s) => print!("{}", s.report()),
        Err(e) => println!("error: {e}"),
    }
}
