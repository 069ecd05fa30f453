//! A photo as Trama keeps it: checked by its content (JPEG, PNG or WebP, whatever its name
//! says), decoded within bounds, turned upright by its EXIF Orientation (a portrait taken
//! with the phone held upright is stored sideways with a tag saying so; dropping the tag
//! without turning the pixels would lay it on its side), scaled to at most
//! [`PhotoLimits::max_side`] pixels, and encoded again as a baseline JPEG. The encoder writes
//! no EXIF, XMP, IPTC or ICC block, so none of the sender's survives; a thumbnail is made the
//! same way.
//!
//! Decoding, orientation and encoding are the `image` crate's (its decoders read the
//! Orientation of JPEG, PNG and WebP files); only the order of the steps is written here.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

/// Bounds on a photo, in bytes and pixels.
#[derive(Debug, Clone, Copy)]
pub struct PhotoLimits {
    /// Largest file accepted, as sent (a phone's photo is 2–6 MB).
    pub max_bytes: usize,
    /// Largest side of a photo accepted (a 48 MP phone sensor is 8,000 px wide).
    pub max_input_side: u32,
    /// Most pixels a photo accepted may have: what bounds the memory of decoding it (the
    /// image crate sizes its buffer by the header, not by the file).
    pub max_pixels: u64,
    /// Largest side of the photo as kept.
    pub max_side: u32,
    /// Largest side of its thumbnail.
    pub thumbnail_side: u32,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        Self {
            max_bytes: 8 * 1024 * 1024,
            max_input_side: 12_000,
            // A 12 MP phone photo four times over; 16-bit RGBA of it is 200 MB decoded.
            max_pixels: 50_000_000,
            max_side: 2048,
            thumbnail_side: 320,
        }
    }
}

/// A photo as kept: JPEG bytes without metadata, its size, and its thumbnail.
#[derive(Debug, Clone)]
pub struct CleanPhoto {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
}

/// Why a file is no photo Trama keeps.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    #[error("the file is {bytes} bytes, more than the {max} a photo may have")]
    TooLarge { bytes: usize, max: usize },
    #[error("the file is not a JPEG, PNG or WebP photo (its content says so, whatever its name)")]
    NotAPhoto,
    #[error("the photo is {width}×{height} pixels, more than {max} a side")]
    TooManyPixels { width: u32, height: u32, max: u32 },
    #[error("the photo cannot be read: {0}")]
    Unreadable(String),
}

/// Cleans `bytes` as the module says: checked, upright, scaled, re-encoded.
///
/// # Errors
/// [`PhotoError`]: too large, not a photo by its content, too many pixels, or unreadable.
/// Memory is bounded by `limits` (the decoder is refused more than the pixels allow).
pub fn clean_photo(bytes: &[u8], limits: PhotoLimits) -> Result<CleanPhoto, PhotoError> {
    if bytes.len() > limits.max_bytes {
        return Err(PhotoError::TooLarge {
            bytes: bytes.len(),
            max: limits.max_bytes,
        });
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAPhoto)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::NotAPhoto);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut bounds = image::Limits::default();
    bounds.max_image_width = Some(limits.max_input_side);
    bounds.max_image_height = Some(limits.max_input_side);
    // Four bytes a pixel of the largest image allowed, and room for the decoder's own.
    bounds.max_alloc = Some(u64::from(limits.max_input_side).pow(2) * 4 + 64 * 1024 * 1024);
    reader.limits(bounds);
    let too_many = |(width, height): (u32, u32)| PhotoError::TooManyPixels {
        width,
        height,
        max: limits.max_input_side,
    };
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => too_many((0, 0)),
        other => PhotoError::Unreadable(other.to_string()),
    })?;
    let (width, height) = decoder.dimensions();
    // The decoded buffer is sized from the header: refused before it is made.
    if width > limits.max_input_side
        || height > limits.max_input_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
        || decoder.total_bytes() > limits.max_pixels * 8
    {
        return Err(PhotoError::TooManyPixels {
            width,
            height,
            max: limits.max_input_side,
        });
    }
    let orientation = decoder
        .orientation()
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    let mut image =
        DynamicImage::from_decoder(decoder).map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    image.apply_orientation(orientation);
    // JPEG has no transparency: a PNG's is laid on white, as a page shows it.
    let image = DynamicImage::ImageRgb8(flatten(image));
    let kept = fit(&image, limits.max_side);
    drop(image);
    let thumbnail = fit(&kept, limits.thumbnail_side);
    Ok(CleanPhoto {
        width: kept.width(),
        height: kept.height(),
        jpeg: encode(&kept, 85)?,
        thumbnail: encode(&thumbnail, 75)?,
    })
}

/// `image` scaled down to at most `side` pixels a side, its proportions kept; a smaller one
/// as it is (`thumbnail` alone would enlarge it).
fn fit(image: &DynamicImage, side: u32) -> DynamicImage {
    if image.width() <= side && image.height() <= side {
        image.clone()
    } else {
        image.thumbnail(side, side)
    }
}

/// The image's pixels over white.
fn flatten(image: DynamicImage) -> image::RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| {
            let (c, a) = (u16::from(c), u16::from(a));
            ((c * a + 255 * (255 - a)) / 255) as u8
        };
        image::Rgb([over(r), over(g), over(b)])
    })
}

fn encode(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    Ok(out)
}
