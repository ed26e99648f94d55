//! The writer's memory does not grow with the rows of a sheet: the heap it holds at its
//! peak is measured (a counting allocator, bytes not time) for a short and a long sheet.

use kooste_xlsx::{Layout, Properties, Style, Workbook, XlsxError};
use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak heap, above what was live before, of writing `rows` rows (a link and five texts
/// each) into a workbook on disk.
fn peak_heap(rows: u32) -> Result<usize, XlsxError> {
    let dir = tempfile::tempdir()?;
    let file = std::io::BufWriter::new(std::fs::File::create(dir.path().join("a.xlsx"))?);
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let mut book = Workbook::new(file, Properties::default());
    let mut sheet = book.add_sheet("Materiaalit", &Layout::default())?;
    for row in 0..rows {
        let path = format!("Espoo/TP{}/Raportit/materiaali {row}.pdf", row % 5 + 1);
        sheet.link(row, 0, &format!("../drive/{path}"), &path)?;
        for col in 1..6 {
            sheet.string(row, col, &path, Style::Plain)?;
        }
    }
    sheet.autofilter(0, rows - 1, 5);
    sheet.finish()?;
    book.finish()?;
    Ok(PEAK.load(Ordering::SeqCst).saturating_sub(base))
}

#[test]
fn a_long_sheet_takes_no_more_memory_than_a_short_one() -> Result<(), XlsxError> {
    let short = peak_heap(1_000)?;
    let long = peak_heap(60_000)?;
    eprintln!("peak heap: {short} bytes for 1,000 rows, {long} for 60,000");
    // 60,000 links alone were ~45 MB held until saving with the writer kooste used before.
    assert!(
        long < 2 * 1024 * 1024,
        "peak heap {long} bytes for 60,000 rows"
    );
    assert!(
        long < short + 256 * 1024,
        "peak heap grows with rows: {short} bytes for 1,000, {long} for 60,000"
    );
    Ok(())
}
