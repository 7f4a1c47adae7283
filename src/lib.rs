//! Administrative-penalty discretion standards (行政处罚裁量基准): the model, its validation,
//! the calculation engine, and the HTTP service around them. See ARCHITECTURE.md.

pub mod alerts;
pub mod api;
pub mod auth;
pub mod cells;
pub mod circumstances;
pub mod clock;
pub mod decide;
pub mod engine;
pub mod json;
pub mod lawtext;
pub mod money;
pub mod numerals;
pub mod request;
pub mod review;
pub mod review_csv;
pub mod search;
pub mod sources;
pub mod standards;
pub mod startup;
pub mod stats;
pub mod supervision;
pub mod web;
