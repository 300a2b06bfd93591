//! An ordered map from names whose copies share what neither changed.
//!
//! The replay copies the whole schema at each branch point (one copy per child) and joins the
//! parents' schemas at each merge. With plain maps both are walks over every object of the chain,
//! though the branches changed a handful of them: on a chain of thousands of tables they were the
//! largest part of the sequential walk. Here the entries are split, in key order, into chunks of
//! at most [`CHUNK`] entries, each behind an `Arc`: a copy shares every chunk, a change copies
//! only the chunk it lands in (when shared), and two copies compare chunk by chunk, skipping the
//! chunks they still share ([`ChunkMap::beside`]).

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// Entries a chunk holds before it is split in two: few enough that copying a chunk on the first
/// change after a branch point costs little, many enough that a schema of thousands of objects
/// is a few dozen chunks to copy or compare.
const CHUNK: usize = 64;

/// A map from `String` keys, in key order, whose clones share storage (see the module docs).
#[derive(Clone)]
pub(crate) struct ChunkMap<V> {
    /// In key order, none empty: chunk `i + 1` holds keys from `bounds[i]` up to `bounds[i + 1]`,
    /// the first chunk every key below `bounds[0]`.
    chunks: Vec<Arc<Chunk<V>>>,
    /// The least key of each chunk after the first (set where it was split off), searched for a
    /// key's chunk: one contiguous list rather than a look at each chunk's first key.
    /// Shared by copies until a split or an emptied chunk changes it; `None` while there is
    /// at most one chunk (most maps: an empty one is made for every revision's part).
    bounds: Option<Arc<Vec<Key>>>,
}

/// A key with its first eight bytes beside it, as a number that orders as they do: most steps of
/// a search compare the numbers and never follow the pointer to the text (on a chain of ten
/// thousand revisions, following it to each compared name was a cache miss a step).
#[derive(Clone, PartialEq, Eq)]
struct Key {
    prefix: u64,
    text: String,
}

/// The first eight bytes of `text` (zeros past its end), big-endian: when two prefixes differ,
/// they order as the texts do (a text that ends within them is a prefix of the other, or differs
/// before its end); when they are equal, the texts decide.
fn prefix_of(text: &str) -> u64 {
    let bytes = text.as_bytes();
    if let Some(first) = bytes.first_chunk::<8>() {
        return u64::from_be_bytes(*first);
    }
    // Shifted in rather than copied to a buffer, which compiles to a call to `memcpy`.
    bytes
        .iter()
        .zip((0..8).rev())
        .fold(0, |word, (&byte, place)| {
            word | u64::from(byte) << (8 * place)
        })
}

impl Key {
    fn new(text: String) -> Self {
        Self {
            prefix: prefix_of(&text),
            text,
        }
    }

    /// How this key orders against the key with `text` (and its `prefix`): as `str` orders.
    fn cmp_with(&self, prefix: u64, text: &str) -> Ordering {
        self.prefix
            .cmp(&prefix)
            .then_with(|| self.text.as_str().cmp(text))
    }
}

/// The entries of one chunk, sorted by key: a binary search finds a key in as few comparisons as
/// the chunk's size allows (a `BTreeMap` of this size searched each node's keys one by one), and
/// a copy is one allocation for the entries rather than one a tree node.
struct Chunk<V>(Vec<(Key, V)>);

/// A chunk is copied only to be written to (`Arc::make_mut`), most often by an insert: the copy
/// has room for one more entry, so that insert does not reallocate and move what was just copied.
impl<V: Clone> Clone for Chunk<V> {
    fn clone(&self) -> Self {
        let mut entries = Vec::with_capacity(self.0.len() + 1);
        entries.extend_from_slice(&self.0);
        Self(entries)
    }
}

impl<V> Default for Chunk<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V> Chunk<V> {
    /// Where the key with `text` (and its `prefix`) is, or where it would go.
    fn find(&self, prefix: u64, text: &str) -> Result<usize, usize> {
        self.0
            .binary_search_by(|(probe, _)| probe.cmp_with(prefix, text))
    }

    fn get(&self, prefix: u64, text: &str) -> Option<&V> {
        self.find(prefix, text).ok().map(|at| &self.0[at].1)
    }

    fn first_key(&self) -> Option<&Key> {
        self.0.first().map(|(key, _)| key)
    }

    fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(key, value)| (&key.text, value))
    }
}

impl<V> Default for ChunkMap<V> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            bounds: None,
        }
    }
}

