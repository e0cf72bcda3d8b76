//! A log file's bytes as a caller hands them over ([`FileBytes`]), and the text its messages
//! share once read ([`FileText`]; `ingest::text::shared_text` turns the one into the other).
//!
//! The bytes are either owned (a `Vec<u8>`: the browser's copy of a picked file, a test's
//! text) or kept by an owner the caller passes in ([`KeptBytes`]: the command line's memory
//! map of a large file). Either way, bytes that are UTF-8 become the shared text as they are,
//! without a copy; only a UTF-16 file or bytes that are not UTF-8 are converted into a new
//! `String`. Reading a 50 MB log into a fresh buffer is mostly the kernel clearing and copying
//! pages (a quarter of the command line's CPU samples on a 50 MB trace), which a map skips.

/// Bytes that live as long as their owner and never change: what [`FileBytes::kept`] takes.
///
/// # Safety
/// `bytes` must return the same slice on every call, and its bytes must stay valid and
/// unchanged for as long as the value lives, wherever the value is moved (the slice must not
/// point into the value itself). A memory map of a file meets this while no one rewrites or
/// shortens the file; the text is read as UTF-8 after one check, so a file rewritten in place
/// meanwhile is outside the contract.
#[allow(unsafe_code)]
pub unsafe trait KeptBytes: Send + Sync + 'static {
    fn bytes(&self) -> &[u8];
}

/// A log file's bytes, as [`crate::ingest::OwnedInput`] hands them over.
pub struct FileBytes(Bytes);

enum Bytes {
    Owned(Vec<u8>),
    Kept(Box<dyn KeptBytes>),
}

impl FileBytes {
    /// Bytes kept by `owner` (see [`KeptBytes`]), read without a copy.
    pub fn kept(owner: Box<dyn KeptBytes>) -> FileBytes {
        FileBytes(Bytes::Kept(owner))
    }

    /// The bytes as the text itself, without a copy.
    ///
    /// # Safety
    /// The bytes are UTF-8 (the caller checked them).
    #[allow(unsafe_code)]
    pub(crate) unsafe fn into_text_unchecked(self) -> FileText {
        match self.0 {
            // SAFETY: the caller's promise.
            Bytes::Owned(v) => FileText::from(unsafe { String::from_utf8_unchecked(v) }),
            Bytes::Kept(owner) => {
                let b = owner.bytes();
                FileText {
                    ptr: b.as_ptr(),
                    len: b.len(),
                    _owner: TextOwner::Kept(owner),
                }
            }
        }
    }
}

impl From<Vec<u8>> for FileBytes {
    fn from(bytes: Vec<u8>) -> FileBytes {
        FileBytes(Bytes::Owned(bytes))
    }
}

impl Default for FileBytes {
    fn default() -> FileBytes {
        FileBytes(Bytes::Owned(Vec::new()))
    }
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.0 {
            Bytes::Owned(v) => v,
            Bytes::Kept(k) => k.bytes(),
        }
    }
}

/// A clone owns a copy of the bytes (only tests and the browser's saved state clone inputs).
impl Clone for FileBytes {
    fn clone(&self) -> FileBytes {
        FileBytes(Bytes::Owned(self.to_vec()))
    }
}

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.0 {
            Bytes::Owned(_) => "owned",
            Bytes::Kept(_) => "kept",
        };
        write!(f, "FileBytes({} bytes, {how})", self.len())
    }
}

/// A file's text, shared by its messages: a `String`, or bytes kept by their owner that were
/// checked to be UTF-8. Dereferences to `str` without a branch (one pointer and a length).
pub(crate) struct FileText {
    ptr: *const u8,
    len: usize,
    /// What `ptr` points into; never touched after construction but dropped with it.
    _owner: TextOwner,
}

enum TextOwner {
    String(#[allow(dead_code)] String),
    Kept(#[allow(dead_code)] Box<dyn KeptBytes>),
}

// SAFETY: `ptr` points into `_owner`'s bytes, which are Send and Sync (a String; a KeptBytes,
// Send + Sync by its bounds) and are never written through this type.
#[allow(unsafe_code)]
unsafe impl Send for FileText {}
#[allow(unsafe_code)]
unsafe impl Sync for FileText {}

impl From<String> for FileText {
    fn from(s: String) -> FileText {
        // A String's bytes live on the heap: moving the String into `_owner` moves none.
        FileText {
            ptr: s.as_ptr(),
            len: s.len(),
            _owner: TextOwner::String(s),
        }
    }
}

impl std::fmt::Debug for FileText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileText({} bytes)", self.len)
    }
}

impl Default for FileText {
    fn default() -> FileText {
        FileText::from(String::new())
    }
}

impl std::ops::Deref for FileText {
    type Target = str;
    fn deref(&self) -> &str {
        // SAFETY: `ptr` and `len` are the slice of `_owner`'s bytes, which live and stay
        // unchanged as long as `self` (String: never written; KeptBytes: its contract), and
        // they were UTF-8 when taken (`From<String>`, `into_text_unchecked`).
        #[allow(unsafe_code)]
        unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(self.ptr, self.len))
        }
    }
}
