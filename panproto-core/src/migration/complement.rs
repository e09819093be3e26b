//! Complements: what a view leaves out, as opaque, versioned, checked bytes.
//!
//! Layout: the magic `PPC`, a format byte, the 16-byte fingerprint of the
//! migration that made it, the payload (the record root and one tree per
//! stage), and the first 16 bytes of a blake3 hash of everything before.
//! `put` refuses a complement with another fingerprint (another
//! migration's) or a wrong hash (altered bytes) with a clear error.

use crate::migration::MigrationError;
use crate::model::record::Value;

const MAGIC: &[u8; 3] = b"PPC";
const FORMAT: u8 = 1;
const CHECK: usize = 16;
/// Deeper nesting than this is refused while decoding rather than risking the stack.
const MAX_DEPTH: usize = 512;

/// What one node of a record lost.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Comp {
    /// Nothing.
    #[default]
    Empty,
    /// Per key of an object.
    Object(Box<ObjComp>),
    /// Per element of an array.
    Array(Vec<Comp>),
    /// The whole value (the view holds a placeholder).
    Replaced(Value),
}

/// What one object lost, each list in the record's key order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ObjComp {
    /// Keys dropped whole, with their values.
    pub dropped: Vec<(String, Value)>,
    /// What kept keys' values lost, by source key.
    pub kept: Vec<(String, Comp)>,
    /// Keys whose vertex was dropped and whose fields were contracted into
    /// the parent: present exactly when the source had the key.
    pub hoisted: Vec<(String, ObjComp)>,
}

/// Takes the entry for `key` out of a list sorted by key.
pub(crate) fn take<T: Default>(list: &mut [(String, T)], key: &str) -> Option<T> {
    list.binary_search_by(|(k, _)| k.as_str().cmp(key))
        .ok()
        .map(|i| std::mem::take(&mut list[i].1))
}

impl Comp {
    pub(crate) fn object(c: ObjComp) -> Self {
        if c.dropped.is_empty() && c.kept.is_empty() && c.hoisted.is_empty() {
            Self::Empty
        } else {
            Self::Object(Box::new(c))
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }
}

/// A whole complement: the root and one tree per stage.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Complement {
    pub root: String,
    pub stages: Vec<Comp>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Complement {
    pub(crate) fn encode(&self, fingerprint: &[u8; 16]) -> Vec<u8> {
        let mut w = Vec::with_capacity(64);
        w.extend_from_slice(MAGIC);
        w.push(FORMAT);
        w.extend_from_slice(fingerprint);
        put_str(&mut w, &self.root);
        put_len(&mut w, self.stages.len());
        for c in &self.stages {
            put_comp(&mut w, c);
        }
        let check = blake3::hash(&w);
        w.extend_from_slice(&check.as_bytes()[..CHECK]);
        w
    }

    pub(crate) fn decode(bytes: &[u8], fingerprint: &[u8; 16]) -> Result<Self, MigrationError> {
        let damaged = |why: &str| MigrationError::DamagedComplement(why.to_owned());
        if bytes.len() < MAGIC.len() + 1 + 16 + CHECK || &bytes[..3] != MAGIC {
            return Err(damaged("these bytes are not a panproto complement"));
        }
        if bytes[3] != FORMAT {
            return Err(damaged(&format!(
                "complement format {} is not one this build reads ({FORMAT})",
                bytes[3]
            )));
        }
        let found = &bytes[4..20];
        let (body, check) = bytes.split_at(bytes.len() - CHECK);
        if &blake3::hash(body).as_bytes()[..CHECK] != check {
            return Err(damaged(
                "its checksum does not match: the bytes were altered",
            ));
        }
        if found != fingerprint {
            return Err(MigrationError::WrongComplement {
                expected: hex(fingerprint),
                found: hex(found),
            });
        }
        let mut r = Reader {
            bytes: &body[20..],
            depth: 0,
        };
        let root = r.str()?;
        let n = r.len()?;
        let mut stages = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            stages.push(r.comp()?);
        }
        if !r.bytes.is_empty() {
            return Err(damaged("trailing bytes"));
        }
        Ok(Self { root, stages })
    }
}

fn put_len(w: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            w.push(byte);
            return;
        }
        w.push(byte | 0x80);
    }
}

fn put_str(w: &mut Vec<u8>, s: &str) {
    put_len(w, s.len());
    w.extend_from_slice(s.as_bytes());
}

