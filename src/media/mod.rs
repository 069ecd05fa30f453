//! Files people attach to drawings (issue 28): photos now, voice notes next. An engine with
//! no HTTP and no store: bytes in, cleaned bytes out.
//!
//! Metadata is people's data: a phone's photo carries where it was taken (EXIF GPS), when,
//! with which device, a thumbnail of the original, XMP and IPTC blocks. Nothing of a file as
//! sent is kept: a photo is decoded, turned upright by its Orientation, scaled to a sane size
//! and encoded again, so what is stored holds pixels and nothing else.

pub mod folder;
pub mod photo;

pub use folder::{Folder, Size, Swept};
pub use photo::{CleanPhoto, PhotoError, PhotoLimits, clean_photo};
