//! Message names: the node API's header names are `&'static str` (short,
//! fixed names such as `"AppendEntries"`), while a process sends them as
//! text. The names a process uses form a small, bounded set, so each new one
//! is leaked once and shared by every node of the run and of the sweep.

use std::sync::Mutex;

/// At most this many distinct names, over every process of this harness.
pub const MAX_NAMES: usize = 256;
/// At most this many bytes in one name.
pub const MAX_NAME_BYTES: usize = 64;

static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

/// The interned copy of `name`; an error if it is too long, empty, or one too many.
pub fn intern(name: &str) -> Result<&'static str, String> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err(format!("a message name of {} bytes (1..={MAX_NAME_BYTES} allowed)", name.len()));
    }
    let mut names = NAMES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&known) = names.iter().find(|&&known| known == name) {
        return Ok(known);
    }
    if names.len() >= MAX_NAMES {
        return Err(format!("more than {MAX_NAMES} distinct message names (the last: {name:?})"));
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.push(leaked);
    Ok(leaked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_copy_per_name() {
        let a = intern("AppendEntries").unwrap();
        let b = intern(&String::from("AppendEntries")).unwrap();
        assert!(std::ptr::eq(a, b));
        assert!(intern("").is_err());
        assert!(intern(&"x".repeat(MAX_NAME_BYTES + 1)).is_err());
    }
}
