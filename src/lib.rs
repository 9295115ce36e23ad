//! `rates`: daily freight-rate averages between ports and regions, served over
//! HTTP from PostgreSQL. `main.rs` is a thin shell over this library so that the
//! tests drive exactly what production runs.

pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod http;
pub mod import;
pub mod read_model;
pub mod secrets;
pub mod startup;
pub mod telemetry;
