//! Extraction in worker processes, as Apache Tika's fork parser does it: a parser that
//! panics, overflows its stack, loops or eats memory takes down one worker, never the run.
//!
//! The parent spawns workers of its own binary (the command line gives the program and its
//! arguments) and speaks to each over stdin/stdout, one JSON object per line each way: a
//! [`Request`] naming a file, a [`Response`] with its hash and extracted items. A request
//! may instead ask for one member of the file (a scan in an archive or a message) to be
//! copied out for OCR, since that too means opening the file's containers. A worker is
//! confined from its start ([`kooste_confine::confine`]): an address-space limit, no core
//! dumps, and death with its parent. The parent gives each file a hard time limit; a worker
//! that overruns it is killed, one that dies is examined (its last words on stderr tell a
//! memory or stack overflow from other crashes), and either way its file gets an error of a
//! known kind and a fresh worker takes the next file.

use crate::PipelineError;
use crate::material::{
    CopiedPictures, Item, analyse_bytes, copy_member, copy_pictures, items_from, read_capped,
};
use kooste_extract::Limits;
use kooste_model::{ErrorKind, ExtractError, Format};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Part of the message of a file whose worker ran out of memory; the cache recognises it.
pub const MEMORY_MESSAGE: &str = "memory limit";

/// Environment variable naming faults a worker injects on purpose, for tests of isolation:
/// `abort:NAME`, `loop:NAME`, `oom:NAME`, `stack:NAME` or `exit:NAME`, comma-separated, where
/// NAME is a file name on the drive; with `copy-` before the kind (`copy-loop:NAME`), only
/// when the worker copies something out of the file for OCR, not when it extracts it.
pub const FAULT_ENV: &str = "KOOSTE_WORKER_FAULT";

/// How to start workers and what they may spend.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub program: PathBuf,
    /// Arguments that make `program` serve as a worker.
    pub args: Vec<OsString>,
    /// Address-space limit each worker is spawned with.
    pub memory_mib: u64,
    /// Time allowed for one file; the worker's own extractors stop at it, and the parent
    /// kills the worker a little later if they have not.
    pub time_limit: Duration,
}

