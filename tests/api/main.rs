//! Black-box tests of the service over HTTP, each on SQLite and on PostgreSQL.

mod support;

mod access_after;
mod actions;
mod authentication;
mod chain;
mod classification;
mod command_line;
mod commitments;
mod concurrency;
mod confidentiality;
mod connections;
mod contract;
mod cors;
mod deadlines;
mod dossier;
mod editing;
mod identity_providers;
mod inputs;
mod integrity;
mod limits;
mod listing;
mod mail;
mod matrix;
mod operations;
mod organisation;
mod outbound;
mod overview;
mod privacy;
mod procedure;
mod receivers;
mod registration;
mod seeding;
mod uploads;
mod visibility;
mod webhooks;
