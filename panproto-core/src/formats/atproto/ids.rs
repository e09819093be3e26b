//! Vertex ids and the names they are made of: NSIDs, def names, and refs
//! as written (`#name`, `nsid`, `nsid#name`) to and from def ids.

/// Whether `s` is a valid NSID (the Lexicon spec's syntax: at least three
/// `.`-separated segments; the domain authority's of letters, digits and
/// hyphens, the first not starting with a digit; the name of letters and
/// digits, not starting with a digit).
pub(super) fn is_nsid(s: &str) -> bool {
    if s.len() > 317 || !s.is_ascii() {
        return false;
    }
    let Some((authority, name)) = s.rsplit_once('.') else {
        return false;
    };
    let segments: Vec<&str> = authority.split('.').collect();
    if segments.len() < 2 || authority.len() > 253 {
        return false;
    }
    let authority_ok = segments.iter().enumerate().all(|(i, seg)| {
        !seg.is_empty()
            && seg.len() <= 63
            && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !seg.starts_with('-')
            && !seg.ends_with('-')
            && (i > 0 || !seg.starts_with(|c: char| c.is_ascii_digit()))
    });
    authority_ok
        && !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_alphanumeric())
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether `name` may name a def, a property or an error: not empty, and
/// free of the characters vertex ids are joined with (`.`, `:`, `#`).
pub(super) fn is_member_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['.', ':', '#'])
}

/// The vertex id of def `name` of lexicon `nsid`: the NSID for `main`,
/// `nsid#name` otherwise (as refs write them).
pub(super) fn def_id(nsid: &str, name: &str) -> String {
    if name == "main" {
        nsid.to_owned()
    } else {
        let mut id = String::with_capacity(nsid.len() + 1 + name.len());
        id.push_str(nsid);
        id.push('#');
        id.push_str(name);
        id
    }
}

/// The id of a member `segment` of the vertex `parent`: `parent:segment`
/// below a def (whose id may be a bare NSID, itself dotted), else
/// `parent.segment`.
pub(super) fn member_id(parent: &str, parent_is_def: bool, segment: &str) -> String {
    let mut id = String::with_capacity(parent.len() + 1 + segment.len());
    id.push_str(parent);
    id.push(if parent_is_def { ':' } else { '.' });
    id.push_str(segment);
    id
}

/// A ref as written, read in lexicon `current`: the NSID and def name it
/// names, or `None` if it is not a well-formed ref.
pub(super) fn split_ref<'r>(written: &'r str, current: &'r str) -> Option<(&'r str, &'r str)> {
    let (nsid, name) = match written.split_once('#') {
        Some(("", name)) => (current, name),
        Some((nsid, name)) => (nsid, name),
        None => (written, "main"),
    };
    (is_member_name(name) && (nsid == current || is_nsid(nsid))).then_some((nsid, name))
}

/// How a ref to def vertex `target` is written in lexicon `current`:
/// `#name` within the lexicon, `nsid` for another lexicon's `main`,
/// `nsid#name` otherwise.
pub(super) fn write_ref(target: &str, current: &str) -> String {
    let (nsid, name) = target.split_once('#').unwrap_or((target, "main"));
    if nsid == current {
        format!("#{name}")
    } else {
        target.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nsids() {
        assert!(is_nsid("app.bsky.feed.post"));
        assert!(is_nsid("com.example.fooBar"));
        assert!(is_nsid("a-0.b.c"));
        assert!(!is_nsid("app.bsky"));
        assert!(!is_nsid("app.bsky.feed.po-st"));
        assert!(!is_nsid("1app.bsky.feed"));
        assert!(!is_nsid("app..feed"));
        assert!(!is_nsid("app.bsky.feed.post#main"));
    }

    #[test]
    fn refs_both_ways() {
        let cur = "app.bsky.feed.post";
        assert_eq!(split_ref("#replyRef", cur), Some((cur, "replyRef")));
        assert_eq!(split_ref("#main", cur), Some((cur, "main")));
        assert_eq!(
            split_ref("com.atproto.repo.strongRef", cur),
            Some(("com.atproto.repo.strongRef", "main"))
        );
        assert_eq!(split_ref("a.b.c#d", cur), Some(("a.b.c", "d")));
        assert_eq!(split_ref("nope", cur), None);
        assert_eq!(split_ref("#", cur), None);
        assert_eq!(write_ref("app.bsky.feed.post#replyRef", cur), "#replyRef");
        assert_eq!(write_ref("app.bsky.feed.post", cur), "#main");
        assert_eq!(write_ref("a.b.c#d", cur), "a.b.c#d");
        assert_eq!(def_id(cur, "main"), cur);
        assert_eq!(member_id(cur, true, "record"), "app.bsky.feed.post:record");
        assert_eq!(member_id("x:record", false, "text"), "x:record.text");
    }
}
