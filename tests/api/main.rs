//! Black-box tests of the HTTP API and the `rates` binary, in one test binary
//! so they share one PostgreSQL (see `support`).

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod credentials;
mod fakes;
mod health;
mod import;
mod rates;
mod reference;
