//! The lowering cache on disk: what reading and lowering each migration file produced, kept
//! between runs so that a file whose text has not changed is not parsed again (reading and
//! lowering are half of what `mrt check` does on a chain of a thousand revisions).
//!
//! One file, `lowered`, in a cache directory (`.mrt_cache` by default, with a `.gitignore` and a
//! `CACHEDIR.TAG` so that neither git nor backup tools keep it); beside it, `findings`, what the
//! rules found in each revision, keyed by a hash chained through the revisions before it. An
//! entry is reused only when everything its lowering read is what it was: the file's text (its
//! length and a 64-bit hash), the Django app label it was lowered under, and the sibling files it
//! looked at (a SQL up file's down file). The file is keyed by the build that wrote it, so a new or
//! rebuilt `mrt` starts afresh. A cache that cannot be read is ignored, and one that cannot be
//! written only costs the next run its speed: neither is an error.
//!
//! A file is known to hold the text it held without being opened when its `FileStamp` (length,
//! modification and change times, inode) is the one stored with its text: the entry keeps the
//! text, so the file is looked at (one `statx`) instead of read (open, read, close; on a
//! thousand files, more time in the kernel than the rest of the load). As git's index does, a
//! stamp is stored only once the file has been left alone for a while (`SETTLED`): a file
//! changed again within its timestamps' granularity could otherwise keep its stamp. Any write
//! sets the change time, which no program can set back, so a stamp that matches is a file
//! not written since.
//!
//! Layout: a header (the build's key, the number of entries), then per file an `EntryHead`
//! followed by its text when it is stamped (`text_len` bytes) and `blob_len` bytes, the lowered
//! `Option<Migration>`, all in postcard. Blobs are decoded only for files whose entry still holds,
//! on the thread that reads the file, and copied as they are into the next cache.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::hash::Hasher;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ir::Migration;

pub(crate) mod findings;

/// Part of the header's key, besides the build: bumped when the layout below changes.
const LAYOUT: u32 = 2;

/// How long after its last change a file's stamp is stored: longer than the coarsest timestamps
/// of common filesystems (FAT's two seconds; Linux's are a clock tick).
const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

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
    /// `build` must change whenever lowering or a rule may (the `mrt` command gives its version
    /// and its executable's size and modification time).
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

/// Where an entry's stored text and blob are in the cache file.
#[derive(Debug, Clone)]
struct Spans {
    text: Range<usize>,
    blob: Range<usize>,
}

/// The entries of a cache file by path, each with where its text and blob are; `None` unless
/// the file is of the build with `key` and whole.
fn index(bytes: &[u8], key: &str) -> Option<HashMap<OsString, (EntryHead, Spans)>> {
    let (header, mut rest) = postcard::take_from_bytes::<Header>(bytes).ok()?;
    if header.key != key {
        return None;
    }
    let count = usize::try_from(header.entries).ok()?;
    // The count is only a hint until the entries are read: a damaged one asks for little.
    let mut entries = HashMap::with_capacity(count.min(rest.len() / 8));
    while !rest.is_empty() {
        let (mut head, after) = postcard::take_from_bytes::<EntryHead>(rest).ok()?;
        let text_len = if head.stamp.is_some() {
            usize::try_from(head.text_len).ok()?
        } else {
            0
        };
        let blob_len = usize::try_from(head.blob_len).ok()?;
        let text_start = bytes.len() - after.len();
        let blob_start = text_start.checked_add(text_len)?;
        let end = blob_start.checked_add(blob_len)?;
        rest = bytes.get(end..)?;
        let spans = Spans {
            text: text_start..blob_start,
            blob: blob_start..end,
        };
        entries.insert(
            std::mem::take(&mut head.path).into_os_string(),
            (head, spans),
        );
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

/// What the file system says of a file that changes whenever its content does: its length, when
/// it was modified and changed (to the nanosecond), and which file it is (a file renamed over it
/// is another).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct FileStamp {
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
    inode: u64,
    device: u64,
}

impl FileStamp {
    /// The stamp of a file looked at `now`, when it has been left alone for [`SETTLED`]: a stamp
    /// taken sooner may be the one of a later change within the same timestamp. `None` also where
    /// the platform says less than Unix does.
    pub(crate) fn settled(
        metadata: &std::fs::Metadata,
        now: std::time::SystemTime,
    ) -> Option<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            let stamp = Self {
                len: metadata.len(),
                modified: (metadata.mtime(), metadata.mtime_nsec()),
                changed: (metadata.ctime(), metadata.ctime_nsec()),
                inode: metadata.ino(),
                device: metadata.dev(),
            };
            let now = now.duration_since(std::time::UNIX_EPOCH).ok()?;
            let settled_before = i64::try_from(now.saturating_sub(SETTLED).as_secs()).ok()?;
            // Whole seconds before the settled moment: a time within its second is too recent.
            (stamp.modified.0 < settled_before && stamp.changed.0 < settled_before).then_some(stamp)
        }
        #[cfg(not(unix))]
        {
            let _ = (metadata, now);
            None
        }
    }
}

