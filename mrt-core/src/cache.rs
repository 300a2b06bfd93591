//! The lowering cache on disk: what reading and lowering each migration file produced, kept
//! between runs so that a file whose text has not changed is not parsed again (reading and
//! lowering are half of what `mrt check` does on a chain of a thousand revisions).
//!
//! One file, `lowered`, in a cache directory (`.mrt_cache` by default, with a `.gitignore` and a
//! `CACHEDIR.TAG` so that neither git nor backup tools keep it). An entry is
//! reused only when everything its lowering read is what it was: the file's text (its length and
//! a 64-bit hash), the Django app label it was lowered under, and the sibling files it looked at
//! (a SQL up file's down file). The file is keyed by the build that wrote it, so a new or
//! rebuilt `mrt` starts afresh. A cache that cannot be read is ignored, and one that cannot be
//! written only costs the next run its speed: neither is an error.
//!
//! Layout: a header (the build's key, the number of entries), then per file an [`EntryHead`]
//! followed by `blob_len` bytes, the lowered `Option<Migration>`, all in postcard. Blobs are
//! decoded only for files whose entry still holds, on the thread that reads the file, and copied
//! as they are into the next cache.

use std::collections::HashMap;
use std::hash::Hasher;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ir::Migration;

/// Part of the header's key, besides the build: bumped when the layout below changes.
const LAYOUT: u32 = 1;

/// The largest cache file read: far more than any project's lowerings (100,000 dense revisions
/// take about 70 MB), so a larger file is not one this code wrote, and is not read into memory.
const LARGEST: u64 = 1 << 30;

/// A directory where lowered migrations are kept between runs, and the build they are valid for.
#[derive(Debug, Clone)]
pub struct CacheDir {
    dir: PathBuf,
    key: String,
}

impl CacheDir {
    /// A cache under `dir` (created when first written), valid for one build of the caller:
    /// `build` must change whenever lowering may (the `mrt` command gives its version and its
    /// executable's size and modification time).
    pub fn new(dir: impl Into<PathBuf>, build: &str) -> Self {
        Self {
            dir: dir.into(),
            key: format!(
                "mrt-core {} layout {LAYOUT} {build}",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads the cache and indexes its entries; an absent, unreadable, foreign or damaged file
    /// reads as empty.
    pub(crate) fn read(&self) -> Stored {
        let mut stored = self.empty();
        let fits = std::fs::metadata(&stored.file).is_ok_and(|meta| meta.len() <= LARGEST);
        if fits && let Ok(bytes) = std::fs::read(&stored.file) {
            stored.entries = index(&bytes, &self.key).unwrap_or_default();
            stored.bytes = bytes;
        }
        stored
    }

    /// No stored entries, to be written to this cache's file.
    pub(crate) fn empty(&self) -> Stored {
        Stored {
            file: self.dir.join("lowered"),
            bytes: Vec::new(),
            entries: HashMap::new(),
        }
    }
}

/// The entries of a cache file by path, each with where its blob is; `None` unless the file is
/// of the build with `key` and whole.
fn index(bytes: &[u8], key: &str) -> Option<HashMap<PathBuf, (EntryHead, Range<usize>)>> {
    let (header, mut rest) = postcard::take_from_bytes::<Header>(bytes).ok()?;
    if header.key != key {
        return None;
    }
    let count = usize::try_from(header.entries).ok()?;
    // The count is only a hint until the entries are read: a damaged one asks for little.
    let mut entries = HashMap::with_capacity(count.min(rest.len() / 8));
    while !rest.is_empty() {
        let (mut head, after) = postcard::take_from_bytes::<EntryHead>(rest).ok()?;
        let len = usize::try_from(head.blob_len).ok()?;
        let start = bytes.len() - after.len();
        rest = after.get(len..)?;
        entries.insert(std::mem::take(&mut head.path), (head, start..start + len));
    }
    (entries.len() == count).then_some(entries)
}

/// The 64-bit hash of a text the cache keys on (with its length).
pub(crate) fn text_hash(text: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(text.as_bytes());
    hasher.finish()
}

#[derive(Serialize, Deserialize)]
struct Header {
    key: String,
    entries: u64,
}

/// What one file's lowering read, and how long its blob is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct EntryHead {
    path: PathBuf,
    text_len: u64,
    text_hash: u64,
    app_label: Option<String>,
    /// The siblings lowering read, with the hash of what each held (`None`: absent).
    siblings: Vec<(PathBuf, Option<u64>)>,
    blob_len: u64,
}

impl EntryHead {
    /// Whether what lowering read is unchanged: the same text and label, and every sibling as it
    /// was (`read_sibling` reads one now).
    pub(crate) fn holds(
        &self,
        text: &str,
        app_label: Option<&str>,
        read_sibling: &dyn Fn(&Path) -> Option<String>,
    ) -> bool {
        self.text_len == text.len() as u64
            && self.app_label.as_deref() == app_label
            && self.text_hash == text_hash(text)
            && self
                .siblings
                .iter()
                .all(|(path, hash)| read_sibling(path).map(|text| text_hash(&text)) == *hash)
    }
}

/// A file's entry in the next cache: the one read, still valid (its path, head and blob), or one
/// made now.
#[derive(Debug)]
pub(crate) enum Kept<'a> {
    Read(&'a Path, &'a EntryHead, &'a [u8]),
    Lowered(EntryHead, Vec<u8>),
}

impl Kept<'_> {
    /// The entry of a file lowered now, `None` when its lowering cannot be stored.
    pub(crate) fn lowered(
        path: &Path,
        text: &str,
        app_label: Option<&str>,
        siblings: Vec<(PathBuf, Option<u64>)>,
        migration: Option<&Migration>,
    ) -> Option<Self> {
        // Paths are stored as text: a file or sibling whose path is not UTF-8 is lowered every run.
        if path.to_str().is_none() || siblings.iter().any(|(path, _)| path.to_str().is_none()) {
            return None;
        }
        let blob = postcard::to_stdvec(&migration).ok()?;
        let head = EntryHead {
            path: path.to_path_buf(),
            text_len: text.len() as u64,
            text_hash: text_hash(text),
            app_label: app_label.map(str::to_owned),
            siblings,
            blob_len: blob.len() as u64,
        };
        Some(Kept::Lowered(head, blob))
    }

    pub(crate) fn is_read(&self) -> bool {
        matches!(self, Kept::Read(..))
    }

    /// The path of the file the entry is for.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Kept::Read(path, ..) => path,
            Kept::Lowered(head, _) => &head.path,
        }
    }
}

