//! YAML in the DSF server's dialect: a spanned tree (`node`), its loader (`load`), YAML 1.1
//! scalar typing (`scalar`) and JSON pointers into the tree (`pointer`).

pub mod load;
pub mod node;
pub mod pointer;
pub mod scalar;

pub use load::{Document, Limits, LoadError, LoadErrorKind, load, load_streaming};
pub use node::{Entry, Node, NodeKind, Scalar, Style, Tag};