/// What one file's lowering read, and how long its stored text (when stamped) and blob are.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct EntryHead {
    path: PathBuf,
    text_len: u64,
    text_hash: u64,
    /// The file's stamp when its text was read, if it had settled; the text is then stored.
    stamp: Option<FileStamp>,
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
            && self.text_hash == text_hash(text)
            && self.context_holds(app_label, read_sibling)
    }

    /// Like [`EntryHead::holds`], for a file whose stamp is `stamp` now: unchanged, and the
    /// stored text its text, when this is the stamp stored.
    pub(crate) fn holds_by_stamp(
        &self,
        stamp: FileStamp,
        app_label: Option<&str>,
        read_sibling: &dyn Fn(&Path) -> Option<String>,
    ) -> bool {
        self.stamp == Some(stamp) && self.context_holds(app_label, read_sibling)
    }

    /// Whether what lowering read besides the file is as it was.
    fn context_holds(
        &self,
        app_label: Option<&str>,
        read_sibling: &dyn Fn(&Path) -> Option<String>,
    ) -> bool {
        self.app_label.as_deref() == app_label
            && self
                .siblings
                .iter()
                .all(|(path, hash)| read_sibling(path).map(|text| text_hash(&text)) == *hash)
    }
}

/// A stored entry: the file's path, what its lowering read, its stored text (empty when it has
/// no stamp) and its blob.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub(crate) path: &'a Path,
    pub(crate) head: &'a EntryHead,
    pub(crate) text: &'a [u8],
    pub(crate) blob: &'a [u8],
}

/// A file's entry in the next cache: the one read, still valid (the file known by its stamp and
/// not opened, or read and found unchanged); the one read, valid for a text read now whose stamp
/// it takes (with the text); or one made now (with the text when stamped).
#[derive(Debug)]
pub(crate) enum Kept<'a> {
    Unopened(Entry<'a>),
    Read(Entry<'a>),
    Restamped(Entry<'a>, FileStamp, String),
    Lowered(EntryHead, String, Vec<u8>),
}

impl<'a> Kept<'a> {
    /// A stored entry whose lowering holds for `text`, read now from a file stamped `stamp`.
    pub(crate) fn reread(entry: Entry<'a>, stamp: Option<FileStamp>, text: &str) -> Self {
        match stamp {
            Some(stamp) if entry.head.stamp != Some(stamp) => {
                Kept::Restamped(entry, stamp, text.to_owned())
            }
            _ => Kept::Read(entry),
        }
    }

    /// The entry of a file lowered now (its text stored when `stamp` is given), `None` when its
    /// lowering cannot be stored.
    pub(crate) fn lowered(
        path: &Path,
        text: &str,
        stamp: Option<FileStamp>,
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
            stamp,
            app_label: app_label.map(str::to_owned),
            siblings,
            blob_len: blob.len() as u64,
        };
        let stored_text = if stamp.is_some() {
            text.to_owned()
        } else {
            String::new()
        };
        Some(Kept::Lowered(head, stored_text, blob))
    }

    /// Whether the stored lowering was reused.
    pub(crate) fn is_reused(&self) -> bool {
        !matches!(self, Kept::Lowered(..))
    }

    /// Whether the file was known by its stamp, not opened.
    pub(crate) fn is_unopened(&self) -> bool {
        matches!(self, Kept::Unopened(..))
    }

    /// Whether the entry differs from the one stored.
    pub(crate) fn is_new(&self) -> bool {
        !matches!(self, Kept::Unopened(..) | Kept::Read(..))
    }

    /// The path of the file the entry is for.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Kept::Unopened(entry) | Kept::Read(entry) | Kept::Restamped(entry, ..) => entry.path,
            Kept::Lowered(head, ..) => &head.path,
        }
    }

    /// The entry as written: its head (with its path), stored text and blob.
    fn parts(&self) -> (std::borrow::Cow<'_, EntryHead>, &[u8], &[u8]) {
        use std::borrow::Cow;
        match self {
            // A head read back had its path taken for the index's key.
            Kept::Unopened(entry) | Kept::Read(entry) => (
                Cow::Owned(EntryHead {
                    path: entry.path.to_path_buf(),
                    ..entry.head.clone()
                }),
                entry.text,
                entry.blob,
            ),
            Kept::Restamped(entry, stamp, text) => (
                Cow::Owned(EntryHead {
                    path: entry.path.to_path_buf(),
                    stamp: Some(*stamp),
                    ..entry.head.clone()
                }),
                text.as_bytes(),
                entry.blob,
            ),
            Kept::Lowered(head, text, blob) => (Cow::Borrowed(head), text.as_bytes(), blob),
        }
    }
}

