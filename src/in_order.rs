//! Work done concurrently, with its results kept in order:
//!
//! - [`InOrder`] passes on, in manifest order, what sources resolved concurrently report: the first
//!   unfinished source's messages go out as they come, later sources' wait for their turn, so the output
//!   is the same whichever fetch finishes first;
//! - [`on_every_core`] computes a function of every item on all cores (reading and hashing a cache
//!   record's blobs, the front-matter checks, `verify`, writing an install's staged files, making a
//!   lock's entries typed) and returns the results in the items' order.

use std::sync::Mutex;

use crate::diag::Diagnostic;
use crate::reporter::{FetchProgress, Reporter, Status};

/// Something a source reported while it was resolved, kept until its turn comes.
enum Message {
    Status(Status, String),
    Diagnostic(Diagnostic),
}

/// Passes on what sources report in manifest order: the first unfinished source's messages go out as
/// they come (so a slow fetch or a retry is visible at once), later sources' wait until every source
/// before them is done. Fetch progress (bars) is always passed on at once.
pub struct InOrder<'a> {
    reporter: &'a dyn Reporter,
    state: Mutex<Pending>,
}

struct Pending {
    /// The first unfinished source: its messages are passed on directly.
    next: usize,
    /// Messages waiting for their source's turn, by manifest index.
    waiting: Vec<Vec<Message>>,
    finished: Vec<bool>,
}

impl<'a> InOrder<'a> {
    pub fn new(reporter: &'a dyn Reporter, total: usize) -> Self {
        reporter.resolve_progress(0, total);
        InOrder {
            reporter,
            state: Mutex::new(Pending {
                next: 0,
                waiting: (0..total).map(|_| Vec::new()).collect(),
                finished: vec![false; total],
            }),
        }
    }

    /// The reporter source `index` uses.
    pub fn source(&self, index: usize) -> SourceReporter<'_, 'a> {
        SourceReporter { order: self, index }
    }

    fn report(&self, index: usize, message: Message) {
        let mut state = self.state.lock().expect("order lock");
        if index == state.next {
            self.replay(vec![message]);
        } else {
            state.waiting[index].push(message);
        }
    }

    pub fn done(&self, index: usize) {
        let mut guard = self.state.lock().expect("order lock");
        let state = &mut *guard;
        state.finished[index] = true;
        while state.finished.get(state.next) == Some(&true) {
            state.next += 1;
            if let Some(waiting) = state.waiting.get_mut(state.next) {
                self.replay(std::mem::take(waiting));
            }
        }
        let finished = state.finished.iter().filter(|f| **f).count();
        self.reporter
            .resolve_progress(finished, state.finished.len());
    }

    /// After a failure some sources never ran: pass on what the others reported, still in order.
    pub fn flush_rest(&self) {
        let mut state = self.state.lock().expect("order lock");
        let rest: Vec<Vec<Message>> = state.waiting.iter_mut().map(std::mem::take).collect();
        for messages in rest {
            self.replay(messages);
        }
        state.next = state.finished.len();
    }

    fn replay(&self, messages: Vec<Message>) {
        for message in messages {
            match message {
                Message::Status(status, text) => self.reporter.status(status, &text),
                Message::Diagnostic(d) => self.reporter.diagnostic(&d),
            }
        }
    }
}

/// What one source reports goes through its [`InOrder`].
pub struct SourceReporter<'o, 'a> {
    order: &'o InOrder<'a>,
    index: usize,
}

impl Reporter for SourceReporter<'_, '_> {
    fn status(&self, status: Status, message: &str) {
        self.order
            .report(self.index, Message::Status(status, message.to_string()));
    }

    fn shows(&self, status: Status) -> bool {
        self.order.reporter.shows(status)
    }

    fn diagnostic(&self, diagnostic: &Diagnostic) {
        self.order
            .report(self.index, Message::Diagnostic(diagnostic.clone()));
    }

    fn fetch_progress(&self, source: &str, progress: Option<FetchProgress>) {
        self.order.reporter.fetch_progress(source, progress);
    }
}

/// Below this many items, handing them to other threads costs more than the work.
const PARALLEL_FROM: usize = 64;

/// The fewest items a thread of [`on_every_core`] takes at a time.
const BATCH: usize = 16;

/// `f` of every item, in order, computed on all cores: reading and hashing a record's blobs, the
/// front-matter checks (YAML, trust and encoding scans), `verify`, and writing staged files are most of
/// an install from the cache.
///
/// Files differ in size (1 KB to 1 MB), so a fixed share per thread can leave one core idle while the
/// other finishes a run of large files: rayon's work stealing splits the items as threads free up, in
/// runs of at least [`BATCH`]. Its threads live for the whole run, so an install's dozen parallel steps
/// do not each start (and give memory to) threads of their own.
pub fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() < PARALLEL_FROM {
        return items.iter().map(f).collect();
    }
    items.par_iter().with_min_len(BATCH).map(&f).collect()
}

