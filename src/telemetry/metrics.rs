//! Prometheus metrics: the recorder behind the `metrics` facade, every
//! metric's name (one place, documented in the README's table), and the
//! process gauges read at scrape time. Recording is a few atomic operations
//! on the hot path; values that are cheaper to read than to track (pool,
//! read model, credentials, process) are set just before each scrape.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock, RwLock},
};

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const BUILD_INFO: &str = "rates_build_info";
pub const READY: &str = "rates_ready";
pub const HTTP_REQUESTS: &str = "rates_http_requests_total";
pub const HTTP_DURATION: &str = "rates_http_request_duration_seconds";
pub const HTTP_IN_FLIGHT: &str = "rates_http_requests_in_flight";
pub const HTTP_CONNECTIONS: &str = "rates_http_connections_open";
pub const HTTP_REJECTED: &str = "rates_http_connections_rejected_total";
pub const MODEL_LOADED: &str = "rates_read_model_loaded";
pub const MODEL_VERSION: &str = "rates_read_model_data_version";
pub const MODEL_LANE_DAYS: &str = "rates_read_model_entries";
pub const MODEL_SYNC_AGE: &str = "rates_read_model_sync_age_seconds";
pub const MODEL_CATCH_UP: &str = "rates_read_model_catch_up_duration_seconds";
pub const MODEL_RELOAD: &str = "rates_read_model_reload_duration_seconds";
pub const MODEL_SYNC_FAILURES: &str = "rates_read_model_sync_failures_total";
pub const CACHE_HITS: &str = "rates_answer_cache_hits_total";
pub const CACHE_MISSES: &str = "rates_answer_cache_misses_total";
pub const CACHE_BYTES: &str = "rates_answer_cache_bytes";
pub const DB_UP: &str = "rates_db_up";
pub const POOL_CONNECTIONS: &str = "rates_db_pool_connections";
pub const POOL_IDLE: &str = "rates_db_pool_idle_connections";
pub const POOL_MAX: &str = "rates_db_pool_max_connections";
pub const POOL_PENDING: &str = "rates_db_pool_pending_acquires";
pub const POOL_ACQUIRE: &str = "rates_db_pool_acquire_duration_seconds";
pub const CREDENTIALS_INFO: &str = "rates_credentials_info";
pub const CREDENTIALS_REFRESHES: &str = "rates_credentials_refreshes_total";
pub const CREDENTIALS_FAILURES: &str = "rates_credentials_refresh_failures_total";
pub const CREDENTIALS_CHANGES: &str = "rates_credentials_changes_total";
pub const CREDENTIALS_EXPIRY: &str = "rates_credentials_expiry_seconds";
pub const MIGRATIONS: &str = "rates_migrations_total";
pub const IMPORTS: &str = "rates_imports_total";
pub const PROCESS_RSS: &str = "process_resident_memory_bytes";
pub const PROCESS_FDS: &str = "process_open_fds";
pub const PROCESS_START: &str = "process_start_time_seconds";

/// Latencies from 100 µs (a cached `/rates` answer) to 10 s.
const SECONDS_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder (once per process); `None` when metrics are off,
/// which leaves every recording a no-op.
pub fn install(enabled: bool) -> Option<&'static PrometheusHandle> {
    if !enabled {
        return None;
    }
    let handle = HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
            .expect("buckets are not empty")
            .install_recorder()
            .expect("no other metrics recorder is installed");
        describe();
        register();
        metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION"), "revision" => env!("GIT_REVISION")).set(1.0);
        metrics::gauge!(PROCESS_START).set(process_start_time());
        handle
    });
    Some(handle)
}

/// The installed recorder, if metrics are on.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE.get()
}

fn describe() {
    describe_gauge!(
        BUILD_INFO,
        "Version and git revision of the running binary (always 1)"
    );
    describe_gauge!(READY, "1 when /readyz answers 200, else 0");
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by method, matched route and status class"
    );
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "Time to answer HTTP requests");
    describe_gauge!(HTTP_IN_FLIGHT, "HTTP requests being answered");
    describe_gauge!(HTTP_CONNECTIONS, "Open client connections");
    describe_counter!(
        HTTP_REJECTED,
        "Client connections over the cap (answered 503 or closed)"
    );
    describe_gauge!(MODEL_LOADED, "1 once the rates are in memory");
    describe_gauge!(
        MODEL_VERSION,
        "PostgreSQL transaction horizon the rates in memory are in step with"
    );
    describe_gauge!(
        MODEL_LANE_DAYS,
        "Entries held in memory: one per lane and day with prices (16 bytes each)"
    );
    describe_gauge!(
        MODEL_SYNC_AGE,
        Unit::Seconds,
        "Time since the read model last read the database successfully"
    );
    describe_histogram!(
        MODEL_CATCH_UP,
        Unit::Seconds,
        "Time to apply committed changes to the read model"
    );
    describe_histogram!(
        MODEL_RELOAD,
        Unit::Seconds,
        "Time to load the whole read model"
    );
    describe_counter!(
        MODEL_SYNC_FAILURES,
        "Failed loads and catch-ups of the read model"
    );
    describe_counter!(
        CACHE_HITS,
        "/rates answers served from the snapshot's cache"
    );
    describe_counter!(CACHE_MISSES, "/rates answers computed");
    describe_gauge!(
        CACHE_BYTES,
        Unit::Bytes,
        "Bytes held by the current snapshot's answer cache"
    );
    describe_gauge!(DB_UP, "1 when the database answered the last check, else 0");
    describe_gauge!(POOL_CONNECTIONS, "Open database connections in the pool");
    describe_gauge!(POOL_IDLE, "Idle database connections in the pool");
    describe_gauge!(POOL_MAX, "Most database connections the pool opens");
    describe_gauge!(POOL_PENDING, "Requests waiting for a database connection");
    describe_histogram!(
        POOL_ACQUIRE,
        Unit::Seconds,
        "Time to get a database connection from the pool"
    );
    describe_gauge!(
        CREDENTIALS_INFO,
        "The database credential source in use (always 1)"
    );
    describe_counter!(
        CREDENTIALS_REFRESHES,
        "Successful re-reads of the credential source"
    );
    describe_counter!(
        CREDENTIALS_FAILURES,
        "Failed re-reads of the credential source"
    );
    describe_counter!(
        CREDENTIALS_CHANGES,
        "Times the pool switched to new credentials"
    );
    describe_gauge!(
        CREDENTIALS_EXPIRY,
        Unit::Seconds,
        "Time until the current credentials expire (tokens only)"
    );
    describe_counter!(MIGRATIONS, "Migration runs by this process, by outcome");
    describe_counter!(
        IMPORTS,
        "Data loads by this process (the demo data), by outcome"
    );
    describe_gauge!(PROCESS_RSS, Unit::Bytes, "Resident memory");
    describe_gauge!(PROCESS_FDS, "Open file descriptors");
    describe_gauge!(
        PROCESS_START,
        Unit::Seconds,
        "Start time of the process since the Unix epoch"
    );
}

