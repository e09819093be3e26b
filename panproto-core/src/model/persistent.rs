//! A persistent (immutable, structurally shared) list, the storage of the
//! fluent builders: appending returns a new list in O(1) and leaves the old
//! one intact, so a Python user can branch a builder at any point.

use std::sync::Arc;

struct Node<T> {
    item: T,
    prev: Option<Arc<Node<T>>>,
    len: usize,
}

/// An append-only list shared between versions.
pub(crate) struct List<T> {
    head: Option<Arc<Node<T>>>,
}

impl<T> Clone for List<T> {
    fn clone(&self) -> Self {
        Self {
            head: self.head.clone(),
        }
    }
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self { head: None }
    }
}

impl<T> Drop for List<T> {
    // The default recursive drop of a long list would overflow the stack;
    // unlink nodes one at a time while we hold the only reference.
    fn drop(&mut self) {
        let mut next = self.head.take();
        while let Some(node) = next {
            match Arc::try_unwrap(node) {
                Ok(mut owned) => next = owned.prev.take(),
                Err(_) => break,
            }
        }
    }
}

impl<T> List<T> {
    /// A new list: this one with `item` appended.
    pub(crate) fn push(&self, item: T) -> Self {
        let len = self.len() + 1;
        Self {
            head: Some(Arc::new(Node {
                item,
                prev: self.head.clone(),
                len,
            })),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.head.as_ref().map_or(0, |n| n.len)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// The items, oldest first, moved out of the nodes this list alone
    /// holds and cloned from those shared with another list (a builder
    /// branched earlier keeps its part intact).
    pub(crate) fn into_vec(mut self) -> Vec<T>
    where
        T: Clone,
    {
        let mut out = Vec::with_capacity(self.len());
        let mut next = self.head.take();
        while let Some(node) = next {
            match Arc::try_unwrap(node) {
                Ok(mut owned) => {
                    next = owned.prev.take();
                    out.push(owned.item);
                }
                Err(shared) => {
                    let rest = Self { head: Some(shared) };
                    out.extend(rest.to_vec().into_iter().rev().cloned());
                    break;
                }
            }
        }
        out.reverse();
        out
    }

    /// The items, oldest first.
    pub(crate) fn to_vec(&self) -> Vec<&T> {
        let mut out = Vec::with_capacity(self.len());
        let mut node = self.head.as_deref();
        while let Some(n) = node {
            out.push(&n.item);
            node = n.prev.as_deref();
        }
        out.reverse();
        out
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for List<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}
