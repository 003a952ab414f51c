//! Every file kaohe reads (regular, bounded, UTF-8, confined when named in a file) or writes.

use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::diag::{Code, Diagnostic, Location, Sources};
use crate::limits::{self, Limit};
use crate::yaml::Pos;

/// The most bytes kaohe reads from one file: `--max-file-size`.
fn limit() -> u64 {
    limits::get().file_size
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a file could not be read, or a path named inside a file was refused.
#[derive(Debug)]
pub enum SourceError {
    /// The file system refused: no such file, permission denied, ...
    Io(io::Error),
    /// Not a regular file; what it is instead ("a FIFO (named pipe)").
    NotRegular(&'static str),
    /// Larger than `--max-file-size`.
    TooLarge,
    /// A NUL byte, at this position: not a text file.
    Binary(Pos),
    /// UTF-16 text (it starts with a UTF-16 byte-order mark), which kaohe does not read.
    Utf16,
    /// Not UTF-8 from this position on; the text decoded lossily, to show the line.
    NotUtf8 { pos: Pos, lossy: String },
    /// A path named inside a file, as written, that leads outside that file's folder.
    Outside(String),
    /// A submitted file that is a symbolic link to a file outside its own folder.
    LinksOutside,
}

impl SourceError {
    /// One line saying what is wrong with `what` ("the submission"), for a message shown
    /// after the file's path.
    pub fn describe(&self, what: &str) -> String {
        match self {
            SourceError::Io(e) => format!("cannot read {what}: {e}"),
            SourceError::NotRegular(kind) => format!("{what} is {kind}, not a regular file"),
            SourceError::TooLarge => format!(
                "{what} is larger than the most kaohe reads {}",
                Limit::FileSize.hint()
            ),
            SourceError::Binary(_) => format!("{what} is not a text file: it holds a NUL byte"),
            SourceError::NotUtf8 { .. } => format!("{what} is not valid UTF-8"),
            SourceError::Utf16 => format!("{what} is UTF-16 text, not UTF-8; save it as UTF-8"),
            SourceError::Outside(written) => {
                format!("`{written}` is outside the folder of the file that names it")
            }
            SourceError::LinksOutside => {
                format!("{what} is a symbolic link to a file outside its folder")
            }
        }
    }

    /// Where in the file the problem is, for an encoding problem.
    pub fn pos(&self) -> Option<Pos> {
        match self {
            SourceError::Binary(pos) | SourceError::NotUtf8 { pos, .. } => Some(*pos),
            SourceError::Utf16 => Some(Pos {
                line: 1,
                col: 1,
                len: 0,
            }),
            _ => None,
        }
    }

    /// An `io` diagnostic located at the file `path` (and at the byte, for an encoding
    /// problem). Only text that is not valid UTF-8 is kept, so that its line can be shown;
    /// nothing else of the file is.
    pub fn diagnostic(self, path: &Path, what: &str, sources: &mut Sources) -> Diagnostic {
        let message = self.describe(what);
        let pos = self.pos();
        let text = match self {
            SourceError::NotUtf8 { lossy, .. } => lossy,
            _ => String::new(),
        };
        let file = sources.add(path, text);
        Diagnostic::error(Code::Io, Location { file, pos }, message)
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe("the file"))
    }
}

impl std::error::Error for SourceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SourceError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// A path named inside a file, checked to stay inside that file's folder.
#[derive(Debug, Clone)]
pub struct Confined {
    /// The folder joined with the path as written: what is read and shown.
    path: PathBuf,
    /// The folder, canonical.
    dir: PathBuf,
    /// The path as written.
    written: String,
}

impl Confined {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Resolves `written`, a path named inside a file whose folder is `base`, and refuses it
/// unless it stays inside that folder once symlinks are resolved. Absolute paths and paths
/// that climb out with `..` are refused before anything is looked up.
pub fn confine(base: &Path, written: &str) -> Result<Confined, SourceError> {
    let outside = || SourceError::Outside(written.to_string());
    let rel = Path::new(written);
    let mut depth = 0usize;
    for c in rel.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => depth = depth.checked_sub(1).ok_or_else(outside)?,
            Component::RootDir | Component::Prefix(_) => return Err(outside()),
        }
    }
    let base = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    let dir = base.canonicalize().map_err(SourceError::Io)?;
    let path = base.join(rel);
    let real = path.canonicalize().map_err(SourceError::Io)?;
    if !real.starts_with(&dir) {
        return Err(outside());
    }
    Ok(Confined {
        path,
        dir,
        written: written.to_string(),
    })
}