impl WorkerConfig {
    fn hard_limit(&self) -> Duration {
        self.time_limit + (self.time_limit / 5).max(Duration::from_secs(1))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Request {
    /// The file's path as bytes: drive paths need not be UTF-8.
    path: Vec<u8>,
    /// The file's path relative to the drive: extraction sees it as the file's name.
    name: String,
    /// Rather than extract the file, copy one member of it out (a scan for OCR to read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    copy: Option<MemberCopy>,
}

impl Request {
    /// The request to copy the member (suffix, content hash) of the file at `abs` (`name` on
    /// the drive) to `to`, or with `pictures` the pictures it shows into the folder `to`.
    fn copy(
        (abs, name): (&Path, &str),
        member: (&str, &str),
        to: &Path,
        (pictures, pages): (bool, &[u32]),
    ) -> Request {
        Request {
            path: path_bytes(abs),
            name: name.to_string(),
            copy: Some(MemberCopy {
                suffix: member.0.to_string(),
                hash: member.1.to_string(),
                to: path_bytes(to),
                pictures,
                pages: pages.to_vec(),
            }),
        }
    }
}

/// Which member to copy, and where to.
#[derive(Debug, Serialize, Deserialize)]
struct MemberCopy {
    /// The member as [`Item::suffix`] names it.
    suffix: String,
    /// Its content's hash, which tells apart members of one name.
    hash: String,
    /// The file to write, its path as bytes; with `pictures`, the folder to write to.
    to: Vec<u8>,
    /// Rather than the member, the pictures it shows ([`copy_pictures`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pictures: bool,
    /// With `pictures`, only those these pages show; none: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pages: Vec<u32>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Response {
    /// Hash of the bytes the worker read, empty when it could not read them.
    pub hash: String,
    pub items: Vec<Item>,
    /// The pictures copied, when they were asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pictures: Option<CopiedPictures>,
}

impl Response {
    /// The answer of a worker that could not read the file or do what was asked: why.
    fn failed(format: Format, why: String) -> Response {
        Response {
            hash: String::new(),
            items: vec![Item::failed(
                format,
                0,
                "",
                ExtractError::new(ErrorKind::Io, why),
            )],
            pictures: None,
        }
    }
}

/// The worker's response to a request to copy, or why it copied nothing.
fn copy_answer(outcome: Outcome) -> Result<Response, String> {
    match outcome {
        Outcome::Done(r) if !r.hash.is_empty() => Ok(r),
        Outcome::Done(r) => Err(r
            .items
            .into_iter()
            .find_map(|i| i.result.err())
            .map_or_else(|| "the worker copied nothing".to_string(), |e| e.message)),
        Outcome::Failed { error, .. } => Err(format!(
            "the worker copying it out of the file failed: {}",
            error.message
        )),
    }
}

/// What became of a file sent to a worker.
pub(crate) enum Outcome {
    Done(Response),
    /// The worker failed; `cacheable` is false when it was killed from outside (so the same
    /// content may well succeed next time).
    Failed {
        error: ExtractError,
        cacheable: bool,
    },
}

// ---------------------------------------------------------------------------------------
// The worker side.

/// Serves requests until `input` ends: the body of a worker process.
pub fn serve(input: impl BufRead, mut output: impl Write, limits: &Limits) -> std::io::Result<()> {
    let faults = std::env::var(FAULT_ENV).unwrap_or_default();
    for line in input.lines() {
        let line = line?;
        let response = match serde_json::from_str::<Request>(&line) {
            Ok(request) => {
                inject_fault(&faults, &request.name, request.copy.is_some());
                handle(&request, limits)
            }
            Err(e) => Response::failed(Format::Unknown, format!("bad request to worker: {e}")),
        };
        serde_json::to_writer(&mut output, &response).map_err(std::io::Error::other)?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
    Ok(())
}

fn handle(request: &Request, limits: &Limits) -> Response {
    let path = path_from_bytes(&request.path);
    if let Some(copy) = &request.copy {
        let to = path_from_bytes(&copy.to);
        let member = (copy.suffix.as_str(), copy.hash.as_str());
        let copied = if copy.pictures {
            copy_pictures(&path, &request.name, member, &to, limits, &copy.pages).map(Some)
        } else {
            copy_member(&path, &request.name, member, &to, limits).map(|()| None)
        };
        return match copied {
            Ok(pictures) => Response {
                hash: copy.hash.clone(),
                items: Vec::new(),
                pictures,
            },
            Err(why) => Response::failed(Format::Unknown, why),
        };
    }
    match read_capped(&path, limits.max_file_bytes) {
        Ok(bytes) => {
            let hash = blake3::hash(&bytes).to_hex().to_string();
            let items = items_from(&request.name, analyse_bytes(&request.name, &bytes, limits));
            Response {
                hash,
                items,
                pictures: None,
            }
        }
        Err(e) => Response::failed(kooste_extract::sniff(&request.name, &[]), e.to_string()),
    }
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Misbehaves as the fault list asks for this file, standing in for a parser gone wrong.
fn inject_fault(faults: &str, name: &str, copying: bool) {
    if faults.is_empty() {
        return;
    }
    let file = name.rsplit('/').next().unwrap_or(name);
    for fault in faults.split(',') {
        let Some((what, target)) = fault.split_once(':') else {
            continue;
        };
        if target != file {
            continue;
        }
        let what = match what.strip_prefix("copy-") {
            Some(what) if copying => what,
            Some(_) => continue,
            None => what,
        };
        match what {
            "abort" => std::process::abort(),
            "exit" => std::process::exit(70),
            "loop" => loop {
                std::hint::spin_loop();
            },
            "oom" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    let mut block = vec![0u8; 64 << 20];
                    block[0] = 1;
                    hoard.push(std::hint::black_box(block));
                }
            }
            "stack" => {
                std::hint::black_box(recurse(std::hint::black_box(1)));
            }
            // A parser that takes its time but finishes.
            "slow" => std::thread::sleep(Duration::from_millis(1500)),
            _ => {}
        }
    }
}

fn recurse(n: u64) -> u64 {
    let pad = std::hint::black_box([n; 64]);
    if std::hint::black_box(n) == u64::MAX {
        return n;
    }
    recurse(n + 1).wrapping_add(pad[3])
}

// ---------------------------------------------------------------------------------------
// The parent side.

/// Peak resident memory in KiB of this process and of its largest ended child (a worker).
pub fn peak_rss_kib() -> (u64, u64) {
    let peak = |who| {
        // SAFETY: getrusage fills the zero-initialised struct we own and reads nothing else.
        unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            if libc::getrusage(who, &mut usage) == 0 {
                u64::try_from(usage.ru_maxrss).unwrap_or(0)
            } else {
                0
            }
        }
    };
    (peak(libc::RUSAGE_SELF), peak(libc::RUSAGE_CHILDREN))
}

struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr_tail: Arc<Mutex<String>>,
    stderr_thread: Option<JoinHandle<()>>,
}

