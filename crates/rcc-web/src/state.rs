//! The wizard's state: what the user entered, as signals, saved to localStorage on every change
//! and restored on reload. A saved state that is corrupt or from another version is dropped with
//! a notice, never a blank page.

use super::storage;
use leptos::prelude::*;
use rcc_core::directory::AdFields;
use rcc_core::example::ExampleCase;
use rcc_core::generation::Generation;
use rcc_core::wizard::{Step, Symptom};
use send_wrapper::SendWrapper;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const KEY: &str = "rcc-doctor/state";
const VERSION: u32 = 1;
/// Logs beyond this many bytes are not saved (localStorage holds ~5 MB); the notice says so.
/// A picked file larger than this is not read into the page at all where the page has an
/// analysis worker: the worker reads it (see [`LogData::File`]).
pub const MAX_SAVED_LOG_BYTES: usize = 2_000_000;

/// A log the user pasted, dropped or picked (the readers detect the encoding).
#[derive(Clone, Debug)]
pub struct LogInput {
    pub name: String,
    pub data: LogData,
    pub clock_offset_ms: i64,
}

/// Where a log's bytes are.
#[derive(Clone, Debug)]
pub enum LogData {
    /// In page memory: pasted, restored from storage, the example, or a small picked file.
    /// Shared, so reading the state never copies a log.
    Bytes(Arc<Vec<u8>>),
    /// A large picked file, never read on the page's main thread: the analysis worker reads it
    /// (posting a `File` to a worker copies no bytes). Never saved across a reload.
    File(SendWrapper<web_sys::File>),
    /// A large paste, as the clipboard gave it: a JavaScript string the analysis worker turns
    /// into bytes (encoding 20 MB on the page would block it). Never saved across a reload.
    Text(SendWrapper<js_sys::JsString>),
}

impl LogInput {
    pub fn from_bytes(name: String, bytes: Vec<u8>) -> LogInput {
        LogInput {
            name,
            data: LogData::Bytes(Arc::new(bytes)),
            clock_offset_ms: 0,
        }
    }

    pub fn from_file(name: String, file: web_sys::File) -> LogInput {
        LogInput {
            name,
            data: LogData::File(SendWrapper::new(file)),
            clock_offset_ms: 0,
        }
    }

    pub fn from_text(name: String, text: js_sys::JsString) -> LogInput {
        LogInput {
            name,
            data: LogData::Text(SendWrapper::new(text)),
            clock_offset_ms: 0,
        }
    }

    /// The bytes, when they are in page memory.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.data {
            LogData::Bytes(b) => Some(b),
            LogData::File(_) | LogData::Text(_) => None,
        }
    }

    /// Its size in bytes (for a pasted text: in UTF-16 code units, as close as it gets without
    /// encoding it).
    pub fn size(&self) -> usize {
        match &self.data {
            LogData::Bytes(b) => b.len(),
            LogData::File(f) => f.size() as usize,
            LogData::Text(t) => t.length() as usize,
        }
    }
}

/// A saved log (the same JSON as before logs could be files: name, text, offset).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct SavedLog {
    name: String,
    /// Saved as text when it is UTF-8; other encodings are kept in memory only.
    #[serde(with = "bytes_as_text")]
    bytes: Vec<u8>,
    #[serde(default)]
    clock_offset_ms: i64,
}

/// localStorage holds strings: store UTF-8 logs as text (readable, compact), others not at all.
mod bytes_as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(std::str::from_utf8(bytes).unwrap_or(""))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Saved {
    version: u32,
    symptom: Option<Symptom>,
    ad_text: String,
    ad_fields: Option<AdFields>,
    sign_in: String,
    profile: String,
    rules_text: String,
    logs: Vec<SavedLog>,
    example: bool,
    #[serde(default)]
    redact: bool,
    #[serde(default)]
    generation: Option<Generation>,
    /// Text typed in the paste box, not read as a log yet.
    #[serde(default)]
    log_draft: String,
}

/// The steps that collect the case itself (the symptom is a choice, the diagnosis a result).
pub const INPUT_STEPS: [Step; 3] = [Step::Directory, Step::Routing, Step::Logs];