/// Reads a text file the user named: see [`read_bytes`]; then a UTF-8 BOM is dropped, and
/// the text must hold no NUL byte and be UTF-8.
pub fn read_text(path: &Path) -> Result<String, SourceError> {
    decode(read(path, None)?)
}

/// Reads a file a bureau submitted (a submission, a waivers file) that the user named, like
/// [`read_text`]; a symbolic link is followed only to a file in its own folder, so that a
/// submitted link cannot make kaohe read, and quote in its messages, a file elsewhere.
pub fn read_submitted(path: &Path) -> Result<String, SourceError> {
    decode(read_submitted_bytes(path)?)
}

/// Reads a file a bureau submitted, like [`read_submitted`], as bytes: a workbook is not
/// text. [`decode_text`] makes text of it.
pub fn read_submitted_bytes(path: &Path) -> Result<Vec<u8>, SourceError> {
    let meta = fs::symlink_metadata(path).map_err(SourceError::Io)?;
    if meta.file_type().is_symlink() {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let dir = dir.canonicalize().map_err(SourceError::Io)?;
        let real = path.canonicalize().map_err(SourceError::Io)?;
        if real.parent() != Some(dir.as_path()) && !real.starts_with(&dir) {
            return Err(SourceError::LinksOutside);
        }
    }
    read(path, None)
}

/// Text of bytes read: a UTF-8 BOM dropped, no NUL byte, UTF-8.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, SourceError> {
    decode(bytes)
}

/// Reads a file named inside another file, as bytes, confined like [`read_confined`].
pub fn read_confined_bytes(file: &Confined) -> Result<Vec<u8>, SourceError> {
    read(&file.path, Some(file))
}

/// Reads a text file named inside another file, like [`read_text`], and checks once it is
/// open that it is still inside the folder it was confined to.
pub fn read_confined(file: &Confined) -> Result<String, SourceError> {
    decode(read(&file.path, Some(file))?)
}

/// Reads a file the user named, at most `--max-file-size` bytes: only a regular file (not a FIFO,
/// device, socket or directory) is read. It is opened without blocking, so that a FIFO put
/// in its place after the check cannot hang kaohe, and checked again once open.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, SourceError> {
    read(path, None)
}

fn read(path: &Path, within: Option<&Confined>) -> Result<Vec<u8>, SourceError> {
    check_regular(&fs::metadata(path).map_err(SourceError::Io)?)?;
    let file = open_for_reading(path).map_err(SourceError::Io)?;
    check_regular(&file.metadata().map_err(SourceError::Io)?)?;
    if let Some(confined) = within
        && !opened_within(&file, &confined.dir)
    {
        return Err(SourceError::Outside(confined.written.clone()));
    }
    // Files in /proc report a size of 0 whatever they hold: the read itself is bounded.
    let mut bytes = Vec::new();
    file.take(limit().saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(SourceError::Io)?;
    if bytes.len() as u64 > limit() {
        return Err(SourceError::TooLarge);
    }
    Ok(bytes)
}

fn decode(mut bytes: Vec<u8>) -> Result<String, SourceError> {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    // Notepad's "Unicode" and Excel's "Unicode text"; no UTF-8 text starts with these bytes.
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(SourceError::Utf16);
    }
    // `contains` on bytes is a memchr: the common case is one fast pass.
    if bytes.contains(&0)
        && let Some(at) = bytes.iter().position(|&b| b == 0)
    {
        return Err(SourceError::Binary(pos_at(&bytes, at)));
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        SourceError::NotUtf8 {
            pos: pos_at(bytes, e.utf8_error().valid_up_to()),
            lossy: String::from_utf8_lossy(bytes).into_owned(),
        }
    })
}

/// The 1-based line and character column of byte `offset`.
fn pos_at(bytes: &[u8], offset: usize) -> Pos {
    let before = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]);
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    Pos { line, col, len: 1 }
}

fn check_regular(meta: &Metadata) -> Result<(), SourceError> {
    if !meta.is_file() {
        return Err(SourceError::NotRegular(kind(meta)));
    }
    if meta.len() > limit() {
        return Err(SourceError::TooLarge);
    }
    Ok(())
}

/// What a file that is not a regular file is.
fn kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

