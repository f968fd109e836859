//! Output files done right, and stdout that never panics on a closed pipe.
//!
//! Where an output goes depends on what the path names ([`AtomicFile::create`]):
//! - `-` is stdout. The data then owns stdout, and the report meant for people
//!   ([`to_stdout`]) moves to stderr, so `--json - | raftsim report -` works;
//! - a regular file, or a name that does not exist yet, is written to a
//!   temporary file in the same directory and renamed over the target in one
//!   step: a reader sees the old file or the whole new one. A symlink is
//!   followed first, so the link stays a link and its target gets the data;
//! - anything else (a FIFO, `/dev/stdout`, `/dev/full`, a process substitution
//!   `>(wc -l)`, a character device) is written straight into, in append mode:
//!   it is never replaced by a regular file, and a reader on a FIFO gets the
//!   data as it is made.
//!
//! The temporary file is created before any work starts, so an unwritable path
//! is reported at once. It is removed if the work fails, when the value is
//! dropped, and by [`remove_temp_files`] (the second Ctrl-C exits through it),
//! so no exit path leaves one behind.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Set once an output file named `-` took stdout.
static STDOUT_TAKEN: AtomicBool = AtomicBool::new(false);
/// Every temporary file not yet renamed or removed.
static TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Where the bytes of an [`AtomicFile`] go.
pub enum Sink {
    File(BufWriter<File>),
    Stdout(BufWriter<Stdout>),
}

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Sink::File(file) => file.write(bytes),
            Sink::Stdout(out) => out.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::File(file) => file.flush(),
            Sink::Stdout(out) => out.flush(),
        }
    }
}

/// How the target is written.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Mode {
    /// A temporary file, renamed over the (resolved) target on commit.
    Replace { temp: PathBuf, resolved: PathBuf },
    /// Straight into the target (a FIFO, a device) or stdout.
    Direct,
}

/// An output being written; a replaced file appears under its name only on [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    mode: Mode,
    writer: Option<Sink>,
}

impl AtomicFile {
    /// Starts writing `target`: fails at once if it cannot be written.
    pub fn create(target: &Path) -> Result<AtomicFile, String> {
        let shown = target.display();
        if target.as_os_str() == "-" {
            STDOUT_TAKEN.store(true, Ordering::Relaxed);
            let writer = Some(Sink::Stdout(BufWriter::new(io::stdout())));
            return Ok(AtomicFile { target: target.to_path_buf(), mode: Mode::Direct, writer });
        }
        let failed = |error: io::Error| format!("cannot write {shown}: {error}");
        let resolved = match fs::metadata(target) {
            Ok(meta) if meta.is_dir() => return Err(format!("cannot write {shown}: it is a directory")),
            // A FIFO, a device, or anything under /dev and /proc (`/dev/stdout`, `>(wc -l)`).
            Ok(meta) if !meta.is_file() || target.starts_with("/dev") || target.starts_with("/proc") => {
                let file = OpenOptions::new().append(true).open(target).map_err(failed)?;
                let writer = Some(Sink::File(BufWriter::new(file)));
                return Ok(AtomicFile { target: target.to_path_buf(), mode: Mode::Direct, writer });
            }
            Ok(_) => fs::canonicalize(target).map_err(failed)?,
            Err(error) if error.kind() == io::ErrorKind::NotFound => resolve(target).map_err(failed)?,
            Err(error) => return Err(failed(error)),
        };
        let temp = temp_path(&resolved).map_err(|why| format!("cannot write {shown}: {why}"))?;
        let file = File::create(&temp).map_err(failed)?;
        TEMP_FILES.lock().unwrap_or_else(|poison| poison.into_inner()).push(temp.clone());
        let writer = Some(Sink::File(BufWriter::new(file)));
        Ok(AtomicFile { target: target.to_path_buf(), mode: Mode::Replace { temp, resolved }, writer })
    }

    /// Whether the bytes go straight to their reader (stdout, a FIFO, a
    /// device): then a line should be flushed as soon as it is whole.
    pub fn streams(&self) -> bool {
        self.mode == Mode::Direct
    }

    /// The path as the user gave it.
    pub fn path(&self) -> &Path {
        &self.target
    }

    pub fn writer(&mut self) -> &mut Sink {
        self.writer.as_mut().expect("an uncommitted file has its writer")
    }

