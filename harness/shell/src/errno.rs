//! The C library's wording of I/O errors, which every message quotes.

use std::io;

/// `strerror` text of an error, without Rust's " (os error N)" suffix.
pub(crate) fn text(e: &io::Error) -> String {
    if let Some(code) = e.raw_os_error()
        && let Some(t) = strerror(code)
    {
        return t.to_string();
    }
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// glibc's messages for the errors file operations meet.
fn strerror(code: i32) -> Option<&'static str> {
    Some(match code {
        1 => "Operation not permitted",
        2 => "No such file or directory",
        5 => "Input/output error",
        9 => "Bad file descriptor",
        13 => "Permission denied",
        16 => "Device or resource busy",
        17 => "File exists",
        18 => "Invalid cross-device link",
        20 => "Not a directory",
        21 => "Is a directory",
        22 => "Invalid argument",
        24 => "Too many open files",
        26 => "Text file busy",
        27 => "File too large",
        28 => "No space left on device",
        30 => "Read-only file system",
        36 => "File name too long",
        39 => "Directory not empty",
        40 => "Too many levels of symbolic links",
        _ => return None,
    })
}

pub(crate) fn is(e: &io::Error, code: i32) -> bool {
    e.raw_os_error() == Some(code)
}

pub(crate) const ENOENT: i32 = 2;
pub(crate) const EEXIST: i32 = 17;
pub(crate) const EXDEV: i32 = 18;
pub(crate) const ENOTDIR: i32 = 20;
pub(crate) const EISDIR: i32 = 21;
pub(crate) const ENOTEMPTY: i32 = 39;

pub(crate) fn err(code: i32) -> io::Error {
    io::Error::from_raw_os_error(code)
}
