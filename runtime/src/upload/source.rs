//! Media to upload: bytes in memory, a file, or any async reader; read whole (one-request
//! uploads) or a chunk at a time (resumable uploads).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::Error;

/// Media to upload: its MIME type and where its bytes come from.
///
/// Bytes in memory ([`Media::new`]) suit every protocol. A file ([`Media::from_file`]) or a
/// reader ([`Media::from_reader`]) is read a chunk at a time by a resumable upload, so it is
/// never held in memory whole; a one-request (simple or multipart) upload reads it whole first.
pub struct Media {
    pub(crate) content_type: String,
    pub(crate) source: Source,
}

/// Where the bytes come from.
pub(crate) enum Source {
    Memory(Bytes),
    File(PathBuf),
    Reader {
        reader: Box<dyn AsyncRead + Send + Unpin>,
        length: Option<u64>,
    },
}

impl Media {
    /// Media from memory.
    pub fn new(content_type: impl Into<String>, data: impl Into<Bytes>) -> Self {
        Media {
            content_type: content_type.into(),
            source: Source::Memory(data.into()),
        }
    }

    /// Media read from the file at `path`, opened when the upload is sent. Its size is the
    /// file's size at that moment; exactly that many bytes are sent.
    pub fn from_file(content_type: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        Media {
            content_type: content_type.into(),
            source: Source::File(path.into()),
        }
    }

    /// Media read from `reader`. Give `length` when it is known: it is checked against the
    /// method's `maxSize` before anything is sent, announced to the server, and the reader must
    /// deliver exactly that many bytes. Without it a resumable upload learns the size at the
    /// end of the reader (and `maxSize` is enforced while reading).
    pub fn from_reader(
        content_type: impl Into<String>,
        reader: impl AsyncRead + Send + Unpin + 'static,
        length: Option<u64>,
    ) -> Self {
        Media {
            content_type: content_type.into(),
            source: Source::Reader {
                reader: Box::new(reader),
                length,
            },
        }
    }

    /// The media's MIME type.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The size in bytes when known without reading: in-memory data, or a reader's declared
    /// length (`None` for a file until it is opened).
    pub fn known_len(&self) -> Option<u64> {
        match &self.source {
            Source::Memory(data) => Some(data.len() as u64),
            Source::File(_) => None,
            Source::Reader { length, .. } => *length,
        }
    }
}

impl fmt::Debug for Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Media");
        debug.field("content_type", &self.content_type);
        match &self.source {
            Source::Memory(data) => debug.field("bytes", &data.len()),
            Source::File(path) => debug.field("file", path),
            Source::Reader { length, .. } => debug.field("reader_length", length),
        };
        debug.finish()
    }
}

/// An I/O error reading the media, with what was being read.
pub(crate) fn read_error(what: &str, error: io::Error) -> Error {
    Error::MediaSource(Arc::new(io::Error::new(
        error.kind(),
        format!("{what}: {error}"),
    )))
}

impl Source {
    /// Opens the source (a file is opened and its size taken) for sending; the chunks know the
    /// size when it is known before reading to the end.
    pub(crate) async fn open(self) -> Result<Chunks, Error> {
        match self {
            Source::Memory(data) => Ok(Chunks::memory(data)),
            Source::File(path) => {
                let file = tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| read_error(&describe(&path), e))?;
                let length = file
                    .metadata()
                    .await
                    .map_err(|e| read_error(&describe(&path), e))?
                    .len();
                Ok(Chunks::reader(
                    Box::new(file),
                    Some(length),
                    describe(&path),
                ))
            }
            Source::Reader { reader, length } => {
                Ok(Chunks::reader(reader, length, "the media reader".into()))
            }
        }
    }
}

fn describe(path: &Path) -> String {
    format!("file {}", path.display())
}

/// Reads media a chunk at a time and keeps the bytes the server has not acknowledged, so a
/// resumable upload can send them again from wherever the server says it stopped.
pub(crate) struct Chunks {
    /// `None` once everything is read (and from the start for in-memory media).
    reader: Option<Box<dyn AsyncRead + Send + Unpin>>,
    /// Bytes read and not yet acknowledged, starting at offset `held_from`.
    held: Bytes,
    held_from: u64,
    /// The size, when declared (or found at the end of the reader).
    length: Option<u64>,
    /// Largest size accepted (the method's `maxSize`), for readers of unknown length.
    limit: Option<u64>,
    /// What is being read, for error messages.
    what: String,
}

impl Chunks {
    fn memory(data: Bytes) -> Chunks {
        Chunks {
            reader: None,
            length: Some(data.len() as u64),
            held: data,
            held_from: 0,
            limit: None,
            what: "in-memory media".into(),
        }
    }

    fn reader(
        reader: Box<dyn AsyncRead + Send + Unpin>,
        length: Option<u64>,
        what: String,
    ) -> Chunks {
        Chunks {
            reader: Some(reader),
            held: Bytes::new(),
            held_from: 0,
            length,
            limit: None,
            what,
        }
    }

    /// Fails reading once more than `limit` bytes came from a reader of unknown length.
    pub(crate) fn set_limit(&mut self, limit: Option<u64>) {
        self.limit = limit;
    }

    /// The total size: declared, or known once the reader is exhausted.
    pub(crate) fn length(&self) -> Option<u64> {
        self.length
    }

