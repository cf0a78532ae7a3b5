//! The p4ha program under other names: in the simulator's container image
//! one executable is every program a machine needs, chosen by the name it
//! is run as (`/opt/perforce/sbin/p4d` is a link to it).
//!
//! - `p4`, `p4d`, `p4dctl`: the simulator's programs as real processes
//!   (also `p4ha p4d ARGS...`, the form a p4d daemon restarts itself with);
//! - `sh`: p4ha's POSIX shell with GNU tools built in;
//! - `kill`, `p4ha-fault`, `p4ha-idle`: the container's helpers.

use std::process::ExitCode;

/// Runs the program this executable was called as, when it is not `p4ha`
/// itself; `None` to go on with p4ha's own command line.
pub fn dispatch() -> Option<ExitCode> {
    let args: Vec<String> = std::env::args().collect();
    let arg0 = args.first()?;
    let name = arg0.rsplit('/').next().unwrap_or(arg0);
    let status = match name {
        "p4" | "p4d" | "p4dctl" => p4ha_sim::native::main_for(name, args[1..].to_vec()),
        "sh" => p4ha_shell::sh_main(args),
        "kill" => p4ha_docker::helper::kill_main(args),
        "p4ha-fault" => p4ha_docker::helper::fault_main(args),
        "p4ha-idle" => p4ha_docker::helper::idle_main(),
        _ => match args.get(1).map(String::as_str) {
            Some(program @ ("p4" | "p4d" | "p4dctl")) => {
                p4ha_sim::native::main_for(program, args[2..].to_vec())
            }
            _ => return None,
        },
    };
    Some(ExitCode::from((status & 0xff) as u8))
}