#[cfg(unix)]
fn open_for_reading(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Whether the file opened is inside `dir`, where the kernel can tell (Linux); elsewhere
/// the check made before opening stands.
#[cfg(target_os = "linux")]
fn opened_within(file: &File, dir: &Path) -> bool {
    use std::os::fd::AsRawFd;
    match fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
        Ok(real) => real.starts_with(dir),
        Err(_) => true,
    }
}

#[cfg(not(target_os = "linux"))]
fn opened_within(_file: &File, _dir: &Path) -> bool {
    true
}

/// Writes `bytes` to `path`. A regular file (or the file a symlink points to; the symlink
/// stays) is replaced whole or not at all: the bytes go to a temporary file beside it,
/// which is renamed over it, keeping its permission bits (a new file gets the mode the umask
/// gives). Anything else (`/dev/null`, `/dev/stdout`, a FIFO) is opened and written in
/// place. The temporary file is removed on every error; errors never name it.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match target(path)? {
        Target::InPlace => {
            let mut file = OpenOptions::new().append(true).open(path)?;
            file.write_all(bytes)?;
            file.flush()
        }
        Target::Replace { file, existing } => replace(&file, existing.as_ref(), bytes),
    }
}

enum Target {
    /// A stream or device: written as it is.
    InPlace,
    /// A regular file, new or existing, replaced by a rename.
    Replace {
        file: PathBuf,
        existing: Option<Metadata>,
    },
}

fn target(path: &Path) -> io::Result<Target> {
    if names_a_stream(path) {
        return Ok(Target::InPlace);
    }
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Target::Replace {
                file: path.to_path_buf(),
                existing: None,
            });
        }
        Err(e) => return Err(e),
    };
    let (file, meta) = if meta.file_type().is_symlink() {
        let real = fs::canonicalize(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => io::Error::new(
                io::ErrorKind::NotFound,
                "it is a symlink to a file that does not exist",
            ),
            _ => e,
        })?;
        let meta = fs::metadata(&real)?;
        (real, meta)
    } else {
        (path.to_path_buf(), meta)
    };
    if meta.is_file() {
        Ok(Target::Replace {
            file,
            existing: Some(meta),
        })
    } else if meta.is_dir() {
        Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory",
        ))
    } else {
        Ok(Target::InPlace)
    }
}

/// Whether `path` names one of the process's open files through /proc (`/dev/stdout`,
/// `/dev/fd/1`): that is written to, never replaced, whatever it is open on.
fn names_a_stream(path: &Path) -> bool {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let parent_in_proc = fs::canonicalize(parent).is_ok_and(|p| p.starts_with("/proc"));
    let link_to_proc = fs::read_link(path).is_ok_and(|t| t.starts_with("/proc"));
    parent_in_proc || link_to_proc
}

/// Removes the temporary file when dropped, unless it was renamed into place.
struct Temporary {
    path: PathBuf,
    renamed: bool,
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn replace(file: &Path, existing: Option<&Metadata>, bytes: &[u8]) -> io::Result<()> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "it names no file"))?;
    let name = name.to_string_lossy();
    remove_stale_temporaries(dir, &name);
    let (path, mut out) = create_temporary(dir, &name)?;
    let mut temporary = Temporary {
        path,
        renamed: false,
    };
    // Held until the file is renamed or the process ends, however it ends: a later write
    // that can take it knows the file is left over.
    let _ = out.try_lock();
    if let Some(meta) = existing {
        keep_permissions(&out, meta)?;
    }
    out.write_all(bytes)?;
    out.sync_all()?;
    drop(out);
    fs::rename(&temporary.path, file)?;
    temporary.renamed = true;
    Ok(())
}

/// Removes the temporary files for `name` in `dir` that a kill or a crash left behind: a
/// regular file named `.NAME.kaohe-tmp-PID-N` whose lock no process holds and whose process
/// (another than this one) is gone. Anything else is left as it is.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let prefix = format!(".{name}.kaohe-tmp-");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|rest| rest.split_once('-'))
            .filter(|(pid, n)| {
                [pid, n]
                    .iter()
                    .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
            })
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let path = entry.path();
        let regular = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
        let unlocked = regular && File::open(&path).is_ok_and(|f| f.try_lock().is_ok());
        if unlocked {
            let _ = fs::remove_file(&path);
        }
    }
}

/// Whether a process with id `pid` is running (on systems where that cannot be asked: yes).
#[cfg(unix)]
pub fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
    let sent = unsafe { libc::kill(pid, 0) } == 0;
    sent || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
pub fn process_alive(_pid: u32) -> bool {
    true
}

