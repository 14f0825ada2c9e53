//! Password checks with a ceiling on memory and CPU. An argon2id check takes its memory
//! cost (19 MiB with the defaults) and a core for tens of milliseconds; without a bound,
//! sixty logins at once took the server from 20 MB to 1.95 GB — and it kept most of it,
//! since the allocator holds freed blocks per thread arena.
//!
//! So checks run only with a permit from a [`tokio::sync::Semaphore`] sized to the cores
//! (more at once would not finish sooner), a login waits for a permit at most
//! [`HashPool::wait`] and only while fewer than [`HashPool::max_waiting`] others wait —
//! otherwise it is told the server is busy ([`Busy`]) — and each permit owns one argon2
//! memory area, allocated once and reused for every check it runs (argon2's
//! `hash_password_into_with_memory`), so the memory of password checking is
//! permits × memory cost, whatever the load.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The most memory one check may ask for (KiB), so a stored hash with absurd parameters
/// cannot make the server allocate gigabytes: 16 × argon2's default.
pub const MAX_MEMORY_KIB: u32 = 16 * Params::DEFAULT_M_COST;

/// A password check could not start: too many are running or waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server is busy checking other passwords; try again in a moment")]
pub struct Busy;

/// Memory areas of finished checks, waiting for the next; never more than permits.
type Areas = Arc<Mutex<Vec<Vec<Block>>>>;

/// The bounded pool every password check goes through (one per server).
#[derive(Debug)]
pub struct HashPool {
    permits: Arc<Semaphore>,
    areas: Areas,
    waiting: AtomicUsize,
    size: usize,
    wait: Duration,
    max_waiting: usize,
}

impl HashPool {
    /// A pool running up to `size` checks at once (at least one); a check waits at most
    /// `wait` for its turn, and only while fewer than `max_waiting` wait.
    pub fn new(size: usize, wait: Duration, max_waiting: usize) -> Self {
        let size = size.max(1);
        HashPool {
            permits: Arc::new(Semaphore::new(size)),
            areas: Arc::new(Mutex::new(Vec::with_capacity(size))),
            waiting: AtomicUsize::new(0),
            size,
            wait,
            max_waiting,
        }
    }

    /// One check per core; a login waits up to 2 s behind at most 64 others.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        HashPool::new(cores, Duration::from_secs(2), 64)
    }

    /// How many checks run at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// How long a check waits for its turn before [`Busy`].
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// How many checks may wait at once before the next is [`Busy`] at once.
    pub fn max_waiting(&self) -> usize {
        self.max_waiting
    }

    /// Waits for a turn to check a password: [`Busy`] when too many wait already or the
    /// turn does not come within [`HashPool::wait`]. Taking the turn *before* the
    /// lockout counts the attempt means a busy server never charges anyone an attempt.
    pub async fn turn(&self) -> Result<HashTurn, Busy> {
        let queued = self.waiting.fetch_add(1, Ordering::SeqCst);
        let _leave = Leave(&self.waiting);
        if queued >= self.max_waiting {
            return Err(Busy);
        }
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(HashTurn {
                areas: self.areas.clone(),
                permit,
            }),
            _ => Err(Busy),
        }
    }
}

/// Decrements the waiting count however the wait ends.
struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A turn to check one password (holds one of the pool's permits).
#[derive(Debug)]
pub struct HashTurn {
    areas: Areas,
    permit: OwnedSemaphorePermit,
}

impl HashTurn {
    /// Whether `password` matches the argon2 PHC string `phc` (false for a malformed or
    /// unsupported one), checked on a blocking thread in the pool's reused memory.
    ///
    /// The permit and the memory area travel *into* the blocking task and are given back
    /// only when the check ends: a client that hangs up mid-login drops this future, but
    /// the check it started still counts against the pool until it finishes.
    pub async fn verify(self, password: String, phc: String) -> bool {
        let HashTurn { areas, permit } = self;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut area = areas
                .lock()
                .ok()
                .and_then(|mut free| free.pop())
                .unwrap_or_default();
            let ok = verify_in(&password, &phc, &mut area);
            if let Ok(mut free) = areas.lock() {
                free.push(area);
            }
            ok
        })
        .await
        // A panicking check lost its area; the next check allocates one.
        .unwrap_or(false)
    }
}

/// Checks `password` against `phc` using `area` as argon2's memory (grown if the hash
/// asks for more, zeroed afterwards so no password-derived state lingers).
pub fn verify_in(password: &str, phc: &str, area: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    if params.m_cost() > MAX_MEMORY_KIB {
        return false;
    }
    let blocks = params.block_count();
    if area.len() < blocks {
        area.resize(blocks, Block::new());
    }
    let mut out = vec![0u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt.as_ref(),
        &mut out,
        &mut area[..blocks],
    );
    area[..blocks].fill(Block::new());
    hashed.is_ok() && nextstep_core::secrets::constant_time_eq_bytes(&out, expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nextstep_core::secrets::hash_password;

    #[test]
    fn checks_in_reused_memory_agree_with_argon2() {
        let phc = hash_password("correct horse").unwrap();
        let mut area = Vec::new();
        assert!(verify_in("correct horse", &phc, &mut area));
        let len = area.len();
        assert_eq!(len, Params::DEFAULT.block_count());
        assert!(!verify_in("correct hors", &phc, &mut area));
        assert!(
            verify_in("correct horse", &phc, &mut area),
            "the area is reused"
        );
        assert_eq!(area.len(), len, "and not grown");
        assert!(!verify_in("correct horse", "not a hash", &mut area));
        assert!(!verify_in(
            "x",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ",
            &mut area
        ));
        let huge = "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert!(!verify_in("x", huge, &mut area), "no 4 GiB allocation");
        assert_eq!(area.len(), len);
    }

    #[tokio::test]
    async fn a_login_dropped_mid_check_keeps_its_permit_until_the_check_ends() {
        let pool = HashPool::new(1, Duration::from_millis(1), 4);
        let phc = hash_password("pw").unwrap();
        let turn = pool.turn().await.expect("a turn");
        // The client hangs up right after its check started: its future is dropped.
        let check = turn.verify("pw".into(), phc);
        assert!(
            tokio::time::timeout(Duration::from_millis(1), check)
                .await
                .is_err()
        );
        assert_eq!(
            pool.turn().await.err(),
            Some(Busy),
            "the abandoned check still counts against the pool"
        );
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if pool.turn().await.is_ok() {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "the permit came back");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(pool.areas.lock().unwrap().len(), 1, "and its memory area");
    }

    #[tokio::test]
    async fn a_full_pool_answers_busy_instead_of_queueing_for_ever() {
        let pool = HashPool::new(1, Duration::from_millis(50), 1);
        let held = pool.turn().await.expect("the first turn");
        // One may wait; it times out.
        assert_eq!(pool.turn().await.err(), Some(Busy));
        // With one waiting already, the next is refused at once.
        let waiter = pool.turn();
        let refused = pool.turn();
        let (w, r) = tokio::join!(waiter, refused);
        assert!(w.is_err() && r.is_err());
        drop(held);
        let turn = pool.turn().await.expect("free again");
        let phc = hash_password("pw").unwrap();
        assert!(turn.verify("pw".into(), phc).await);
    }
}