impl<V: Clone> ChunkMap<V> {
    /// The chunk that holds the key with `text` (and its `prefix`), or would.
    fn chunk_of(&self, prefix: u64, text: &str) -> usize {
        // Most maps (the part of the schema one revision touches) have a single chunk.
        self.bounds.as_ref().map_or(0, |bounds| {
            bounds.partition_point(|bound| bound.cmp_with(prefix, text).is_le())
        })
    }

    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        let prefix = prefix_of(key);
        self.chunks
            .get(self.chunk_of(prefix, key))?
            .get(prefix, key)
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The value of `key`, to change: its chunk is copied first if another map shares it.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let prefix = prefix_of(key);
        let at = self.chunk_of(prefix, key);
        let chunk = self.chunks.get_mut(at)?;
        // Not copied for nothing.
        let found = chunk.find(prefix, key).ok()?;
        Some(&mut Arc::make_mut(chunk).0[found].1)
    }

    /// The chunk `key` goes in, split first if it is full and `key` is new to it.
    fn chunk_for_insert(&mut self, key: &Key) -> usize {
        if self.chunks.is_empty() {
            self.chunks.push(Arc::default());
            return 0;
        }
        let mut at = self.chunk_of(key.prefix, &key.text);
        if self.chunks[at].0.len() >= CHUNK && self.chunks[at].find(key.prefix, &key.text).is_err()
        {
            let chunk = Arc::make_mut(&mut self.chunks[at]);
            let upper = chunk.0.split_off(chunk.0.len() / 2);
            let middle = upper[0].0.clone();
            let goes_up = middle.cmp_with(key.prefix, &key.text).is_le();
            self.chunks.insert(at + 1, Arc::new(Chunk(upper)));
            Arc::make_mut(self.bounds.get_or_insert_default()).insert(at, middle);
            if goes_up {
                at += 1;
            }
        }
        at
    }

    pub(crate) fn insert(&mut self, key: String, value: V) -> Option<V> {
        let key = Key::new(key);
        let at = self.chunk_for_insert(&key);
        let chunk = Arc::make_mut(&mut self.chunks[at]);
        match chunk.find(key.prefix, &key.text) {
            Ok(found) => Some(std::mem::replace(&mut chunk.0[found].1, value)),
            Err(place) => {
                chunk.0.insert(place, (key, value));
                None
            }
        }
    }

    /// The value of `key`, `make`'s if it had none.
    pub(crate) fn get_or_insert_with(&mut self, key: String, make: impl FnOnce() -> V) -> &mut V {
        let key = Key::new(key);
        let at = self.chunk_for_insert(&key);
        let chunk = Arc::make_mut(&mut self.chunks[at]);
        let found = chunk.find(key.prefix, &key.text).unwrap_or_else(|place| {
            chunk.0.insert(place, (key, make()));
            place
        });
        &mut chunk.0[found].1
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        let prefix = prefix_of(key);
        let at = self.chunk_of(prefix, key);
        let chunk = self.chunks.get_mut(at)?;
        let found = chunk.find(prefix, key).ok()?;
        let chunk = Arc::make_mut(chunk);
        let (_, removed) = chunk.0.remove(found);
        if chunk.0.is_empty() {
            self.chunks.remove(at);
            // The chunk before takes over its keys (or, for the first, the chunk after takes
            // every key below it).
            if let Some(bounds) = &mut self.bounds {
                let bounds = Arc::make_mut(bounds);
                bounds.remove(at.saturating_sub(1));
                if bounds.is_empty() {
                    self.bounds = None;
                }
            }
        }
        Some(removed)
    }

    /// Every value, to change: every chunk another map shares is copied.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.chunks
            .iter_mut()
            .flat_map(|chunk| Arc::make_mut(chunk).0.iter_mut().map(|(_, value)| value))
    }

    /// `other`'s entries, each with this map's value for its key, except those of the chunks this
    /// map shares with `other` (equal, and in this map, by construction): what a merge has to
    /// look at.
    pub(crate) fn beside<'a, 'b>(
        &'a self,
        other: &'b Self,
    ) -> impl Iterator<Item = (&'b String, &'b V, Option<&'a V>)> {
        other
            .chunks
            .iter()
            .filter(|chunk| !self.shares(chunk))
            .flat_map(move |chunk| {
                chunk
                    .iter()
                    .map(move |(key, value)| (key, value, self.get(key)))
            })
    }

    /// Whether `chunk` is one of this map's chunks (the same storage).
    fn shares(&self, chunk: &Arc<Chunk<V>>) -> bool {
        chunk.first_key().is_some_and(|first| {
            self.chunks
                .get(self.chunk_of(first.prefix, &first.text))
                .is_some_and(|mine| Arc::ptr_eq(mine, chunk))
        })
    }
}

impl<V> ChunkMap<V> {
    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.chunks.iter().map(|chunk| chunk.0.len()).sum()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.chunks.iter().flat_map(|chunk| chunk.iter())
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &String> {
        self.chunks
            .iter()
            .flat_map(|chunk| chunk.0.iter().map(|(key, _)| &key.text))
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.chunks
            .iter()
            .flat_map(|chunk| chunk.0.iter().map(|(_, value)| value))
    }
}

