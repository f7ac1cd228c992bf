//! "Did you mean" suggestions for mistyped names.

/// The candidate closest to `wrong`, if it is close enough to be a likely typo:
/// a case-insensitive match, a Jaro–Winkler similarity of at least 0.8, or an
/// edit distance (with transpositions) of at most a third of the length.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let other = c.to_lowercase();
            let edits = strsim::damerau_levenshtein(&lower, &other);
            let score = if other == lower {
                1.0
            } else if edits <= (lower.chars().count() / 3).max(1) {
                strsim::jaro_winkler(&lower, &other).max(0.8)
            } else {
                strsim::jaro_winkler(&lower, &other)
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
