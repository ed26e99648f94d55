//! How this process asks the C allocator to treat memory.

/// Blocks of at least this many bytes get a mapping of their own, unmapped when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const OWN_MAPPING_BYTES: i32 = 128 * 1024;

/// Makes large blocks (a document's text, a decompressed extraction, a page being scanned)
/// go back to the system when they are freed.
///
/// glibc starts with the same 128 KiB threshold but raises it each time such a block is freed,
/// up to 32 MiB; after the first big document every later one is carved out of the threads'
/// heaps instead, where, once freed, it stays resident between the small records that outlive
/// it. A fixed threshold keeps it from drifting. Measured on the scale benchmark's drives
/// (README): peak resident memory of a cold run 61 → 42 MiB at 5,000 files and 101 → 78 MiB at
/// 20,000, at the same speed. Call it first thing, before other threads start. Elsewhere it
/// does nothing.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets one of the allocator's parameters; it reads and writes none
    // of our memory. Called before the process starts other threads.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_MAPPING_BYTES);
    }
}
