//! Exit statuses, as documented in `--help` and the README.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: valid (warnings allowed).
    Valid,
    /// 1: at least one error.
    Invalid,
    /// 2: the tool could not run.
    Usage,
    /// 3: valid, but a connection test failed (reserved for `--test-connections`).
    ProbeFailed,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Valid => 0,
            ExitStatus::Invalid => 1,
            ExitStatus::Usage => 2,
            ExitStatus::ProbeFailed => 3,
        }
    }
}
