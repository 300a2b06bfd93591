//! Reading a file a user pointed at, defensively: only regular files, up to a size limit, and
//! Python's source encodings (PEP 263) decoded.

use std::io::Read as _;
use std::path::Path;

use crate::Error;

/// The largest file read. Migrations are kilobytes; the largest generated initial revisions are
/// a few megabytes. The limit keeps a stray dump or a link to `/dev/zero` from exhausting memory.
pub const MAX_FILE_SIZE: u64 = 32 * 1024 * 1024;

/// Reads a regular file of at most [`MAX_FILE_SIZE`] bytes. A FIFO, a device or a socket (also
/// behind a symbolic link) is refused before it is opened: opening a FIFO blocks until something
/// writes to it, and a device may never end.
pub fn read_regular_file(path: &Path) -> Result<Vec<u8>, Error> {
    let metadata = std::fs::metadata(path).map_err(|source| io_error(path, source))?;
    if !metadata.is_file() {
        return Err(Error::NotARegularFile {
            path: path.to_path_buf(),
        });
    }
    if metadata.len() > MAX_FILE_SIZE {
        return Err(too_large(path));
    }
    // The file may have been swapped or grown since it was looked at: the read checks the limit
    // again.
    read_seen_regular_file(path, None)
}

/// Reads a file known to be a regular file (looked at by [`read_regular_file`], or seen so in its
/// directory's listing by discovery), of at most [`MAX_FILE_SIZE`] bytes, without looking at it
/// again before opening it: a `statx` per file saved, a path walk each, which is more than the
/// read of a small file costs. `len` is its length when it was looked at just before.
pub(crate) fn read_seen_regular_file(path: &Path, len: Option<u64>) -> Result<Vec<u8>, Error> {
    /// What each thread's read buffer keeps between files: more than most migrations.
    const KEPT: usize = 64 * 1024;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut file = std::fs::File::open(path).map_err(|source| io_error(path, source))?;
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        buffer.reserve(KEPT);
        // A file of the length just looked at is asked for one byte more: when it comes whole
        // and no more, it has not grown, and the read that would say it ended is saved.
        if let Some(len) = len.and_then(|len| usize::try_from(len).ok())
            && len < KEPT
        {
            buffer.resize(len + 1, 0);
            let got = loop {
                match file.read(buffer) {
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                    got => break got.map_err(|source| io_error(path, source))?,
                }
            };
            buffer.truncate(got);
            if got == len {
                return Ok(buffer.as_slice().to_vec());
            }
        }
        // One read returns a small file whole and the next says it ended; the text is then
        // copied out at its size, the buffer staying for the thread's next file. One byte past
        // the limit tells a file that is too large.
        let already = buffer.len() as u64;
        (&mut file)
            .take(MAX_FILE_SIZE + 1 - already)
            .read_to_end(buffer)
            .map_err(|source| io_error(path, source))?;
        if buffer.len() as u64 > MAX_FILE_SIZE {
            buffer.clear();
            buffer.shrink_to(KEPT);
            return Err(too_large(path));
        }
        if buffer.len() > KEPT {
            return Ok(std::mem::take(buffer));
        }
        Ok(buffer.as_slice().to_vec())
    })
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn too_large(path: &Path) -> Error {
    Error::TooLarge {
        path: path.to_path_buf(),
        limit: MAX_FILE_SIZE,
    }
}

/// The text of a Python source file: UTF-8 (a byte-order mark dropped), or the encoding its
/// PEP 263 coding comment names on line one or two. Returns the text and the encoding it was
/// decoded from (`None` for UTF-8).
pub fn decode_python(path: &Path, bytes: Vec<u8>) -> Result<(String, Option<Encoding>), Error> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let declared = coding_cookie(&bytes);
    let encoding = match declared.as_deref() {
        None => None,
        Some(name) => Some(Encoding::named(name).ok_or_else(|| Error::UnknownEncoding {
            path: path.to_path_buf(),
            encoding: name.to_owned(),
        })?),
    };
    match encoding {
        // Valid UTF-8 is read as such whatever the comment says when it is ASCII, which reads the
        // same in every supported encoding.
        None | Some(Encoding::Utf8) => {
            String::from_utf8(bytes)
                .map(|text| (text, None))
                .map_err(|_| Error::NotUtf8 {
                    path: path.to_path_buf(),
                })
        }
        Some(_) if bytes.is_ascii() => Ok((String::from_utf8_lossy(&bytes).into_owned(), None)),
        Some(encoding) => Ok((encoding.decode(&bytes), Some(encoding))),
    }
}

/// A source encoding other than UTF-8 that [`decode_python`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// UTF-8 (declared; the default).
    Utf8,
    /// ISO-8859-1: each byte is the code point of the same value.
    Latin1,
    /// Windows-1252: Latin-1 with printable characters in 0x80..0xA0.
    Cp1252,
}

