//! klachtenregister: a JSON REST API that runs a professional firm's complaint procedure
//! (klachtenregeling). See `DESIGN.md` for the domain and the contract; the module layout
//! follows it: rules in [`domain`], queries in [`store`], the register's operations in
//! [`operations`], HTTP in [`api`], pages and files for people in [`render`].

pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod import;
pub mod operations;
pub mod outbound;
pub mod render;
pub mod seed;
pub mod shutdown;
pub mod store;
pub mod telemetry;
pub mod workers;
