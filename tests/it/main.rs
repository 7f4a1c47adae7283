//! The integration tests, as one test binary (`cargo test --test it`): one module per area, and
//! `support` for what they share (the server under test, its HTTP client, PostgreSQL and the
//! other heavy prerequisites). Run one area with a filter: `cargo test --test it review_http::`.

mod support;

mod abuse;
mod alerts;
mod auth_matrix;
mod browser;
mod bundled_standards;
mod client;
mod durability;
mod engine_rules;
mod general_rules;
mod http_api;
mod offline_search;
mod openapi_drift;
mod openapi_examples;
mod property;
mod review_cli;
mod review_http;
mod review_rules;
mod search_quality;
mod spotcheck;
mod supervision_log;
mod validation;
mod versions;
mod web_publish;
