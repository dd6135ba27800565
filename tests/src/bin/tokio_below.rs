//! `#[extrasafe::main]` written below `#[tokio::main]` (which expands first and hands on a
//! synchronous main): every thread of the runtime must be sandboxed. Run by
//! `tests/main_attr.rs`.

#[tokio::main(worker_threads = 2)]
#[extrasafe::main(extrasafe_tests::tokio_context)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("{}", extrasafe_tests::BODY_RAN);
    extrasafe_tests::check_sandboxed_runtime(2).await;
    Ok(())
}
