//! `dsf-connections lsp`: a Language Server over standard input and output (rust-analyzer's
//! `lsp-server` for the JSON-RPC messages behind our own framing reader, [`transport`], and
//! `lsp-types` for the messages). The message loop
//! only keeps the texts and answers from the last finished check; checks run on worker
//! threads ([`worker`]), so a slow file system never holds up typing, and a check whose text
//! has changed since is dropped when it ends.

mod actions;
mod analysis;
mod completion;
mod context;
mod edits;
mod hover;
mod props;
mod settings;
mod symbols;
mod text;
mod transport;
mod worker;

use analysis::Analysis;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{notification as n, request as r};
use serde_json::{Value, json};
use settings::Settings;
use std::collections::HashMap;
use std::sync::Arc;

/// One open document.
struct Doc {
    text: String,
    version: i32,
    /// Bumped by every change: a check's result is kept only for the generation it checked.
    generation: u64,
    /// The last finished check, and the version it checked.
    analysis: Option<(i32, Arc<Analysis>)>,
}

struct Server {
    conn: Connection,
    docs: HashMap<lsp_types::Url, Doc>,
    settings: Settings,
    workers: worker::Pool,
    /// `shutdown` was answered: only `exit` is expected.
    shut_down: bool,
}

/// Serve on standard input and output until the client says `exit`.
pub fn serve() -> Result<(), String> {
    let (conn, io) = transport::stdio()?;
    let (id, params) = conn.initialize_start().map_err(|e| e.to_string())?;
    let init: lsp_types::InitializeParams =
        serde_json::from_value(params).map_err(|e| format!("initialize: {e}"))?;
    let result = json!({
        "capabilities": capabilities(),
        "serverInfo": {"name": "dsf-connections", "version": env!("CARGO_PKG_VERSION")},
    });
    conn.initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server {
        workers: worker::Pool::new(),
        conn,
        docs: HashMap::new(),
        settings: Settings::default(),
        shut_down: false,
    };
    if let Some(opts) = &init.initialization_options {
        server.configure(opts);
    }
    server.run()?;
    drop(server);
    io.join()
}

fn capabilities() -> Value {
    json!({
        "positionEncoding": "utf-16",
        "textDocumentSync": {"openClose": true, "change": 2},
        "hoverProvider": true,
        "completionProvider": {"triggerCharacters": [" ", ":"]},
        "documentSymbolProvider": true,
        "documentLinkProvider": {"resolveProvider": false},
        "codeActionProvider": {
            "codeActionKinds": ["quickfix", actions::fix_all_kind().as_str()],
        },
    })
}

impl Server {
    fn run(&mut self) -> Result<(), String> {
        loop {
            crossbeam_channel::select! {
                recv(self.conn.receiver) -> msg => {
                    let Ok(msg) = msg else { return Ok(()) };
                    match msg {
                        // after `shutdown` only `exit` counts; a second `shutdown` (Neovim
                        // sends one on stop and one on quit) gets an error, not a crash
                        Message::Request(req) if self.shut_down || req.method == r::Shutdown::METHOD => {
                            let resp = if self.shut_down {
                                Response::new_err(req.id, ErrorCode::InvalidRequest as i32, "shut down".into())
                            } else {
                                Response::new_ok(req.id, Value::Null)
                            };
                            self.shut_down = true;
                            self.send(Message::Response(resp));
                        }
                        Message::Request(req) => self.request(req),
                        Message::Notification(note) if note.method == n::Exit::METHOD => return Ok(()),
                        Message::Notification(note) => self.notification(note),
                        Message::Response(_) => {}
                    }
                }
                recv(self.workers.results) -> done => {
                    if let Ok(done) = done {
                        self.finished(done);
                    }
                }
            }
        }
    }

