//! Files that hold customer data (the index, the log) are private to their owner: the data dir is
//! created 0700 and its files 0600, and an existing one others can read is reported with the fix.
//!
//! Names, numbers, CPF and messages fall under LGPD, so a shared machine must not expose them.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::i18n::Lang;
use crate::tr;

/// Mode of a directory holding customer data.
pub const DIR_MODE: u32 = 0o700;
/// Mode of a file holding customer data.
pub const FILE_MODE: u32 = 0o600;

/// An existing file or directory that others can read or write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposed {
    /// The path.
    pub path: PathBuf,
    /// Its permission bits.
    pub mode: u32,
    /// A directory (the fix is `chmod 700`) or a file (`chmod 600`).
    pub is_dir: bool,
}

impl Exposed {
    /// What is wrong and the command that fixes it.
    pub fn message(&self, lang: Lang) -> String {
        let path = self.path.display();
        let mode = self.mode;
        let fix = if self.is_dir { "700" } else { "600" };
        tr!(
            lang,
            "aviso: '{path}' guarda dados de clientes e outros usuários podem acessá-lo (modo {mode:04o}); corrija com: chmod {fix} '{path}'",
            "warning: '{path}' holds customer data and other users can access it (mode {mode:04o}); fix it with: chmod {fix} '{path}'"
        )
    }
}

/// Creates `dir` (and missing parents) readable only by its owner. Existing modes are never
/// changed behind the user's back: [`check`] says when one is open to others.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(dir)
}

/// Options that create a file readable only by its owner.
fn private_file() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options
}

/// Opens `path` for appending, creating it readable only by its owner.
pub fn append_file(path: &Path) -> io::Result<File> {
    private_file().create(true).append(true).open(path)
}

/// Creates an empty `path` readable only by its owner unless it exists, so that a database
/// engine opening it afterwards (and its journals, which copy its mode) keeps it private.
pub fn ensure_file(path: &Path) -> io::Result<()> {
    match private_file().write(true).create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Whether an existing path lets group or others in; `None` when it is private or absent.
pub fn check(path: &Path) -> io::Result<Option<Exposed>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let mode = metadata.permissions().mode() & 0o777;
        Ok((mode & 0o077 != 0).then(|| Exposed {
            path: path.to_path_buf(),
            mode,
            is_dir: metadata.is_dir(),
        }))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(None)
    }
}

/// Why a secret file cannot be trusted: others can read it, or others can write it (and so put
/// their own token or secret in it). `None` when only its owner can do either.
pub fn secret_file_problem(mode: u32) -> Option<&'static str> {
    if mode & 0o044 != 0 {
        Some("read")
    } else if mode & 0o022 != 0 {
        Some("written")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_files_open_to_others_either_way_are_refused() {
        assert_eq!(secret_file_problem(0o600), None);
        assert_eq!(secret_file_problem(0o400), None);
        assert_eq!(secret_file_problem(0o640), Some("read"));
        assert_eq!(secret_file_problem(0o604), Some("read"));
        assert_eq!(secret_file_problem(0o620), Some("written"));
        assert_eq!(secret_file_problem(0o602), Some("written"));
    }
}
