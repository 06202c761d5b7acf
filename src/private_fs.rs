//! Private files for what ecrp keeps under its data and cache directories (drafts of unpublished
//! catalogs and policies, logs, the lifecycle journal, the emulator's state file and blobs):
//! directories 0700 and files 0600, so other users of the machine cannot read them, as the AWS CLI
//! keeps its cache files 0600.
//!
//! - A directory ecrp owns that already exists with wider rights is tightened to 0700 (a warning
//!   is logged when that fails, e.g. on a directory owned by someone else).
//! - A symlink planted where one of these files belongs is never followed: reads and appends open
//!   with O_NOFOLLOW and fail, atomic writes replace the link itself instead of writing through it.
//! - Writes that must never be seen torn go through [`write_atomic`]: a 0600 temp file in the same
//!   directory, synced, then renamed over the target, then the directory synced.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of every directory ecrp creates for its own data.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file ecrp writes under its data and cache directories.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and missing parents, each 0700) and makes sure `dir` itself is 0700: an existing
/// directory open to group or others is tightened. A symlinked directory is followed (users move
/// data dirs to other disks that way); only files refuse symlinks.
pub fn ensure_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    let meta = fs::metadata(dir)?;
    if !meta.is_dir() {
        return Err(io::Error::other(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    if meta.permissions().mode() & 0o077 != 0
        && let Err(e) = fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))
    {
        // Still usable, just not private: say so rather than refuse to work.
        tracing::warn!(
            dir = %dir.display(),
            "could not make the directory private (mode {:o}): {e}",
            meta.permissions().mode() & 0o777
        );
    }
    Ok(())
}

/// [`ensure_dir`] for a directory that holds only what ecrp writes (the lifecycle journal, the
/// emulator's blobs): a symlink at `dir` is refused, not followed, so a planted link cannot send
/// those files elsewhere. Missing parents are created 0700.
pub fn ensure_own_dir(dir: &Path) -> io::Result<()> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(parent)
            .map_err(|e| with_path(e, parent))?;
    }
    match DirBuilder::new().mode(DIR_MODE).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(with_path(e, dir)),
    }
    let meta = fs::symlink_metadata(dir)?;
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return Err(io::Error::other(format!(
            "{} is not a directory (a symlink is refused)",
            dir.display()
        )));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))
            .map_err(|e| with_path(e, dir))?;
    }
    Ok(())
}

/// Creates `path` as a new 0600 file for writing; an existing file or a symlink at `path` is an
/// error (AlreadyExists), never opened or followed.
pub fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| with_path(e, path))
}

fn refuse_non_file(path: &Path, file: &File) -> io::Result<()> {
    if !file.metadata()?.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    Ok(())
}

/// Opens `path` for appending, creating it 0600; an existing file with wider rights is tightened.
/// A symlink at `path` is an error (ELOOP), never followed.
pub fn open_append(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| with_path(e, path))?;
    refuse_non_file(path, &file)?;
    if file.metadata()?.permissions().mode() & 0o077 != 0 {
        file.set_permissions(Permissions::from_mode(FILE_MODE))?;
    }
    Ok(file)
}

/// Reads a whole file without following a symlink at `path`.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| with_path(e, path))?;
    refuse_non_file(path, &file)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Replaces `path` atomically with `bytes`, as a 0600 file: a reader or a crash sees the old
/// content or the new, never a mix. A symlink at `path` is replaced, not written through.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] with the content produced by `fill` (e.g. a serializer writing straight in).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // tempfile creates its files 0600 with O_EXCL, in the target's directory so the rename stays
    // on one filesystem.
    let mut tmp = tempfile::Builder::new()
        .prefix(".ecrp-")
        .suffix(".tmp")
        .permissions(Permissions::from_mode(FILE_MODE))
        .tempfile_in(dir)
        .map_err(|e| with_path(e, dir))?;
    fill(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| with_path(e.error, path))?;
    // The rename itself is durable only once the directory is synced.
    File::open(dir)?.sync_all()?;
    Ok(())
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn directories_are_created_and_tightened_to_0700() {
        let root = tempfile::tempdir().unwrap();
        let deep = root.path().join("a/b/c");
        ensure_dir(&deep).unwrap();
        for d in ["a", "a/b", "a/b/c"] {
            assert_eq!(mode(&root.path().join(d)), 0o700, "{d}");
        }
        let wide = root.path().join("wide");
        fs::create_dir(&wide).unwrap();
        fs::set_permissions(&wide, Permissions::from_mode(0o755)).unwrap();
        ensure_dir(&wide).unwrap();
        assert_eq!(mode(&wide), 0o700);
    }

    #[test]
    fn files_are_0600_and_symlinks_are_never_followed() {
        let root = tempfile::tempdir().unwrap();
        let victim = root.path().join("victim");
        fs::write(&victim, b"untouched").unwrap();
        let link = root.path().join("planted");
        std::os::unix::fs::symlink(&victim, &link).unwrap();

        assert!(open_append(&link).is_err());
        assert!(read(&link).is_err());
        assert_eq!(fs::read(&victim).unwrap(), b"untouched");
        // An atomic write replaces the link with a private file of its own.
        write_atomic(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(mode(&link), 0o600);
        assert_eq!(fs::read(&victim).unwrap(), b"untouched");

        let log = root.path().join("x.log");
        open_append(&log).unwrap().write_all(b"1\n").unwrap();
        assert_eq!(mode(&log), 0o600);
        fs::set_permissions(&log, Permissions::from_mode(0o644)).unwrap();
        open_append(&log).unwrap().write_all(b"2\n").unwrap();
        assert_eq!(mode(&log), 0o600);
        assert_eq!(read(&log).unwrap(), b"1\n2\n");
        // No temp file is left behind.
        let left: Vec<_> = fs::read_dir(root.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty());
    }

    #[test]
    fn own_directories_refuse_symlinks_and_new_files_never_overwrite() {
        let root = tempfile::tempdir().unwrap();
        let own = root.path().join("parent/own");
        ensure_own_dir(&own).unwrap();
        assert_eq!(mode(&own), 0o700);
        assert_eq!(mode(&root.path().join("parent")), 0o700);
        fs::set_permissions(&own, Permissions::from_mode(0o755)).unwrap();
        ensure_own_dir(&own).unwrap();
        assert_eq!(mode(&own), 0o700);

        let elsewhere = root.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let e = ensure_own_dir(&link).unwrap_err();
        assert!(e.to_string().contains("symlink"), "{e}");

        let file = own.join("f");
        create_new(&file).unwrap().write_all(b"x").unwrap();
        assert_eq!(mode(&file), 0o600);
        let again = create_new(&file).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        let planted = own.join("planted");
        std::os::unix::fs::symlink(elsewhere.join("target"), &planted).unwrap();
        assert!(create_new(&planted).is_err());
        assert!(!elsewhere.join("target").exists());
    }
}
