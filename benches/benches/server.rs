//! The language server's latency: diagnostics for an edit of one revision of a 1,000-revision
//! directory, once the first analysis is done (what a user waits for while typing), next to the
//! first analysis itself (every file read and lowered).

// A bench that cannot write its chain should stop loudly.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use lsp_server::{Message, Notification};
use lsp_types::notification::Notification as _;
use lsp_types::{
    DidChangeTextDocumentParams, DidOpenTextDocumentParams, TextDocumentContentChangeEvent,
    TextDocumentItem, Url, VersionedTextDocumentIdentifier,
};
use mrt_server::{Session, StandardPolicy};

const REVISIONS: usize = 1_000;

/// A chain written to a temporary directory, removed when dropped.
struct Chain {
    dir: PathBuf,
    edited: PathBuf,
    text: String,
}

impl Chain {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("mrt-bench-server-{}", std::process::id()));
        let files = mrt_benches::alembic_chain(REVISIONS);
        mrt_benches::write_alembic_chain(&dir, REVISIONS).expect("the chain is written");
        // A revision in the middle: its edits reach the graph rules and the replay after it.
        let middle = &files[REVISIONS / 2];
        Self {
            edited: dir.join(&middle.name),
            text: middle.text.clone(),
            dir,
        }
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn uri(path: &Path) -> Url {
    Url::from_file_path(path).expect("an absolute path")
}

fn open(path: &Path, text: &str) -> Message {
    Message::Notification(Notification::new(
        lsp_types::notification::DidOpenTextDocument::METHOD.to_owned(),
        DidOpenTextDocumentParams {
            text_document: TextDocumentItem {
                uri: uri(path),
                language_id: "python".to_owned(),
                version: 1,
                text: text.to_owned(),
            },
        },
    ))
}

fn change(path: &Path, text: String, version: i32) -> Message {
    Message::Notification(Notification::new(
        lsp_types::notification::DidChangeTextDocument::METHOD.to_owned(),
        DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier {
                uri: uri(path),
                version,
            },
            content_changes: vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text,
            }],
        },
    ))
}

fn server(c: &mut Criterion) {
    let chain = Chain::new();
    let mut group = c.benchmark_group("server");
    group.sample_size(20);
    group.bench_function("first-analysis/1000", |b| {
        b.iter(|| {
            let mut session = Session::new(StandardPolicy);
            black_box(session.handle(open(&chain.edited, &chain.text)))
        });
    });
    let mut session = Session::new(StandardPolicy);
    let published = session.handle(open(&chain.edited, &chain.text));
    assert!(!published.is_empty(), "the opened revision is analysed");
    let mut version = 1;
    group.bench_function("change/1000", |b| {
        b.iter(|| {
            // Every edit is a new text (a keystroke): a comment that grows by one character.
            version += 1;
            let text = format!(
                "{}\n# {}\n",
                chain.text,
                "x".repeat(usize::try_from(version % 7).unwrap_or(0))
            );
            black_box(session.handle(change(&chain.edited, text, version)))
        });
    });
    group.finish();
}

criterion_group!(benches, server);
criterion_main!(benches);
