//! Content identifiers.

use std::fmt;
use std::str::FromStr;

/// The blake3 hash of an object's canonical encoding: the name of every
/// object in a panproto store.
///
/// Shown as 64 lowercase hex digits; [`ObjectId::short`] gives the 12-digit
/// prefix used in human output.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId([u8; 32]);

impl ObjectId {
    /// Number of bytes in an id.
    pub const LEN: usize = 32;

    /// Hashes `bytes` (an object's canonical encoding) into its id.
    pub fn hash(bytes: &[u8]) -> Self {
        Self(*blake3::hash(bytes).as_bytes())
    }

    /// Wraps raw hash bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Reads an id from a byte slice of exactly [`ObjectId::LEN`] bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }

    /// The raw hash bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Full lowercase hex form.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// The smallest and largest ids starting with the hex digits `prefix`
    /// (2 to 64 of them, either case), or `None` if it is not such a prefix.
    pub fn prefix_range(prefix: &str) -> Option<(ObjectId, ObjectId)> {
        if !(2..=64).contains(&prefix.len()) || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let pad = |fill: char| {
            let mut full = prefix.to_ascii_lowercase();
            full.extend(std::iter::repeat_n(fill, 64 - prefix.len()));
            full.parse::<ObjectId>().ok()
        };
        Some((pad('0')?, pad('f')?))
    }

    /// The 12-digit prefix shown in human output.
    pub fn short(&self) -> String {
        let mut s = self.to_string();
        s.truncate(12);
        s
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({})", self.short())
    }
}

/// A string that is not a 64-digit hex object id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an object id: {0:?} (expected 64 hex digits)")]
pub struct ParseObjectIdError(pub String);

impl FromStr for ObjectId {
    type Err = ParseObjectIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Decoded through a table: this runs for every id of every commit
        // `log` reads, where `from_str_radix` over two-byte slices (and then
        // branching on digit or letter) dominated.
        const INVALID: u8 = 0xff;
        const NIBBLES: [u8; 256] = {
            let mut table = [INVALID; 256];
            let mut i = 0;
            while i < 10 {
                table[b'0' as usize + i] = i as u8;
                i += 1;
            }
            let mut i = 0;
            while i < 6 {
                table[b'a' as usize + i] = 10 + i as u8;
                table[b'A' as usize + i] = 10 + i as u8;
                i += 1;
            }
            table
        };
        let err = || ParseObjectIdError(s.to_owned());
        if s.len() != 64 {
            return Err(err());
        }
        let mut out = [0u8; 32];
        let mut invalid = false;
        for (byte, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
            let (hi, lo) = (NIBBLES[usize::from(pair[0])], NIBBLES[usize::from(pair[1])]);
            invalid |= hi == INVALID || lo == INVALID;
            *byte = (hi << 4) | (lo & 0x0f);
        }
        if invalid {
            return Err(err());
        }
        Ok(Self(out))
    }
}

impl serde::Serialize for ObjectId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ObjectId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A visitor, not a `Cow<str>`: serde's `Cow` always copies into a
        // `String`, an allocation per id of every commit a log decodes.
        struct Hex;
        impl serde::de::Visitor<'_> for Hex {
            type Value = ObjectId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object id (64 hex digits)")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ObjectId, E> {
                s.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let id = ObjectId::hash(b"panproto");
        let parsed: ObjectId = id.to_string().parse().unwrap();
        assert_eq!(id, parsed);
        assert_eq!(id.short().len(), 12);
        assert!(id.to_string().starts_with(&id.short()));
    }

    #[test]
    fn serde_round_trip_and_errors() {
        let id = ObjectId::hash(b"serde");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<ObjectId>(&json).unwrap(), id);
        // An escaped string is not borrowed from the input: still read.
        let escaped = format!("\"\\u0030{}\"", &id.to_string()[1..]);
        let zero_first = format!("0{}", &id.to_string()[1..]);
        assert_eq!(
            serde_json::from_str::<ObjectId>(&escaped).unwrap(),
            zero_first.parse().unwrap()
        );
        for bad in ["\"abc\"", "42", "null"] {
            assert!(serde_json::from_str::<ObjectId>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_bad_hex() {
        assert!("zz".parse::<ObjectId>().is_err());
        assert!("g".repeat(64).parse::<ObjectId>().is_err());
        assert!(
            "é".repeat(32).parse::<ObjectId>().is_err(),
            "64 bytes but not hex"
        );
        let id = ObjectId::hash(b"case");
        assert_eq!(id.to_string().to_uppercase().parse::<ObjectId>(), Ok(id));
    }
}
