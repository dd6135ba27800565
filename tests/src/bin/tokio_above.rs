//! `#[extrasafe::main]` written above `#[tokio::main]`, with tokio options: every thread of
//! the runtime must be sandboxed. Run by `tests/main_attr.rs`.

#[extrasafe::main(extrasafe_tests::tokio_context)]
#[tokio::main(flavor = "multi_thread", worker_threads = 3)]
async fn main() {
    println!("{}", extrasafe_tests::BODY_RAN);
    extrasafe_tests::check_sandboxed_runtime(3).await;
}
