//! Postcard into a borrowed buffer, the wire and persist encodings' one
//! writer (DESIGN: no allocation per message on the hot path).
//!
//! `postcard::to_extend` moves the buffer in and out of every call and hands
//! each varint (1 to 10 bytes) to `Vec::extend`, a `memcpy` call per field;
//! this flavor appends to the caller's `Vec` in place and copies short runs
//! byte by byte. The bytes are postcard's, unchanged.

use postcard::ser_flavors::Flavor;
use serde::Serialize;

/// Runs at most this long are copied inline, not through `memcpy`.
const INLINE_BYTES: usize = 16;

struct AppendTo<'a>(&'a mut Vec<u8>);

impl Flavor for AppendTo<'_> {
    type Output = ();

    #[inline]
    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        self.0.push(byte);
        Ok(())
    }

    #[inline]
    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        if bytes.len() <= INLINE_BYTES {
            self.0.reserve(bytes.len());
            for &byte in bytes {
                self.0.push(byte);
            }
        } else {
            self.0.extend_from_slice(bytes);
        }
        Ok(())
    }

    #[inline]
    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// Appends `value`'s postcard encoding to `out`.
#[inline]
pub(crate) fn append<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    postcard::serialize_with_flavor(value, AppendTo(out)).expect("raft values always encode");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_postcards_own_bytes() {
        let long = vec![7_u8; 300];
        let value = (3_u32, u64::MAX, Some(1_u64 << 40), "term", long);
        let mut out = vec![0xAA];
        append(&value, &mut out);
        assert_eq!(out[0], 0xAA, "what was there stays");
        assert_eq!(out[1..], postcard::to_stdvec(&value).unwrap());
    }
}
