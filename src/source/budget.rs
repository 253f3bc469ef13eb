//! [`ReadBudget`]: how much of the sources' git objects one resolution may read.
//!
//! Git stores a tree or a blob once however often it is referenced, so a repository of a few dozen
//! objects can name a billion paths (each directory holding two copies of the next) or a thousand
//! copies of one 1 MiB file. Every other limit is per object; this one is on the work all the sources of
//! one resolution add up to, so such a repository, or a pack fanning out to hundreds of them, stops with
//! an error after bounded time and memory. Real collections stay orders of magnitude below both limits.

/// Tree entries (files and directories) one resolution may look at.
pub const MAX_TREE_ENTRIES: usize = 1_000_000;
/// Bytes of Markdown files (and of the paths and symlink targets read to find them, and of the plugin
/// catalogues read, `marketplace.json` and each `plugin.json`) one resolution may read: what is
/// inflated, so also a bound on what is kept in memory.
pub const MAX_READ_BYTES: u64 = 256 * 1024 * 1024;

/// What is left of the limits for the rest of one resolution.
#[derive(Debug)]
pub struct ReadBudget {
    left: Charge,
}

impl Default for ReadBudget {
    fn default() -> Self {
        ReadBudget {
            left: Charge {
                entries: MAX_TREE_ENTRIES,
                bytes: MAX_READ_BYTES,
            },
        }
    }
}

/// What one read took from a [`ReadBudget`] (and what is left of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Charge {
    pub entries: usize,
    pub bytes: u64,
}

impl Charge {
    /// `self` less `other`, when `other` fits in both counts.
    fn minus(self, other: Charge) -> Option<Charge> {
        Some(Charge {
            entries: self.entries.checked_sub(other.entries)?,
            bytes: self.bytes.checked_sub(other.bytes)?,
        })
    }
}

/// A limit of [`ReadBudget`] reached; the reader turns it into an error naming the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverBudget {
    Entries,
    /// Reading stopped at this path (at most 200 characters of it).
    Bytes {
        path: String,
    },
}

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OverBudget::Entries => write!(
                f,
                "reading stopped: the sources hold more than {MAX_TREE_ENTRIES} files and directories in all (a tree that holds the same directory many times over is a crafted repository)"
            ),
            OverBudget::Bytes { path } => write!(
                f,
                "reading stopped at `{path}`: the sources' Markdown files add up to more than {} MiB (the same large file many times over is a crafted repository)",
                MAX_READ_BYTES / (1024 * 1024)
            ),
        }
    }
}

impl ReadBudget {
    /// Count one tree entry about to be looked at.
    pub fn entry(&mut self) -> Result<(), OverBudget> {
        self.left.entries = (self.left.entries.checked_sub(1)).ok_or(OverBudget::Entries)?;
        Ok(())
    }

    /// Count `bytes` about to be read for `path`.
    pub fn bytes(&mut self, bytes: u64, path: &str) -> Result<(), OverBudget> {
        self.left.bytes =
            (self.left.bytes.checked_sub(bytes)).ok_or_else(|| OverBudget::Bytes {
                path: path.chars().take(200).collect(),
            })?;
        Ok(())
    }

    /// What is left of both limits.
    pub fn left(&self) -> Charge {
        self.left
    }

    /// What was taken since `before` (an earlier [`ReadBudget::left`]).
    pub fn spent_since(&self, before: Charge) -> Charge {
        before.minus(self.left).expect("a budget only ever shrinks")
    }

    /// Take `charge` when all of it fits; otherwise take nothing and say `false` (the caller then reads
    /// step by step, so the error names where reading stops).
    pub fn take(&mut self, charge: Charge) -> bool {
        match self.left.minus(charge) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charge_is_taken_whole_or_not_at_all() {
        let mut budget = ReadBudget::default();
        let before = budget.left();
        budget.entry().unwrap();
        budget.bytes(10, "a.md").unwrap();
        let spent = budget.spent_since(before);
        assert_eq!(
            spent,
            Charge {
                entries: 1,
                bytes: 10
            }
        );
        let too_many = Charge {
            entries: MAX_TREE_ENTRIES,
            bytes: 0,
        };
        assert!(!budget.take(too_many));
        assert_eq!(budget.spent_since(before), spent, "nothing was taken");
        assert!(budget.take(spent));
        assert_eq!(budget.spent_since(before).entries, 2);
    }
}
