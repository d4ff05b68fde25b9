//! Input text made visible for output: the `printable` service, under the emitters' name.

pub use crate::printable::*;
pub use crate::source::{ceil_char, floor_char};