/// Counters and histograms from the start, at zero, so that dashboards and
/// alerts see a series before the first event.
fn register() {
    for counter in [
        HTTP_REJECTED,
        MODEL_SYNC_FAILURES,
        CACHE_HITS,
        CACHE_MISSES,
        CREDENTIALS_REFRESHES,
        CREDENTIALS_FAILURES,
        CREDENTIALS_CHANGES,
    ] {
        metrics::counter!(counter).absolute(0);
    }
    for counter in [MIGRATIONS, IMPORTS] {
        for outcome in ["success", "failure"] {
            metrics::counter!(counter, "outcome" => outcome).absolute(0);
        }
    }
    for histogram in [MODEL_CATCH_UP, MODEL_RELOAD, POOL_ACQUIRE] {
        let _ = metrics::histogram!(histogram);
    }
    for gauge in [HTTP_IN_FLIGHT, HTTP_CONNECTIONS, POOL_PENDING] {
        metrics::gauge!(gauge).set(0.0);
    }
}

/// Resident memory and open descriptors, read from /proc at scrape time.
pub fn record_process() {
    if let Some(pages) = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
    {
        let page = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
            .ok()
            .flatten()
            .unwrap_or(4096) as f64;
        metrics::gauge!(PROCESS_RSS).set(pages * page);
    }
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        metrics::gauge!(PROCESS_FDS).set(fds.count() as f64);
    }
}

fn process_start_time() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The request metrics of one (method, route): handles looked up once, so
/// recording a request is a few atomic operations, not a registry lookup
/// (the registry hashes every label on each call).
struct RouteMetrics {
    /// By status class: 1xx to 5xx.
    requests: [metrics::Counter; 5],
    duration: metrics::Histogram,
}

/// Records an answered request. `method` and `route` are interned labels
/// (`&'static`), so their addresses identify them.
pub fn record_request(method: &'static str, route: &'static str, status: u16, seconds: f64) {
    type Routes = HashMap<(usize, usize), Arc<RouteMetrics>>;
    static ROUTES: RwLock<Option<Routes>> = RwLock::new(None);
    let key = (method.as_ptr() as usize, route.as_ptr() as usize);
    let cached = ROUTES
        .read()
        .expect("routes lock")
        .as_ref()
        .and_then(|r| r.get(&key).cloned());
    let metrics = cached.unwrap_or_else(|| {
        let classes = ["1xx", "2xx", "3xx", "4xx", "5xx"];
        let created = Arc::new(RouteMetrics {
            requests: classes.map(|class| {
                metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route, "status_class" => class)
            }),
            duration: metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route),
        });
        let mut routes = ROUTES.write().expect("routes lock");
        routes.get_or_insert_with(HashMap::new).entry(key).or_insert(created).clone()
    });
    let class = usize::from(status / 100).clamp(1, 5) - 1;
    metrics.requests[class].increment(1);
    metrics.duration.record(seconds);
}

/// Requests being answered, as a guard that counts one while it lives.
pub fn in_flight() -> InFlight {
    let gauge = in_flight_gauge();
    gauge.increment(1.0);
    InFlight(gauge)
}

fn in_flight_gauge() -> &'static metrics::Gauge {
    static GAUGE: OnceLock<metrics::Gauge> = OnceLock::new();
    GAUGE.get_or_init(|| metrics::gauge!(HTTP_IN_FLIGHT))
}

pub struct InFlight(&'static metrics::Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// An answer-cache hit or miss.
pub fn record_cache(hit: bool) {
    static COUNTERS: OnceLock<[metrics::Counter; 2]> = OnceLock::new();
    let [hits, misses] = COUNTERS.get_or_init(|| {
        [
            metrics::counter!(CACHE_HITS),
            metrics::counter!(CACHE_MISSES),
        ]
    });
    if hit { hits } else { misses }.increment(1);
}
