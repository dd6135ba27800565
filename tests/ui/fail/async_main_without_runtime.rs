fn sandbox() -> extrasafe::SafetyContext {
    extrasafe::SafetyContext::new()
}

#[extrasafe::main(sandbox)]
async fn main() {
    std::future::ready(()).await;
}
