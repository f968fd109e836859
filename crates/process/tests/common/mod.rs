//! Shared by the tests that run Python nodes.

use std::process::Command;
use std::sync::OnceLock;

/// The interpreter `python3` runs, resolved once (a version manager's shim
/// costs a quarter of a second per node start). Fails loudly without python3.
pub fn python3() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .unwrap_or_else(|e| panic!("python3 is needed for these tests and cannot run: {e}"));
        assert!(out.status.success(), "python3 failed: {}", String::from_utf8_lossy(&out.stderr));
        let path = String::from_utf8(out.stdout).expect("a UTF-8 path").trim().to_string();
        assert!(!path.is_empty(), "python3 did not say where it is");
        path
    })
}
