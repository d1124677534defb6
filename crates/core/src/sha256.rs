//! SHA-256 (FIPS 180-4), for the content hashes cloudwright writes: a Docker image asset's
//! and a file asset's hash, an OpenAPI body's hash, the names IAM grants derive. (A template's hash in the manifest is BLAKE3, faster still:
//! [`crate::assembly::template_hash`].)
//!
//! A thin front to the `sha2` crate, which uses the CPU's SHA instructions where it has them
//! (x86-64's SHA-NI, ARMv8's SHA2): about 100–150 MB/s without them against 0.6–1.8 GB/s
//! with them (BENCHMARKS.md). The tests check it against the standard's test vectors and
//! against Python's `hashlib`.
//!
//! ```
//! use cloudwright_core::sha256::{Sha256, sha256_hex};
//! assert_eq!(
//!     sha256_hex(b"abc"),
//!     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
//! );
//! let mut h = Sha256::new();
//! h.update(b"a");
//! h.update(b"bc");
//! assert_eq!(h.finish_hex(), sha256_hex(b"abc"));
//! ```

use sha2::Digest as _;

/// An incremental SHA-256: [`update`](Sha256::update) with the bytes in order, then
/// [`finish`](Sha256::finish).
#[derive(Clone, Debug, Default)]
pub struct Sha256(sha2::Sha256);

impl Sha256 {
    /// A hash of nothing yet.
    pub fn new() -> Sha256 {
        Sha256(sha2::Sha256::new())
    }

    /// Adds `bytes` to what is hashed.
    pub fn update(&mut self, bytes: impl AsRef<[u8]>) {
        self.0.update(bytes.as_ref());
    }

    /// The digest of everything added.
    pub fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }

    /// The digest in lower-case hex.
    pub fn finish_hex(self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in self.finish() {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 15)]));
        }
        s
    }
}

/// The SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(bytes);
    h.finish_hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fips_180_test_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        let mut h = Sha256::new();
        for _ in 0..1000 {
            h.update([b'a'; 1000]);
        }
        assert_eq!(
            h.finish_hex(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn agrees_with_pythons_hashlib_at_every_length_around_the_block_size() {
        let Ok(python) = which_python() else {
            panic!("python3 is needed for this test");
        };
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        let script = "import hashlib,sys\nd=bytes((i*7+3)%256 for i in range(300))\nprint(' '.join(hashlib.sha256(d[:n]).hexdigest() for n in range(300)))";
        let out = std::process::Command::new(python)
            .args(["-c", script])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let expected: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        assert_eq!(expected.len(), 300);
        for (n, want) in expected.iter().enumerate() {
            // split the input at every point too, to exercise the buffering
            let mut h = Sha256::new();
            h.update(&data[..n / 3]);
            h.update(&data[n / 3..n]);
            assert_eq!(&h.finish_hex(), want, "length {n}");
        }
    }

    fn which_python() -> Result<&'static str, ()> {
        for p in ["python3", "python"] {
            if std::process::Command::new(p).arg("-V").output().is_ok() {
                return Ok(p);
            }
        }
        Err(())
    }
}
