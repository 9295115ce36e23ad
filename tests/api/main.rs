//! Black-box tests of the HTTP API and the `rates` binary, in one test binary
//! so they share one PostgreSQL (see `support`).

#[path = "../support/mod.rs"]
mod support;

mod audit;
mod cli;
mod connections;
mod credentials;
mod evidence;
mod exactness;
mod explorer;
mod fakes;
mod freshness;
mod health;
mod import;
mod logs;
mod metrics;
mod openapi;
mod outage;
mod process;
mod proxy;
mod rates;
mod reference;
mod settings;
mod shutdown;
mod traces;
mod ui_pages;
