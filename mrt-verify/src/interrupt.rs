//! Asking a run to stop early (Ctrl-C, a CI job cancelled), so that it stops what it started:
//! the worker, the scratch databases, the embedded cluster. The library installs no signal
//! handler; the `mrt` binary sets the flag from its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::Error;

/// A flag shared with whoever may ask the run to stop. The default one is never set.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A flag not set yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the run to stop at the next point where it can clean up.
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether the run was asked to stop.
    #[must_use]
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// The flag itself, for a signal handler to set (`signal_hook::flag::register`).
    #[must_use]
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.0)
    }

    /// `error`, or [`Error::Interrupted`] when the run was asked to stop: whatever failed then
    /// (a request cut short, a worker killed by the same Ctrl-C) failed because of it.
    pub(crate) fn or_interrupted(&self, error: Error) -> Error {
        if self.is_set() {
            Error::Interrupted
        } else {
            error
        }
    }
}
