//! "Did you mean ...?" for misspelt keys, values and names.

/// The candidate closest to `word`, when it is close enough to be the
/// intended one (a typo, a transposition, a wrong case, a dropped dash).
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let lower = candidate.to_lowercase();
        let distance = if lower == word_lower {
            0
        } else if lower.replace(['-', '_'], "") == word_lower.replace(['-', '_'], "") {
            1
        } else {
            edit_distance(&word_lower, &lower)
        };
        let limit = (candidate.chars().count().max(word.chars().count()) / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// `; did you mean `x`? REST` when a candidate is close, else `; REST`.
pub(crate) fn hint<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    rest: &str,
) -> String {
    match did_you_mean(word, candidates) {
        Some(close) => format!("; did you mean `{close}`? {rest}"),
        None => format!("; {rest}"),
    }
}

/// Optimal string alignment distance (Levenshtein plus transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        let keys = ["run", "expect", "stdin", "env", "on"];
        assert_eq!(did_you_mean("expct", keys), Some("expect"));
        assert_eq!(did_you_mean("exepct", keys), Some("expect"));
        assert_eq!(did_you_mean("Expect", keys), Some("expect"));
        assert_eq!(did_you_mean("stdin", keys), Some("stdin"));
        assert_eq!(
            did_you_mean("commit_server", ["commit-server"]),
            Some("commit-server")
        );
        assert_eq!(did_you_mean("zzzzzz", keys), None);
        assert_eq!(did_you_mean("", keys), None);
    }
}
