//! `mrt server` as an editor runs it: the real binary, speaking LSP over its standard input and
//! output.

// A test that cannot run the server should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

const BASE: &str = r#"revision = "0001"
down_revision = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("légacy", sa.Text(), nullable=True),
    )


def downgrade():
    op.drop_table("users")
"#;

/// Line 8 (zero-based) drops a column whose name is not ASCII.
const DROP: &str = r#"revision = "0002"
down_revision = "0001"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.drop_column("users", "légacy")  # 𝄞


def downgrade():
    op.add_column("users", sa.Column("légacy", sa.Text(), nullable=True))
"#;

/// A no-op downgrade (MRT102): `def downgrade` is line 11 (zero-based).
const NOOP: &str = r#"revision = "0003"
down_revision = "0002"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(50)))


def downgrade():
    pass
"#;

/// Long enough for a debug build on a busy machine; only a hung server waits this long.
const PATIENCE: Duration = Duration::from_mins(1);

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Value>,
    next_id: i64,
}

impl Server {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mrt"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("mrt server starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                stdout.read_exact(&mut body).unwrap();
                if sender.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            stdin,
            messages,
            next_id: 0,
        }
    }

    fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({"jsonrpc": "2.0", "method": method});
        message["params"] = params;
        self.send_raw(&message.to_string());
    }

    /// Sends a request and returns its response, skipping notifications.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method});
        message["params"] = params;
        self.send_raw(&message.to_string());
        loop {
            let message = self.next();
            if message["id"] == json!(id) && message.get("method").is_none() {
                return message;
            }
        }
    }

    fn next(&self) -> Value {
        self.messages
            .recv_timeout(PATIENCE)
            .expect("the server answers")
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics_for(&self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.next();
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                return message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
        }
    }
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect()
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A fresh directory under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// UTF-16 units before byte `at` of `line`.
fn utf16_column(line: &str, at: usize) -> u64 {
    line[..at].encode_utf16().count() as u64
}

#[test]
fn an_editor_session_over_stdio() {
    let scratch = Scratch(std::env::temp_dir().join(format!("mrt-server-{}", std::process::id())));
    let versions = scratch.0.join("versions");
    std::fs::create_dir_all(&versions).unwrap();
    // Only the base is on disk: the other revisions exist only as open buffers.
    std::fs::write(versions.join("0001_base.py"), BASE).unwrap();
    let drop_uri = uri_of(&versions.join("0002_drop.py"));
    let noop_uri = uri_of(&versions.join("0003_noop.py"));

    let mut server = Server::start();
    let init = server.request(
        "initialize",
        json!({"processId": null, "rootUri": uri_of(&scratch.0), "capabilities": {}}),
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "mrt", "{init}");
    server.notify("initialized", json!({}));

    // Opening the file that drops a column: MRT201 on that line, columns in UTF-16 units.
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": drop_uri, "languageId": "python", "version": 1, "text": DROP}}),
    );
    let found = server.diagnostics_for(&drop_uri);
    assert_eq!(codes(&found), ["MRT201"], "{found:?}");
    let line = DROP.lines().nth(8).unwrap();
    let name_end = line.find("\")").unwrap() + 1;
    assert_eq!(found[0]["range"]["start"]["line"], 8);
    assert_eq!(found[0]["range"]["end"]["line"], 8);
    assert_eq!(
        found[0]["range"]["end"]["character"],
        utf16_column(line, name_end),
        "the end column counts `é` as one unit, not two bytes"
    );
    assert_eq!(found[0]["severity"], 1);

    // Hover on the code of the diagnostic shows the rule's page.
    let edited = DROP.replace("  # 𝄞", "  # noqa: MRT201 𝄞");
    let noqa_line = edited.lines().nth(8).unwrap();
    let code_at = utf16_column(noqa_line, noqa_line.find("MRT201").unwrap() + 2);

    // Editing in a `# noqa`: the finding goes.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": drop_uri, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let found = server.diagnostics_for(&drop_uri);
    assert!(codes(&found).is_empty(), "{found:?}");

    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": drop_uri}, "position": {"line": 8, "character": code_at}}),
    );
    let page = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        page.contains("MRT201") && page.contains("drop-column"),
        "{hover}"
    );

    // A malformed message is skipped; the server goes on.
    server.send_raw("{this is not json");
    server.send_raw(r#"{"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": 7}"#);
    let rejected = server.next();
    assert_eq!(rejected["id"], 99, "{rejected}");
    assert!(rejected["error"]["code"].is_i64(), "{rejected}");

    // A revision with a no-op downgrade: MRT102, and a quick fix that writes the downgrade.
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": noop_uri, "languageId": "python", "version": 1, "text": NOOP}}),
    );
    let found = server.diagnostics_for(&noop_uri);
    assert_eq!(codes(&found), ["MRT102"], "{found:?}");
    assert_eq!(found[0]["range"]["start"]["line"], 11);
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": noop_uri},
            "range": found[0]["range"],
            "context": {"diagnostics": found, "only": ["quickfix"]},
        }),
    );
    let actions = actions["result"].as_array().cloned().unwrap_or_default();
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && !a["title"].as_str().unwrap().contains("noqa"))
        .unwrap_or_else(|| panic!("a quick fix for MRT102 in {actions:?}"));
    let edits = fix["edit"]["changes"][&noop_uri].as_array().unwrap();
    let written: String = edits
        .iter()
        .map(|e| e["newText"].as_str().unwrap())
        .collect();
    assert!(
        written.contains(r#"op.drop_column("users", "nickname")"#),
        "{fix}"
    );
    assert!(
        actions
            .iter()
            .any(|a| a["title"].as_str().unwrap().contains("noqa: MRT102")),
        "{actions:?}"
    );

    // Fix-all for the file: the text `mrt fix` would write.
    let fix_all = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": noop_uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        }),
    );
    let fixed = fix_all["result"][0]["edit"]["changes"][&noop_uri][0]["newText"]
        .as_str()
        .unwrap_or_default();
    assert!(
        fixed.contains("def downgrade():\n    op.drop_column(\"users\", \"nickname\")"),
        "{fix_all}"
    );
    assert!(!fixed.contains("pass"), "{fixed}");

    // A configuration file appears that ignores MRT102: read again, the finding goes.
    let config = scratch.0.join("mrt.toml");
    std::fs::write(&config, "ignore = [\"MRT102\"]\n").unwrap();
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&config), "type": 1}]}),
    );
    let found = server.diagnostics_for(&noop_uri);
    assert!(codes(&found).is_empty(), "{found:?}");

    // A second child of 0001 opened beside 0002: two heads, reported in the other open buffer too.
    let branch_uri = uri_of(&versions.join("0004_branch.py"));
    let branch = BASE
        .replace("revision = \"0001\"", "revision = \"0004\"")
        .replace("down_revision = None", "down_revision = \"0001\"")
        .replace(
            "op.create_table(\n        \"users\"",
            "op.create_table(\n        \"teams\"",
        )
        .replace("op.drop_table(\"users\")", "op.drop_table(\"teams\")");
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": branch_uri, "languageId": "python", "version": 1, "text": branch}}),
    );
    let found = server.diagnostics_for(&noop_uri);
    assert!(
        !found.is_empty(),
        "a new head is reported in 0003 too: {found:?}"
    );

    // Shutdown, then exit: a clean exit.
    let shutdown = server.request("shutdown", Value::Null);
    assert!(shutdown.get("error").is_none(), "{shutdown}");
    server.notify("exit", Value::Null);
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
