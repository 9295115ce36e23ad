//! Fitting the connection cap to the open-file limit, so that accepting
//! connections never starves the database pool or the probes.

use nix::sys::resource::{Resource, getrlimit, setrlimit};

/// The soft limit raised to the hard one (containers and systemd often start
/// us at 1024 with a far higher hard limit), then the cap: `wanted`, or what
/// fits beside `reserved` descriptors.
pub fn connection_cap(wanted: usize, reserved: usize) -> usize {
    let limit = match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) => {
            if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
                hard
            } else {
                soft
            }
        }
        Err(_) => return wanted,
    };
    let fits = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .saturating_sub(reserved)
        .max(1);
    if fits < wanted {
        tracing::warn!(
            max_client_connections = wanted,
            open_file_limit = limit,
            cap = fits,
            "the open-file limit is too low for max_client_connections; capping client connections"
        );
    }
    wanted.min(fits)
}
