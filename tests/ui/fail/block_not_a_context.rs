use extrasafe::extrasafe;

fn main() {
    let _ = extrasafe!("strict", { 1 });
}
