//! The user's keymap file: where it is, and the defaults with it laid over them. Read by the
//! console's start and by `balcao check-config`.

use std::path::PathBuf;

use crate::config;
use crate::console::keymap::Keymap;

/// `~/.config/balcao/keymap.toml`, or `BALCAO_KEYMAP`.
pub fn user_keymap_path() -> Option<PathBuf> {
    std::env::var_os("BALCAO_KEYMAP")
        .map(PathBuf::from)
        .or_else(|| config::project_dirs().map(|dirs| dirs.config_dir().join("keymap.toml")))
}

/// The defaults with the user's file over them, or every problem with file and line.
pub fn load_keymap() -> Result<Keymap, Vec<config::Problem>> {
    let Some(path) = user_keymap_path().filter(|path| path.exists()) else {
        return Keymap::defaults();
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Keymap::load(Some((&path, &text))),
        Err(error) => Err(vec![config::Problem {
            file: path,
            line: None,
            message: format!("cannot read the keymap: {error}"),
        }]),
    }
}
