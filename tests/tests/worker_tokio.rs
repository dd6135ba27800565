//! Worker pools from async code: started inside a tokio runtime with 4 worker threads,
//! called with `call_async` from many tasks at once, and still working after the runtime
//! (whose thread started the pool) is gone.

use std::time::Duration;

use extrasafe::worker::{WorkerOptions, WorkerPool};
use extrasafe::SafetyContext;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Point {
    x: i64,
    y: i64,
    label: String,
}

fn no_files() -> SafetyContext {
    SafetyContext::new()
}

/// Parses `x,y,label` (untrusted text) into a Point.
#[extrasafe::worker(no_files)]
fn parse_point(text: String) -> Result<Point, String> {
    let mut parts = text.splitn(3, ',');
    let mut number = |what: &str| -> Result<i64, String> {
        parts
            .next()
            .ok_or_else(|| format!("no {what}"))?
            .trim()
            .parse()
            .map_err(|e| format!("{what}: {e}"))
    };
    let x = number("x")?;
    let y = number("y")?;
    let label = parts.next().unwrap_or_default().to_string();
    Ok(Point { x, y, label })
}

#[test]
fn a_pool_started_in_a_tokio_runtime_with_4_threads_serves_concurrent_async_calls() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let pool = runtime.block_on(async {
        // Started on one of the runtime's worker threads.
        let pool = tokio::spawn(async {
            WorkerPool::start(
                parse_point,
                WorkerOptions::new()
                    .workers(2)
                    .timeout(Duration::from_secs(20)),
            )
        })
        .await
        .unwrap()
        .unwrap();
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let pool = pool.clone();
                tokio::spawn(async move { pool.call_async(format!("{i}, {}, p{i}", -i)).await })
            })
            .collect();
        for (i, task) in tasks.into_iter().enumerate() {
            let i = i as i64;
            let point = task.await.unwrap().unwrap().unwrap();
            assert_eq!(
                point,
                Point {
                    x: i,
                    y: -i,
                    label: format!(" p{i}")
                }
            );
        }
        let bad = pool.call_async("one, two".to_string()).await.unwrap();
        assert!(bad.unwrap_err().starts_with("x: invalid digit"));
        pool
    });
    drop(runtime);
    // The thread that started the pool is gone; its workers are not (they belong to the
    // pool's own thread).
    let point = pool.call("1,2,after".to_string()).unwrap().unwrap();
    assert_eq!(point.label, "after");
}
