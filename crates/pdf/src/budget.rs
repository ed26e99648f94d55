use std::time::Instant;

/// Bounds on the memory and work spent on one document.
///
/// The defaults admit every ordinary deliverable (a 1,000-page report, a 200 MB scan) with a
/// wide margin and stop decompression bombs, object floods and endless content streams early.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Decompressed size of any single stream.
    pub max_stream_bytes: usize,
    /// Decompressed bytes over all streams of one document.
    pub max_file_bytes: usize,
    /// Objects in one document.
    pub max_objects: usize,
    /// Nesting of form XObjects, page-tree levels and similar recursive structures.
    pub max_depth: usize,
    /// Content-stream operations interpreted per document.
    pub max_operations: u64,
    /// Wall-clock instant after which work stops with a timeout.
    pub deadline: Option<Instant>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_stream_bytes: 256 << 20,
            max_file_bytes: 1 << 30,
            max_objects: 2_000_000,
            max_depth: 32,
            max_operations: 100_000_000,
            deadline: None,
        }
    }
}

/// Why work on a document stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    Timeout,
    TooLarge(&'static str),
}

/// The running account of a document's work against its [`Limits`].
pub(crate) struct Budget {
    pub(crate) limits: Limits,
    decoded_bytes: usize,
    operations: u64,
    /// Operations since the clock was last read: `Instant::now` is cheap but not free, and
    /// content streams run millions of operations.
    since_clock: u32,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Budget {
        Budget {
            limits: limits.clone(),
            decoded_bytes: 0,
            operations: 0,
            since_clock: 0,
        }
    }

    pub(crate) fn check_time(&self) -> Result<(), Stop> {
        match self.limits.deadline {
            Some(d) if Instant::now() >= d => Err(Stop::Timeout),
            _ => Ok(()),
        }
    }

    /// Counts `n` content-stream operations (or comparable units of layout work).
    #[inline]
    pub(crate) fn operations(&mut self, n: u64) -> Result<(), Stop> {
        self.operations += n;
        if self.operations > self.limits.max_operations {
            return Err(Stop::TooLarge("content-stream operations"));
        }
        self.since_clock += n.min(u32::MAX as u64) as u32;
        if self.since_clock >= 4096 {
            self.since_clock = 0;
            self.check_time()?;
        }
        Ok(())
    }

    /// How many more bytes one stream may decode to.
    pub(crate) fn stream_allowance(&self) -> usize {
        self.limits.max_stream_bytes.min(
            self.limits
                .max_file_bytes
                .saturating_sub(self.decoded_bytes),
        )
    }

    pub(crate) fn add_decoded(&mut self, n: usize) -> Result<(), Stop> {
        self.decoded_bytes = self.decoded_bytes.saturating_add(n);
        if self.decoded_bytes > self.limits.max_file_bytes {
            return Err(Stop::TooLarge("decompressed bytes per document"));
        }
        Ok(())
    }
}