    fn send(&self, msg: Message) {
        // the client has gone when this fails: the loop ends on the closed receiver
        let _ = self.conn.sender.send(msg);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    /// Settings from the client; bad ones are said in a message and the old ones kept.
    fn configure(&mut self, v: &Value) {
        match Settings::from_json(v) {
            Ok(s) => {
                self.settings = s;
                let uris: Vec<_> = self.docs.keys().cloned().collect();
                for u in uris {
                    self.check(&u);
                }
            }
            Err(why) => self.notify::<n::ShowMessage>(lsp_types::ShowMessageParams {
                typ: lsp_types::MessageType::ERROR,
                message: why,
            }),
        }
    }

    fn notification(&mut self, note: Notification) {
        match note.method.as_str() {
            n::DidOpenTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(note.params)
                else {
                    return;
                };
                let d = p.text_document;
                self.docs.insert(
                    d.uri.clone(),
                    Doc {
                        text: d.text,
                        version: d.version,
                        generation: 0,
                        analysis: None,
                    },
                );
                self.check(&d.uri);
            }
            n::DidChangeTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(note.params)
                else {
                    return;
                };
                let Some(doc) = self.docs.get_mut(&p.text_document.uri) else {
                    return;
                };
                for c in &p.content_changes {
                    text::apply_change(&mut doc.text, c);
                }
                doc.version = p.text_document.version;
                self.check(&p.text_document.uri);
            }
            n::DidCloseTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(note.params)
                else {
                    return;
                };
                self.docs.remove(&p.text_document.uri);
                self.notify::<n::PublishDiagnostics>(lsp_types::PublishDiagnosticsParams {
                    uri: p.text_document.uri,
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
            n::DidChangeConfiguration::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeConfigurationParams>(note.params)
                {
                    self.configure(&p.settings);
                }
            }
            _ => {}
        }
    }

    /// Start (or queue) a check of the document's current text.
    fn check(&mut self, uri: &lsp_types::Url) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        doc.generation += 1;
        let path = uri.to_file_path().unwrap_or_else(|()| {
            std::env::current_dir().unwrap_or_default().join(
                uri.path_segments()
                    .and_then(|mut s| s.next_back())
                    .unwrap_or("untitled.yaml"),
            )
        });
        self.workers.submit(worker::Job {
            uri: uri.clone(),
            generation: doc.generation,
            version: doc.version,
            path,
            text: doc.text.clone(),
            settings: self.settings.clone(),
        });
    }

    fn finished(&mut self, done: worker::Done) {
        self.workers.finished();
        let Some(doc) = self.docs.get_mut(&done.uri) else {
            return;
        };
        // the text changed while it was checked: a newer check is queued or running
        if doc.generation != done.generation {
            return;
        }
        let diagnostics = done.analysis.diagnostics.clone();
        doc.analysis = Some((done.version, Arc::new(done.analysis)));
        self.notify::<n::PublishDiagnostics>(lsp_types::PublishDiagnosticsParams {
            uri: done.uri,
            diagnostics,
            version: Some(done.version),
        });
    }

    /// The document and its last check, when the check is of the current text.
    fn current(&self, uri: &lsp_types::Url) -> Option<(&Doc, Option<&Analysis>)> {
        let doc = self.docs.get(uri)?;
        let a = doc
            .analysis
            .as_ref()
            .filter(|(v, _)| *v == doc.version)
            .map(|(_, a)| a.as_ref());
        Some((doc, a))
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            r::HoverRequest::METHOD => self.answer(req, |s, p: lsp_types::HoverParams| {
                let t = &p.text_document_position_params;
                let (doc, a) = s.current(&t.text_document.uri)?;
                hover::hover(&doc.text, a, t.position)
            }),
            r::Completion::METHOD => self.answer(req, |s, p: lsp_types::CompletionParams| {
                let t = &p.text_document_position;
                let (doc, _) = s.current(&t.text_document.uri)?;
                Some(completion::complete(&doc.text, t.position))
            }),
            r::DocumentSymbolRequest::METHOD => {
                self.answer(req, |s, p: lsp_types::DocumentSymbolParams| {
                    let (_, a) = s.current(&p.text_document.uri)?;
                    Some(symbols::symbols(a?))
                })
            }
            r::DocumentLinkRequest::METHOD => {
                self.answer(req, |s, p: lsp_types::DocumentLinkParams| {
                    let (_, a) = s.current(&p.text_document.uri)?;
                    Some(symbols::links(a?))
                })
            }
            r::CodeActionRequest::METHOD => {
                self.answer(req, |s, p: lsp_types::CodeActionParams| {
                    let (_, a) = s.current(&p.text_document.uri)?;
                    Some(actions::actions(
                        &p.text_document.uri,
                        a?,
                        p.range,
                        p.context.only.as_deref(),
                    ))
                })
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("unhandled method {}", req.method),
            )),
        };
        let resp = match result {
            Ok(v) => Response::new_ok(id, v),
            Err((code, m)) => Response::new_err(id, code as i32, m),
        };
        self.send(Message::Response(resp));
    }

    /// Decode the params, answer (`None`: `null`), encode the result.
    fn answer<P: serde::de::DeserializeOwned, T: serde::Serialize>(
        &self,
        req: Request,
        f: impl FnOnce(&Server, P) -> Option<T>,
    ) -> Result<Value, (ErrorCode, String)> {
        let p: P = serde_json::from_value(req.params)
            .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        serde_json::to_value(f(self, p)).map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }
}
