//! The `mrt` binary.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::{c_int, c_long, c_void};

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};

// Parsing thousands of files allocates many small AST nodes from both cores at once; mimalloc
// handles that with less contention than the system allocator: `mrt check` of the 10k chain
// went from 358 ms to 250 ms (median of 15, scripts/bench_cli.py), peak memory 82 -> 125 MB.
// Its arenas are asked for transparent huge pages (where the system leaves them to `madvise`):
// one fault clears 2 MiB where 512 faults cleared 4 KiB each, which was a sixth of the CPU time
// of a check with the cache filled (3,150 faults on the dense 1k chain, 250 with huge pages;
// whole process 0.88x). The price is memory: a heap rounded up to huge pages, +16 to 26 MB at
// the peak (dense 10k chain 102 -> 118 MB, sparse 94 -> 121 MB; the system allocator: 114 MB).
#[global_allocator]
static GLOBAL: Mimalloc = Mimalloc;

/// mimalloc, asked for a plain block whenever the layout allows. The `mimalloc` crate asks for
/// every block by alignment (`mi_malloc_aligned`), whose checks and slower path cost about fifty
/// instructions an allocation: 8% of `mrt check`'s instructions on the dense 10k chain, 5 million
/// allocations. A plain block is enough when the alignment is at most a word and at most the
/// size, as for C's `malloc`: mimalloc's blocks are whole words from 16-aligned page starts, so
/// every block is word-aligned, and it keeps C's guarantee for larger sizes.
struct Mimalloc;

/// The alignment every mimalloc block has (its blocks are whole words).
const WORD: usize = std::mem::size_of::<usize>();

fn plain(align: usize, size: usize) -> bool {
    align <= WORD && align <= size
}

// The project's only unsafe code (this impl, `new_block` and the option `main` sets): a global
// allocator is an `unsafe` trait, and mimalloc's functions are foreign. Each forwards the layout's size (and, past a word,
// its alignment) to the function of mimalloc that honours it; pointers given back come from the
// same allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `new_block`'s.
        unsafe { new_block(layout, mi_malloc, mi_malloc_aligned) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `new_block`'s, zeroed.
        unsafe { new_block(layout, mi_zalloc, mi_zalloc_aligned) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator, that is by mimalloc, and not yet freed.
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` is a live block of this allocator with `layout`; the new block keeps its
        // alignment (plain when the alignment allows it at the new size).
        let block = unsafe {
            if plain(layout.align(), new_size) {
                mi_realloc(ptr.cast::<c_void>(), new_size)
            } else {
                mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align())
            }
        };
        debug_assert!(block.is_null() || block.addr().is_multiple_of(layout.align()));
        block.cast()
    }
}

/// A new block for `layout` from `plain` (size) when the layout allows a plain block, else from
/// `aligned` (size, alignment).
///
/// # Safety
/// `plain` and `aligned` are mimalloc's allocation functions of one kind: each returns null or a
/// block of at least the size asked, aligned as asked (a plain block is word-aligned, see
/// `Mimalloc`).
#[allow(unsafe_code)]
unsafe fn new_block(
    layout: Layout,
    plain_block: unsafe extern "C" fn(usize) -> *mut c_void,
    aligned_block: unsafe extern "C" fn(usize, usize) -> *mut c_void,
) -> *mut u8 {
    // SAFETY: the caller passes mimalloc's functions, which take any size and alignment.
    let block = unsafe {
        if plain(layout.align(), layout.size()) {
            plain_block(layout.size())
        } else {
            aligned_block(layout.size(), layout.align())
        }
    };
    debug_assert!(block.is_null() || block.addr().is_multiple_of(layout.align()));
    block.cast()
}

// mimalloc's option setter (declared here: the `libmimalloc-sys` binding has it only with a
// feature that pulls in another crate, and it does not name the option below).
#[allow(unsafe_code)]
unsafe extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
}

/// `mi_option_purge_delay` of mimalloc.h: how long freed memory stays with the process before it
/// is given back. mimalloc keeps its options' numbers across releases (retired ones keep their
/// place); the test below checks this one against its default.
const PURGE_DELAY: c_int = 15;

/// Freed memory older than this many milliseconds goes back to the system. mimalloc's default,
/// a second, outlasts a whole check, so what the load phase frees (the cache file's bytes, 17 MB
/// at 10,000 revisions, and the decoding's scratch) stayed resident under the check's own peak:
/// the dense 10k chain with its cache filled peaked at 113 to 129 MiB, 107 to 113 MiB given back
/// after this delay, for about 2% more time. A check of 1,000 revisions ends sooner than the
/// delay, and is unchanged.
const PURGE_AFTER_MS: c_long = 50;

fn main() -> std::process::ExitCode {
    // One set in the environment is the user's to keep.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: setting an option is what mimalloc's environment variables do; the number is
        // mimalloc's purge delay (see `PURGE_DELAY`), which takes any value.
        #[allow(unsafe_code)]
        unsafe {
            mi_option_set(PURGE_DELAY, PURGE_AFTER_MS);
        }
    }
    mrt_cli::main()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(unsafe_code)]
    unsafe extern "C" {
        fn mi_option_get(option: c_int) -> c_long;
    }

    /// The option number is the purge delay's: its default, a second, is no other option's.
    #[test]
    fn the_option_set_is_the_purge_delay() {
        // SAFETY: reading an option has no precondition.
        #[allow(unsafe_code)]
        let delay = unsafe { mi_option_get(PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
