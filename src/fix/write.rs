//! Writing a fixed file safely: refused when the file changed since it was read, written to a
//! temporary file in the same directory (same file system, so the rename is atomic) with the
//! original's permissions and owner, then renamed over it. A symbolic link is followed: the
//! file it names is replaced, the link stays.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Replace the file at `path`, which must still hold `expected`, by `new`.
pub fn replace(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), String> {
    let real = std::fs::canonicalize(path).map_err(|e| format!("cannot resolve it: {e}"))?;
    let meta = std::fs::metadata(&real).map_err(|e| format!("cannot read it: {e}"))?;
    // a FIFO, device or socket is never re-opened (it would hang or read other data) and never
    // replaced by a regular file
    if !meta.is_file() {
        return Err(format!(
            "not a regular file ({}): --fix writes only regular files (use `check --fix - < it` and write the output yourself)",
            kind(&meta)
        ));
    }
    writable(&real, &meta)?;
    let unchanged = |what: &str| -> Result<(), String> {
        let now = std::fs::read(&real).map_err(|e| format!("cannot read it again: {e}"))?;
        if now != expected {
            return Err(format!(
                "it changed since it was read{what}: not written (check it again)"
            ));
        }
        Ok(())
    };
    unchanged("")?;
    let dir = real.parent().unwrap_or(Path::new("."));
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tmp, mut file) = temp_in(dir, &name)?;
    let result = (|| {
        file.write_all(new)
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::set_permissions(&tmp, meta.permissions())
            .map_err(|e| format!("cannot keep its permissions: {e}"))?;
        keep_owner(&tmp, &meta)?;
        unchanged(" (while it was being fixed)")?;
        std::fs::rename(&tmp, &real).map_err(|e| format!("cannot replace it: {e}"))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// What a non-regular file is, for the message.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "not a plain file"
    }
}

/// Refuses a file the user could not write in place: replacing it through the folder would
/// overrule its read-only mode (as an editor or ruff would refuse). The kernel answers for a
/// user (its permission bits, ACLs, a read-only mount); root, whom it lets write anything, is
/// held to the bit that applies: the owner's on its own file, else any.
fn writable(real: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    const READ_ONLY: &str =
        "the file is read-only: not written (make it writable to have it fixed)";
    if meta.permissions().readonly() {
        return Err(READ_ONLY.into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if meta.uid() == 0 && effective_uid() == Some(0) && meta.permissions().mode() & 0o200 == 0 {
            return Err(READ_ONLY.into());
        }
    }
    // opened for writing without truncating: nothing changes, but a refusal shows
    match std::fs::OpenOptions::new().write(true).open(real) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(READ_ONLY.into()),
        Err(e) if e.raw_os_error() == Some(30) => Err(format!(
            "the file is on a read-only file system: not written ({e})"
        )),
        Err(e) => Err(format!("cannot open it for writing: {e}")),
    }
}

/// The effective user of this process (Linux: the owner of `/proc/self`), if known.
#[cfg(unix)]
fn effective_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// A new file beside the original, created exclusively (never an existing one).
fn temp_in(dir: &Path, name: &str) -> Result<(PathBuf, std::fs::File), String> {
    let pid = std::process::id();
    for n in 0..100u32 {
        let tmp = dir.join(format!(".{name}.dsf-fix.{pid}.{n}"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(format!(
                    "cannot create a temporary file in {}: {e}",
                    dir.display()
                ));
            }
        }
    }
    Err(format!(
        "cannot create a temporary file in {}",
        dir.display()
    ))
}

#[cfg(unix)]
fn keep_owner(tmp: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let now = std::fs::metadata(tmp).map_err(|e| format!("cannot read {}: {e}", tmp.display()))?;
    if (now.uid(), now.gid()) == (meta.uid(), meta.gid()) {
        return Ok(());
    }
    std::os::unix::fs::chown(tmp, Some(meta.uid()), Some(meta.gid()))
        .map_err(|e| format!("cannot keep its owner ({}:{}): {e}", meta.uid(), meta.gid()))
}

#[cfg(not(unix))]
fn keep_owner(_tmp: &Path, _meta: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dsf-fix-write-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("dir");
        d
    }

    #[test]
    fn replaces_keeping_permissions_and_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("perm");
        let f = d.join("c.yaml");
        std::fs::write(&f, "a: 1\n").expect("write");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        replace(&f, b"a: 1\n", b"a: 2\n").expect("replaced");
        assert_eq!(std::fs::read(&f).expect("read"), b"a: 2\n");
        let mode = std::fs::metadata(&f).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let names: Vec<_> = std::fs::read_dir(&d).expect("ls").flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn keeps_the_owner_where_the_tool_may_set_it() {
        use std::os::unix::fs::MetadataExt;
        let d = dir("owner");
        let f = d.join("c.yaml");
        std::fs::write(&f, "a: 1\n").expect("write");
        // only root may give a file away: elsewhere the owner is the tool's own anyway
        if std::os::unix::fs::chown(&f, Some(4321), Some(4321)).is_err() {
            let _ = std::fs::remove_dir_all(&d);
            return;
        }
        replace(&f, b"a: 1\n", b"a: 2\n").expect("replaced");
        let m = std::fs::metadata(&f).expect("meta");
        assert_eq!((m.uid(), m.gid()), (4321, 4321));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn refuses_a_file_changed_since_it_was_read() {
        let d = dir("changed");
        let f = d.join("c.yaml");
        std::fs::write(&f, "a: 3\n").expect("write");
        let why = replace(&f, b"a: 1\n", b"a: 2\n").expect_err("refused");
        assert!(why.contains("changed since it was read"), "{why}");
        assert_eq!(std::fs::read(&f).expect("read"), b"a: 3\n");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn refuses_a_fifo_without_opening_it_and_a_read_only_file() {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        let d = dir("special");
        let fifo = d.join("ff");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if made {
            // opening a FIFO with no writer would block: the test would hang
            let why = replace(&fifo, b"a: 1\n", b"a: 2\n").expect_err("refused");
            assert!(why.contains("not a regular file (a FIFO)"), "{why}");
            let t = std::fs::symlink_metadata(&fifo).expect("meta").file_type();
            assert!(t.is_fifo());
        }
        let why = replace(Path::new("/dev/null"), b"", b"a: 2\n").expect_err("refused");
        assert!(why.contains("not a regular file (a device)"), "{why}");
        let f = d.join("ro.yaml");
        std::fs::write(&f, "a: 1\n").expect("write");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o444)).expect("chmod");
        let why = replace(&f, b"a: 1\n", b"a: 2\n").expect_err("refused");
        assert!(why.contains("read-only"), "{why}");
        assert_eq!(std::fs::read(&f).expect("read"), b"a: 1\n");
        let names: Vec<_> = std::fs::read_dir(&d).expect("ls").flatten().collect();
        assert_eq!(names.len(), 1 + usize::from(made), "{names:?}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_symbolic_link_stays_a_link() {
        let d = dir("link");
        let f = d.join("real.yaml");
        let l = d.join("link.yaml");
        std::fs::write(&f, "a: 1\n").expect("write");
        std::os::unix::fs::symlink(&f, &l).expect("link");
        replace(&l, b"a: 1\n", b"a: 2\n").expect("replaced");
        assert!(
            std::fs::symlink_metadata(&l)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&f).expect("read"), b"a: 2\n");
        let _ = std::fs::remove_dir_all(&d);
    }
}
