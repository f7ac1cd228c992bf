//! "Did you mean" suggestions for mistyped names.

/// The candidate closest to `wrong`, if it is close enough to be a likely typo
/// (Jaro–Winkler similarity of at least 0.8, or a case-insensitive match).
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let score = if c.to_lowercase() == lower {
                1.0
            } else {
                strsim::jaro_winkler(&lower, &c.to_lowercase())
            };
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let names = ["alice", "bob", "carol"];
        assert_eq!(did_you_mean("alcie", names), Some("alice"));
        assert_eq!(did_you_mean("ALICE", names), Some("alice"));
        assert_eq!(did_you_mean("zed", names), None);
    }
}
