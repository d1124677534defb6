//! Deterministic zip archives for file assets: entries sorted by name, every timestamp the
//! zip epoch (1980-01-01 00:00), modes 0644 or 0755 (Unix, regular file), stored without
//! compression and without extra fields, so the same files give the same bytes on any
//! machine, whatever the file system's order, times, owners or umask. Stored rather than
//! deflated: no compression crate in the build, and Lambda's limit (50 MB zipped, 250 MB
//! unzipped) applies to the unzipped size as well, so compression buys little for a function.

/// One file of an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The path inside the archive, `/`-separated, relative.
    pub name: String,
    /// Whether the file is executable (mode 0755; else 0644).
    pub executable: bool,
    /// The contents.
    pub data: Vec<u8>,
}

/// The DOS date of 1980-01-01 (day 1, month 1, year 0).
const DOS_DATE: u16 = (1 << 5) | 1;
/// Version needed to extract: 2.0.
const VERSION_NEEDED: u16 = 20;
/// Version made by: Unix (3) in the high byte, 3.0 in the low byte, so the modes are read.
const VERSION_MADE_BY: u16 = (3 << 8) | 30;

/// Why an archive cannot be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZipError {
    /// Two entries have the same name.
    Duplicate(String),
    /// A name is empty, absolute or has a `..` component.
    BadName(String),
    /// Over the classic zip format's 4 GiB or 65,535 entries.
    TooLarge,
}

impl std::fmt::Display for ZipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ZipError::Duplicate(n) => write!(f, "two files named {n}"),
            ZipError::BadName(n) => write!(
                f,
                "{n:?} is not a relative path inside the archive (empty, absolute or with ..)"
            ),
            ZipError::TooLarge => f.write_str("over 4 GiB or 65,535 files (no zip64)"),
        }
    }
}

/// Writes the archive of `entries` (sorted here, so their order does not matter).
pub fn zip(entries: &[Entry]) -> Result<Vec<u8>, ZipError> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in sorted.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(ZipError::Duplicate(pair[0].name.clone()));
        }
    }
    let count = u16::try_from(sorted.len()).map_err(|_| ZipError::TooLarge)?;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in sorted {
        if e.name.is_empty()
            || e.name.starts_with('/')
            || e.name.split('/').any(|c| c == ".." || c.is_empty())
        {
            return Err(ZipError::BadName(e.name.clone()));
        }
        let name = e.name.as_bytes();
        let name_len = u16::try_from(name.len()).map_err(|_| ZipError::BadName(e.name.clone()))?;
        let size = u32::try_from(e.data.len()).map_err(|_| ZipError::TooLarge)?;
        let offset = u32::try_from(out.len()).map_err(|_| ZipError::TooLarge)?;
        let crc = crc32(&e.data);
        // local file header
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&0u16.to_le_bytes()); // stored
        out.extend_from_slice(&0u16.to_le_bytes()); // time 00:00:00
        out.extend_from_slice(&DOS_DATE.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(name);
        out.extend_from_slice(&e.data);
        // central directory header
        let mode: u32 = 0o100_000 | if e.executable { 0o755 } else { 0o644 };
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&VERSION_MADE_BY.to_le_bytes());
        central.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&DOS_DATE.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // extra
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&(mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let central_offset = u32::try_from(out.len()).map_err(|_| ZipError::TooLarge)?;
    let central_size = u32::try_from(central.len()).map_err(|_| ZipError::TooLarge)?;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    Ok(out)
}

/// One entry read back from an archive written by [`zip`] (for tests and checks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadEntry {
    /// The name.
    pub name: String,
    /// The Unix mode from the external attributes (`0o100755`).
    pub mode: u32,
    /// The contents.
    pub data: Vec<u8>,
}

