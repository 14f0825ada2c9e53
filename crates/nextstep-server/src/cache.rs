//! The pipeline report, cached per scope and kept exactly current: each request reads the
//! store's trigger-maintained data version (one row) and rebuilds only when it moved (or
//! the day changed, which moves overdue and stale). With 100,000 deals a rebuild reads
//! every open deal; a cached request reads one number.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, Utc};
use nextstep_core::{Scope, Store, StoreError};
use nextstep_insight::hygiene::{self, Flag, Options, Report, Summary};

#[derive(Clone)]
struct Entry {
    version: i64,
    today: NaiveDate,
    pipeline: Arc<Pipeline>,
}

/// A scope's pipeline report with what every board request would otherwise recompute:
/// the distinct owners and stages, and each row's index into them (so filtering and
/// grouping compare integers, not strings).
#[derive(Debug)]
pub struct Pipeline {
    /// The hygiene report, rows largest first.
    pub report: Report,
    /// Distinct owners, sorted.
    pub owners: Vec<String>,
    /// Per row, its owner's index in `owners` (`u32::MAX`: no owner).
    pub owner_of: Vec<u32>,
    /// Distinct stages, in the order first met.
    pub stages: Vec<String>,
    /// Per row, its stage's index in `stages`.
    pub stage_of: Vec<u32>,
    /// Per row, its flags as bits (bit `i` is `Flag::ALL[i]`).
    pub flags_of: Vec<u8>,
    /// Per row, its amount in cents (0 when unknown).
    pub amount_of: Vec<i64>,
}

/// A flag's bit in [`Pipeline::flags_of`].
pub fn flag_bit(flag: Flag) -> u8 {
    let i = Flag::ALL.iter().position(|f| *f == flag).unwrap_or(0);
    1 << i
}

impl Pipeline {
    /// Indexes a report's owners and stages.
    pub fn new(report: Report) -> Pipeline {
        let mut owners: Vec<String> = report
            .rows
            .iter()
            .filter_map(|r| r.pipeline.deal.owner.clone())
            .collect();
        owners.sort_unstable();
        owners.dedup();
        let owner_of = report
            .rows
            .iter()
            .map(|r| match &r.pipeline.deal.owner {
                Some(o) => owners.binary_search(o).map_or(u32::MAX, |i| i as u32),
                None => u32::MAX,
            })
            .collect();
        let mut stages: Vec<String> = Vec::new();
        let mut index: HashMap<&str, u32> = HashMap::new();
        let mut stage_of = Vec::with_capacity(report.rows.len());
        for r in &report.rows {
            let stage = r.pipeline.deal.stage.as_str();
            let i = *index.entry(stage).or_insert_with(|| {
                stages.push(stage.to_string());
                (stages.len() - 1) as u32
            });
            stage_of.push(i);
        }
        let flags_of = report
            .rows
            .iter()
            .map(|r| r.flags.iter().fold(0u8, |bits, f| bits | flag_bit(*f)))
            .collect();
        let amount_of = report
            .rows
            .iter()
            .map(|r| r.pipeline.deal.amount.unwrap_or(0))
            .collect();
        Pipeline {
            owners,
            owner_of,
            stages,
            stage_of,
            flags_of,
            amount_of,
            report,
        }
    }

    /// The indexes of the rows owned by `owner` (when given) carrying `flag` (when
    /// given), in report order. An owner no visible deal has matches nothing.
    pub fn select(
        &self,
        owner: Option<&str>,
        flag: Option<Flag>,
    ) -> impl Iterator<Item = usize> + '_ {
        let owner = owner.map(|o| self.owner_index(o).unwrap_or(u32::MAX - 1));
        let bits = flag.map_or(0, flag_bit);
        (0..self.report.rows.len()).filter(move |&i| {
            owner.is_none_or(|o| self.owner_of[i] == o) && self.flags_of[i] & bits == bits
        })
    }

    /// The totals of the rows at `indexes`, from the per-row arrays.
    pub fn summary_of(&self, indexes: &[usize]) -> Summary {
        let mut summary = Summary::empty();
        for &i in indexes {
            let bits = self.flags_of[i];
            let flags = Flag::ALL.into_iter().filter(|f| bits & flag_bit(*f) != 0);
            summary.add(flags, self.amount_of[i]);
        }
        summary
    }

    /// The index of owner `name`, if any visible deal has it.
    pub fn owner_index(&self, name: &str) -> Option<u32> {
        self.owners
            .binary_search_by(|o| o.as_str().cmp(name))
            .ok()
            .map(|i| i as u32)
    }
}

/// Reports by scope.
#[derive(Default)]
pub struct PipelineCache {
    entries: Mutex<HashMap<Scope, Entry>>,
}

impl PipelineCache {
    fn get(&self, scope: &Scope, version: i64, today: NaiveDate) -> Option<Arc<Pipeline>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(scope)
            .filter(|e| e.version == version && e.today == today)
            .map(|e| e.pipeline.clone())
    }

    fn put(&self, scope: Scope, entry: Entry) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(scope, entry);
        }
    }

    /// The hygiene report of every open deal `scope` sees in `db` (a deal without
    /// activity for `stale_days` is stale), from the cache when current.
    pub async fn pipeline(
        &self,
        db: &impl Store,
        scope: &Scope,
        stale_days: i64,
    ) -> Result<Arc<Pipeline>, StoreError> {
        let today = Utc::now().date_naive();
        let version = db.data_version().await?;
        if let Some(report) = self.get(scope, version, today) {
            return Ok(report);
        }
        let rows = db.pipeline(scope, None).await?;
        let opts = Options { today, stale_days };
        let pipeline = Arc::new(Pipeline::new(hygiene::report(rows, &opts)));
        self.put(
            *scope,
            Entry {
                version,
                today,
                pipeline: pipeline.clone(),
            },
        );
        Ok(pipeline)
    }
}