/// Everything the wizard collects. Cheap to copy: every field is a signal.
#[derive(Clone, Copy)]
pub struct AppState {
    pub symptom: RwSignal<Option<Symptom>>,
    pub ad_text: RwSignal<String>,
    /// The one-field-per-attribute form, once the user edits it (None = follow the paste).
    pub ad_fields: RwSignal<Option<AdFields>>,
    pub sign_in: RwSignal<String>,
    pub profile: RwSignal<String>,
    /// The server generation the user chose (None = read it from the inputs).
    pub generation: RwSignal<Option<Generation>>,
    pub rules_text: RwSignal<String>,
    pub logs: RwSignal<Vec<LogInput>>,
    /// True while the inputs are the built-in example case.
    pub example: RwSignal<bool>,
    /// Redact everything shown on the diagnosis step, copied and exported.
    pub redact: RwSignal<bool>,
    /// A message for the user about the app itself (restore failed, storage full).
    pub notice: RwSignal<Option<String>>,
    /// Text in the logs step's paste box that is not a log yet: it becomes one when the user
    /// leaves the step (see [`AppState::take_log_draft`]).
    pub log_draft: RwSignal<String>,
    /// What the last sweeping change replaced ("Start over", the example set aside, the example
    /// loaded over the user's inputs), for its "Undo".
    pub undo: RwSignal<Option<Undo>>,
}

/// Every input of the wizard at one moment. Cheap to clone: the logs' bytes are shared.
#[derive(Clone, Debug)]
pub struct Inputs {
    symptom: Option<Symptom>,
    ad_text: String,
    ad_fields: Option<AdFields>,
    sign_in: String,
    profile: String,
    generation: Option<Generation>,
    rules_text: String,
    logs: Vec<LogInput>,
    example: bool,
    log_draft: String,
}

impl Inputs {
    /// Nothing a case is made of (the symptom and the profile are choices, not inputs).
    fn is_empty(&self) -> bool {
        self.ad_text.trim().is_empty()
            && self.ad_fields.is_none()
            && self.sign_in.trim().is_empty()
            && self.rules_text.trim().is_empty()
            && self.logs.is_empty()
            && self.log_draft.trim().is_empty()
    }
}

/// A sweeping change the user can take back: what it says happened, and the inputs before it.
#[derive(Clone, Debug)]
pub struct Undo {
    pub message: String,
    pub before: Inputs,
}

/// Which case the wizard shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseKind {
    /// The built-in example, unchanged.
    Example,
    /// What the user entered.
    Own,
    /// Nothing entered yet.
    Empty,
}

impl CaseKind {
    pub fn id(self) -> &'static str {
        match self {
            CaseKind::Example => "example",
            CaseKind::Own => "own",
            CaseKind::Empty => "empty",
        }
    }
}

pub const DEFAULT_PROFILE: &str = "nortel";

impl AppState {
    /// Restores the saved state, or starts clean with a notice when it cannot be read.
    pub fn restore() -> AppState {
        let (saved, notice) = match storage::get(KEY) {
            None => (Saved::default(), None),
            Some(text) => match serde_json::from_str::<Saved>(&text) {
                Ok(s) if s.version == VERSION => (s, None),
                Ok(_) => (
                    Saved::default(),
                    Some("Your saved progress was from another version of RCC Doctor, so the wizard starts clean.".to_string()),
                ),
                Err(_) => (
                    Saved::default(),
                    Some("Your saved progress could not be read (it was damaged), so the wizard starts clean.".to_string()),
                ),
            },
        };
        if notice.is_some() {
            storage::remove(KEY);
        }
        let profile = if saved.profile.is_empty() {
            DEFAULT_PROFILE.to_string()
        } else {
            saved.profile
        };
        AppState {
            symptom: RwSignal::new(saved.symptom),
            ad_text: RwSignal::new(saved.ad_text),
            ad_fields: RwSignal::new(saved.ad_fields),
            sign_in: RwSignal::new(saved.sign_in),
            profile: RwSignal::new(profile),
            generation: RwSignal::new(saved.generation),
            rules_text: RwSignal::new(saved.rules_text),
            logs: RwSignal::new(
                saved
                    .logs
                    .into_iter()
                    .map(|l| LogInput {
                        name: l.name,
                        data: LogData::Bytes(Arc::new(l.bytes)),
                        clock_offset_ms: l.clock_offset_ms,
                    })
                    .collect(),
            ),
            example: RwSignal::new(saved.example),
            redact: RwSignal::new(saved.redact),
            notice: RwSignal::new(notice),
            log_draft: RwSignal::new(saved.log_draft),
            undo: RwSignal::new(None),
        }
    }

