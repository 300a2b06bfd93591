//! The findings cache: what the rules found in each revision read against the replayed schema,
//! with the fixes written for it, kept between runs in the cache directory's `findings` file.
//! Replaying the chain and judging every revision is most of what `mrt check` does once the
//! lowering cache has spared it the parsing; a run over a chain that has not changed reads the
//! findings back instead.
//!
//! What the rules find in a revision depends on the revision itself and on the schema before it,
//! which the revisions it descends from make: an entry is keyed by a chained hash ([`chain_keys`])
//! of the revision (its path, text and lowering, as linked into the project) and of its parents'
//! keys, salted with everything else the replay and the rules read (the settings, the rules
//! selected, whether and how fixes are written). A change to a revision changes its key and the
//! key of every revision after it, and of nothing before it. The file itself is keyed by the
//! build, as the lowering cache is, so a new or rebuilt `mrt` (other rules) starts afresh.
//!
//! Findings are reused only when every revision to be judged has its entry (the replay that one
//! changed revision needs walks the whole chain before it anyway); the run that judges them
//! writes its entries (encoding only those it did not find). An entry that none of the last
//! [`KEPT_WRITES`] writes used (a run that only reads writes nothing) is dropped, so that the
//! file follows the chain as it is edited and still keeps what runs with other settings (another
//! configuration's group of paths) wrote.
//!
//! Layout: a header (the build's key, this write's number, the number of entries), then per
//! entry an [`EntryHead`] and `len` bytes, the revision's findings in postcard.

use std::collections::HashMap;
use std::hash::Hasher;
use std::ops::Range;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{CacheDir, LARGEST, replace_file};
use crate::fix::{Applicability, Edit, Fix};
use crate::project::Project;
use crate::rule::{Finding, Rule};
use ruff_text_size::{TextRange, TextSize};

/// Part of the header's key, besides the build: bumped when the layout below changes.
const LAYOUT: u32 = 1;

/// How many writes an entry outlives without being used.
const KEPT_WRITES: u64 = 16;

