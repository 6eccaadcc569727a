//! Serving the receiver so that no sender can hold it: each connection has a deadline for its
//! request head, the body is read within its own timeout (in the handlers), a kept-alive
//! connection is closed when idle too long, and at most `max_connections` are served at once.
//!
//! The deadlines are kept here rather than by hyper's `header_read_timeout`, because hyper
//! starts that timer as soon as it waits for a head, idle time included: the idle timeout could
//! then never be longer than the header timeout.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;

use crate::webhook::limits::ReceiverLimits;
use crate::webhook::receiver::{ReceiverState, router_with};

/// The read buffer of a connection, which bounds a request head: a webhook's head is a few
/// hundred bytes, and hyper's default (about 400 KiB) would let each slow sender hold that much.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// Where a connection is in its life, which decides its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Receiving a request head since this instant (the connection's opening, or the first
    /// byte after an idle spell).
    Head(Instant),
    /// A request is being handled; its body has its own timeout in the handler.
    Request,
    /// Kept alive since this instant, waiting for the next request.
    Idle(Instant),
}

impl Phase {
    fn deadline(self, limits: &ReceiverLimits) -> Option<Instant> {
        match self {
            Self::Head(since) => Some(since + limits.header_timeout),
            Self::Request => None,
            Self::Idle(since) => Some(since + limits.idle_timeout),
        }
    }
}

/// The socket, noting the first byte of a request that arrives on an idle connection.
struct Watched {
    stream: TcpStream,
    phase: Arc<watch::Sender<Phase>>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.phase.send_if_modified(|phase| {
                let idle = matches!(phase, Phase::Idle(_));
                if idle {
                    *phase = Phase::Head(Instant::now());
                }
                idle
            });
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Resolves when `stop` turns true. A dropped sender can no longer ask, so it counts as asking.
async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|stop| *stop).await.is_err() {
        tracing::debug!("the receiver's stop signal is gone; stopping");
    }
}

/// Serves the receiver on `listener` within `limits` until `stop` turns true, then stops
/// accepting, closes connections still receiving a head, lets the others write their reply
/// (each within its body timeout) and returns.
///
/// When `max_connections` are open, new ones are not accepted: they wait in the system's listen
/// queue, holding no memory here, and are served in arrival order as connections close (a slow
/// sender's within its timeouts). A legitimate sender is thus delayed, never refused.
pub async fn serve(
    listener: TcpListener,
    state: Arc<ReceiverState>,
    limits: ReceiverLimits,
    mut stop: watch::Receiver<bool>,
) {
    let router = router_with(state, &limits);
    // Waiting for every slot at the end takes them in one u32 request.
    let most = Semaphore::MAX_PERMITS.min(usize::try_from(u32::MAX).unwrap_or(usize::MAX));
    let slots = limits.max_connections.clamp(1, most);
    let connections = Arc::new(Semaphore::new(slots));
    let mut at_cap = false;
    loop {
        let slot = if let Ok(slot) = connections.clone().try_acquire_owned() {
            at_cap = false;
            slot
        } else {
            if !at_cap {
                tracing::warn!(
                    max_connections = slots,
                    "webhook receiver at its connection limit: new connections wait until one closes ([receiver] max_connections)"
                );
                at_cap = true;
            }
            tokio::select! {
                slot = connections.clone().acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
                () = stop_requested(&mut stop) => break,
            }
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of descriptors or memory: wait a moment instead of spinning on it.
                    tracing::warn!(%error, "webhook receiver could not accept a connection");
                    tokio::select! {
                        () = tokio::time::sleep(std::time::Duration::from_millis(250)) => {}
                        () = stop_requested(&mut stop) => break,
                    }
                    continue;
                }
            },
            () = stop_requested(&mut stop) => break,
        };
        tokio::spawn(connection(
            stream,
            router.clone(),
            limits,
            stop.clone(),
            slot,
        ));
    }
    drop(listener);
    // Every connection holds a slot until it ends: all slots back means all connections ended.
    let all = u32::try_from(slots).unwrap_or(u32::MAX);
    if connections.acquire_many(all).await.is_err() {
        tracing::debug!("connection slots closed while stopping");
    }
}

/// One connection, closed when its phase's deadline passes or when stopping finds it in the
/// middle of a request head.
async fn connection(
    stream: TcpStream,
    router: axum::Router,
    limits: ReceiverLimits,
    mut stop: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "TCP_NODELAY not set");
    }
    let (phase, mut phases) = watch::channel(Phase::Head(Instant::now()));
    let phase = Arc::new(phase);
    let io = TokioIo::new(Watched {
        stream,
        phase: phase.clone(),
    });
    let tower = TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |request| {
        phase.send_replace(Phase::Request);
        let reply = hyper::service::Service::call(&tower, request);
        let phase = phase.clone();
        async move {
            let reply = reply.await;
            phase.send_replace(Phase::Idle(Instant::now()));
            reply
        }
    });
    let served = http1::Builder::new()
        .header_read_timeout(None)
        .max_buf_size(READ_BUFFER_BYTES)
        .serve_connection(io, service);
    tokio::pin!(served);
    let mut stopping = false;
    loop {
        let current = *phases.borrow_and_update();
        // Stopping drops a connection still receiving a head (nothing of it was handled); one
        // in a request or just answered is left to hyper, which closes it once the reply is
        // written.
        if stopping && matches!(current, Phase::Head(_)) {
            return;
        }
        let deadline = current.deadline(&limits);
        tokio::select! {
            ended = served.as_mut() => {
                if let Err(error) = ended {
                    tracing::debug!(%error, "webhook connection ended with an error");
                }
                return;
            }
            () = sleep_until(deadline) => {
                let now = Instant::now();
                if phases.borrow().deadline(&limits).is_some_and(|deadline| deadline <= now) {
                    tracing::debug!(phase = ?current, "webhook connection closed: too slow or idle too long");
                    return;
                }
            }
            changed = phases.changed() => {
                if changed.is_err() {
                    // The sender lives in the connection's service; gone means it ended.
                    return;
                }
            }
            () = stop_requested(&mut stop), if !stopping => {
                stopping = true;
                served.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