/// A cache file as read, with its entries by path.
#[derive(Debug)]
pub(crate) struct Stored {
    file: PathBuf,
    bytes: Vec<u8>,
    entries: HashMap<PathBuf, (EntryHead, Range<usize>)>,
}

impl Stored {
    /// The stored entry of a file: what its lowering read, and its blob.
    pub(crate) fn entry(&self, path: &Path) -> Option<(&Path, &EntryHead, &[u8])> {
        let (path, (head, blob)) = self.entries.get_key_value(path)?;
        Some((path, head, self.bytes.get(blob.clone())?))
    }

    /// Every stored entry.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&Path, &EntryHead, &[u8])> {
        self.entries.keys().filter_map(|path| self.entry(path))
    }

    /// Writes the next cache, the entries in order. Written to a file of this process's and
    /// renamed into place, so that a run reading the cache meanwhile sees the old file or the new
    /// one, never part of one.
    pub(crate) fn write<'a>(
        &self,
        cache: &CacheDir,
        entries: impl Iterator<Item = &'a Kept<'a>> + Clone,
    ) -> std::io::Result<()> {
        let header = Header {
            key: cache.key.clone(),
            entries: entries.clone().count() as u64,
        };
        let mut bytes = postcard::to_stdvec(&header).map_err(std::io::Error::other)?;
        for entry in entries {
            let (head, blob) = match entry {
                // A head read back had its path taken for the index's key.
                Kept::Read(path, head, blob) => (
                    postcard::to_stdvec(&EntryHead {
                        path: path.to_path_buf(),
                        ..(*head).clone()
                    }),
                    *blob,
                ),
                Kept::Lowered(head, blob) => (postcard::to_stdvec(head), blob.as_slice()),
            };
            bytes.extend_from_slice(&head.map_err(std::io::Error::other)?);
            bytes.extend_from_slice(blob);
        }
        create_cache_dir(&cache.dir)?;
        let temporary = self
            .file
            .with_extension(format!("tmp-{}", std::process::id()));
        let written = std::fs::File::create(&temporary)
            .and_then(|mut file| file.write_all(&bytes))
            .and_then(|()| std::fs::rename(&temporary, &self.file));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }
}

/// Decodes a stored lowering (an error: damaged; the file is lowered again).
pub(crate) fn decode(blob: &[u8]) -> Result<Option<Migration>, postcard::Error> {
    postcard::from_bytes(blob)
}

/// Creates the cache directory with the files that keep it out of version control and backups,
/// as `.pytest_cache` and `.ruff_cache` are kept out.
fn create_cache_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(".gitignore"), "# Written by mrt.\n*\n")?;
    std::fs::write(
        dir.join("CACHEDIR.TAG"),
        "Signature: 8a477f597d28d172789f06886806bc55\n# This is mrt's cache directory: see https://bford.info/cachedir/\n",
    )
}
