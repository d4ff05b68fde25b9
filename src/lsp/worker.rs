//! Checks off the message loop, on up to [`MAX_RUNNING`] long-lived worker threads (made as
//! needed, then kept: a thread per check left the allocator's per-thread arenas growing over
//! thousands of edits); a document's newer text replaces its queued older one. A check cannot
//! be stopped halfway (the pipeline reads files synchronously), so a check of an older text
//! runs out and its result is dropped; the newer check starts at once on another worker, and a
//! file system that hangs holds up a worker, never the loop.

use super::analysis::{Analysis, analyse};
use super::settings::Settings;
use crossbeam_channel::{Receiver, Sender, unbounded};
use lsp_types::Url;
use std::collections::VecDeque;
use std::path::PathBuf;

/// Checks run at once (two cores are common; a hung one leaves the others).
const MAX_RUNNING: usize = 4;

pub struct Job {
    pub uri: Url,
    pub generation: u64,
    pub version: i32,
    pub path: PathBuf,
    pub text: String,
    pub settings: Settings,
}

pub struct Done {
    pub uri: Url,
    pub generation: u64,
    pub version: i32,
    pub analysis: Analysis,
}

pub struct Pool {
    pub results: Receiver<Done>,
    send: Sender<Done>,
    jobs: Sender<Job>,
    take: Receiver<Job>,
    /// Worker threads made so far.
    workers: usize,
    running: usize,
    queued: VecDeque<Job>,
}

impl Pool {
    pub fn new() -> Pool {
        let (send, results) = unbounded();
        let (jobs, take) = unbounded();
        Pool {
            results,
            send,
            jobs,
            take,
            workers: 0,
            running: 0,
            queued: VecDeque::new(),
        }
    }

    pub fn submit(&mut self, job: Job) {
        self.queued.retain(|q| q.uri != job.uri);
        if self.running < MAX_RUNNING {
            self.start(job);
        } else {
            self.queued.push_back(job);
        }
    }

    /// A check has ended (its result was received): start a queued one.
    pub fn finished(&mut self) {
        self.running = self.running.saturating_sub(1);
        if let Some(job) = self.queued.pop_front() {
            self.start(job);
        }
    }

    fn start(&mut self, job: Job) {
        // every worker is busy: one more (at most MAX_RUNNING, as `running` is)
        if self.running >= self.workers && self.spawn() {
            self.workers += 1;
        }
        if self.workers == 0 {
            // no thread could be made: check here rather than never
            let done = run(job);
            let _ = self.send.send(done);
        } else {
            let _ = self.jobs.send(job);
        }
        self.running += 1;
    }

    fn spawn(&self) -> bool {
        let (take, send) = (self.take.clone(), self.send.clone());
        std::thread::Builder::new()
            .name("dsf-check".into())
            .spawn(move || {
                // ends when the pool (the sender of jobs) is dropped
                while let Ok(job) = take.recv() {
                    if send.send(run(job)).is_err() {
                        return;
                    }
                }
            })
            .is_ok()
    }
}

fn run(job: Job) -> Done {
    let dir = job.path.parent().map(PathBuf::from).unwrap_or_default();
    let analysis = match job.settings.args(&dir) {
        Ok(args) => analyse(&job.path, job.text, &args, &job.settings),
        Err(why) => Analysis::failed(&why),
    };
    Done {
        uri: job.uri,
        generation: job.generation,
        version: job.version,
        analysis,
    }
}
