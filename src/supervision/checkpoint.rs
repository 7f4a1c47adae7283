//! Signed checkpoints of the log's head, held outside the database (issue 15): the service signs
//! (sequence, head hash, time) with an Ed25519 key kept in a file of its own, appends each
//! checkpoint to `checkpoints.jsonl` beside the database and hands it out. Whoever keeps one can
//! later show that the log still contains that head: cutting entries off the end and moving the
//! chain head — which the chain alone cannot reveal — no longer goes unnoticed.

use std::fs::{self, OpenOptions};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::hex;
use super::store::{Filter, Store, StoreError};

/// The key file and the checkpoint file, beside the database.
pub const KEY_FILE: &str = "checkpoint.key";
pub const CHECKPOINTS_FILE: &str = "checkpoints.jsonl";

/// A signed statement that the log's entry `seq` had hash `hash` at time `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// The Ed25519 public key, hex (also published on /supervision).
    pub public_key: String,
    /// The signature over [`Checkpoint::message`], hex.
    pub signature: String,
}

impl Checkpoint {
    /// What is signed: a fixed label, then the three fields, one per line.
    pub fn message(seq: i64, hash: &str, at: &str) -> Vec<u8> {
        format!("penalty-standards checkpoint\n{seq}\n{hash}\n{at}").into_bytes()
    }

    /// Whether the signature is the public key's over this checkpoint's fields.
    pub fn signature_valid(&self) -> bool {
        let (Some(key), Some(sig)) = (unhex::<32>(&self.public_key), unhex::<64>(&self.signature))
        else {
            return false;
        };
        let Ok(key) = VerifyingKey::from_bytes(&key) else {
            return false;
        };
        key.verify(
            &Self::message(self.seq, &self.hash, &self.at),
            &Signature::from_bytes(&sig),
        )
        .is_ok()
    }
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The service's signing key, read from its file or created there (readable by the owner only).
pub struct CheckpointSigner {
    key: SigningKey,
}

impl CheckpointSigner {
    pub fn load_or_create(path: &Path) -> io::Result<CheckpointSigner> {
        let bytes = match fs::read_to_string(path) {
            Ok(text) => unhex::<32>(text.trim()).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: not a key", path.display()),
                )
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut b = [0u8; 32];
                getrandom::fill(&mut b).map_err(|e| io::Error::other(e.to_string()))?;
                write_private(path, &hex(&b))?;
                b
            }
            Err(e) => return Err(e),
        };
        Ok(CheckpointSigner {
            key: SigningKey::from_bytes(&bytes),
        })
    }

    pub fn public_key(&self) -> String {
        hex(self.key.verifying_key().as_bytes())
    }

    pub fn sign(&self, seq: i64, hash: &str, at: &str) -> Checkpoint {
        let signature = self.key.sign(&Checkpoint::message(seq, hash, at));
        Checkpoint {
            seq,
            hash: hash.to_string(),
            at: at.to_string(),
            public_key: self.public_key(),
            signature: hex(&signature.to_bytes()),
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    fs::write(path, text)
}

/// Appends a checkpoint to the file (one JSON object a line; the file is only ever appended to).
pub fn append(path: &Path, cp: &Checkpoint) -> io::Result<()> {
    let mut f = OpenOptions::new().create(true).append(true).open(path)?;
    let mut line = serde_json::to_string(cp).map_err(io::Error::other)?;
    line.push('\n');
    f.write_all(line.as_bytes())
}

/// Every checkpoint in a file; none when it does not exist.
pub fn read_all(path: &Path) -> io::Result<Vec<Checkpoint>> {
    let f = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    io::BufReader::new(f)
        .lines()
        .filter(|l| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .map(|l| {
            l.and_then(|l| {
                serde_json::from_str(&l).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
            })
        })
        .collect()
}

/// What a checkpoint says is no longer so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointFault {
    /// The signature does not verify (forged or altered checkpoint), or another key signed it.
    BadSignature { seq: i64 },
    /// The log has no entry `seq` any more, or a different one: cut off or rewritten.
    Missing { seq: i64, at: String },
}

impl std::fmt::Display for CheckpointFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckpointFault::BadSignature { seq } => write!(
                f,
                "the checkpoint of entry {seq} is not signed by the service's key"
            ),
            CheckpointFault::Missing { seq, at } => write!(
                f,
                "the log no longer contains entry {seq} as checkpointed at {at}: entries were cut off or rewritten"
            ),
        }
    }
}

