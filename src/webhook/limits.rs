//! The receiver's limits (time to send a request head and a body, time a kept-alive connection
//! may sit idle, connections at once, memory for bodies in flight) and the body reader that
//! enforces the last two that concern a single request.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use futures_util::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Largest body accepted (413 beyond).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The least body memory that lets the largest body through (see [`BodyReader::new`]).
pub const MIN_BODY_MEMORY: usize = 2 * MAX_BODY_BYTES;

/// How long a sender may take, and how much it may hold. `[receiver]` in config.toml sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverLimits {
    /// From a connection's opening, or the first byte of a request on a kept-alive one, to the
    /// end of the request's head; beyond it the connection is closed.
    pub header_timeout: Duration,
    /// From the end of the head to the last byte of the body; beyond it the delivery is refused
    /// (408) and the connection closed.
    pub body_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Connections served at once; further ones wait in the system's listen queue, costing
    /// this process nothing, until one closes.
    pub max_connections: usize,
    /// Bytes of request bodies held in memory at once, across all connections; a body that
    /// would exceed it waits (within its body timeout) for others to finish.
    pub body_memory: usize,
}

impl ReceiverLimits {
    /// 10 s for a head, 30 s for a body, 60 s idle, 256 connections, 16 MiB of bodies.
    pub const DEFAULT: Self = Self {
        header_timeout: Duration::from_secs(10),
        body_timeout: Duration::from_secs(30),
        idle_timeout: Duration::from_secs(60),
        max_connections: 256,
        body_memory: 16 * MAX_BODY_BYTES,
    };
}

impl Default for ReceiverLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a body was not read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfinished {
    /// Over [`MAX_BODY_BYTES`], declared (`Content-Length`) or counted while reading.
    TooLarge {
        /// The `Content-Length` given, if any.
        declared: Option<u64>,
    },
    /// The body did not arrive within the body timeout.
    TimedOut(Duration),
    /// The connection failed or ended before the body did.
    Broken(String),
}

/// A body as far as it was read.
pub struct Received {
    /// The bytes that arrived (all of them when `unfinished` is `None`).
    pub bytes: Vec<u8>,
    /// Why reading stopped early, if it did.
    pub unfinished: Option<Unfinished>,
    /// The share of the body memory the bytes hold: keep it as long as the bytes (or a move
    /// of them) are alive, so that the budget counts them until they are stored.
    pub memory: Option<OwnedSemaphorePermit>,
}

/// Reads request bodies within the body timeout and the shared body memory.
#[derive(Debug, Clone)]
pub struct BodyReader {
    memory: Arc<Semaphore>,
    timeout: Duration,
}

impl BodyReader {
    /// A reader for these limits; every request read through it shares one memory budget.
    pub fn new(limits: &ReceiverLimits) -> Self {
        // The largest body needs its 1 MiB buffer and, while it moves there, the 512 KiB one
        // before it: a smaller budget would make it wait for ever.
        let memory = limits
            .body_memory
            .clamp(MIN_BODY_MEMORY, Semaphore::MAX_PERMITS);
        Self {
            memory: Arc::new(Semaphore::new(memory)),
            timeout: limits.body_timeout,
        }
    }

    /// Reads `body` to its end, or as far as the limits allow.
    pub async fn read(&self, headers: &HeaderMap, body: Body) -> Received {
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok());
        if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
            // Refused before a byte of it is read: an oversized body costs nothing.
            return Received {
                bytes: Vec::new(),
                unfinished: Some(Unfinished::TooLarge { declared }),
                memory: None,
            };
        }
        // Chunks are copied into one buffer as they arrive: a chunk may pin a whole read
        // buffer of the connection, so holding chunks would hold far more than their bytes.
        // What the budget counts is the buffer's capacity, grown by doubling, and while the
        // bytes move to a larger buffer both are counted, so that the bodies alive never
        // exceed it and the allocator can reuse buffers of the same few sizes.
        let mut bytes: Vec<u8> = Vec::new();
        let mut memory: Option<OwnedSemaphorePermit> = None;
        let mut stream = body.into_data_stream();
        let reading = async {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|error| Unfinished::Broken(error.to_string()))?;
                let needed = bytes.len() + chunk.len();
                if needed > MAX_BODY_BYTES {
                    return Err(Unfinished::TooLarge { declared });
                }
                if needed > bytes.capacity() {
                    let capacity = needed.next_power_of_two().min(MAX_BODY_BYTES);
                    let held = self
                        .memory
                        .clone()
                        .acquire_many_owned(u32::try_from(capacity).unwrap_or(u32::MAX))
                        .await
                        .map_err(|error| Unfinished::Broken(error.to_string()))?;
                    let mut grown = Vec::with_capacity(capacity);
                    grown.extend_from_slice(&bytes);
                    let old = std::mem::replace(&mut bytes, grown).capacity();
                    match &mut memory {
                        Some(memory) => {
                            memory.merge(held);
                            // The old buffer is gone: its share goes back.
                            drop(memory.split(old));
                        }
                        None => memory = Some(held),
                    }
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(())
        };
        let unfinished = match tokio::time::timeout(self.timeout, reading).await {
            Ok(Ok(())) => None,
            Ok(Err(unfinished)) => Some(unfinished),
            Err(_) => Some(Unfinished::TimedOut(self.timeout)),
        };
        Received {
            bytes,
            unfinished,
            memory,
        }
    }
}