/// Reads a stored (uncompressed) archive through its central directory; `None` when it is not
/// one, or a CRC does not match.
pub fn read(bytes: &[u8]) -> Option<Vec<ReadEntry>> {
    let u16_at = |at: usize| -> Option<u16> {
        Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
    };
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let end = bytes.len().checked_sub(22)?;
    if u32_at(end)? != 0x0605_4b50 {
        return None;
    }
    let count = usize::from(u16_at(end + 10)?);
    let mut at = usize::try_from(u32_at(end + 16)?).ok()?;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(at)? != 0x0201_4b50 || u16_at(at + 10)? != 0 {
            return None;
        }
        let crc = u32_at(at + 16)?;
        let size = usize::try_from(u32_at(at + 20)?).ok()?;
        let name_len = usize::from(u16_at(at + 28)?);
        let skip = name_len + usize::from(u16_at(at + 30)?) + usize::from(u16_at(at + 32)?);
        let mode = u32_at(at + 38)? >> 16;
        let local = usize::try_from(u32_at(at + 42)?).ok()?;
        let name = String::from_utf8(bytes.get(at + 46..at + 46 + name_len)?.to_vec()).ok()?;
        let data_at =
            local + 30 + usize::from(u16_at(local + 26)?) + usize::from(u16_at(local + 28)?);
        let data = bytes.get(data_at..data_at + size)?.to_vec();
        if crc32(&data) != crc {
            return None;
        }
        entries.push(ReadEntry { name, mode, data });
        at += 46 + skip;
    }
    Some(entries)
}

/// CRC-32 (IEEE 802.3, reflected, as zip uses).
pub fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut crc = !0u32;
    for b in data {
        crc = TABLE[((crc ^ u32::from(*b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, executable: bool, data: &[u8]) -> Entry {
        Entry {
            name: name.into(),
            executable,
            data: data.to_vec(),
        }
    }

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn the_same_files_in_any_order_give_the_same_bytes() {
        let a = [
            entry("b.txt", false, b"bee"),
            entry("a/x", true, b"#!/bin/sh\n"),
        ];
        let b = [a[1].clone(), a[0].clone()];
        let za = zip(&a).unwrap();
        assert_eq!(za, zip(&b).unwrap());
        let back = read(&za).unwrap();
        assert_eq!(back[0].name, "a/x");
        assert_eq!(back[0].mode, 0o100_755);
        assert_eq!(back[1].mode, 0o100_644);
        assert_eq!(back[1].data, b"bee");
    }

    #[test]
    fn bad_names_and_duplicates_are_refused() {
        assert_eq!(
            zip(&[entry("x", false, b""), entry("x", true, b"")]),
            Err(ZipError::Duplicate("x".into()))
        );
        for bad in ["", "/etc/passwd", "a/../b", "a//b"] {
            assert!(matches!(
                zip(&[entry(bad, false, b"")]),
                Err(ZipError::BadName(_))
            ));
        }
    }

    #[test]
    fn python_reads_the_archive_with_its_modes() {
        // the reference reader: Python's zipfile (skipped where python3 is missing)
        let Ok(dir) = std::env::var("CARGO_TARGET_TMPDIR")
            .or_else(|_| std::env::var("TMPDIR").or(Ok::<_, ()>("/tmp".into())))
        else {
            return;
        };
        let path = std::path::Path::new(&dir).join(format!("cw-zip-{}.zip", std::process::id()));
        std::fs::write(
            &path,
            zip(&[
                entry("bootstrap", true, b"\x7fELF"),
                entry("lib/a.py", false, b"x = 1\n"),
            ])
            .unwrap(),
        )
        .unwrap();
        let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(';'.join('%s %o %s %r' % (i.filename, i.external_attr >> 16, i.date_time, z.read(i)) for i in z.infolist()))";
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&path)
            .output();
        let _ = std::fs::remove_file(&path);
        let Ok(out) = out else { return };
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "bootstrap 100755 (1980, 1, 1, 0, 0, 0) b'\\x7fELF';lib/a.py 100644 (1980, 1, 1, 0, 0, 0) b'x = 1\\n'"
        );
    }
}
