//! Name folding for search keys and identifiers: accents, case and punctuation do not count.

/// ASCII-folds and lowercases (`Hélène` → `helene`, `Œuvre` → `oeuvre`).
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_ascii_lowercase()
}

/// Only the ASCII letters and digits of the folded text (`D'Artagnan-Lefèvre` → `dartagnanlefevre`).
pub fn fold_alphanumeric(text: &str) -> String {
    fold(text)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The register's prefix-search key: last name then first name, folded, letters and digits only.
/// A query folded the same way matches by prefix: `dura`, `durand m`, `Durand, Marie`.
pub fn search_key(last_name: &str, first_name: &str) -> String {
    let mut key = fold_alphanumeric(last_name);
    key.push_str(&fold_alphanumeric(first_name));
    key
}

/// The search keys that start at the later words of a compound last name, each followed by the
/// first name (`D'Artagnan-Lefèvre`, `Hélène` → `artagnanlefevrehelene`, `lefevrehelene`), so that
/// a query may start at any word. The first word's key is [`search_key`]; position 1 is the second word.
pub fn word_search_keys(last_name: &str, first_name: &str) -> Vec<(i32, String)> {
    let folded = fold(last_name);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let first = fold_alphanumeric(first_name);
    (1..words.len())
        .map(|start| {
            let mut key = words[start..].concat();
            key.push_str(&first);
            (i32::try_from(start).unwrap_or(i32::MAX), key)
        })
        .collect()
}

/// The identifier a member gets before collision digits: first letter of the first name + last name.
pub fn identifier_base(first_name: &str, last_name: &str) -> String {
    let first = fold_alphanumeric(first_name);
    let mut base: String = first.chars().take(1).collect();
    base.push_str(&fold_alphanumeric(last_name));
    if base.is_empty() {
        base.push_str("membre");
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_keys_ignore_accents_case_and_punctuation() {
        assert_eq!(
            search_key("D'Artagnan-Lefèvre", "Hélène"),
            "dartagnanlefevrehelene"
        );
        assert_eq!(search_key("Le Bihan", "Anne-Sophie"), "lebihanannesophie");
        assert_eq!(fold_alphanumeric("Durand, M"), "durandm");
    }

    #[test]
    fn every_later_word_of_a_compound_last_name_starts_a_key() {
        assert_eq!(
            word_search_keys("D'Artagnan-Lefèvre", "Hélène"),
            [
                (1, "artagnanlefevrehelene".to_owned()),
                (2, "lefevrehelene".to_owned())
            ]
        );
        assert_eq!(
            word_search_keys("Le Bihan", "Anne"),
            [(1, "bihananne".to_owned())]
        );
        assert!(word_search_keys("Durand", "Marie").is_empty());
    }

    #[test]
    fn identifiers_are_first_initial_and_folded_last_name() {
        assert_eq!(identifier_base("Marie", "Durand"), "mdurand");
        assert_eq!(identifier_base("Élodie", "N'Guyen-Lê"), "enguyenle");
        assert_eq!(identifier_base("", ""), "membre");
    }
}
