//! Untrusted JSON parsed in a pool of sandboxed worker processes.
//!
//! The parser runs in separate processes that can open no file, make no connection and
//! start no program, and that cannot touch this process's memory: a parser bug that
//! corrupts memory stays in the worker, a worker that hangs is killed at the timeout, and
//! the pool replaces whatever failed.
//!
//! `cargo run --example worker_parse`

use std::time::Duration;

use extrasafe::worker::{WorkerError, WorkerOptions, WorkerPool};
use extrasafe::SafetyContext;
use serde::{Deserialize, Serialize};

/// What an order looks like once parsed (and checked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u64,
    item: String,
    quantity: u32,
}

/// The parser's sandbox: nothing beyond memory, threads' basics and exit
/// (`BasicCapabilities`, always there).
fn parser_sandbox() -> SafetyContext {
    SafetyContext::new()
}

/// Runs in a worker: the input is untrusted, the output is checked again by the caller's
/// types when it comes back.
#[extrasafe::worker(parser_sandbox)]
fn parse_order(json: String) -> Result<Order, String> {
    let order: Order = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    if order.quantity == 0 {
        return Err("an order of nothing".to_string());
    }
    Ok(order)
}

fn main() -> Result<(), WorkerError> {
    let pool = WorkerPool::start(
        parse_order,
        WorkerOptions::new()
            .workers(2)
            .timeout(Duration::from_secs(2))
            .memory_limit(1 << 30)
            .max_output(64 << 10),
    )?;
    println!("2 workers, each: {}", pool.report());

    let inputs = [
        r#"{"id": 1, "item": "tea", "quantity": 2}"#.to_string(),
        r#"{"id": 2, "item": "cups", "quantity": 0}"#.to_string(),
        r#"{"id": "three"}"#.to_string(),
        // Hostile: 100,000 nested arrays. Whatever the parser does with them, it does it
        // in the worker.
        "[".repeat(100_000),
    ];
    let mut parsed = Vec::new();
    for input in inputs {
        let shown: String = input.chars().take(40).collect();
        match pool.call(input)? {
            Ok(order) => {
                println!("parsed   {shown}: {order:?}");
                parsed.push(order);
            }
            Err(why) => println!("rejected {shown}: {why}"),
        }
    }
    assert_eq!(
        parsed,
        [Order {
            id: 1,
            item: "tea".to_string(),
            quantity: 2
        }]
    );

    // Many inputs at once: calls wait in line for a free worker.
    let orders: Vec<String> = (0..100)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "item": "item {i}", "quantity": {}}}"#,
                i % 5 + 1
            )
        })
        .collect();
    let callers: Vec<_> = orders
        .chunks(25)
        .map(|chunk| {
            let pool = pool.clone();
            let chunk = chunk.to_vec();
            std::thread::spawn(move || {
                chunk
                    .into_iter()
                    .map(|json| pool.call(json))
                    .filter(|r| matches!(r, Ok(Ok(_))))
                    .count()
            })
        })
        .collect();
    let ok: usize = callers.into_iter().map(|c| c.join().unwrap()).sum();
    println!("{ok} of 100 orders parsed by {} workers", pool.pids().len());
    assert_eq!(ok, 100);
    Ok(())
}