    /// Offset just past the last byte read so far.
    fn read_to(&self) -> u64 {
        self.held_from + self.held.len() as u64
    }

    /// Reads everything that is left (one-request uploads).
    pub(crate) async fn read_all(mut self) -> Result<Bytes, Error> {
        if self.reader.is_none() {
            return Ok(self.held);
        }
        let mut data = BytesMut::new();
        data.extend_from_slice(&self.held);
        self.read_into(&mut data, usize::MAX).await?;
        Ok(data.freeze())
    }

    /// The bytes from `offset`, at most `size` of them (fewer only at the end of the media).
    /// Bytes before `offset` are forgotten: the server acknowledged them.
    pub(crate) async fn chunk(&mut self, offset: u64, size: usize) -> Result<Bytes, Error> {
        let read_to = self.read_to();
        if offset < self.held_from || offset > read_to {
            return Err(Error::ResumableUpload(format!(
                "the server asks to resume at byte {offset}, but only bytes {}..{read_to} of \
                 {} can still be sent",
                self.held_from, self.what
            )));
        }
        self.held = self.held.slice((offset - self.held_from) as usize..);
        self.held_from = offset;
        if self.held.len() < size && self.reader.is_some() {
            let mut data = BytesMut::with_capacity(size);
            data.extend_from_slice(&self.held);
            self.read_into(&mut data, size).await?;
            self.held = data.freeze();
        }
        Ok(self.held.slice(..self.held.len().min(size)))
    }

    /// Reads into `data` until it holds `size` bytes or the media ends.
    async fn read_into(&mut self, data: &mut BytesMut, size: usize) -> Result<(), Error> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(());
        };
        // Offset of `data[0]` in the media.
        let base = self.held_from;
        while data.len() < size {
            let offset = base + data.len() as u64;
            let mut want = size - data.len();
            if let Some(length) = self.length {
                want = want.min(usize::try_from(length - offset).unwrap_or(usize::MAX));
                if want == 0 {
                    self.reader = None;
                    return Ok(());
                }
            }
            // Reads land in the spare capacity; grow it in steps for read_all.
            data.reserve(want.min(1 << 20));
            let spare = data.capacity() - data.len();
            let mut limited = (&mut *reader).take(want.min(spare) as u64);
            let read = limited
                .read_buf(data)
                .await
                .map_err(|e| read_error(&self.what, e))?;
            if read == 0 {
                let read_to = base + data.len() as u64;
                if let Some(length) = self.length.filter(|&length| read_to < length) {
                    return Err(read_error(
                        &self.what,
                        io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!("ended after {read_to} of its {length} bytes"),
                        ),
                    ));
                }
                self.length = Some(read_to);
                self.reader = None;
                return Ok(());
            }
            let read_to = base + data.len() as u64;
            if let Some(limit) = self.limit.filter(|&limit| read_to > limit) {
                return Err(Error::InvalidRequest(format!(
                    "{} holds more than the {limit} bytes the method accepts",
                    self.what
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(data: &'static [u8], length: Option<u64>) -> Chunks {
        Chunks::reader(Box::new(data), length, "test reader".into())
    }

    #[tokio::test]
    async fn chunks_keep_unacknowledged_bytes() {
        let mut chunks = reader(b"abcdefghij", None);
        assert_eq!(&chunks.chunk(0, 4).await.unwrap()[..], b"abcd");
        assert_eq!(chunks.length(), None);
        // The server kept only two bytes: resend from there.
        assert_eq!(&chunks.chunk(2, 4).await.unwrap()[..], b"cdef");
        assert_eq!(&chunks.chunk(6, 4).await.unwrap()[..], b"ghij");
        assert_eq!(chunks.length(), None, "the end is not seen yet");
        assert_eq!(&chunks.chunk(10, 4).await.unwrap()[..], b"");
        assert_eq!(chunks.length(), Some(10));
        let error = chunks.chunk(1, 4).await.unwrap_err().to_string();
        assert!(error.contains("resume at byte 1"), "{error}");
    }

    #[tokio::test]
    async fn declared_lengths_are_enforced() {
        let mut short = reader(b"abc", Some(5));
        let error = short.chunk(0, 8).await.unwrap_err().to_string();
        assert!(error.contains("ended after 3 of its 5 bytes"), "{error}");
        // A longer reader is read only as far as declared.
        let mut long = reader(b"abcdef", Some(4));
        assert_eq!(&long.chunk(0, 8).await.unwrap()[..], b"abcd");
        assert_eq!(&long.chunk(4, 8).await.unwrap()[..], b"");
        let mut limited = reader(b"abcdef", None);
        limited.set_limit(Some(5));
        let error = limited.read_all().await.unwrap_err().to_string();
        assert!(error.contains("more than the 5 bytes"), "{error}");
    }

    #[tokio::test]
    async fn memory_chunks_are_slices() {
        let mut chunks = Chunks::memory(Bytes::from_static(b"0123456789"));
        assert_eq!(chunks.length(), Some(10));
        assert_eq!(&chunks.chunk(8, 4).await.unwrap()[..], b"89");
        assert_eq!(&reader(b"xyz", None).read_all().await.unwrap()[..], b"xyz");
    }
}
