//! Checks off the message loop: each on a thread of its own, at most [`MAX_RUNNING`] at once;
//! a document's newer text replaces its queued older one. A check cannot be stopped halfway
//! (the pipeline reads files synchronously), so a check of an older text runs out and its
//! result is dropped; the newer check starts at once beside it, and a file system that hangs
//! holds up at most one thread per check, never the loop.

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
    running: usize,
    queued: VecDeque<Job>,
}

impl Pool {
    pub fn new() -> Pool {
        let (send, results) = unbounded();
        Pool {
            results,
            send,
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
        self.running += 1;
        let send = self.send.clone();
        let spawned = std::thread::Builder::new()
            .name("dsf-check".into())
            .spawn(move || {
                let dir = job.path.parent().map(PathBuf::from).unwrap_or_default();
                let analysis = match job.settings.args(&dir) {
                    Ok(args) => analyse(&job.path, job.text, &args, &job.settings),
                    Err(why) => Analysis::failed(&why),
                };
                let _ = send.send(Done {
                    uri: job.uri,
                    generation: job.generation,
                    version: job.version,
                    analysis,
                });
            });
        if spawned.is_err() {
            self.running -= 1;
        }
    }
}