/// A new file beside the target, named `.NAME.kaohe-tmp-PID-N`, with mode 0666 less the
/// umask (the kernel applies it), like any new file.
fn create_temporary(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    for n in 0..100 {
        let path = dir.join(format!(".{name}.kaohe-tmp-{}-{n}", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o666);
        }
        match options.open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "cannot create a temporary file beside it",
    ))
}

/// Gives the replacement the permission bits of the file it replaces, and its owner where
/// the process may (only root can give a file away; otherwise the owner is the writer).
#[cfg(unix)]
fn keep_permissions(out: &File, existing: &Metadata) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    out.set_permissions(fs::Permissions::from_mode(existing.mode() & 0o777))?;
    let mine = out.metadata()?;
    if mine.uid() != existing.uid() || mine.gid() != existing.gid() {
        let _ = std::os::unix::fs::fchown(out, Some(existing.uid()), Some(existing.gid()));
    }
    Ok(())
}

#[cfg(not(unix))]
fn keep_permissions(out: &File, existing: &Metadata) -> io::Result<()> {
    out.set_permissions(existing.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().expect("temp dir")
    }

    #[test]
    fn reads_a_regular_file_without_its_bom() {
        let d = dir();
        let path = d.path().join("a.yaml");
        fs::write(&path, b"\xEF\xBB\xBFa: 1\n").expect("write");
        assert_eq!(read_text(&path).expect("read"), "a: 1\n");
        assert_eq!(
            read_bytes(&path).expect("read").len(),
            8,
            "bytes are as stored"
        );
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let d = dir();
        let e = read_text(&d.path().join("none.yaml")).expect_err("missing");
        assert!(matches!(&e, SourceError::Io(io) if io.kind() == io::ErrorKind::NotFound));
        assert!(
            e.describe("the submission")
                .starts_with("cannot read the submission: ")
        );
    }

    #[test]
    fn a_directory_is_refused() {
        let d = dir();
        let e = read_text(d.path()).expect_err("directory");
        assert_eq!(
            e.describe("the submission"),
            "the submission is a directory, not a regular file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let d = dir();
        let path = d.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let e = read_text(&path).expect_err("fifo");
        assert_eq!(
            e.describe("the file"),
            "the file is a FIFO (named pipe), not a regular file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused() {
        let e = read_text(Path::new("/dev/zero")).expect_err("device");
        assert!(matches!(e, SourceError::NotRegular("a character device")));
    }

    #[test]
    fn a_large_file_is_refused_from_its_size() {
        let d = dir();
        let path = d.path().join("big.csv");
        let file = File::create(&path).expect("create");
        file.set_len(limit() + 1).expect("sparse");
        assert!(matches!(read_text(&path), Err(SourceError::TooLarge)));
        let exact = d.path().join("exact.csv");
        let file = File::create(&exact).expect("create");
        file.set_len(limit()).expect("sparse");
        // Within the limit it is read (and refused as binary: it is all NUL bytes).
        assert!(matches!(read_text(&exact), Err(SourceError::Binary(_))));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_proc_file_is_read_within_the_limit() {
        // It reports a size of 0 but has content.
        let text = read_text(Path::new("/proc/self/status")).expect("readable");
        assert!(text.contains("Pid:"));
    }

    #[test]
    fn a_nul_byte_is_located_and_not_kept() {
        let d = dir();
        let path = d.path().join("env");
        fs::write(&path, b"A=1\nSECRET=2\0B=3\0").expect("write");
        let e = read_text(&path).expect_err("binary");
        assert_eq!(
            e.pos(),
            Some(Pos {
                line: 2,
                col: 9,
                len: 1
            })
        );
        let mut sources = Sources::default();
        let d = e.diagnostic(&path, "the submission", &mut sources);
        assert_eq!(
            d.message,
            "the submission is not a text file: it holds a NUL byte"
        );
        assert!(sources.file(d.location.file).text.is_empty());
    }

    #[test]
    fn invalid_utf8_is_located_at_line_and_column() {
        let d = dir();
        let path = d.path().join("latin1.yaml");
        fs::write(&path, b"\xEF\xBB\xBFa: 1\ntitle: caf\xE9\n").expect("write");
        let e = read_text(&path).expect_err("not utf-8");
        assert_eq!(
            e.pos(),
            Some(Pos {
                line: 2,
                col: 11,
                len: 1
            })
        );
        let mut sources = Sources::default();
        let d = e.diagnostic(&path, "the file", &mut sources);
        assert_eq!(d.message, "the file is not valid UTF-8");
        assert_eq!(
            sources.file(d.location.file).text,
            "a: 1\ntitle: caf\u{fffd}\n"
        );
    }

    #[test]
    fn confines_paths_to_the_folder() {
        let d = dir();
        let base = d.path().join("sub");
        fs::create_dir_all(base.join("data")).expect("mkdir");
        fs::write(base.join("data/rows.csv"), "a\n").expect("write");
        fs::write(d.path().join("secret.csv"), "KAOHE-SECRET\n").expect("write");
        let ok = confine(&base, "data/../data/./rows.csv").expect("inside");
        assert_eq!(ok.path(), base.join("data/../data/./rows.csv"));
        assert_eq!(read_confined(&ok).expect("read"), "a\n");
        for written in [
            "../secret.csv",
            "data/../../secret.csv",
            "/etc/passwd",
            "..",
        ] {
            let e = confine(&base, written).expect_err(written);
            assert_eq!(
                e.describe("the CSV file"),
                format!("`{written}` is outside the folder of the file that names it")
            );
        }
        assert!(matches!(
            confine(&base, "none.csv"),
            Err(SourceError::Io(e)) if e.kind() == io::ErrorKind::NotFound
        ));
    }

    #[cfg(unix)]
    #[test]
    fn confinement_resolves_symlinks() {
        let d = dir();
        let base = d.path().join("sub");
        fs::create_dir_all(&base).expect("mkdir");
        fs::write(d.path().join("secret.csv"), "KAOHE-SECRET\n").expect("write");
        fs::write(base.join("rows.csv"), "a\n").expect("write");
        std::os::unix::fs::symlink("../secret.csv", base.join("out.csv")).expect("symlink");
        std::os::unix::fs::symlink("rows.csv", base.join("in.csv")).expect("symlink");
        std::os::unix::fs::symlink("..", base.join("up")).expect("symlink");
        assert!(matches!(
            confine(&base, "out.csv"),
            Err(SourceError::Outside(w)) if w == "out.csv"
        ));
        assert!(matches!(
            confine(&base, "up/secret.csv"),
            Err(SourceError::Outside(_))
        ));
        let inside = confine(&base, "in.csv").expect("a link inside stays inside");
        assert_eq!(read_confined(&inside).expect("read"), "a\n");
        // Swapped for a link out after the check: refused once open.
        fs::remove_file(base.join("in.csv")).expect("rm");
        std::os::unix::fs::symlink("../secret.csv", base.join("in.csv")).expect("symlink");
        if cfg!(target_os = "linux") {
            assert!(matches!(
                read_confined(&inside),
                Err(SourceError::Outside(_))
            ));
        }
    }

    #[test]
    fn writes_a_new_file_and_replaces_an_existing_one() {
        let d = dir();
        let path = d.path().join("out.txt");
        write(&path, b"one").expect("write");
        write(&path, b"two").expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = fs::read_dir(d.path()).expect("dir").collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }

    #[cfg(unix)]
    #[test]
    fn writing_keeps_permissions_and_symlinks() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir();
        let real = d.path().join("real.txt");
        fs::write(&real, "old").expect("write");
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).expect("chmod");
        let link = d.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).expect("symlink");
        write(&link, b"new").expect("write");
        assert!(
            fs::symlink_metadata(&link)
                .expect("stat")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).expect("read"), b"new");
        let mode = fs::metadata(&real).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn writing_to_a_fifo_writes_in_place() {
        let d = dir();
        let path = d.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let reading = path.clone();
        let reader = std::thread::spawn(move || fs::read(reading));
        write(&path, b"streamed").expect("write");
        assert_eq!(reader.join().expect("reader").expect("read"), b"streamed");
        let meta = fs::symlink_metadata(&path).expect("stat");
        assert!(!meta.is_file(), "the FIFO stays a FIFO");
        assert_eq!(fs::read_dir(d.path()).expect("dir").count(), 1);
    }

    #[test]
    fn a_directory_or_missing_folder_is_not_written() {
        let d = dir();
        let e = write(d.path(), b"x").expect_err("directory");
        assert_eq!(e.to_string(), "it is a directory");
        let e = write(&d.path().join("no/such/out.txt"), b"x").expect_err("no folder");
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        let names: Vec<_> = fs::read_dir(d.path()).expect("dir").collect();
        assert!(names.is_empty());
    }
}
