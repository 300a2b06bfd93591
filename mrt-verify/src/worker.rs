//! The Python worker: one long-lived process of the project's own interpreter, running the code in
//! `worker.py` (shipped inside the binary), spoken to in JSON lines. A step that outlives its
//! timeout gets its database sessions ended by the caller, then the worker is killed and started
//! again, and the walk goes on.

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::private_dir::PrivateDir;
use crate::{Error, Interrupt};

/// The worker's source, run with `python -c`.
const SOURCE: &str = include_str!("worker.py");
/// Lines of the worker's stderr kept for messages.
const STDERR_LINES: usize = 40;
/// How often a wait for an answer looks whether the run was interrupted.
const INTERRUPT_POLL: Duration = Duration::from_millis(50);

/// Why a request got no answer.
#[derive(Debug)]
pub enum NoAnswer {
    /// The step ran past its timeout.
    Timeout,
    /// The worker exited (the message says what it last printed).
    Died(String),
    /// The run was interrupted while waiting (the worker is still running the request).
    Interrupted,
}

/// A running worker.
#[derive(Debug)]
pub struct Worker {
    python: PathBuf,
    child: Child,
    /// The worker's own directory (the minimal env.py of a bare versions directory goes there).
    /// Held here, not made by the worker, so that it is removed even when the worker is killed.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "held only to be dropped with the worker")
    )]
    scratch: PrivateDir,
    stdin: ChildStdin,
    answers: Receiver<String>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    /// The `load` request, replayed when the worker is started again.
    load: Option<Value>,
    /// Set when the run is to stop: waits for an answer end early.
    interrupt: Interrupt,
    /// How long starting and loading may take (they import the project and every migration,
    /// whose top-level code may block).
    patience: Option<Duration>,
}

/// The interpreter to run: `--python`, else the active virtual environment's, else `python3`.
pub fn interpreter(given: Option<&Path>) -> PathBuf {
    if let Some(python) = given {
        return python.to_path_buf();
    }
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV") {
        let python = Path::new(&venv).join("bin").join("python");
        if python.is_file() {
            return python;
        }
    }
    PathBuf::from("python3")
}

impl Worker {
    /// Starts the worker and checks that the modules are importable (and the driver of `url`).
    /// Waits for its answers end early when `interrupt` is set; starting and loading the project
    /// fail after `patience`.
    pub fn start(
        python: &Path,
        modules: &[&str],
        url: Option<&str>,
        interrupt: &Interrupt,
        patience: Option<Duration>,
    ) -> Result<Self, Error> {
        let mut worker = Self::spawn(python, interrupt, patience)?;
        let answer = worker
            .request(
                &json!({"op": "hello", "modules": modules, "url": url}),
                patience,
            )
            .map_err(|failure| worker.failure(&failure, "starting"))?;
        if answer["ok"] != true {
            let missing: Vec<String> = answer["missing"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| m.as_str().map(str::to_owned))
                .collect();
            return Err(Error::Worker {
                python: python.display().to_string(),
                message: format!(
                    "missing in this interpreter: {} (install them there, or name another with --python)",
                    missing.join("; ")
                ),
            });
        }
        Ok(worker)
    }

