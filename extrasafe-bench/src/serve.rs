//! Item 5b: an HTTP server (hyper on a single-threaded tokio runtime) with and without a
//! sandbox, under load from a hyper client on loopback in the same process.
//!
//! Each round starts the server in a fresh thread for each configuration (in alternating
//! order). The thread applies its context *before* it builds its runtime, so the runtime's
//! event loop and every connection are restricted. The client runs on the calling thread,
//! unsandboxed: a fixed number of keep-alive connections, each sending one request after the
//! other until the round's time is up or its request budget is spent (both bounded), to
//! 127.0.0.1 only.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::contexts;
use crate::stats;
use crate::Plan;

/// The response body.
const BODY: &[u8] = b"hello from the benchmark server\n";

/// A configuration of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Config {
    /// No sandbox.
    None,
    /// [`contexts::serve`] applied to the server thread.
    Sandboxed,
}

impl Config {
    /// Both, in table order.
    pub(crate) const ALL: [Config; 2] = [Config::None, Config::Sandboxed];

    /// The name in the table.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Config::None => "no sandbox",
            Config::Sandboxed => "seccomp (serving only)",
        }
    }
}

/// What one round of load measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Load {
    /// Completed requests per second.
    pub(crate) rps: f64,
    /// The 99th percentile of request latency, in ns.
    pub(crate) p99: f64,
    /// The median request latency, in ns.
    pub(crate) p50: f64,
    /// Requests completed.
    pub(crate) requests: u64,
}

/// Serves `listener` on a current-thread runtime until `stop` fires.
fn serve(
    listener: std::net::TcpListener,
    stop: oneshot::Receiver<()>,
    config: Config,
) -> Result<(), String> {
    // The server on its own CPU, away from the client's (where there are two).
    crate::sys::pin_to_cpu(crate::turns::measuring_cpu())
        .map_err(|e| format!("pin the server to a CPU: {e}"))?;
    if config == Config::Sandboxed {
        contexts::serve()
            .and_then(extrasafe::SafetyContext::apply_to_current_thread)
            .map_err(|e| format!("apply the serve context: {e}"))?;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|e| format!("build the server runtime: {e}"))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| format!("register the listener: {e}"))?;
        let mut stop = stop;
        loop {
            tokio::select! {
                _ = &mut stop => break,
                accepted = listener.accept() => {
                    let (stream, _) = accepted.map_err(|e| format!("accept: {e}"))?;
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(|_req| async {
                            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(BODY))))
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        }
        Ok(())
    })
}

/// One keep-alive connection sending requests until `deadline` or `budget` requests.
async fn client_conn(addr: SocketAddr, deadline: Instant, budget: u64) -> Result<Vec<f64>, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(conn);
    let mut latencies = Vec::new();
    while Instant::now() < deadline && (latencies.len() as u64) < budget {
        let req = Request::builder()
            .uri("/")
            .header(hyper::header::HOST, "127.0.0.1")
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let start = Instant::now();
        sender.ready().await.map_err(|e| format!("ready: {e}"))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| format!("request: {e}"))?;
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {e}"))?
            .to_bytes();
        latencies.push(stats::ns(start.elapsed()));
        if body.as_ref() != BODY {
            return Err("unexpected response body".to_string());
        }
    }
    Ok(latencies)
}

/// Starts the server for `config`, loads it, stops it.
fn one_round(config: Config, plan: &Plan) -> Result<Load, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop_tx, stop_rx) = oneshot::channel();
    let server = std::thread::spawn(move || serve(listener, stop_rx, config));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let budget = plan.max_requests / plan.connections as u64;
    let result = rt.block_on(async {
        let start = Instant::now();
        let deadline = start + plan.load_time;
        let tasks: Vec<_> = (0..plan.connections)
            .map(|_| tokio::spawn(client_conn(addr, deadline, budget)))
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.map_err(|e| e.to_string())??);
        }
        let elapsed = start.elapsed();
        Ok::<_, String>((all, elapsed))
    });
    let _ = stop_tx.send(());
    let served = server
        .join()
        .map_err(|_| "the server thread panicked".to_string())?;
    served?;
    let (latencies, elapsed) = result?;
    Ok(Load {
        rps: latencies.len() as f64 / elapsed.as_secs_f64(),
        p99: stats::percentile(&latencies, 99.0),
        p50: stats::median(&latencies),
        requests: latencies.len() as u64,
    })
}

/// Per configuration, one [`Load`] per round.
pub(crate) fn run(plan: &Plan) -> Result<Vec<Vec<Load>>, String> {
    // One short unsandboxed round first, so the first measured round is not the coldest.
    let warm = Plan {
        load_time: Duration::from_millis(200),
        ..plan.clone()
    };
    // The client (this thread) on CPU 0, the server on the last one: on two CPUs they do
    // not take turns on one, and a round's figures do not depend on the scheduler's choice.
    let before = crate::sys::affinity().map_err(|e| format!("read the CPU affinity: {e}"))?;
    crate::sys::pin_to_cpu(0).map_err(|e| format!("pin the client to CPU 0: {e}"))?;
    let result = (|| {
        one_round(Config::None, &warm)?;
        let mut out = vec![Vec::new(); Config::ALL.len()];
        for round in 0..plan.rounds {
            for k in 0..Config::ALL.len() {
                let i = (k + round) % Config::ALL.len();
                out[i].push(one_round(Config::ALL[i], plan)?);
            }
        }
        Ok(out)
    })();
    crate::sys::set_affinity(&before).map_err(|e| format!("restore the CPU affinity: {e}"))?;
    result
}
