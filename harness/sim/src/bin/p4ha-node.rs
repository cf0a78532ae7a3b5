//! The simulator's programs as one executable: `p4ha-node p4d -r ROOT -p
//! PORT`, `p4ha-node p4 info`, or installed under the names `p4`, `p4d`
//! and `p4dctl` (the program is chosen by the name it is called by).

fn main() {
    let mut args = std::env::args();
    let argv0 = args.next().unwrap_or_default();
    let called = p4ha_sim::program::program_name(&argv0).to_string();
    let (program, rest): (String, Vec<String>) =
        if matches!(called.as_str(), "p4" | "p4d" | "p4dctl") {
            (called, args.collect())
        } else {
            match args.next() {
                Some(p) => (p, args.collect()),
                None => {
                    eprintln!("usage: p4ha-node {{p4|p4d|p4dctl}} [args...]");
                    std::process::exit(2);
                }
            }
        };
    std::process::exit(p4ha_sim::native::main_for(&program, rest));
}
