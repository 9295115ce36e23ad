//! Read deadlines per connection phase: a client must send a request's
//! headers within the header timeout, and an idle keep-alive connection is
//! closed after the keep-alive timeout. While a request is being handled
//! there is no read deadline (the request time limit applies instead).

use std::{
    io,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    time::{Instant, Sleep},
};

#[derive(Clone, Copy)]
enum Phase {
    /// Waiting for a request's headers, which must arrive by `deadline`.
    Head {
        deadline: Instant,
    },
    Busy,
    Idle {
        since: Instant,
    },
}

/// A connection's phase, shared by its reader and its service.
pub struct ConnState {
    phase: Mutex<Phase>,
    header_timeout: Duration,
    keep_alive: Duration,
}

impl ConnState {
    pub fn new(header_timeout: Duration, keep_alive: Duration) -> Arc<Self> {
        Arc::new(Self {
            phase: Mutex::new(Phase::Head {
                deadline: Instant::now() + header_timeout,
            }),
            header_timeout,
            keep_alive,
        })
    }

    /// A request's headers arrived: it is being handled.
    pub fn busy(&self) {
        *self.phase.lock().expect("phase lock") = Phase::Busy;
    }

    /// Its response is ready: the connection idles until the next request.
    pub fn idle(&self) {
        *self.phase.lock().expect("phase lock") = Phase::Idle {
            since: Instant::now(),
        };
    }

    /// Bytes arrived: an idle connection starts a new request's headers.
    fn received(&self) {
        let mut phase = self.phase.lock().expect("phase lock");
        if let Phase::Idle { .. } = *phase {
            *phase = Phase::Head {
                deadline: Instant::now() + self.header_timeout,
            };
        }
    }

    fn deadline(&self) -> Option<Instant> {
        match *self.phase.lock().expect("phase lock") {
            Phase::Head { deadline } => Some(deadline),
            Phase::Busy => None,
            Phase::Idle { since } => Some(since + self.keep_alive),
        }
    }
}

pub struct TimedIo {
    stream: TcpStream,
    state: Arc<ConnState>,
    timer: Pin<Box<Sleep>>,
}

impl TimedIo {
    pub fn new(stream: TcpStream, state: Arc<ConnState>) -> Self {
        Self {
            stream,
            state,
            timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
        }
    }
}

impl AsyncRead for TimedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.state.received();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                let Some(deadline) = self.state.deadline() else {
                    return Poll::Pending;
                };
                let timer = self.timer.as_mut();
                if timer.deadline() != deadline {
                    timer.reset(deadline);
                }
                match self.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "connection timed out waiting for a request",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for TimedIo {
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
