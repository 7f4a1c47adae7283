//! The standards model, its loading from TOML and its validation. Pure: no I/O here.

pub mod coverage;
pub mod diff;
pub mod load;
pub mod measure;
pub mod model;
pub mod problem;
pub mod validate;
pub mod versions;

pub use load::{SourceFile, load};
pub use measure::{MeasureForce, MeasureKind, StatutoryMeasure};
pub use model::*;
pub use problem::{Problem, Problems};