    /// Saves on every change from now on.
    pub fn persist(self) {
        Effect::new(move |_| {
            // Cheap: the logs' bytes are shared, never copied here.
            let logs = self.logs.get();
            let total: usize = logs.iter().map(LogInput::size).sum();
            let too_big = total > MAX_SAVED_LOG_BYTES || logs.iter().any(|l| l.bytes().is_none());
            // Non-UTF-8 logs (e.g. UTF-16 traces) cannot be stored as text; keep them in memory.
            let logs: Vec<SavedLog> = if too_big {
                Vec::new()
            } else {
                logs.iter()
                    .filter_map(|l| {
                        let bytes = l.bytes().filter(|b| std::str::from_utf8(b).is_ok())?;
                        Some(SavedLog {
                            name: l.name.clone(),
                            bytes: bytes.to_vec(),
                            clock_offset_ms: l.clock_offset_ms,
                        })
                    })
                    .collect()
            };
            let saved = Saved {
                version: VERSION,
                symptom: self.symptom.get(),
                ad_text: self.ad_text.get(),
                ad_fields: self.ad_fields.get(),
                sign_in: self.sign_in.get(),
                profile: self.profile.get(),
                rules_text: self.rules_text.get(),
                logs,
                example: self.example.get(),
                redact: self.redact.get(),
                generation: self.generation.get(),
                log_draft: self.log_draft.get(),
            };
            let ok = serde_json::to_string(&saved)
                .map(|json| storage::set(KEY, &json))
                .unwrap_or(false);
            if too_big {
                self.notice.set(Some(
                    "Your logs are too large to keep across a reload; everything else is saved."
                        .to_string(),
                ));
            } else if !ok {
                self.notice.set(Some(
                    "This browser refused to save your progress (private window or storage full); it will be lost on reload.".to_string(),
                ));
            }
        });
    }

    /// Adds a log; a file with the same name replaces the old one (a re-drop after editing).
    /// The first log added to the example starts the user's own case.
    pub fn add_log(self, log: LogInput) {
        self.begin_own_input();
        self.logs
            .update(|logs| match logs.iter_mut().find(|l| l.name == log.name) {
                Some(existing) => *existing = log,
                None => logs.push(log),
            });
    }

    /// A name for the next pasted log: `pasted-N.log`, N one more than any pasted log's.
    pub fn next_pasted_name(self) -> String {
        let n = self.logs.with_untracked(|logs| {
            logs.iter()
                .filter_map(|l| {
                    l.name
                        .strip_prefix("pasted-")?
                        .strip_suffix(".log")?
                        .parse::<usize>()
                        .ok()
                })
                .max()
                .unwrap_or(0)
        });
        format!("pasted-{}.log", n + 1)
    }

    /// Reads the text typed in the paste box as a log, if there is any (the user moved on
    /// without clicking "Add this log": the text is evidence all the same).
    pub fn take_log_draft(self) {
        let text = self.log_draft.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        self.log_draft.set(String::new());
        let name = self.next_pasted_name();
        self.add_log(LogInput::from_bytes(name, text.into_bytes()));
    }

    /// Removing a file of the example, or shifting its clock, makes it the user's case (built
    /// from the example's other inputs).
    pub fn remove_log(self, index: usize) {
        self.example.set(false);
        self.logs.update(|logs| {
            if index < logs.len() {
                logs.remove(index);
            }
        });
    }

    pub fn set_offset(self, index: usize, ms: i64) {
        self.example.set(false);
        self.logs.update(|logs| {
            if let Some(l) = logs.get_mut(index) {
                l.clock_offset_ms = ms;
            }
        });
    }

    /// Every input now, for an undo.
    fn inputs(self) -> Inputs {
        Inputs {
            symptom: self.symptom.get_untracked(),
            ad_text: self.ad_text.get_untracked(),
            ad_fields: self.ad_fields.get_untracked(),
            sign_in: self.sign_in.get_untracked(),
            profile: self.profile.get_untracked(),
            generation: self.generation.get_untracked(),
            rules_text: self.rules_text.get_untracked(),
            logs: self.logs.get_untracked(),
            example: self.example.get_untracked(),
            log_draft: self.log_draft.get_untracked(),
        }
    }