impl Encoding {
    /// The encoding a coding comment names, by Python's normalised names and common aliases.
    pub fn named(name: &str) -> Option<Self> {
        let normalised = name.to_ascii_lowercase().replace('_', "-");
        // Python matches `utf-8-*` and `latin-1-*` / `iso-8859-1-*` by prefix too.
        match normalised.as_str() {
            "utf-8" | "utf8" | "u8" | "utf" | "ascii" | "us-ascii" => Some(Self::Utf8),
            name if name.starts_with("utf-8-") => Some(Self::Utf8),
            "latin-1" | "latin1" | "latin" | "l1" | "iso-8859-1" | "iso8859-1" | "8859"
            | "cp819" | "iso-ir-100" => Some(Self::Latin1),
            name if name.starts_with("latin-1-") || name.starts_with("iso-8859-1-") => {
                Some(Self::Latin1)
            }
            "cp1252" | "windows-1252" | "1252" => Some(Self::Cp1252),
            _ => None,
        }
    }

    /// Its name, as Python spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Latin1 => "iso-8859-1",
            Self::Cp1252 => "cp1252",
        }
    }

    fn decode(self, bytes: &[u8]) -> String {
        match self {
            // Only non-UTF-8 text reaches here; for UTF-8 the caller decodes.
            Self::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Self::Latin1 => bytes.iter().map(|&byte| char::from(byte)).collect(),
            Self::Cp1252 => bytes.iter().map(|&byte| cp1252(byte)).collect(),
        }
    }
}

/// Windows-1252 differs from Latin-1 only in 0x80..0xA0; its five undefined bytes decode to the
/// C1 control of the same value, as Windows does (Python would refuse them).
fn cp1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}',
        '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}',
        '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}',
        '\u{9D}', '\u{017E}', '\u{0178}',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// The encoding a PEP 263 comment declares on line one or two (the second only when the first is
/// a comment or blank, as Python reads it): `coding[:=]\s*([-\w.]+)` in a comment.
fn coding_cookie(bytes: &[u8]) -> Option<String> {
    for (number, line) in bytes.split(|&byte| byte == b'\n').take(2).enumerate() {
        let trimmed = line.trim_ascii_start();
        if !trimmed.starts_with(b"#") {
            if number == 0 && !trimmed.trim_ascii().is_empty() {
                return None;
            }
            continue;
        }
        let Some(at) = find(trimmed, b"coding") else {
            continue;
        };
        let rest = &trimmed[at + b"coding".len()..];
        let Some((b':' | b'=', rest)) = rest.split_first() else {
            continue;
        };
        let name: Vec<u8> = rest
            .trim_ascii_start()
            .iter()
            .copied()
            .take_while(|&byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'))
            .collect();
        if !name.is_empty() {
            return Some(String::from_utf8_lossy(&name).into_owned());
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn decode(bytes: &[u8]) -> Result<(String, Option<Encoding>), Error> {
        decode_python(Path::new("m.py"), bytes.to_vec())
    }

    #[test]
    fn files_are_read_whole_whatever_their_size() {
        let dir = std::env::temp_dir().join(format!("mrt-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for size in [0_usize, 1, 4095, 4096, 65_537, 1_000_003] {
            let path = dir.join(format!("{size}.py"));
            let text: Vec<u8> = b"abcdefghijklmnopqrstuvwxyz"
                .iter()
                .copied()
                .cycle()
                .take(size)
                .collect();
            std::fs::write(&path, &text).unwrap();
            assert_eq!(read_regular_file(&path).unwrap(), text, "{size} bytes");
            assert_eq!(
                read_seen_regular_file(&path, None).unwrap(),
                text,
                "{size} bytes"
            );
            // A length looked at earlier may be wrong by now: the file is read whole anyway.
            for len in [size, size.saturating_sub(1), size + 1, size + 4096] {
                let hint = Some(len as u64);
                let read = read_seen_regular_file(&path, hint).unwrap();
                assert_eq!(read, text, "{size} bytes read as {len}");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn coding_comments_name_the_encoding() {
        let latin = b"# -*- coding: latin-1 -*-\nname = 'caf\xE9'\n";
        let (text, encoding) = decode(latin).unwrap();
        assert_eq!(text, "# -*- coding: latin-1 -*-\nname = 'caf\u{e9}'\n");
        assert_eq!(encoding, Some(Encoding::Latin1));

        let windows = b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nq = '\x93x\x94'\n";
        let (text, encoding) = decode(windows).unwrap();
        assert!(text.ends_with("q = '\u{201C}x\u{201D}'\n"), "{text}");
        assert_eq!(encoding, Some(Encoding::Cp1252));

        let utf8 = "# coding=utf-8\nname = 'caf\u{e9}'\n";
        assert_eq!(decode(utf8.as_bytes()).unwrap(), (utf8.to_owned(), None));
    }

    #[test]
    fn a_cookie_after_code_or_on_line_three_is_not_one() {
        assert!(matches!(
            decode(b"x = 1\n# coding: latin-1\n'\xE9'\n"),
            Err(Error::NotUtf8 { .. })
        ));
        assert!(matches!(
            decode(b"\n\n# coding: latin-1\n'\xE9'\n"),
            Err(Error::NotUtf8 { .. })
        ));
    }

    #[test]
    fn ascii_reads_alike_and_unknown_encodings_are_named() {
        assert_eq!(
            decode(b"# coding: latin-1\nx = 1\n").unwrap().1,
            None,
            "an ASCII file needs no decoding"
        );
        let error = decode(b"# coding: klingon\nx = '\xE9'\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "m.py: unsupported source encoding `klingon` (PEP 263 coding comment)"
        );
        assert_eq!(decode(b"\xEF\xBB\xBFx = 1\n").unwrap().0, "x = 1\n");
    }
}
