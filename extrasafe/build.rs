//! Lets extrasafe's tests link against the system libseccomp where only the runtime library
//! (`libseccomp.so.2`) is installed and the development symlink `libseccomp.so` is not.
//! The library itself does not use libseccomp (it generates its BPF programs itself); its
//! tests check the syscall table against libseccomp's name resolution.
//!
//! `libseccomp-sys` asks the linker for `-lseccomp`, which needs `libseccomp.so`. That file
//! comes with the `-dev` package only. When it is missing but `libseccomp.so.2` is present,
//! this script creates `libseccomp.so` in `OUT_DIR` pointing at it and adds `OUT_DIR` to the
//! linker's search path. When neither exists, the library still builds; the tests would not
//! link, so a warning says what to install.

use std::env;
use std::path::{Path, PathBuf};

const HELP: &str = "extrasafe: libseccomp was not found; the library does not need it, but its \
tests do (they compare the syscall table with it): install the libseccomp runtime \
(Debian/Ubuntu: apt install libseccomp2; Fedora/RHEL: dnf install libseccomp; \
Alpine: apk add libseccomp; Arch: pacman -S libseccomp) or set LIBSECCOMP_LIB_PATH";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=LIBSECCOMP_LIB_PATH");
    println!("cargo:rerun-if-env-changed=LIBSECCOMP_LINK_TYPE");

    // A static link or an explicit library path is the user's own choice: leave it alone.
    if env::var_os("LIBSECCOMP_LINK_TYPE").is_some_and(|t| t == "static") {
        return;
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(path) = env::var_os("LIBSECCOMP_LIB_PATH") {
        dirs.push(PathBuf::from(path));
    }
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let multiarch = match arch.as_str() {
        "x86_64" => "x86_64-linux-gnu",
        "aarch64" => "aarch64-linux-gnu",
        _ => "",
    };
    for dir in [
        format!("/usr/lib/{multiarch}"),
        format!("/lib/{multiarch}"),
        "/usr/lib64".to_string(),
        "/lib64".to_string(),
        "/usr/lib".to_string(),
        "/lib".to_string(),
        "/usr/local/lib".to_string(),
    ] {
        dirs.push(PathBuf::from(dir));
    }

    if dirs
        .iter()
        .any(|d| d.join("libseccomp.so").exists() || d.join("libseccomp.a").exists())
    {
        return;
    }
    let Some(runtime) = dirs
        .iter()
        .map(|d| d.join("libseccomp.so.2"))
        .find(|p| p.exists())
    else {
        // Nothing to link the tests against: the library needs none, so say it and go on.
        println!("cargo:warning={HELP}");
        return;
    };

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts"));
    let link_dir = out.join("libseccomp-link");
    std::fs::create_dir_all(&link_dir).expect("OUT_DIR is writable");
    let link = link_dir.join("libseccomp.so");
    let _ = std::fs::remove_file(&link);
    symlink(&runtime, &link);
    println!("cargo:rustc-link-search=native={}", link_dir.display());
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap_or_else(|e| {
        panic!(
            "extrasafe: could not create {} -> {}: {e}",
            link.display(),
            target.display()
        )
    });
}
