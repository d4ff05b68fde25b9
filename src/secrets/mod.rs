//! Secrets, as one service every stage uses: what is secret (`names`: by name; `value`: types
//! that cannot be printed), where it is in every source (`masks`: spans from the parsed tree,
//! and the text scan of `scan` where the tree cannot say), and how anything is shown: texts for
//! people are typed pieces (`text`), rendered by the one [`Redactor`] through the masks, the
//! one URL redactor (`url`) and the scrubber of the secret values the run knows (`scrub`; the
//! last line of defence over the final output bytes too). Text a server sends a probe is
//! scrubbed of what the probe sent in every encoding it travels in (`remote`).

pub mod masks;
pub mod names;
pub mod redact;
pub mod remote;
pub mod scan;
pub mod scrub;
pub mod text;
pub mod tree;
pub mod url;
pub mod value;

pub use redact::Redactor;
pub use text::{Piece, Text};
pub use value::{Secret, SecretBytes};

/// What a masked secret is shown as, in every output.
pub const MASK: &str = "****";
