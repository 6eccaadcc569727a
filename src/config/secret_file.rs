//! A secret kept in a file (`token_file` and `secret_file` in `config.toml`, the `--*-file` flags):
//! trusted only when no one but its owner may read or write the file, and blank is no secret.
//! One reader for both, so the file is checked and read the same way through one open handle,
//! and what is wrong with it is said in the same words.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::i18n::Lang;
use crate::tr;

/// Why a secret file cannot be used.
#[derive(Debug)]
pub enum SecretFileError {
    /// It cannot be opened or read.
    Unreadable(io::Error),
    /// Others may `how` ("read" or "written") it: its permission bits are `mode`.
    Exposed {
        /// "read" or "written".
        how: &'static str,
        /// The file's permission bits.
        mode: u32,
    },
    /// It holds nothing but whitespace.
    Empty,
}

impl SecretFileError {
    /// What is wrong with the file at `shown`, named by `key` (the flag or the configuration key
    /// that gave it), and how to fix it.
    pub fn message(&self, key: &str, shown: &str, lang: Lang) -> String {
        match self {
            Self::Unreadable(error) => tr!(
                lang,
                "{key}: não foi possível ler '{shown}': {error}",
                "{key}: cannot read '{shown}': {error}"
            ),
            Self::Exposed { how, mode } => {
                let how = match (*how, lang) {
                    ("read", Lang::PtBr) => "lido",
                    (_, Lang::PtBr) => "alterado",
                    (how, Lang::En) => how,
                };
                tr!(
                    lang,
                    "{key}: '{shown}' pode ser {how} por outros usuários (modo {mode:04o}); rode: chmod 600 '{shown}'",
                    "{key}: '{shown}' can be {how} by other users (mode {mode:04o}); run: chmod 600 '{shown}'"
                )
            }
            Self::Empty => tr!(
                lang,
                "{key}: '{shown}' está vazio",
                "{key}: '{shown}' is empty"
            ),
        }
    }
}

/// The secret in `path`, trimmed. The permissions are those of the file opened, not of whatever
/// the path names a moment later.
pub fn read_secret_file(path: &Path) -> Result<String, SecretFileError> {
    let mut file = File::open(path).map_err(SecretFileError::Unreadable)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = file.metadata().map_err(SecretFileError::Unreadable)?;
        let mode = metadata.permissions().mode() & 0o777;
        if let Some(how) = crate::private::secret_file_problem(mode) {
            return Err(SecretFileError::Exposed { how, mode });
        }
    }
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(SecretFileError::Unreadable)?;
    match text.trim() {
        "" => Err(SecretFileError::Empty),
        secret => Ok(secret.to_owned()),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_private_file_gives_its_trimmed_secret_and_anything_else_says_why_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        let write = |text: &str, mode: u32| {
            std::fs::write(&file, text).unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        write("  tok-123\n", 0o600);
        assert_eq!(read_secret_file(&file).unwrap(), "tok-123");
        write("tok", 0o644);
        let exposed = read_secret_file(&file).unwrap_err();
        assert!(matches!(
            exposed,
            SecretFileError::Exposed {
                how: "read",
                mode: 0o644
            }
        ));
        assert_eq!(
            exposed.message("--token-file", "token", Lang::En),
            "--token-file: 'token' can be read by other users (mode 0644); run: chmod 600 'token'"
        );
        assert_eq!(
            exposed.message("token_file", "token", Lang::PtBr),
            "token_file: 'token' pode ser lido por outros usuários (modo 0644); rode: chmod 600 'token'"
        );
        write("tok", 0o620);
        assert!(matches!(
            read_secret_file(&file),
            Err(SecretFileError::Exposed {
                how: "written",
                mode: 0o620
            })
        ));
        write(" \n", 0o600);
        assert!(matches!(
            read_secret_file(&file),
            Err(SecretFileError::Empty)
        ));
        assert!(matches!(
            read_secret_file(&dir.path().join("absent")),
            Err(SecretFileError::Unreadable(error)) if error.kind() == io::ErrorKind::NotFound
        ));
    }
}