/// Standard error kept per worker: enough for its last words.
const STDERR_TAIL: usize = 4096;

impl Worker {
    fn spawn(config: &WorkerConfig) -> std::io::Result<Worker> {
        let mut command = Command::new(&config.program);
        kooste_confine::confine(&mut command, config.memory_mib);
        let mut child = command
            .args(&config.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("worker has no stdout"))?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| std::io::Error::other("worker has no stderr"))?;
        let (tx, lines) = channel();
        std::thread::Builder::new()
            .name("kooste-worker-out".into())
            .spawn(move || {
                let mut reader = BufReader::new(stdout);
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            if tx.send(line).is_err() {
                                break;
                            }
                        }
                    }
                }
            })?;
        let stderr_tail = Arc::new(Mutex::new(String::new()));
        let tail = Arc::clone(&stderr_tail);
        let stderr_thread = std::thread::Builder::new()
            .name("kooste-worker-err".into())
            .spawn(move || {
                let mut stderr = stderr;
                let mut buf = [0u8; 1024];
                while let Ok(n) = stderr.read(&mut buf) {
                    let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
                        break;
                    };
                    let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
                    t.push_str(&String::from_utf8_lossy(chunk));
                    if t.len() > STDERR_TAIL {
                        let mut cut = t.len() - STDERR_TAIL;
                        while !t.is_char_boundary(cut) {
                            cut += 1;
                        }
                        t.drain(..cut);
                    }
                }
            })?;
        Ok(Worker {
            child,
            stdin,
            lines,
            stderr_tail,
            stderr_thread: Some(stderr_thread),
        })
    }

    fn send(&mut self, request: &Request) -> std::io::Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| std::io::Error::other("worker stdin closed"))?;
        let mut line = serde_json::to_vec(request).map_err(std::io::Error::other)?;
        line.push(b'\n');
        stdin.write_all(&line)?;
        stdin.flush()
    }

    /// Kills the worker and waits for it, returning how it ended and its last words.
    fn end(mut self) -> (Option<ExitStatus>, String) {
        let _ = self.child.kill();
        let status = self.child.wait().ok();
        if let Some(t) = self.stderr_thread.take() {
            let _ = t.join();
        }
        let tail = self
            .stderr_tail
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        (status, tail)
    }

    /// Waits for a worker that closed its output to exit by itself.
    fn reap(mut self) -> (Option<ExitStatus>, String) {
        self.stdin = None;
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.end()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Workers shared by the threads of a run; each thread borrows one per file.
pub(crate) struct Pool {
    config: WorkerConfig,
    idle: Mutex<Vec<Worker>>,
    restarts: AtomicU64,
}

impl Pool {
    pub(crate) fn new(config: WorkerConfig) -> Pool {
        Pool {
            config,
            idle: Mutex::new(Vec::new()),
            restarts: AtomicU64::new(0),
        }
    }

    pub(crate) fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }

    pub(crate) fn time_limit(&self) -> Duration {
        self.config.time_limit
    }

    pub(crate) fn memory_mib(&self) -> u64 {
        self.config.memory_mib
    }

    fn checkout(&self) -> Result<Worker, PipelineError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(w) => Ok(w),
            None => Worker::spawn(&self.config).map_err(|e| {
                PipelineError::Worker(format!(
                    "cannot start {}: {e}",
                    self.config.program.display()
                ))
            }),
        }
    }

    fn checkin(&self, worker: Worker) {
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(worker);
    }

    /// Has a worker extract the file at `abs`, seen by extraction as `name`. `waiting` is
    /// called now and then while the worker works; `answered` with the size of the answer
    /// before it is decoded.
    pub(crate) fn extract(
        &self,
        abs: &Path,
        name: &str,
        waiting: &dyn Fn(),
        answered: &mut dyn FnMut(usize),
    ) -> Result<Outcome, PipelineError> {
        let request = Request {
            path: path_bytes(abs),
            name: name.to_string(),
            copy: None,
        };
        self.ask(&request, waiting, answered)
    }

    /// Has a worker write the member (suffix, content hash) of the file at `abs` (`name` on
    /// the drive) to `to`, within the same limits as extraction, since it opens the same
    /// containers; or why nothing was written.
    pub(crate) fn copy_member(
        &self,
        abs: &Path,
        name: &str,
        member: (&str, &str),
        to: &Path,
    ) -> Result<Result<(), String>, PipelineError> {
        let request = Request::copy((abs, name), member, to, (false, &[]));
        Ok(self.ask_copy(&request)?.map(|_| ()))
    }

    /// Has a worker write the pictures that the document (suffix, content hash) of the file
    /// at `abs` (`name` on the drive) shows into the folder `to`, as
    /// [`copy_pictures`] does; or why it did not.
    pub(crate) fn copy_pictures(
        &self,
        abs: &Path,
        name: &str,
        member: (&str, &str),
        to: &Path,
        pages: &[u32],
    ) -> Result<Result<CopiedPictures, String>, PipelineError> {
        let request = Request::copy((abs, name), member, to, (true, pages));
        // A worker stopped at the time or memory limit on this content would be stopped
        // again: that is kept as the reading, not tried on every run.
        let outcome = self.ask(&request, &|| {}, &mut |_| {})?;
        if let Outcome::Failed {
            cacheable: true, ..
        } = &outcome
        {
            return Ok(Ok(CopiedPictures {
                unreadable: Some(format!(
                    "its pictures could not be copied within a worker's {} s and {} MiB",
                    self.time_limit().as_secs_f64(),
                    self.memory_mib()
                )),
                stopped: true,
                ..CopiedPictures::default()
            }));
        }
        Ok(copy_answer(outcome).and_then(|r| {
            r.pictures
                .ok_or_else(|| "the worker copied no pictures".into())
        }))
    }

    /// Sends a request to copy, and makes of the answer the worker's response or why it
    /// copied nothing.
    fn ask_copy(&self, request: &Request) -> Result<Result<Response, String>, PipelineError> {
        Ok(copy_answer(self.ask(request, &|| {}, &mut |_| {})?))
    }

    /// Sends `request` to a worker and waits for its answer within the hard time limit.
    fn ask(
        &self,
        request: &Request,
        waiting: &dyn Fn(),
        answered: &mut dyn FnMut(usize),
    ) -> Result<Outcome, PipelineError> {
        let mut worker = self.checkout()?;
        if worker.send(request).is_err() {
            // An idle worker that died (killed from outside): a new one gets the file.
            drop(worker);
            self.restarts.fetch_add(1, Ordering::Relaxed);
            worker = Worker::spawn(&self.config)
                .map_err(|e| PipelineError::Worker(format!("cannot restart worker: {e}")))?;
            worker
                .send(request)
                .map_err(|e| PipelineError::Worker(format!("cannot talk to worker: {e}")))?;
        }
        let deadline = Instant::now() + self.config.hard_limit();
        loop {
            let now = Instant::now();
            if now >= deadline {
                let _ = worker.end();
                self.restarts.fetch_add(1, Ordering::Relaxed);
                return Ok(Outcome::Failed {
                    error: ExtractError::new(
                        ErrorKind::Timeout,
                        format!(
                            "extraction did not finish in {} s and was stopped",
                            self.config.time_limit.as_secs_f64()
                        ),
                    ),
                    cacheable: true,
                });
            }
            match worker
                .lines
                .recv_timeout((deadline - now).min(Duration::from_millis(250)))
            {
                Ok(line) => {
                    answered(line.len());
                    return Ok(match serde_json::from_str::<Response>(&line) {
                        Ok(response) => {
                            self.checkin(worker);
                            Outcome::Done(response)
                        }
                        Err(e) => {
                            let _ = worker.end();
                            self.restarts.fetch_add(1, Ordering::Relaxed);
                            Outcome::Failed {
                                error: ExtractError::new(
                                    ErrorKind::Corrupt,
                                    format!("the extraction worker answered nonsense: {e}"),
                                ),
                                cacheable: false,
                            }
                        }
                    });
                }
                Err(RecvTimeoutError::Timeout) => waiting(),
                Err(RecvTimeoutError::Disconnected) => {
                    let (status, tail) = worker.reap();
                    self.restarts.fetch_add(1, Ordering::Relaxed);
                    return Ok(self.diagnose(status, &tail));
                }
            }
        }
    }

    /// Names the death of a worker from its exit status and its last words.
    fn diagnose(&self, status: Option<ExitStatus>, stderr: &str) -> Outcome {
        if stderr.contains("memory allocation of") || stderr.contains("out of memory") {
            return Outcome::Failed {
                error: ExtractError::new(
                    ErrorKind::TooLarge,
                    format!(
                        "extraction went over the {MEMORY_MESSAGE} of {} MiB and was stopped",
                        self.config.memory_mib
                    ),
                ),
                cacheable: true,
            };
        }
        if stderr.contains("overflowed its stack") {
            return Outcome::Failed {
                error: ExtractError::new(
                    ErrorKind::TooLarge,
                    "extraction overflowed its stack: the file nests too deeply",
                ),
                cacheable: true,
            };
        }
        let signal = status.and_then(|s| {
            #[cfg(unix)]
            {
                std::os::unix::process::ExitStatusExt::signal(&s)
            }
            #[cfg(not(unix))]
            {
                let _ = s;
                None
            }
        });
        // Killed from outside, the file itself may be fine: do not remember the failure.
        let external = matches!(
            signal,
            Some(libc::SIGKILL | libc::SIGTERM | libc::SIGINT | libc::SIGHUP | libc::SIGPIPE)
        );
        let how = match (signal, status.and_then(|s| s.code())) {
            (Some(sig), _) => format!("signal {sig}"),
            (None, Some(code)) => format!("exit code {code}"),
            _ => "unknown cause".to_string(),
        };
        Outcome::Failed {
            error: ExtractError::new(
                ErrorKind::Corrupt,
                format!("the extraction process crashed on this file ({how})"),
            ),
            cacheable: !external,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_copies_out_the_member_asked_for() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mail = dir.path().join("viesti.eml");
        // The line break before a boundary belongs to the boundary.
        let attached = "Allekirjoitettu pöytäkirja";
        std::fs::write(
            &mail,
            format!(
                "From: a@example.fi\r\nSubject: Liite\r\nMIME-Version: 1.0\r\n\
                 Content-Type: multipart/mixed; boundary=\"r\"\r\n\r\n--r\r\n\
                 Content-Type: text/plain\r\n\r\nLiitteenä.\r\n--r\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\
                 Content-Disposition: attachment; filename=\"liite.txt\"\r\n\
                 Content-Transfer-Encoding: 8bit\r\n\r\n{attached}\r\n--r--\r\n"
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let copy = |suffix: &str, to: &Path| {
            let request = Request {
                path: path_bytes(&mail),
                name: "Turku/viesti.eml".into(),
                copy: Some(MemberCopy {
                    suffix: suffix.into(),
                    hash: blake3::hash(attached.as_bytes()).to_hex().to_string(),
                    to: path_bytes(to),
                    pictures: false,
                    pages: Vec::new(),
                }),
            };
            let input = format!("{}\n", serde_json::to_string(&request).unwrap_or_default());
            let mut output = Vec::new();
            assert!(serve(input.as_bytes(), &mut output, &Limits::default()).is_ok());
            serde_json::from_slice::<Response>(&output).unwrap_or_else(|e| panic!("{e}"))
        };
        let to = dir.path().join("kopio.txt");
        let answer = copy("/liite.txt", &to);
        let written = std::fs::read(&to).unwrap_or_default();
        assert_eq!(written, attached.as_bytes());
        assert_eq!(answer.hash, blake3::hash(&written).to_hex().to_string());
        assert!(answer.items.is_empty());
        // A member not in the file: nothing written, and why.
        let to = dir.path().join("ei.txt");
        let answer = copy("/poistettu.pdf", &to);
        assert_eq!(answer.hash, "");
        assert!(!to.exists());
        let why = answer.items[0]
            .result
            .as_ref()
            .err()
            .map(|e| e.message.clone());
        assert_eq!(
            why.as_deref(),
            Some(
                "/poistettu.pdf could not be copied out of the file for OCR: it is not in it as it was read"
            )
        );
    }

    #[test]
    fn serve_answers_each_request_on_one_line() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("muistio.txt");
        std::fs::write(&file, "Asiakaskokemus\nyhteiskehittäminen").unwrap_or_default();
        let requests = [
            Request {
                path: path_bytes(&file),
                name: "Espoo/muistio.txt".into(),
                copy: None,
            },
            Request {
                path: path_bytes(&dir.path().join("puuttuu.txt")),
                name: "puuttuu.txt".into(),
                copy: None,
            },
        ];
        let mut input = String::new();
        for r in &requests {
            input.push_str(&serde_json::to_string(r).unwrap_or_default());
            input.push('\n');
        }
        let mut output = Vec::new();
        let served = serve(input.as_bytes(), &mut output, &Limits::default());
        assert!(served.is_ok());
        let lines: Vec<Response> = String::from_utf8_lossy(&output)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0].hash,
            blake3::hash("Asiakaskokemus\nyhteiskehittäminen".as_bytes())
                .to_hex()
                .to_string()
        );
        let text = lines[0].items[0]
            .result
            .as_ref()
            .map(|d| d.text())
            .unwrap_or_default();
        assert!(text.contains("yhteiskehittäminen"));
        assert_eq!(lines[0].items[0].suffix, "");
        assert_eq!(lines[1].hash, "");
        assert_eq!(
            lines[1].items[0].result.as_ref().err().map(|e| e.kind),
            Some(ErrorKind::Io)
        );
    }

    fn pool() -> Pool {
        Pool::new(WorkerConfig {
            program: PathBuf::from("/bin/sh"),
            args: vec![],
            memory_mib: 512,
            time_limit: Duration::from_secs(1),
        })
    }

    #[test]
    fn deaths_are_named_by_their_last_words() {
        let p = pool();
        let kind = |o: Outcome| match o {
            Outcome::Failed { error, cacheable } => Some((error.kind, cacheable)),
            Outcome::Done(_) => None,
        };
        assert_eq!(
            kind(p.diagnose(None, "memory allocation of 67108864 bytes failed\n")),
            Some((ErrorKind::TooLarge, true))
        );
        assert_eq!(
            kind(p.diagnose(None, "\nthread 'main' has overflowed its stack\n")),
            Some((ErrorKind::TooLarge, true))
        );
        assert_eq!(kind(p.diagnose(None, "")), Some((ErrorKind::Corrupt, true)));
    }
}
