//! The accept loop: HTTP/1.1 with the limits a public server needs. `axum::serve` sets no
//! timer, so a client that never finishes its headers held its connection (and a file
//! descriptor) forever: 1,050 silent connections made `/healthz` time out.
//!
//! - headers must arrive within [`Limits::header_read`]; hyper starts that clock as soon as
//!   it waits for a request, so an idle keep-alive connection is closed after it too;
//! - a whole request (body read and handler) within [`Limits::request`] (408 after);
//! - at most [`Limits::connections`] connections at once, and [`Limits::per_client`] from
//!   one address: past that a new connection from that address is closed at once, so one
//!   client cannot take the descriptors every other visitor needs.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

#[derive(Debug, Clone)]
pub struct Limits {
    pub header_read: Duration,
    pub request: Duration,
    pub connections: usize,
    pub per_client: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read: Duration::from_secs(20),
            // An 11 MB upload at 100 kB/s, and the handler.
            request: Duration::from_secs(120),
            // Under the common limit of 1,024 open files, with room for the database,
            // evidence and report files.
            connections: 768,
            per_client: 128,
        }
    }
}

/// Connections open per client address; an entry is released when its connection ends.
#[derive(Default)]
struct PerClient(Mutex<HashMap<IpAddr, usize>>);

struct Slot {
    table: Arc<PerClient>,
    ip: IpAddr,
}

impl PerClient {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Slot> {
        let mut t = self.0.lock().expect("not poisoned");
        let n = t.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot { table: self.clone(), ip })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut t = self.table.0.lock().expect("not poisoned");
        if let Some(n) = t.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                t.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets open requests finish
/// (at most 10 s).
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app.layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        limits.request,
    ));
    let total = Arc::new(tokio::sync::Semaphore::new(limits.connections));
    let per_client = Arc::new(PerClient::default());
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = total.clone().acquire_owned() => p.expect("never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                // Out of descriptors or a connection reset before accept: wait, go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Some(slot) = per_client.take(peer.ip(), limits.per_client) else {
            drop(stream);
            continue;
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop((permit, slot));
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
    Ok(())
}
