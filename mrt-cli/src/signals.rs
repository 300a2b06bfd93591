//! Signals for the commands that start things (`mrt verify`, `mrt migrate`, `mrt db start`):
//! they ask the run to stop, so that it stops what it started before the process exits.

use std::time::Duration;

/// How long an interrupted run may take to stop what it started before the process exits anyway
/// (a query the server never answers would otherwise keep it waiting for good).
const STOP_GRACE: Duration = Duration::from_mins(1);

/// Ctrl-C, a cancelled CI job (SIGTERM) or a closed terminal (SIGHUP) ask the run to stop, and it
/// stops what it started before exiting (2). A second Ctrl-C while it cleans up exits at once, and
/// so does a run still stopping after [`STOP_GRACE`].
pub(crate) fn stop_on_signals(interrupt: &mrt_verify::Interrupt) -> Result<(), String> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let cannot = |error: std::io::Error| format!("cannot handle signals: {error}");
    // The exit on a second SIGINT is registered first, so the first one only arms it.
    signal_hook::flag::register_conditional_shutdown(SIGINT, 130, interrupt.flag())
        .map_err(cannot)?;
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        signal_hook::flag::register(signal, interrupt.flag()).map_err(cannot)?;
    }
    let watched = interrupt.clone();
    std::thread::spawn(move || {
        while !watched.is_set() {
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(STOP_GRACE);
        eprintln!(
            "mrt: error: interrupted, and still stopping after {} s: exiting without waiting longer",
            STOP_GRACE.as_secs()
        );
        std::process::exit(2);
    });
    Ok(())
}
