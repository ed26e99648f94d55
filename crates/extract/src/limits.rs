use crate::Error;
use std::time::{Duration, Instant};

/// Bounds on the work and memory spent on one file. The defaults admit every ordinary
/// deliverable with a wide margin and stop bombs and pathological files early.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Files larger than this are not read at all.
    pub max_file_bytes: u64,
    /// Uncompressed size of one ZIP entry (one XML part, one embedded file).
    pub max_part_bytes: u64,
    /// Uncompressed bytes read from one ZIP container in total.
    pub max_unzipped_bytes: u64,
    /// Entries in one ZIP container.
    pub max_entries: usize,
    /// Uncompressed-to-compressed ratio above which an entry larger than
    /// `ratio_floor_bytes` counts as a bomb.
    pub max_ratio: u64,
    pub ratio_floor_bytes: u64,
    /// Spreadsheet cells read per workbook.
    pub max_cells: u64,
    /// Element nesting depth in XML parts.
    pub max_xml_depth: usize,
    /// Characters of text kept per document; the rest is cut off, not an error.
    pub max_text_chars: usize,
    /// Nesting of archives inside archives.
    pub max_archive_depth: u32,
    /// Wall-clock time for one file, from the moment [`Limits::start`] is called.
    pub time_limit: Duration,
    deadline: Option<Instant>,
    /// How many documents deep we are: embedded workbooks in slides, and so on.
    nesting: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 512 << 20,
            max_part_bytes: 256 << 20,
            max_unzipped_bytes: 1 << 30,
            max_entries: 20_000,
            max_ratio: 200,
            ratio_floor_bytes: 32 << 20,
            max_cells: 2_000_000,
            max_xml_depth: 256,
            max_text_chars: 20_000_000,
            max_archive_depth: 3,
            time_limit: Duration::from_secs(60),
            deadline: None,
            nesting: 0,
        }
    }
}

impl Limits {
    /// A copy whose deadline runs from now: call once per file.
    pub fn start(&self) -> Limits {
        Limits {
            deadline: Some(Instant::now() + self.time_limit),
            ..self.clone()
        }
    }

    /// Limits for a document embedded in the one being read: the same deadline, one level
    /// deeper, `None` past `max_archive_depth` so that nesting cannot recurse without end.
    pub(crate) fn nested(&self) -> Option<Limits> {
        (self.nesting < self.max_archive_depth).then(|| Limits {
            nesting: self.nesting + 1,
            ..self.clone()
        })
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Fails with [`Error::Timeout`] once the deadline has passed. Cheap enough for inner
    /// loops that run per element or per operator, not per byte.
    pub fn check_time(&self) -> Result<(), Error> {
        match self.deadline {
            Some(d) if Instant::now() > d => Err(Error::Timeout(self.time_limit)),
            _ => Ok(()),
        }
    }
}