/// A rule's finding in one revision, with its fix: what the linter keeps of it once the fix is
/// written (the remedy the fix was written from is not needed again).
pub(crate) type Found = (&'static dyn Rule, Finding, Option<Box<Fix>>);

/// The chained key of each migration (same indices as [`Project::migrations`]), `None` for files
/// that are not revisions; all `None` when the graph has a cycle (nothing is replayed then) or a
/// lowering cannot be written down. `salt` stands for what besides the chain the findings depend
/// on.
pub(crate) fn chain_keys(project: &Project, salt: u64) -> Vec<Option<u64>> {
    let mut keys = vec![None; project.migrations.len()];
    let graph = &project.graph;
    let Some(order) = graph.topological_order() else {
        return keys;
    };
    let own: Option<Vec<u64>> = (0..graph.len_positions())
        .into_par_iter()
        .map(|position| fingerprint(&project.migrations[project.graph_position(position)]))
        .collect();
    let Some(own) = own else {
        return keys;
    };
    let mut chained = vec![0_u64; graph.len_positions()];
    for position in order {
        let mut hasher = std::hash::DefaultHasher::new();
        hasher.write_u64(salt);
        hasher.write_u64(own[position]);
        // In the graph's order: the replay unites the parents' schemas in it.
        for parent in graph.parents(position) {
            hasher.write_u64(chained[parent]);
        }
        chained[position] = hasher.finish();
        keys[project.graph_position(position)] = Some(chained[position]);
    }
    keys
}

/// A migration's own part of its key: its path, its text (rules and fixes read it) and its
/// lowering as linked into the project (a Django operation read against the model state, a SQL
/// version named after its directory): all the rules read of the file. The lowering is hashed as
/// the cache writes it, without being written out.
fn fingerprint(migration: &crate::ir::Migration) -> Option<u64> {
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(migration.path().as_os_str().as_encoded_bytes());
    hasher.write_u8(0xff);
    hasher.write(migration.source.text.as_bytes());
    hasher.write_u8(0xff);
    postcard::serialize_with_flavor(migration, Hashing::new(hasher)).ok()
}

/// A postcard output that hashes what it is given, a block at a time: the bytes of a lowering
/// are never written out.
struct Hashing {
    hasher: std::hash::DefaultHasher,
    block: [u8; 256],
    len: usize,
}

impl Hashing {
    fn new(hasher: std::hash::DefaultHasher) -> Self {
        Self {
            hasher,
            block: [0; 256],
            len: 0,
        }
    }

    fn flush(&mut self) {
        self.hasher.write(&self.block[..self.len]);
        self.len = 0;
    }
}

impl postcard::ser_flavors::Flavor for Hashing {
    type Output = u64;

    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        if self.len == self.block.len() {
            self.flush();
        }
        self.block[self.len] = byte;
        self.len += 1;
        Ok(())
    }

    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        if bytes.len() > self.block.len() - self.len {
            self.flush();
            if bytes.len() >= self.block.len() {
                self.hasher.write(bytes);
                return Ok(());
            }
        }
        self.block[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
        Ok(())
    }

    fn finalize(mut self) -> postcard::Result<u64> {
        self.flush();
        Ok(self.hasher.finish())
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    key: String,
    write: u64,
    /// The help texts the rules give as they are (not written for the finding), which findings
    /// refer to by their hash: 17 texts make nine tenths of the help of a dense chain's findings.
    shared_help: Vec<String>,
    entries: u64,
}

/// One entry: its key, the last write that used it, and how long its findings are.
#[derive(Serialize, Deserialize)]
struct EntryHead {
    key: u64,
    used: u64,
    len: u64,
}

/// A finding as stored: the rule by its place among the linter's rules (the salt keys on them in
/// order), the rest as the finding and its fix hold it.
#[derive(Serialize, Deserialize)]
struct StoredFinding {
    rule: u32,
    range: (u32, u32),
    message: String,
    help: StoredHelp,
    operation: Option<(u32, u32)>,
    fix: Option<StoredFix>,
}

/// A finding's help as stored.
#[derive(Serialize, Deserialize)]
enum StoredHelp {
    None,
    /// A text the rule gives as it is, in the header's table under this hash.
    Shared(u64),
    /// A text written for the finding.
    Own(String),
}

#[derive(Serialize, Deserialize)]
struct StoredFix {
    title: String,
    applicability: u8,
    edits: Vec<((u32, u32), String)>,
}

/// Entries by key: the last write that used each, and where its findings are in the file.
type Entries = HashMap<u64, (u64, Range<usize>)>;

/// A findings file as read, with its entries by key.
#[derive(Debug)]
pub(crate) struct StoredFindings {
    file: PathBuf,
    bytes: Vec<u8>,
    /// The number of the write that made the file.
    write: u64,
    /// The header's table of shared help texts by hash.
    shared_help: HashMap<u64, &'static str>,
    entries: Entries,
}

impl CacheDir {
    /// Reads the findings file and indexes its entries; an absent, unreadable, foreign or damaged
    /// file reads as empty.
    pub(crate) fn read_findings(&self) -> StoredFindings {
        let mut stored = StoredFindings {
            file: self.dir.join("findings"),
            bytes: Vec::new(),
            write: 0,
            shared_help: HashMap::new(),
            entries: HashMap::new(),
        };
        let key = self.findings_key();
        let fits = std::fs::metadata(&stored.file).is_ok_and(|meta| meta.len() <= LARGEST);
        if fits
            && let Ok(bytes) = std::fs::read(&stored.file)
            && let Some((header, entries)) = index(&bytes, &key)
        {
            stored.write = header.write;
            stored.shared_help = header
                .shared_help
                .iter()
                .map(|text| (super::text_hash(text), interned(text)))
                .collect();
            stored.entries = entries;
            stored.bytes = bytes;
        }
        stored
    }

    fn findings_key(&self) -> String {
        format!("{} findings {LAYOUT}", self.key)
    }
}

/// The header and the entries of a findings file by key; `None` unless the file is of the build
/// with `key` and whole.
fn index(bytes: &[u8], key: &str) -> Option<(Header, Entries)> {
    let (header, mut rest) = postcard::take_from_bytes::<Header>(bytes).ok()?;
    if header.key != key {
        return None;
    }
    let count = usize::try_from(header.entries).ok()?;
    let mut entries = HashMap::with_capacity(count.min(rest.len() / 4));
    while !rest.is_empty() {
        let (head, after) = postcard::take_from_bytes::<EntryHead>(rest).ok()?;
        let start = bytes.len() - after.len();
        let end = start.checked_add(usize::try_from(head.len).ok()?)?;
        rest = bytes.get(end..)?;
        entries.insert(head.key, (head.used, start..end));
    }
    (entries.len() == count).then_some((header, entries))
}

impl StoredFindings {
    /// Whether there is an entry under `key`.
    pub(crate) fn has(&self, key: u64) -> bool {
        self.entries.contains_key(&key)
    }

    /// The findings stored under `key`, each rule taken back from `rules`; `None` when there is
    /// no such entry or it does not read back.
    pub(crate) fn findings(&self, key: u64, rules: &[&'static dyn Rule]) -> Option<Vec<Found>> {
        let (_, span) = self.entries.get(&key)?;
        let stored: Vec<StoredFinding> =
            postcard::from_bytes(self.bytes.get(span.clone())?).ok()?;
        stored
            .into_iter()
            .map(|stored| {
                let rule = *rules.get(usize::try_from(stored.rule).ok()?)?;
                let finding = Finding {
                    range: range(stored.range),
                    message: stored.message,
                    help: match stored.help {
                        StoredHelp::None => None,
                        StoredHelp::Shared(hash) => {
                            Some(std::borrow::Cow::Borrowed(*self.shared_help.get(&hash)?))
                        }
                        StoredHelp::Own(text) => Some(std::borrow::Cow::Owned(text)),
                    },
                    operation: stored.operation.map(range),
                    remedy: None,
                };
                let fix = match stored.fix {
                    Some(fix) => Some(Box::new(Fix {
                        edits: fix
                            .edits
                            .into_iter()
                            .map(|(at, replacement)| Edit {
                                range: range(at),
                                replacement,
                            })
                            .collect(),
                        applicability: applicability(fix.applicability)?,
                        title: fix.title,
                    })),
                    None => None,
                };
                Some((rule, finding, fix))
            })
            .collect()
    }

    /// Writes the next findings file: the `fresh` entries (judged by this run, not stored), the
    /// stored ones this run used (their keys among `used`), and the stored ones a recent write
    /// used (see [`replace_file`]). An entry under a key is the same whichever run wrote it, so
    /// the stored ones are copied as they are.
    pub(crate) fn write(
        &self,
        cache: &CacheDir,
        fresh: &[Encoded],
        used: &[u64],
    ) -> std::io::Result<()> {
        let write = self.write.wrapping_add(1);
        let used: std::collections::HashSet<u64> = used.iter().copied().collect();
        let replaced: std::collections::HashSet<u64> =
            fresh.iter().map(|entry| entry.key).collect();
        let mut kept: Vec<(u64, u64, &[u8])> = self
            .entries
            .iter()
            .filter(|(key, _)| !replaced.contains(key))
            .map(|(key, (last, span))| {
                let last = if used.contains(key) { write } else { *last };
                (*key, last, span)
            })
            .filter(|(_, last, _)| write.saturating_sub(*last) < KEPT_WRITES)
            .filter_map(|(key, last, span)| Some((key, last, self.bytes.get(span.clone())?)))
            .collect();
        // By key: the same entries make the same file.
        kept.sort_unstable_by_key(|(key, ..)| *key);
        // The texts the stored entries refer to, and the fresh ones'; by hash, so in one order.
        let mut shared_help: std::collections::BTreeMap<u64, &str> = self
            .shared_help
            .iter()
            .map(|(hash, text)| (*hash, *text))
            .collect();
        for entry in fresh {
            shared_help.extend(
                entry
                    .shared_help
                    .iter()
                    .map(|text| (super::text_hash(text), *text)),
            );
        }
        let header = Header {
            key: cache.findings_key(),
            write,
            shared_help: shared_help.into_values().map(str::to_owned).collect(),
            entries: (fresh.len() + kept.len()) as u64,
        };
        let entries = fresh
            .iter()
            .map(|entry| (entry.key, write, entry.findings.as_slice()))
            .chain(kept);
        replace_file(cache, &self.file, |out| {
            postcard::to_io(&header, &mut *out).map_err(std::io::Error::other)?;
            for (key, last, found) in entries {
                let head = EntryHead {
                    key,
                    used: last,
                    len: found.len() as u64,
                };
                postcard::to_io(&head, &mut *out).map_err(std::io::Error::other)?;
                out.write_all(found)?;
            }
            Ok(())
        })
    }
}

/// A revision's findings, encoded for the findings file.
#[derive(Debug)]
pub(crate) struct Encoded {
    key: u64,
    findings: Vec<u8>,
    /// The help texts given as they are that the findings refer to.
    shared_help: Vec<&'static str>,
}

/// The findings of the revision keyed `key` as stored, each rule by its place in `rules`; `None`
/// when one of them is not among `rules` (it could not be read back).
pub(crate) fn encode(key: u64, found: &[Found], rules: &[&'static dyn Rule]) -> Option<Encoded> {
    let mut shared_help = Vec::new();
    let stored: Vec<StoredFinding> = found
        .iter()
        .map(|(rule, finding, fix)| {
            // By code: a registry holds one rule per code.
            let code = rule.meta().code;
            let place = rules.iter().position(|known| known.meta().code == code)?;
            Some(StoredFinding {
                rule: u32::try_from(place).ok()?,
                range: bounds(finding.range),
                message: finding.message.clone(),
                help: match &finding.help {
                    None => StoredHelp::None,
                    Some(std::borrow::Cow::Borrowed(text)) => {
                        shared_help.push(*text);
                        StoredHelp::Shared(super::text_hash(text))
                    }
                    Some(std::borrow::Cow::Owned(text)) => StoredHelp::Own(text.clone()),
                },
                operation: finding.operation.map(bounds),
                fix: fix.as_ref().map(|fix| StoredFix {
                    title: fix.title.clone(),
                    applicability: fix.applicability as u8,
                    edits: fix
                        .edits
                        .iter()
                        .map(|edit| (bounds(edit.range), edit.replacement.clone()))
                        .collect(),
                }),
            })
        })
        .collect::<Option<_>>()?;
    shared_help.sort_unstable();
    shared_help.dedup();
    Some(Encoded {
        key,
        findings: postcard::to_stdvec(&stored).ok()?,
        shared_help,
    })
}

/// `text` for the rest of the process, the same text once. A shared help text read back must be
/// `'static`, as the rule's own is; the texts are the rules' own (a few dozen in a build), so
/// what is kept is bounded however many files are read.
fn interned(text: &str) -> &'static str {
    static INTERNED: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let Ok(mut interned) = INTERNED.lock() else {
        return Box::leak(text.into());
    };
    if let Some(known) = interned.iter().find(|known| **known == text) {
        return known;
    }
    let kept: &'static str = Box::leak(text.into());
    interned.push(kept);
    kept
}

fn bounds(range: TextRange) -> (u32, u32) {
    (range.start().to_u32(), range.end().to_u32())
}

fn range((start, end): (u32, u32)) -> TextRange {
    TextRange::new(TextSize::new(start), TextSize::new(end.max(start)))
}

fn applicability(stored: u8) -> Option<Applicability> {
    [
        Applicability::DisplayOnly,
        Applicability::Unsafe,
        Applicability::Safe,
    ]
    .into_iter()
    .find(|applicability| *applicability as u8 == stored)
}