/// A cache file as read, with its entries by path. Paths are keys as the bytes discovery wrote
/// (hashing a `Path` walks its components; two spellings of one file are two entries, each
/// valid).
#[derive(Debug)]
pub(crate) struct Stored {
    file: PathBuf,
    bytes: Vec<u8>,
    entries: HashMap<OsString, (EntryHead, Spans)>,
}

impl Stored {
    /// The stored entry of a file.
    pub(crate) fn entry(&self, path: &Path) -> Option<Entry<'_>> {
        let (path, found) = self.entries.get_key_value(path.as_os_str())?;
        self.entry_of(path, found)
    }

    /// Every stored entry.
    pub(crate) fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.entries
            .iter()
            .filter_map(|(path, found)| self.entry_of(path, found))
    }

    fn entry_of<'a>(
        &'a self,
        path: &'a OsStr,
        (head, spans): &'a (EntryHead, Spans),
    ) -> Option<Entry<'a>> {
        Some(Entry {
            path: Path::new(path),
            head,
            text: self.bytes.get(spans.text.clone())?,
            blob: self.bytes.get(spans.blob.clone())?,
        })
    }

    /// Writes the next cache, the entries in order (see [`replace_file`]).
    pub(crate) fn write<'a>(
        &self,
        cache: &CacheDir,
        entries: impl Iterator<Item = &'a Kept<'a>> + Clone,
    ) -> std::io::Result<()> {
        let header = Header {
            key: cache.key.clone(),
            entries: entries.clone().count() as u64,
        };
        replace_file(cache, &self.file, |out| {
            postcard::to_io(&header, &mut *out).map_err(std::io::Error::other)?;
            for entry in entries {
                let (head, text, blob) = entry.parts();
                postcard::to_io(&*head, &mut *out).map_err(std::io::Error::other)?;
                out.write_all(text)?;
                out.write_all(blob)?;
            }
            Ok(())
        })
    }
}

/// How much of a cache file is written at once: a few dozen writes for the lowerings of 10,000
/// files.
const WRITE_BUFFER: usize = 256 * 1024;

/// Writes a file of this process's in `cache`'s directory (made if need be) with `write` and
/// renames it to `file`, so that a run reading `file` meanwhile sees the old file or the new one,
/// never part of one. Written as it is made (never whole in memory beside the file it replaces,
/// which the caller still holds).
fn replace_file(
    cache: &CacheDir,
    file: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    create_cache_dir(&cache.dir)?;
    let temporary = file.with_extension(format!("tmp-{}", std::process::id()));
    let written = std::fs::File::create(&temporary)
        .and_then(|opened| {
            let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, opened);
            write(&mut out)?;
            out.flush()
        })
        .and_then(|()| std::fs::rename(&temporary, file));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
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