    /// Flushes, then (for a replaced file) renames the temporary file over the target.
    pub fn commit(mut self) -> Result<(), String> {
        let shown = self.target.display().to_string();
        let writer = self.writer.take().expect("committed once");
        let file = match writer {
            Sink::Stdout(mut out) => return out.flush().map_err(|error| format!("cannot write to stdout: {error}")),
            Sink::File(file) => file.into_inner().map_err(|error| format!("cannot write {shown}: {}", error.error())),
        };
        let result = file.and_then(|file| {
            // A FIFO or a device cannot be synced (and need not be).
            if let Mode::Replace { .. } = self.mode {
                file.sync_all().map_err(|error| format!("cannot write {shown}: {error}"))?;
            }
            Ok(())
        });
        match (&self.mode, result) {
            (Mode::Replace { temp, resolved }, Ok(())) => {
                let renamed = fs::rename(temp, resolved).map_err(|error| format!("cannot write {shown}: {error}"));
                if renamed.is_err() {
                    let _ = fs::remove_file(temp);
                }
                forget_temp(temp);
                renamed
            }
            (Mode::Replace { temp, .. }, Err(error)) => {
                let _ = fs::remove_file(temp);
                forget_temp(temp);
                Err(error)
            }
            (Mode::Direct, result) => result,
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            if let Mode::Replace { temp, .. } = &self.mode {
                let _ = fs::remove_file(temp);
                forget_temp(temp);
            }
        }
    }
}

/// Where a path that does not exist yet will be: the path itself, or the
/// file a dangling symlink points to (which writing creates).
fn resolve(target: &Path) -> io::Result<PathBuf> {
    let mut path = target.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(path),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(path),
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn temp_path(resolved: &Path) -> Result<PathBuf, &'static str> {
    let name = resolved.file_name().ok_or("not a file name")?;
    let dir = match resolved.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(dir.join(format!(".{}.raftsim-tmp-{}", name.to_string_lossy(), std::process::id())))
}

fn forget_temp(temp: &Path) {
    TEMP_FILES.lock().unwrap_or_else(|poison| poison.into_inner()).retain(|kept| kept != temp);
}

/// Removes every temporary file still open: for an exit that skips destructors.
pub fn remove_temp_files() {
    remove_temp_files_where(|_| true);
}

fn remove_temp_files_where(which: impl Fn(&Path) -> bool) {
    let mut temps = TEMP_FILES.lock().unwrap_or_else(|poison| poison.into_inner());
    temps.retain(|temp| {
        if which(temp) {
            let _ = fs::remove_file(temp);
        }
        !which(temp)
    });
}

/// Writes `text` to `target` whole, or not at all.
pub fn write_file(target: &Path, text: &[u8]) -> Result<(), String> {
    let mut file = AtomicFile::create(target)?;
    file.writer().write_all(text).map_err(|error| format!("cannot write {}: {error}", target.display()))?;
    file.commit()
}

/// Runs `print` on a buffered, locked stdout (stderr once an output named `-`
/// took stdout). A reader that went away (a closed pipe, as `| head` does) is
/// not an error: the output just stops.
pub fn to_stdout(print: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let result = if STDOUT_TAKEN.load(Ordering::Relaxed) {
        let mut out = io::stderr().lock();
        print(&mut out).and_then(|()| out.flush())
    } else {
        let mut out = BufWriter::new(io::stdout().lock());
        print(&mut out).and_then(|()| out.flush())
    };
    match result {
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
        let _ = fs::remove_dir_all(&dir);
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

    #[test]
    fn an_exit_that_skips_destructors_removes_the_temporary_files_first() {
        let dir = scratch("exit");
        let mut file = AtomicFile::create(&dir.join("out.txt")).unwrap();
        file.writer().write_all(b"half").unwrap();
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "the temporary file");
        // (Only this test's: other tests of this process have theirs open.)
        remove_temp_files_where(|temp| temp.starts_with(&dir));
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        std::mem::forget(file);
        fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_stays_a_link_and_its_target_gets_the_data() {
        let dir = scratch("symlink");
        fs::write(dir.join("real.txt"), "old").unwrap();
        std::os::unix::fs::symlink("real.txt", dir.join("link.txt")).unwrap();
        write_file(&dir.join("link.txt"), b"new").unwrap();
        assert!(fs::symlink_metadata(dir.join("link.txt")).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(dir.join("real.txt")).unwrap(), "new");
        // A dangling link creates the file it points to.
        std::os::unix::fs::symlink("later.txt", dir.join("dangling.txt")).unwrap();
        write_file(&dir.join("dangling.txt"), b"made").unwrap();
        assert_eq!(fs::read_to_string(dir.join("later.txt")).unwrap(), "made");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 4, "no temporary file is left");
        fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_device_is_written_into_not_replaced() {
        write_file(Path::new("/dev/null"), b"into the void").unwrap();
        assert!(!fs::metadata("/dev/null").unwrap().is_file());
        let error = write_file(Path::new("/dev/full"), b"no room").unwrap_err();
        assert!(error.starts_with("cannot write /dev/full: "), "{error}");
        assert!(!fs::metadata("/dev/full").unwrap().is_file());
    }
}
