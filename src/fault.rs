//! Crash points for `tests/crash.rs`: the places where a write is half done (a transaction
//! before its commit, a temporary file before its rename) and just done. A debug build of the
//! binary started with `BANTIN_TEST_CRASH_AT=N` (read in `main.rs` only) names the N-th point it
//! reaches on stderr and kills itself there with SIGKILL, so the test chooses where a run dies
//! instead of guessing with a timer. Release builds compile every point to nothing.

use std::sync::atomic::{AtomicU64, Ordering};

/// The point to die at (1-based); 0: never.
static AT: AtomicU64 = AtomicU64::new(0);
static PASSED: AtomicU64 = AtomicU64::new(0);

/// Makes the `at`-th crash point from now on kill the process.
pub fn arm(at: u64) {
    PASSED.store(0, Ordering::SeqCst);
    AT.store(at, Ordering::SeqCst);
}

/// A place where a kill must leave the store and the exported files whole.
#[inline]
pub fn crash_point(name: &str) {
    if cfg!(debug_assertions) && AT.load(Ordering::Relaxed) != 0 {
        reached(name);
    }
}

#[cold]
fn reached(name: &str) {
    let n = PASSED.fetch_add(1, Ordering::SeqCst) + 1;
    if n == AT.load(Ordering::SeqCst) {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "crash point {n}: {name}");
        // SIGKILL, not a panic or an exit: no destructor, flush or rollback runs, as when the
        // machine loses power or the OOM killer strikes.
        #[cfg(unix)]
        // SAFETY: kill(2) on this very process.
        unsafe {
            kill(std::process::id() as i32, 9)
        };
        std::process::abort();
    }
}

#[cfg(unix)]
unsafe extern "C" {
    fn kill(pid: i32, signal: i32) -> i32;
}
