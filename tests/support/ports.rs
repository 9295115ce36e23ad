/// A port for a server a test starts, never handed out twice on this machine
/// within ten minutes, by any test process. Ports come from below the
/// kernel's ephemeral range, so no `bind(0)` or outgoing connection takes
/// one meanwhile; a registry under a file lock shares them between the test
/// processes that run at once.
pub fn free_port() -> u16 {
    use std::{
        io::{Read, Seek, Write},
        time::{SystemTime, UNIX_EPOCH},
    };
    const FIRST: u16 = 20_000;
    const LAST: u16 = 29_999;
    const REUSE_AFTER_SECS: u64 = 600;
    let path = std::env::temp_dir().join("rates-test-ports");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .expect("opening the test port registry");
    let lock = nix::fcntl::Flock::lock(
        file.try_clone().unwrap(),
        nix::fcntl::FlockArg::LockExclusive,
    )
    .expect("locking the test port registry");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    // "port issued_at" per line; expired entries are dropped.
    let mut issued: Vec<(u16, u64)> = text
        .lines()
        .filter_map(|l| {
            let (p, t) = l.split_once(' ')?;
            Some((p.parse().ok()?, t.parse().ok()?))
        })
        .filter(|(_, t)| now.saturating_sub(*t) < REUSE_AFTER_SECS)
        .collect();
    let start = FIRST + (std::process::id() % u32::from(LAST - FIRST)) as u16;
    let port = (0..=(LAST - FIRST))
        .map(|i| FIRST + (start - FIRST + i) % (LAST - FIRST + 1))
        .find(|p| {
            !issued.iter().any(|(q, _)| q == p)
                && std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok()
        })
        .expect("a free test port");
    issued.push((port, now));
    let text: String = issued.iter().map(|(p, t)| format!("{p} {t}\n")).collect();
    file.set_len(0).unwrap();
    file.rewind().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    drop(lock);
    port
}
