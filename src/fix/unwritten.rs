//! A file whose fixes could not be written (a link to a file already fixed under another name,
//! an unwritable folder, a read-only file, an owner that cannot be kept): its fixes leave the
//! list and the report is of the text on disk, so the summary never claims what did not happen.

use super::run::{self, Fixed, loaded};
use crate::pipeline::Run;
use crate::source::SourceKind;

/// `failed` (input indices) hold the text on disk again: re-read where it is a regular file (a
/// link to a file fixed under another name now holds the fix), else as it was read; the fixes
/// of those inputs are dropped and the texts checked again.
pub fn keep_disk(
    pipeline_run: &Run,
    fixed: &mut Fixed,
    failed: &[usize],
    unsafe_fixes: bool,
) -> Result<(), String> {
    if failed.is_empty() {
        return Ok(());
    }
    for &i in failed {
        let Some(Ok(l)) = fixed.original.get(i) else {
            continue;
        };
        let path = std::path::Path::new(&l.name);
        // never a FIFO or device again: it could block, or read other data
        let disk = (matches!(l.kind, SourceKind::File)
            && std::fs::metadata(path).is_ok_and(|m| m.is_file()))
        .then(|| crate::input::read_file(&l.name, pipeline_run.args.max_input_size).ok())
        .flatten()
        .filter(|d| d.invalid_utf8_at.is_none());
        fixed.texts[i] = Some(disk.map_or_else(|| l.text.clone(), |d| d.text));
        fixed.not_written.push(l.name.clone());
    }
    fixed.applied.retain(|a| !failed.contains(&a.index));
    fixed.rolled_back.retain(|r| !failed.contains(&r.fix.index));
    let inputs = loaded(&fixed.original, &fixed.texts);
    let mut checked = crate::pipeline::run(pipeline_run, run::as_inputs(inputs.clone()))?;
    run::annotate(&mut checked.report, &inputs);
    fixed.unsafe_available = if unsafe_fixes {
        0
    } else {
        run::count_unsafe(&checked.report)
    };
    fixed.checked = checked;
    Ok(())
}