    fn spawn(
        python: &Path,
        interrupt: &Interrupt,
        patience: Option<Duration>,
    ) -> Result<Self, Error> {
        let scratch = PrivateDir::create("mrt-worker-")?;
        let mut child = Command::new(python)
            .arg("-c")
            .arg(SOURCE)
            .env("PYTHONUNBUFFERED", "1")
            .env("MRT_WORKER_SCRATCH", scratch.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| Error::Worker {
                python: python.display().to_string(),
                message: format!("cannot start it: {error}"),
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(Error::Worker {
                python: python.display().to_string(),
                message: "no pipes to the process".into(),
            });
        };
        let (sender, answers) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let kept = Arc::clone(&tail);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut tail) = kept.lock() {
                    if tail.len() == STDERR_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
            }
        });
        Ok(Worker {
            python: python.to_path_buf(),
            child,
            scratch,
            stdin,
            answers,
            stderr: tail,
            load: None,
            interrupt: interrupt.clone(),
            patience,
        })
    }

    /// Loads the project (Alembic's revision map, Django's loader) once; its revisions come back.
    pub fn load(&mut self, request: Value) -> Result<Value, Error> {
        let answer = self
            .request(&request, self.patience)
            .map_err(|failure| self.failure(&failure, "loading the migrations"))?;
        if answer["ok"] != true {
            return Err(Error::Worker {
                python: self.python.display().to_string(),
                message: format!("could not load the migrations: {}", error_text(&answer)),
            });
        }
        self.load = Some(request);
        Ok(answer)
    }

    /// Sends one request and waits for its answer, at most `timeout`, and only until the run is
    /// interrupted.
    pub fn request(
        &mut self,
        request: &Value,
        timeout: Option<Duration>,
    ) -> Result<Value, NoAnswer> {
        if self.interrupt.is_set() {
            return Err(NoAnswer::Interrupted);
        }
        let line = request.to_string();
        if writeln!(self.stdin, "{line}")
            .and_then(|()| self.stdin.flush())
            .is_err()
        {
            return Err(NoAnswer::Died(self.stderr_tail()));
        }
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        loop {
            let wait = deadline.map_or(INTERRUPT_POLL, |deadline| {
                deadline
                    .saturating_duration_since(Instant::now())
                    .min(INTERRUPT_POLL)
            });
            match self.answers.recv_timeout(wait) {
                Ok(line) => {
                    return serde_json::from_str(&line).map_err(|error| {
                        NoAnswer::Died(format!("unreadable answer ({error}): {line}"))
                    });
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(NoAnswer::Died(self.stderr_tail()));
                }
                Err(RecvTimeoutError::Timeout) if self.interrupt.is_set() => {
                    return Err(NoAnswer::Interrupted);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                        return Err(NoAnswer::Timeout);
                    }
                }
            }
        }
    }

    /// Waits a little longer for the answer of a request that timed out (its statement was
    /// cancelled meanwhile).
    pub fn late_answer(&mut self, wait: Duration) -> Option<Value> {
        let line = self.answers.recv_timeout(wait).ok()?;
        serde_json::from_str(&line).ok()
    }

    /// Kills the worker and starts a new one with the same project loaded.
    pub fn restart(&mut self) -> Result<(), Error> {
        self.kill();
        let load = self.load.take();
        *self = Self::spawn(&self.python, &self.interrupt, self.patience)?;
        if let Some(load) = load {
            self.load(load)?;
        }
        Ok(())
    }

    /// What the worker last printed on stderr.
    pub fn stderr_tail(&self) -> String {
        self.stderr
            .lock()
            .map(|tail| tail.iter().cloned().collect::<Vec<_>>().join("\n"))
            .unwrap_or_default()
    }

    /// Why `doing` got no answer.
    fn failure(&self, failure: &NoAnswer, doing: &str) -> Error {
        let message = match failure {
            NoAnswer::Interrupted => return Error::Interrupted,
            NoAnswer::Timeout => format!(
                "{doing} took longer than {} s (does top-level code of the project or of a migration block when imported?)",
                self.patience.unwrap_or_default().as_secs()
            ),
            NoAnswer::Died(tail) if tail.is_empty() => "exited".into(),
            NoAnswer::Died(tail) => format!("exited:\n{tail}"),
        };
        Error::Worker {
            python: self.python.display().to_string(),
            message,
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks the worker to exit and waits for it (kills it at once when the run was interrupted).
    pub fn close(mut self) {
        let _ = self.request(&json!({"op": "exit"}), Some(Duration::from_secs(5)));
        self.kill();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // The process first: the directory is removed after its last user is gone.
        self.kill();
    }
}

/// The error of a failed answer: its type and message.
pub fn error_text(answer: &Value) -> String {
    let kind = answer["error"]["type"].as_str().unwrap_or("Error");
    let message = answer["error"]["message"].as_str().unwrap_or("failed");
    format!("{kind}: {message}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;

    #[test]
    fn the_scratch_directory_goes_with_the_worker_even_a_killed_one() {
        let Some(python) = crate::testing::python_with(&["json"]) else {
            return;
        };
        let closed =
            Worker::start(&python, &[], None, &Interrupt::new(), None).expect("worker starts");
        let closed_dir = closed.scratch.path().to_path_buf();
        assert!(closed_dir.is_dir());
        closed.close();
        assert!(!closed_dir.exists(), "{} is left", closed_dir.display());

        let mut killed =
            Worker::start(&python, &[], None, &Interrupt::new(), None).expect("worker starts");
        let killed_dir = killed.scratch.path().to_path_buf();
        std::fs::write(killed_dir.join("env.py"), "").expect("the directory is writable");
        killed.child.kill().expect("kill");
        killed.restart().expect("a new worker");
        assert!(!killed_dir.exists(), "{} is left", killed_dir.display());
        let replacement = killed.scratch.path().to_path_buf();
        drop(killed);
        assert!(!replacement.exists(), "{} is left", replacement.display());
    }
}
