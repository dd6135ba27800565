use extrasafe::SafetyContext;

fn sandbox() -> SafetyContext {
    SafetyContext::new()
}

#[extrasafe::worker(sandbox)]
fn two_inputs(a: u32, b: u32) -> u32 {
    a + b
}

#[extrasafe::worker(sandbox)]
async fn asynchronous(a: u32) -> u32 {
    a
}

#[extrasafe::worker(sandbox)]
fn generic<T: Clone>(a: T) -> T {
    a
}

#[extrasafe::worker(sandbox)]
fn borrowed(text: &str) -> usize {
    text.len()
}

#[extrasafe::worker(sandbox)]
fn no_input() -> u32 {
    1
}

fn main() {}
