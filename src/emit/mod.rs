//! Output formats. Each renders a whole `Report`; none decides anything.

pub mod explain;
pub mod human;
pub mod json;
pub mod mask;
pub mod snippet;