/// Checks the log against checkpoints: each signed (by `key`, where given, every one must be), and
/// its entry present with its hash. The number checked, or the first fault.
pub fn check(
    store: &mut dyn Store,
    checkpoints: &[Checkpoint],
    key: Option<&str>,
) -> Result<Result<usize, CheckpointFault>, StoreError> {
    for cp in checkpoints {
        let must_verify = key.is_some() || !cp.signature.is_empty();
        if must_verify && (!cp.signature_valid() || key.is_some_and(|k| k != cp.public_key)) {
            return Ok(Err(CheckpointFault::BadSignature { seq: cp.seq }));
        }
        if cp.seq == 0 {
            continue;
        }
        let row = store.rows(&Filter::default(), cp.seq - 1, 1)?;
        let holds = row
            .first()
            .is_some_and(|r| r.seq == cp.seq && r.hash == cp.hash);
        if !holds {
            return Ok(Err(CheckpointFault::Missing {
                seq: cp.seq,
                at: cp.at.clone(),
            }));
        }
    }
    Ok(Ok(checkpoints.len()))
}

/// Where the service keeps its key and its checkpoints.
pub fn paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    (data_dir.join(KEY_FILE), data_dir.join(CHECKPOINTS_FILE))
}

/// The service's checkpoints: its key, its file, and the last checkpoint appended.
pub struct Checkpoints {
    signer: CheckpointSigner,
    file: PathBuf,
    last: std::sync::Mutex<Option<Checkpoint>>,
}

impl Checkpoints {
    /// The key and the file beside the database (created where missing).
    pub fn open(data_dir: &Path) -> io::Result<Checkpoints> {
        fs::create_dir_all(data_dir)?;
        let (key, file) = paths(data_dir);
        let signer = CheckpointSigner::load_or_create(&key)?;
        let last = read_all(&file).unwrap_or_default().pop();
        Ok(Checkpoints {
            signer,
            file,
            last: std::sync::Mutex::new(last),
        })
    }

    pub fn public_key(&self) -> String {
        self.signer.public_key()
    }

    /// The last checkpoint appended, if any.
    pub fn latest(&self) -> Option<Checkpoint> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Signs the log's head as of now; appends it to the file when the head moved since the
    /// last one (a head signed once stays provable).
    pub fn issue(&self, store: &mut dyn Store, now: &str) -> Result<Checkpoint, StoreError> {
        let (seq, hash) = store.head()?;
        let cp = self.signer.sign(seq, &hash, now);
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let moved = last
            .as_ref()
            .is_none_or(|l| (l.seq, &l.hash) != (seq, &hash));
        if moved && seq >= 0 {
            append(&self.file, &cp).map_err(|e| StoreError(format!("checkpoint file: {e}")))?;
            *last = Some(cp.clone());
        }
        Ok(cp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> CheckpointSigner {
        CheckpointSigner {
            key: SigningKey::from_bytes(&[7u8; 32]),
        }
    }

    #[test]
    fn a_checkpoint_verifies_and_any_change_breaks_it() {
        let cp = signer().sign(42, &"ab".repeat(32), "2026-12-05T07:00:00Z");
        assert!(cp.signature_valid());
        for changed in [
            Checkpoint {
                seq: 41,
                ..cp.clone()
            },
            Checkpoint {
                hash: "cd".repeat(32),
                ..cp.clone()
            },
            Checkpoint {
                at: "2026-12-05T07:00:01Z".into(),
                ..cp.clone()
            },
        ] {
            assert!(!changed.signature_valid());
        }
    }

    #[test]
    fn the_key_is_created_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("pst-cp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(KEY_FILE);
        let a = CheckpointSigner::load_or_create(&path)
            .unwrap()
            .public_key();
        let b = CheckpointSigner::load_or_create(&path)
            .unwrap()
            .public_key();
        assert_eq!(a, b);
        let file = dir.join(CHECKPOINTS_FILE);
        let cp = signer().sign(1, &"00".repeat(32), "t");
        append(&file, &cp).unwrap();
        append(&file, &cp).unwrap();
        assert_eq!(read_all(&file).unwrap(), vec![cp.clone(), cp]);
        let _ = fs::remove_dir_all(&dir);
    }
}
