//! Where a JSON pointer's value is in a document's text, for errors:
//! `serde_json`'s values keep no positions, so the text is scanned again
//! (only when an error is reported) along the pointer.

/// The byte offset in `text` of what `pointer` names: the key of an
/// object member, the start of an array element, or the document (0).
/// `None` if the text does not hold it (or is not JSON there).
pub(super) fn locate(text: &str, pointer: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = skip_ws(bytes, 0);
    if pointer.is_empty() {
        return Some(at);
    }
    let mut found = at;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        match bytes.get(at)? {
            b'{' => {
                let (key_at, value_at) = member(text, at, &segment)?;
                found = key_at;
                at = value_at;
            }
            b'[' => {
                let index: usize = segment.parse().ok()?;
                at = element(bytes, at, index)?;
                found = at;
            }
            _ => return None,
        }
    }
    Some(found)
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The end of the string starting at `i` (its opening quote).
fn skip_string(bytes: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// The end of the value starting at `i`.
fn skip_value(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'"' => skip_string(bytes, i),
        open @ (b'{' | b'[') => {
            let close = if *open == b'{' { b'}' } else { b']' };
            let mut j = skip_ws(bytes, i + 1);
            if bytes.get(j) == Some(&close) {
                return Some(j + 1);
            }
            loop {
                if *open == b'{' {
                    j = skip_string(bytes, j)?;
                    j = skip_ws(bytes, j);
                    if bytes.get(j) != Some(&b':') {
                        return None;
                    }
                    j = skip_ws(bytes, j + 1);
                }
                j = skip_ws(bytes, skip_value(bytes, j)?);
                match bytes.get(j)? {
                    b',' => j = skip_ws(bytes, j + 1),
                    c if *c == close => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        _ => {
            let mut j = i;
            while bytes
                .get(j)
                .is_some_and(|b| !matches!(b, b',' | b']' | b'}') && !b.is_ascii_whitespace())
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// In the object starting at `i`: (offset of the key, offset of the
/// value) of its member `name` (the last, as `serde_json` keeps the last
/// of repeated keys).
fn member(text: &str, i: usize, name: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut j = skip_ws(bytes, i + 1);
    let mut found = None;
    while bytes.get(j) == Some(&b'"') {
        let key_end = skip_string(bytes, j)?;
        let key: String = serde_json::from_str(text.get(j..key_end)?).ok()?;
        let colon = skip_ws(bytes, key_end);
        if bytes.get(colon) != Some(&b':') {
            return found;
        }
        let value = skip_ws(bytes, colon + 1);
        if key == name {
            found = Some((j, value));
        }
        j = skip_ws(bytes, skip_value(bytes, value)?);
        match bytes.get(j) {
            Some(b',') => j = skip_ws(bytes, j + 1),
            _ => break,
        }
    }
    found
}

/// In the array starting at `i`: the offset of element `index`.
fn element(bytes: &[u8], i: usize, index: usize) -> Option<usize> {
    let mut j = skip_ws(bytes, i + 1);
    for _ in 0..index {
        j = skip_ws(bytes, skip_value(bytes, j)?);
        if bytes.get(j) != Some(&b',') {
            return None;
        }
        j = skip_ws(bytes, j + 1);
    }
    (bytes.get(j) != Some(&b']')).then_some(j)
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn finds_members_and_elements() {
        let text = r#"{"a": {"b~c": [1, {"x": 2}], "d/e": "s"}, "a2": "\"q\""}"#;
        assert_eq!(locate(text, ""), Some(0));
        assert_eq!(locate(text, "/a"), Some(1));
        assert_eq!(locate(text, "/a/b~0c"), Some(7));
        assert_eq!(locate(text, "/a/b~0c/1"), Some(18));
        assert_eq!(locate(text, "/a/b~0c/1/x"), Some(19));
        assert_eq!(locate(text, "/a/d~1e"), Some(29));
        assert_eq!(locate(text, "/a2"), Some(42));
        assert_eq!(locate(text, "/nope"), None);
        assert_eq!(locate(text, "/a/b~0c/5"), None);
        assert_eq!(locate("{\"a\": ", "/a"), None);
    }
}