fn put_value(w: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => w.push(0),
        Value::Bool(false) => w.push(1),
        Value::Bool(true) => w.push(2),
        Value::Int(i) => {
            w.push(3);
            w.extend_from_slice(&i.to_le_bytes());
        }
        Value::Float(f) => {
            w.push(4);
            w.extend_from_slice(&f.to_le_bytes());
        }
        Value::Str(s) => {
            w.push(5);
            put_str(w, s);
        }
        Value::Bytes(b) => {
            w.push(6);
            put_len(w, b.len());
            w.extend_from_slice(b);
        }
        Value::Array(a) => {
            w.push(7);
            put_len(w, a.len());
            for x in a {
                put_value(w, x);
            }
        }
        Value::Object(o) => {
            w.push(8);
            put_len(w, o.len());
            for (k, x) in o {
                put_str(w, k);
                put_value(w, x);
            }
        }
    }
}

fn put_obj(w: &mut Vec<u8>, c: &ObjComp) {
    put_len(w, c.dropped.len());
    for (k, v) in &c.dropped {
        put_str(w, k);
        put_value(w, v);
    }
    put_len(w, c.kept.len());
    for (k, v) in &c.kept {
        put_str(w, k);
        put_comp(w, v);
    }
    put_len(w, c.hoisted.len());
    for (k, v) in &c.hoisted {
        put_str(w, k);
        put_obj(w, v);
    }
}

fn put_comp(w: &mut Vec<u8>, c: &Comp) {
    match c {
        Comp::Empty => w.push(0),
        Comp::Object(o) => {
            w.push(1);
            put_obj(w, o);
        }
        Comp::Array(a) => {
            w.push(2);
            put_len(w, a.len());
            for x in a {
                put_comp(w, x);
            }
        }
        Comp::Replaced(v) => {
            w.push(3);
            put_value(w, v);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    depth: usize,
}

impl Reader<'_> {
    fn damaged(why: &str) -> MigrationError {
        MigrationError::DamagedComplement(why.to_owned())
    }

    fn take(&mut self, n: usize) -> Result<&[u8], MigrationError> {
        if self.bytes.len() < n {
            return Err(Self::damaged("it ends too early"));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, MigrationError> {
        Ok(self.take(1)?[0])
    }

    fn len(&mut self) -> Result<usize, MigrationError> {
        let mut n: usize = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                if n > self.bytes.len() {
                    // Every counted item takes at least one byte.
                    return Err(Self::damaged("a length is larger than what follows"));
                }
                return Ok(n);
            }
        }
        Err(Self::damaged("a length is malformed"))
    }

    fn str(&mut self) -> Result<String, MigrationError> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| Self::damaged("a key is not UTF-8"))
    }

    fn nest(&mut self) -> Result<(), MigrationError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Self::damaged("it is nested too deeply"))
        } else {
            Ok(())
        }
    }

    fn value(&mut self) -> Result<Value, MigrationError> {
        self.nest()?;
        let v = match self.byte()? {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::Int(i64::from_le_bytes(
                self.take(8)?
                    .try_into()
                    .map_err(|_| Self::damaged("bad integer"))?,
            )),
            4 => Value::Float(f64::from_le_bytes(
                self.take(8)?
                    .try_into()
                    .map_err(|_| Self::damaged("bad number"))?,
            )),
            5 => Value::Str(self.str()?),
            6 => {
                let n = self.len()?;
                Value::Bytes(self.take(n)?.to_vec())
            }
            7 => {
                let n = self.len()?;
                let mut a = Vec::with_capacity(n);
                for _ in 0..n {
                    a.push(self.value()?);
                }
                Value::Array(a)
            }
            8 => {
                let n = self.len()?;
                let mut o = Vec::with_capacity(n);
                for _ in 0..n {
                    let k = self.str()?;
                    o.push((k, self.value()?));
                }
                Value::Object(o.into_iter().collect())
            }
            t => return Err(Self::damaged(&format!("unknown value tag {t}"))),
        };
        self.depth -= 1;
        Ok(v)
    }

    fn obj(&mut self) -> Result<ObjComp, MigrationError> {
        self.nest()?;
        let mut c = ObjComp::default();
        for _ in 0..self.len()? {
            let k = self.str()?;
            c.dropped.push((k, self.value()?));
        }
        for _ in 0..self.len()? {
            let k = self.str()?;
            c.kept.push((k, self.comp()?));
        }
        for _ in 0..self.len()? {
            let k = self.str()?;
            c.hoisted.push((k, self.obj()?));
        }
        self.depth -= 1;
        Ok(c)
    }

    fn comp(&mut self) -> Result<Comp, MigrationError> {
        self.nest()?;
        let c = match self.byte()? {
            0 => Comp::Empty,
            1 => Comp::Object(Box::new(self.obj()?)),
            2 => {
                let n = self.len()?;
                let mut a = Vec::with_capacity(n);
                for _ in 0..n {
                    a.push(self.comp()?);
                }
                Comp::Array(a)
            }
            3 => Comp::Replaced(self.value()?),
            t => return Err(Self::damaged(&format!("unknown complement tag {t}"))),
        };
        self.depth -= 1;
        Ok(c)
    }
}
