//! Versioned file storage (p4d's librarian): file types, RCS `,v` files
//! with reverse deltas, full and gzip-compressed per-revision files under
//! `,d/`, archive paths under the depot root, and content digests.

pub mod delta;
pub mod filetype;
pub mod librarian;
pub mod rcs;

pub use filetype::{BadFileType, FileType, Storage};
pub use librarian::{LbrError, Librarian, digest, lbr_rev};
pub use rcs::{RcsArchive, RcsError, RcsRevision, rcs_date};
