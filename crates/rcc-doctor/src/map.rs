//! Large logs are mapped into memory instead of read: the analysis reads a mapped file's bytes
//! where they lie in the page cache. Reading a 50 MB trace into a fresh buffer cost more CPU
//! than any stage of the analysis but ingest (the kernel clearing each new page, then copying
//! into it: `clear_page_erms` and `_copy_to_iter` were a quarter of a run's samples).
//!
//! A mapped file that shrinks while it is read (rotated by truncation) makes the next access
//! past its new end raise SIGBUS; the handler installed here says so and exits with 2, the exit
//! code of unreadable input, instead of the shell's bare "Bus error".

use rcc_core::ingest::{FileBytes, KeptBytes};

/// A regular file this large or larger is mapped; a smaller one is read (a map's set-up and
/// its page faults cost more than copying a few pages).
pub const MAP_FROM: u64 = 1 << 20;

/// The file at `path` mapped, when it is a regular file of at least `from` bytes and the system
/// maps it; `None` (the caller then reads it) otherwise.
pub fn map(path: &str, from: u64) -> Option<FileBytes> {
    let file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() < from {
        return None;
    }
    install_sigbus_handler();
    // SAFETY: the map is read only and private; a file rewritten in place meanwhile is outside
    // the contract of `KeptBytes` (as for ripgrep's maps), and one that shrinks raises SIGBUS,
    // which the handler turns into a message and exit code 2.
    #[allow(unsafe_code)]
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.ok()?;
    Some(FileBytes::kept(Box::new(MappedLog(map))))
}

struct MappedLog(memmap2::Mmap);

// SAFETY: the slice is the mapping itself (not inside the struct, so moving it moves no byte),
// the same on every call, valid until the map is dropped with the value.
#[allow(unsafe_code)]
unsafe impl KeptBytes for MappedLog {
    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

fn install_sigbus_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let handler: extern "C" fn(libc::c_int) = on_sigbus;
        // SAFETY: the handler only calls async-signal-safe functions (write, _exit).
        #[allow(unsafe_code)]
        unsafe {
            libc::signal(libc::SIGBUS, handler as libc::sighandler_t);
        }
    });
}

extern "C" fn on_sigbus(_: libc::c_int) {
    const MESSAGE: &[u8] = b"rcc-doctor analyze: a log file became shorter while it was read \
(rotated or truncated meanwhile?); analyse a copy of it\n";
    // SAFETY: write and _exit are async-signal-safe; MESSAGE is a static byte string.
    #[allow(unsafe_code)]
    unsafe {
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::map;

    /// Mapped, a file is the bytes a plain read gives, whatever its length; a pipe, a missing
    /// file or a file below the threshold is left to the plain read.
    #[test]
    fn a_mapped_file_is_the_file() {
        let dir = std::env::temp_dir().join(format!("rcc-doctor-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for len in [1usize, 4095, 4096, 65_537, 1 << 20] {
            let path = dir.join(format!("log{len}"));
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            let path = path.to_str().unwrap();
            assert_eq!(map(path, 1).as_deref(), Some(&bytes[..]), "{len}");
            assert!(map(path, len as u64 + 1).is_none());
        }
        assert!(map("/dev/null", 0).is_none());
        assert!(map(dir.join("none").to_str().unwrap(), 0).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
