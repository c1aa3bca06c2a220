//! Random access to a source file's bytes, local or remote.
//!
//! Local files are read with `pread`. Paths in GDAL's virtual file systems
//! (`/vsicurl/https://…`, `/vsis3/bucket/…`, `/vsigs/…`, `/vsiaz/…`) are
//! read through GDAL's VSI layer, which does HTTP range requests, retries,
//! authentication from the usual environment variables and block caching,
//! so a FlatGeobuf on object storage is read like a COG is.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use parking_lot::Mutex;

use super::SourceVersion;

/// Whether a path names a file in one of GDAL's virtual file systems.
pub fn is_virtual(path: &Path) -> bool {
    path.to_str().is_some_and(|p| p.starts_with("/vsi"))
}

pub enum ByteSource {
    Local(File),
    Virtual(VsiFile),
}

impl ByteSource {
    pub fn open(path: &Path) -> io::Result<ByteSource> {
        if is_virtual(path) {
            VsiFile::open(path).map(ByteSource::Virtual)
        } else {
            File::open(path).map(ByteSource::Local)
        }
    }

    /// Reads up to `buf.len()` bytes at `offset`; fewer only at the end.
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        match self {
            ByteSource::Local(f) => {
                let mut filled = 0;
                while filled < buf.len() {
                    match f.read_at(&mut buf[filled..], offset + filled as u64) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(filled)
            }
            ByteSource::Virtual(v) => v.read_at(buf, offset),
        }
    }

    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        if self.read_at(buf, offset)? < buf.len() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the file ends early"));
        }
        Ok(())
    }
}

/// A file opened through GDAL's VSI API. A handle has a position, so reads
/// take turns; GDAL's block cache makes repeated reads cheap.
pub struct VsiFile {
    handle: Mutex<VsiHandle>,
}

struct VsiHandle(*mut gdal_sys::VSILFILE);

// SAFETY: the handle is only used under the mutex, one call at a time, and
// VSI handles are not tied to the thread that opened them.
unsafe impl Send for VsiHandle {}

impl Drop for VsiHandle {
    fn drop(&mut self) {
        // SAFETY: the handle was returned by VSIFOpenExL and is closed once.
        unsafe { gdal_sys::VSIFCloseL(self.0) };
    }
}

fn c_path(path: &Path) -> io::Result<CString> {
    let s = path
        .to_str()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path is not UTF-8"))?;
    CString::new(s).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "the path holds a NUL byte"))
}

fn last_gdal_error(what: &str) -> io::Error {
    // SAFETY: CPLGetLastErrorMsg returns a thread-local C string, valid until the next GDAL call.
    let msg = unsafe { std::ffi::CStr::from_ptr(gdal_sys::CPLGetLastErrorMsg()) }
        .to_string_lossy()
        .into_owned();
    let msg = if msg.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {msg}")
    };
    io::Error::other(msg)
}

impl VsiFile {
    pub fn open(path: &Path) -> io::Result<VsiFile> {
        let c = c_path(path)?;
        // SAFETY: valid C strings; a null result is checked.
        let fp = unsafe { gdal_sys::VSIFOpenExL(c.as_ptr(), c"rb".as_ptr(), 1) };
        if fp.is_null() {
            return Err(last_gdal_error("cannot open"));
        }
        Ok(VsiFile {
            handle: Mutex::new(VsiHandle(fp)),
        })
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let h = self.handle.lock();
        // SAFETY: the handle is open and ours under the lock; `buf` is valid for its length.
        unsafe {
            if gdal_sys::VSIFSeekL(h.0, offset, libc::SEEK_SET) != 0 {
                return Err(last_gdal_error("cannot seek"));
            }
            let n = gdal_sys::VSIFReadL(buf.as_mut_ptr().cast(), 1, buf.len(), h.0);
            if n < buf.len() && gdal_sys::VSIFEofL(h.0) == 0 {
                return Err(last_gdal_error("cannot read"));
            }
            Ok(n)
        }
    }
}

/// A whole virtual file, read in order (so that a `/vsicurl_streaming/`
/// URL is fetched once), refused past `limit` bytes.
pub fn read_to_end(path: &Path, limit: usize) -> io::Result<Vec<u8>> {
    let f = VsiFile::open(path)?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read_at(&mut buf, out.len() as u64)?;
        out.extend_from_slice(&buf[..n]);
        if out.len() > limit {
            return Err(io::Error::other(format!("larger than {limit} bytes")));
        }
        if n < buf.len() {
            return Ok(out);
        }
    }
}

/// Size and modification time of a virtual file (from HTTP Content-Length
/// and Last-Modified for remote ones).
pub fn virtual_version(path: &Path) -> io::Result<SourceVersion> {
    let c = c_path(path)?;
    // SAFETY: stat64 is plain data; VSIStatExL fills it or fails.
    let mut st: libc::stat64 = unsafe { std::mem::zeroed() };
    let flags = 0x1 | 0x4; // VSI_STAT_EXISTS_FLAG | VSI_STAT_SIZE_FLAG
    let rc = unsafe { gdal_sys::VSIStatExL(c.as_ptr(), (&mut st as *mut libc::stat64).cast(), flags) };
    if rc != 0 {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{} cannot be reached", path.display()),
        ));
    }
    Ok(SourceVersion {
        modified: SystemTime::UNIX_EPOCH + Duration::from_secs(st.st_mtime.max(0) as u64),
        len: st.st_size.max(0) as u64,
    })
}
