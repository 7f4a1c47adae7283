//! The standards model, its loading from TOML and its validation. Pure: no I/O here.

pub mod load;
pub mod model;
pub mod validate;

pub use load::{Problem, Problems, SourceFile, load};
pub use model::*;
