//! Output that never leaves a half-written file and never panics on a closed
//! pipe.
//!
//! A file is written to a temporary file in the same directory, then renamed
//! over the target in one step: a reader sees the old file or the whole new
//! one. The temporary file is created before any work starts, so an unwritable
//! path is reported at once, and it is removed if the work fails.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written; it appears under its name only on [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `target`: fails at once if it cannot be written.
    pub fn create(target: &Path) -> Result<AtomicFile, String> {
        let shown = target.display();
        if target.is_dir() {
            return Err(format!("cannot write {shown}: it is a directory"));
        }
        let name = target.file_name().ok_or_else(|| format!("cannot write {shown}: not a file name"))?;
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temp = dir.join(format!(".{}.raftsim-tmp-{}", name.to_string_lossy(), std::process::id()));
        let file = File::create(&temp).map_err(|error| format!("cannot write {shown}: {error}"))?;
        Ok(AtomicFile { target: target.to_path_buf(), temp, writer: Some(BufWriter::new(file)) })
    }

    pub fn path(&self) -> &Path {
        &self.target
    }

    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer.as_mut().expect("an uncommitted file has its writer")
    }

    /// Flushes, then renames the temporary file over the target.
    pub fn commit(mut self) -> Result<(), String> {
        let shown = self.target.display().to_string();
        let writer = self.writer.take().expect("committed once");
        let file = writer.into_inner().map_err(|error| format!("cannot write {shown}: {}", error.error()))?;
        file.sync_all().map_err(|error| format!("cannot write {shown}: {error}"))?;
        drop(file);
        fs::rename(&self.temp, &self.target).map_err(|error| format!("cannot write {shown}: {error}"))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Writes `text` to `target` whole, or not at all.
pub fn write_file(target: &Path, text: &[u8]) -> Result<(), String> {
    let mut file = AtomicFile::create(target)?;
    file.writer().write_all(text).map_err(|error| format!("cannot write {}: {error}", target.display()))?;
    file.commit()
}

/// Runs `print` on a buffered, locked stdout. A reader that went away (a
/// closed pipe, as `| head` does) is not an error: the output just stops.
pub fn to_stdout(print: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match print(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(format!("cannot write to stdout: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("raftsim-output-test-{}-{name}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_appears_only_when_committed() {
        let dir = scratch("commit");
        let target = dir.join("out.txt");
        let mut file = AtomicFile::create(&target).unwrap();
        file.writer().write_all(b"hello").unwrap();
        assert!(!target.exists());
        file.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"hello");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "no temporary file is left");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_abandoned_file_leaves_nothing_behind() {
        let dir = scratch("abandon");
        let target = dir.join("out.txt");
        let mut file = AtomicFile::create(&target).unwrap();
        file.writer().write_all(b"half").unwrap();
        drop(file);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unwritable_paths_fail_at_once_with_the_path() {
        let error = AtomicFile::create(Path::new("/nonexistent-raftsim-dir/out.json")).err().unwrap();
        assert!(error.starts_with("cannot write /nonexistent-raftsim-dir/out.json: "), "{error}");
        let error = AtomicFile::create(&std::env::temp_dir()).err().unwrap();
        assert!(error.ends_with("it is a directory"), "{error}");
    }
}
