#[extrasafe::worker]
fn no_context(a: u32) -> u32 {
    a
}

fn not_a_context() -> u32 {
    7
}

#[extrasafe::worker(not_a_context)]
fn wrong_context(a: u32) -> u32 {
    a
}

struct NotSerde;

fn sandbox() -> extrasafe::SafetyContext {
    extrasafe::SafetyContext::new()
}

#[extrasafe::worker(sandbox)]
fn not_serde(_: NotSerde) -> u32 {
    1
}

fn main() {}
