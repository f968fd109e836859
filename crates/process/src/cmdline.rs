//! `--node-cmd "CMD ARGS"`: a command line split into a program and its
//! arguments the way a POSIX shell splits words (blanks separate; single
//! quotes keep everything; double quotes keep blanks; a backslash escapes),
//! without running a shell.

/// The words of `line`; an error for an empty line or an open quote.
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if let Some(done) = word.take() {
                    words.push(done);
                }
            }
            '\'' => {
                let current = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => current.push(c),
                        None => return Err(format!("an unclosed ' in the node command `{line}`")),
                    }
                }
            }
            '"' => {
                let current = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => current.push(c),
                            Some(c) => current.extend(['\\', c]),
                            None => return Err(format!("an unclosed \" in the node command `{line}`")),
                        },
                        Some(c) => current.push(c),
                        None => return Err(format!("an unclosed \" in the node command `{line}`")),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err(format!("a trailing backslash in the node command `{line}`")),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    if words.is_empty() {
        return Err("an empty node command".to_string());
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn words_split_as_a_shell_splits_them() {
        assert_eq!(split("python3 examples/python/raft.py").unwrap(), ["python3", "examples/python/raft.py"]);
        assert_eq!(split("  a 'b c' \"d \\\" e\" f\\ g ''").unwrap(), ["a", "b c", "d \" e", "f g", ""]);
        assert!(split("a 'b").is_err());
        assert!(split("   ").is_err());
    }
}
