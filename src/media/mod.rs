//! Files people attach to drawings (issue 28): photos and voice notes. An engine with no HTTP
//! and no store: bytes in, cleaned bytes out.
//!
//! Metadata is people's data: a phone's photo carries where it was taken (EXIF GPS), when,
//! with which device, a thumbnail of the original, XMP and IPTC blocks; a recording, its
//! container's tags (an iPhone's, where it was made). Nothing of a file as sent is kept: a
//! photo is decoded, turned upright by its Orientation, scaled to a sane size and encoded
//! again, so what is stored holds pixels and nothing else; a voice note keeps its sound's
//! packets in a container rewritten without its tags.

pub mod audio;
pub mod folder;
pub mod photo;

pub use audio::{AudioError, AudioFormat, AudioLimits, CleanAudio, clean_audio};
pub use folder::{Folder, Part, Swept};
pub use photo::{CleanPhoto, PhotoError, PhotoLimits, clean_photo};