/// Equal when they hold the same entries, however chunked.
impl<V: PartialEq> PartialEq for ChunkMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<V: fmt::Debug> fmt::Debug for ChunkMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Short names, told apart by their first eight bytes, and long ones that share them.
    fn name(n: usize) -> String {
        if n.is_multiple_of(2) {
            format!("t{n:05}")
        } else {
            format!("ix_long_{n:05}")
        }
    }

    /// Every chunk holds keys within its bounds, and there is one bound between each two chunks.
    fn assert_bounded<V>(map: &ChunkMap<V>) {
        let bounds = map.bounds.as_deref().map_or(&[][..], Vec::as_slice);
        assert_eq!(bounds.len(), map.chunks.len().saturating_sub(1));
        assert!(map.bounds.as_ref().is_none_or(|bounds| !bounds.is_empty()));
        for (at, chunk) in map.chunks.iter().enumerate() {
            assert!(!chunk.0.is_empty());
            assert!(chunk.0.is_sorted_by(|(a, _), (b, _)| a.text < b.text));
            for (key, _) in &chunk.0 {
                assert_eq!(key.prefix, prefix_of(&key.text));
                assert!(at == 0 || key.text >= bounds[at - 1].text);
                assert!(bounds.get(at).is_none_or(|bound| key.text < bound.text));
            }
        }
    }

    #[test]
    fn keys_order_as_their_texts_do() {
        let keys = [
            "",
            "a",
            "A",
            "ab",
            "abcdefg",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefgha",
            "abcdefghab",
            "abcdefgi",
            "abcdefghabcdefgh",
            "abcdefghabcdefgz",
            "t500_0",
            "t500_10",
            "t5000_0",
            "zz",
            "é",
            "éa",
            "\u{10ffff}",
        ];
        for a in keys {
            for b in keys {
                let key = Key::new(a.to_owned());
                assert_eq!(key.cmp_with(prefix_of(b), b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn behaves_as_an_ordered_map_across_splits() {
        let mut map = ChunkMap::default();
        let mut model = BTreeMap::new();
        // Inserted out of order, so that chunks split in the middle and at either end.
        for n in (0..1000).map(|n| (n * 7919) % 1000) {
            assert_eq!(map.insert(name(n), n), model.insert(name(n), n));
        }
        assert!(map.chunks.len() > 1000 / CHUNK);
        assert_bounded(&map);
        assert!(map.iter().eq(model.iter()));
        for n in (0..1000).step_by(3) {
            assert_eq!(map.remove(&name(n)), model.remove(&name(n)));
            assert_eq!(map.remove(&name(n)), None);
        }
        assert_bounded(&map);
        *map.get_or_insert_with(name(1), || 0) += 10;
        *model.get_mut(&name(1)).unwrap_or(&mut 0) += 10;
        assert_eq!(*map.get_or_insert_with(name(5000), || 5), 5);
        model.insert(name(5000), 5);
        assert!(map.iter().eq(model.iter()));
        assert!(map.keys().eq(model.keys()));
        for n in 0..1000 {
            assert_eq!(map.get(&name(n)), model.get(&name(n)));
        }
        // Emptied from the front, so that first chunks go as well as later ones.
        for n in (0..1000).filter(|n| n % 3 != 0) {
            assert_eq!(map.remove(&name(n)), model.remove(&name(n)));
            if n % 97 == 0 {
                assert_bounded(&map);
                assert!(map.keys().eq(model.keys()));
            }
        }
        map.remove(&name(5000));
        assert!(map.chunks.is_empty());
        assert_eq!(map.get("t"), None);
    }

    #[test]
    fn copies_share_chunks_until_changed() {
        let mut base = ChunkMap::default();
        for n in 0..500 {
            base.insert(name(n), n);
        }
        let mut left = base.clone();
        let mut right = base;
        *left.get_mut(&name(10)).unwrap_or(&mut 0) = 1;
        right.insert(name(9999), 0);
        // Only the two chunks either side changed are compared, not the 500 entries.
        let seen: Vec<_> = right.beside(&left).map(|(key, _, _)| key.clone()).collect();
        assert!(
            seen.contains(&name(10)) && seen.len() <= 2 * CHUNK,
            "{seen:?}"
        );
        let seen: Vec<_> = left.beside(&right).map(|(key, _, _)| key.clone()).collect();
        assert!(
            seen.contains(&name(9999)) && seen.len() <= 2 * CHUNK,
            "{seen:?}"
        );
        assert_ne!(left, right);
        right.remove(&name(9999));
        *right.get_mut(&name(10)).unwrap_or(&mut 0) = 1;
        assert_eq!(left, right);
    }
}
