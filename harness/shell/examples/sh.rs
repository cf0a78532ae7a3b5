//! The shell as a stand-alone `sh`: `cargo run -p p4ha-shell --example sh -- -c 'ls -l'`.

fn main() {
    std::process::exit(p4ha_shell::sh_main(std::env::args().collect()));
}
