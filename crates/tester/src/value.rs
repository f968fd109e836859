//! The tester's commands: the lab submits Go ints and 5000-character strings;
//! the core carries them as opaque bytes. One tag byte says which.

use std::fmt;
use std::sync::Arc;

/// A command value, as the tests submit and compare them.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    Int(i64),
    Str(Arc<str>),
}

const TAG_INT: u8 = 0;
const TAG_STR: u8 = 1;

impl Value {
    /// The bytes the Raft core carries.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut bytes);
        bytes
    }

    /// The length of [`Value::encode`]'s bytes.
    pub fn encoded_len(&self) -> usize {
        match self {
            Value::Int(_) => 1 + std::mem::size_of::<i64>(),
            Value::Str(s) => 1 + s.len(),
        }
    }

    /// Appends [`Value::encode`]'s bytes to `out` (no allocation of its own).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Value::Int(n) => {
                out.push(TAG_INT);
                out.extend_from_slice(&n.to_le_bytes());
            }
            Value::Str(s) => {
                out.push(TAG_STR);
                out.extend_from_slice(s.as_bytes());
            }
        }
    }

    pub fn decode(bytes: &[u8]) -> Option<Value> {
        match bytes.split_first()? {
            (&TAG_INT, rest) => Some(Value::Int(i64::from_le_bytes(rest.try_into().ok()?))),
            (&TAG_STR, rest) => Some(Value::Str(Arc::from(std::str::from_utf8(rest).ok()?))),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            Value::Str(_) => None,
        }
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

impl fmt::Display for Value {
    /// Ints as numbers; long strings shortened, as a log line wants them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(n) => write!(f, "{n}"),
            Value::Str(s) if s.len() > 16 => write!(f, "\"{}…\"({} chars)", &s[..8], s.len()),
            Value::Str(s) => write!(f, "{s:?}"),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for value in [Value::Int(-5), Value::Int(i64::MAX), Value::Str(Arc::from("x".repeat(5000)))] {
            assert_eq!(Value::decode(&value.encode()), Some(value));
        }
        assert_eq!(Value::decode(&[]), None);
        assert_eq!(Value::decode(&[9, 1]), None);
        assert_eq!(Value::decode(&[TAG_INT, 1, 2]), None);
    }
}