/// [`on_every_core`] for a function that takes each item by value (making a lock's entries typed moves
/// their strings instead of copying them).
pub fn on_every_core_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() < PARALLEL_FROM {
        return items.into_iter().map(f).collect();
    }
    items.into_par_iter().with_min_len(BATCH).map(&f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);

    impl Reporter for Recorder {
        fn status(&self, _: Status, message: &str) {
            self.0.lock().unwrap().push(message.to_string());
        }
        fn diagnostic(&self, d: &Diagnostic) {
            self.0.lock().unwrap().push(d.code.to_string());
        }
        fn fetch_progress(&self, source: &str, _: Option<FetchProgress>) {
            self.0.lock().unwrap().push(format!("progress {source}"));
        }
        fn resolve_progress(&self, done: usize, total: usize) {
            self.0.lock().unwrap().push(format!("{done}/{total}"));
        }
    }

    #[test]
    fn messages_come_out_in_manifest_order_whoever_finishes_first() {
        let recorder = Recorder::default();
        let order = InOrder::new(&recorder, 3);
        let (a, b, c) = (order.source(0), order.source(1), order.source(2));
        c.status(Status::Fetching, "c");
        b.status(Status::Fetching, "b");
        b.fetch_progress("b", None);
        a.status(Status::Fetching, "a");
        order.done(2);
        order.done(1);
        a.diagnostic(&Diagnostic::warning("late-a", "x"));
        order.done(0);
        assert_eq!(
            *recorder.0.lock().unwrap(),
            [
                "0/3",
                "progress b",
                "a",
                "1/3",
                "2/3",
                "late-a",
                "b",
                "c",
                "3/3"
            ]
        );
    }

    #[test]
    fn after_a_failure_what_finished_is_still_passed_on_in_order() {
        let recorder = Recorder::default();
        let order = InOrder::new(&recorder, 3);
        order.source(2).status(Status::Fetching, "c");
        order.source(1).status(Status::Fetching, "b");
        order.done(2);
        order.flush_rest();
        assert_eq!(*recorder.0.lock().unwrap(), ["0/3", "1/3", "b", "c"]);
    }

    #[test]
    fn work_on_every_core_keeps_the_order() {
        for n in [1000, PARALLEL_FROM, PARALLEL_FROM + 1, 10 * BATCH + 3] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = on_every_core(&items, |i| i * 2);
            assert_eq!(doubled, (0..n).map(|i| i * 2).collect::<Vec<_>>());
        }
        let items: Vec<usize> = (0..3).collect();
        assert_eq!(on_every_core(&items, |i| i + 1), [1, 2, 3]);
    }

    /// The first ten items are slow, so on two cores or more results kept in the order they finish
    /// would come out of order.
    #[test]
    fn owned_work_on_every_core_keeps_the_order() {
        for n in [3, PARALLEL_FROM, PARALLEL_FROM + 1, 10 * BATCH + 3] {
            let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            let moved = on_every_core_owned(items, |s| {
                if s.len() == 1 {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                s + "!"
            });
            assert_eq!(moved, (0..n).map(|i| format!("{i}!")).collect::<Vec<_>>());
        }
    }

    /// A panic in any item (first, middle, last) reaches the caller as the same panic, as it did from
    /// scoped threads: no hang, no lost result; and the pool still works after it.
    #[test]
    fn a_panic_in_any_item_reaches_the_caller() {
        let items: Vec<usize> = (0..1000).collect();
        for bad in [0, 500, 999] {
            let caught = std::panic::catch_unwind(|| {
                on_every_core(&items, |&i| {
                    assert_ne!(i, bad, "item {i}");
                    i
                })
            });
            let message = caught.unwrap_err().downcast::<String>().unwrap();
            assert!(message.contains(&format!("item {bad}")), "{message}");
        }
        assert_eq!(on_every_core(&items, |i| i + 1)[999], 1000);
    }

    /// Nested parallel steps, on a pool of one thread (a 1-core machine, `RAYON_NUM_THREADS=1`) as on
    /// many: everything runs, in order, without waiting on itself.
    #[test]
    fn nested_steps_on_one_thread_or_many_keep_the_order() {
        let items: Vec<usize> = (0..300).collect();
        let sums = || {
            on_every_core(&items, |&i| {
                on_every_core(&items, |&j| i * j).into_iter().sum::<usize>()
            })
        };
        let expected: Vec<usize> = (0..300).map(|i| i * (299 * 300 / 2)).collect();
        assert_eq!(sums(), expected);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(one.install(sums), expected);
    }
}