    fn set_inputs(self, i: Inputs) {
        self.symptom.set(i.symptom);
        self.ad_text.set(i.ad_text);
        self.ad_fields.set(i.ad_fields);
        self.sign_in.set(i.sign_in);
        self.profile.set(i.profile);
        self.generation.set(i.generation);
        self.rules_text.set(i.rules_text);
        self.logs.set(i.logs);
        self.example.set(i.example);
        self.log_draft.set(i.log_draft);
    }

    /// Clears every input of the case (keeps the symptom and, unless `profile`, the gateway).
    fn clear_case(self, profile: bool) {
        self.ad_text.set(String::new());
        self.ad_fields.set(None);
        self.sign_in.set(String::new());
        if profile {
            self.profile.set(DEFAULT_PROFILE.to_string());
            self.generation.set(None);
        }
        self.rules_text.set(String::new());
        self.logs.set(Vec::new());
        self.log_draft.set(String::new());
        self.example.set(false);
    }

    /// Call before applying the user's own input: while the example is shown, its inputs are
    /// set aside first (with an undo), so nothing of the example is silently mixed into the
    /// user's case.
    pub fn begin_own_input(self) {
        if !self.example.get_untracked() {
            return;
        }
        let before = self.inputs();
        self.clear_case(false);
        self.undo.set(Some(Undo {
            message: "You started your own case: the example's logs, attributes and rules were set aside.".into(),
            before,
        }));
    }

    /// Which case is shown (reactive).
    pub fn case_kind(self) -> CaseKind {
        if self.example.get() {
            CaseKind::Example
        } else if INPUT_STEPS.into_iter().any(|s| self.holds_input(s)) {
            CaseKind::Own
        } else {
            CaseKind::Empty
        }
    }

    /// Whether a step holds something the user entered (its check mark in the step rail).
    pub fn holds_input(self, step: Step) -> bool {
        match step {
            Step::Symptom => self.symptom.with(Option::is_some),
            Step::Directory => {
                self.ad_text.with(|t| !t.trim().is_empty())
                    || self.ad_fields.with(Option::is_some)
                    || self.sign_in.with(|t| !t.trim().is_empty())
            }
            Step::Routing => self.rules_text.with(|t| !t.trim().is_empty()),
            Step::Logs => {
                self.logs.with(|l| !l.is_empty()) || self.log_draft.with(|t| !t.trim().is_empty())
            }
            Step::Diagnosis => false,
        }
    }

    /// Replaces every input with a built-in example case; the user's own inputs, if any, can be
    /// brought back with "Undo".
    pub fn load_example(self, ex: &ExampleCase) {
        let before = self.inputs();
        if !before.example && !before.is_empty() {
            self.undo.set(Some(Undo {
                message: "The example case replaced your inputs.".into(),
                before,
            }));
        }
        if self.symptom.get_untracked().is_none() {
            self.symptom.set(Some(Symptom::ErrorIcon));
        }
        self.sign_in.set(ex.sign_in.to_string());
        self.ad_text.set(ex.ad_ldif.to_string());
        self.ad_fields.set(None);
        self.profile.set(ex.profile_id.to_string());
        self.generation.set(None);
        self.rules_text.set(ex.rules.to_string());
        self.logs.set(
            ex.logs
                .iter()
                .map(|(name, text)| {
                    LogInput::from_bytes(name.to_string(), text.as_bytes().to_vec())
                })
                .collect(),
        );
        self.log_draft.set(String::new());
        self.example.set(true);
        self.notice.set(None);
    }

    /// Forgets everything the user entered; "Undo" brings it back.
    pub fn start_over(self) {
        let before = self.inputs();
        self.symptom.set(None);
        self.clear_case(true);
        self.notice.set(None);
        self.undo.set(Some(Undo {
            message: "Everything you entered was cleared.".into(),
            before,
        }));
    }

    /// Takes back the last sweeping change.
    pub fn undo(self) {
        if let Some(u) = self.undo.get_untracked() {
            self.undo.set(None);
            self.set_inputs(u.before);
        }
    }
}
