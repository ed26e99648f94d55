//! Confinement of the child programs kooste runs on untrusted files: its own extraction
//! workers, and the OCR programs. A child gets an address-space limit, so that a hostile
//! file cannot make it take the machine's memory; no core dumps, so that a crash does not
//! write gigabytes beside the drive; and death with kooste, so that no child outlives an
//! interrupted run.
//!
//! The limits are set between fork and exec, so they hold from the child's first
//! instruction, and its start-up allocations count against them too.

use std::process::Command;

/// Sets the limits on `command` for every process it spawns: address space at most
/// `memory_mib` MiB, no core dumps, killed (on Linux) when the thread that spawned it ends.
/// Elsewhere than on Unix, nothing is limited.
#[cfg(unix)]
pub fn confine(command: &mut Command, memory_mib: u64) {
    use std::os::unix::process::CommandExt;
    let mut bytes = memory_mib.saturating_mul(1 << 20) as libc::rlim_t;
    // A limit above the hard one this process was given (ulimit -Hv, systemd's LimitAS=)
    // may not be set, and every spawn would fail: the child gets the lower.
    let mut inherited = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit fills the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut inherited) } == 0
        && inherited.rlim_max != libc::RLIM_INFINITY
    {
        bytes = bytes.min(inherited.rlim_max);
    }
    #[cfg(target_os = "linux")]
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: runs in the child between fork and exec, where only async-signal-safe calls
    // are allowed: setrlimit, prctl and getppid are, and they are given initialised structs
    // and constants. Nothing is allocated: errors are raw OS error numbers.
    unsafe {
        command.pre_exec(move || {
            let memory = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            let no_core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &memory) != 0
                || libc::setrlimit(libc::RLIMIT_CORE, &no_core) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            #[cfg(target_os = "linux")]
            {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // kooste died before the line above, and the child was adopted: the signal
                // will never come, so the child must not start.
                if libc::getppid() != parent {
                    return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                }
            }
            Ok(())
        });
    }
}

#[cfg(not(unix))]
pub fn confine(_command: &mut Command, _memory_mib: u64) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn shell(script: &str, memory_mib: u64) -> String {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        confine(&mut command, memory_mib);
        let out = command.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[test]
    fn the_child_sees_the_address_space_limit_in_kib() {
        assert_eq!(shell("ulimit -v", 512), "524288");
        assert_eq!(shell("ulimit -v", 1000), "1024000");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_child_dies_with_the_thread_that_spawned_it() {
        use std::os::unix::process::ExitStatusExt;
        let spawner = std::thread::spawn(|| {
            let mut command = Command::new("sleep");
            command.arg("30");
            confine(&mut command, 512);
            command.spawn().unwrap()
        });
        let mut child = spawner.join().unwrap();
        // The spawning thread has ended: the parent-death signal kills the child, which
        // would otherwise have ended by itself.
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL));
    }

    #[test]
    fn the_child_may_not_dump_core() {
        assert_eq!(shell("ulimit -c", 512), "0");
    }

    #[test]
    fn a_limit_past_the_address_space_is_no_error() {
        // u64::MAX MiB saturates to the largest limit rather than wrapping to a small one.
        assert_eq!(shell("ulimit -v", u64::MAX), "unlimited");
    }

    #[test]
    fn an_allocation_over_the_limit_fails_in_the_child_only() {
        // The shell starts in 64 MiB, but cannot hold a 200 MB string in it; the limit is the
        // child's, and this process goes on.
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "echo started; x=$(head -c 200000000 /dev/zero | tr '\\0' x); echo ${#x}",
        ]);
        confine(&mut command, 64);
        let out = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.starts_with("started"), "{out:?}");
        assert!(!stdout.contains("200000000"), "{out:?}");
        // Unconfined, the same script holds the string.
        let out = Command::new("sh")
            .args([
                "-c",
                "x=$(head -c 200000000 /dev/zero | tr '\\0' x); echo ${#x}",
            ])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "200000000");
    }
}
