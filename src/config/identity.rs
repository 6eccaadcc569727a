//! Who this person is to the rest of the desk: the name their presence, claims and audit entries
//! carry. `name = "…"` at the top of config.toml, otherwise the name the CRM gives the account's
//! `me` user, otherwise the system user name.

/// The name to show for this person. Blank names count as missing; the result is never empty.
pub fn desk_name(configured: Option<&str>, crm_me: Option<&str>) -> String {
    let given = |name: Option<&str>| {
        name.map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
    };
    given(configured)
        .or_else(|| given(crm_me))
        .or_else(|| {
            ["USER", "LOGNAME", "USERNAME"]
                .iter()
                .find_map(|var| given(std::env::var(var).ok().as_deref()))
        })
        .unwrap_or_else(|| "?".to_owned())
}

#[cfg(test)]
mod tests {
    use super::desk_name;

    #[test]
    fn the_configured_name_wins_then_the_crm_one() {
        assert_eq!(desk_name(Some(" Ana "), Some("Ana Souza")), "Ana");
        assert_eq!(desk_name(Some("  "), Some("Ana Souza")), "Ana Souza");
        assert!(!desk_name(None, None).is_empty());
    }
}
