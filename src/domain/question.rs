//! Questions a legend symbol asks of each drawing, and the answers a drawing gives.
//!
//! A "taller clandestino" point asks what matters, as the forms participants and commissions
//! already know do (KoboToolbox and ODK's XLSForm `select_one`/`select_multiple`/`integer`,
//! CoMapeo's presets with fields): "¿Cuántos chicos?", "¿Qué edades?", "¿En qué horario?".
//! Analysts can then count and filter on typed answers, where free text is where names and
//! addresses leak. A question is one of a few kinds (a choice of labelled options, one or
//! several; a whole number within bounds; yes/no; a short text; a date; a time of day),
//! labelled in the legend's languages, required or not, asked only when one earlier answer
//! makes it apply, and marked sensitive when its answer must be shown as an exact place is.
//!
//! Here: the rules of a legend's questions ([`check_questions`]) and of a drawing's answers
//! ([`check_answers`]), pure. Every refusal names the question (a JSON Pointer).

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Invalid;

/// Most questions one symbol asks: a drawing on a phone is not a survey.
pub const MAX_QUESTIONS: usize = 20;
/// Most options one choice offers.
pub const MAX_OPTIONS: usize = 50;
/// Longest short-text answer a question may allow, in characters.
pub const MAX_TEXT: usize = 500;

/// A drawing's answers: question key → answer (an option's key or a list of keys, a
/// number, true or false, a text, `YYYY-MM-DD`, `HH:MM`), keys in order.
pub type Answers = Map<String, Value>;

/// One question of a symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable key, the answer's name in exports: 1–64 of `a-z`, `0-9`, `_`.
    pub key: String,
    /// The question per locale tag (`es`, `en`, …).
    pub labels: BTreeMap<String, String>,
    /// What kind of answer it takes (`"type": "choice"`, …).
    #[serde(flatten)]
    pub kind: AnswerKind,
    /// Whether a drawing needs an answer (when the question applies).
    #[serde(default)]
    pub required: bool,
    /// Whether its answer is shown only to those who see a sensitive drawing exactly.
    #[serde(default)]
    pub sensitive: bool,
    /// Asked only when an earlier question's answer is this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
}

/// The kinds of answer, as XLSForm and CoMapeo know them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AnswerKind {
    /// One of `options` (`select_one`), or several (`multiple`, `select_multiple`): the
    /// answer is the option's key, or a list of keys.
    Choice {
        options: Vec<Choice>,
        #[serde(default)]
        multiple: bool,
    },
    /// A whole number within the bounds given (`integer`).
    Integer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<i64>,
    },
    /// True or false.
    YesNo,
    /// A short text of at most `max_length` characters (free text: the sensitive drawings'
    /// rules for words apply to it).
    Text {
        #[serde(default = "default_text_length")]
        max_length: usize,
    },
    /// A day, `YYYY-MM-DD`.
    Date,
    /// A time of day, `HH:MM`.
    Time,
}

fn default_text_length() -> usize {
    200
}

/// An option of a choice: its key (the answer) and its labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub key: String,
    pub labels: BTreeMap<String, String>,
}

/// A question applies when the answer to the earlier question `question` equals `equals` (an
/// option's key — or, for several, one of those chosen —, a number, true or false).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub question: String,
    pub equals: Value,
}

fn is_key(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Labels of 1–200 characters; at least one.
fn check_labels(labels: &BTreeMap<String, String>, at: &str, errors: &mut Vec<Invalid>) {
    if labels.is_empty() {
        errors.push(Invalid::new(at, "at least one label is needed"));
    }
    for (locale, label) in labels {
        let length = label.trim().chars().count();
        if length == 0 || length > 200 {
            errors.push(Invalid::new(
                format!("{at}/{locale}"),
                "a label must have 1-200 characters",
            ));
        }
    }
}

/// Checks a symbol's questions, `at` the pointer to its list (`/3/questions`): keys unique
/// and well formed, labels, a choice's options (1 to [`MAX_OPTIONS`], keys unique), bounds in
/// order, a text's length within [`MAX_TEXT`], and each condition on an earlier question with
/// a value that question can give. Pushes every problem to `errors`.
pub fn check_questions(questions: &[Question], at: &str, errors: &mut Vec<Invalid>) {
    if questions.len() > MAX_QUESTIONS {
        errors.push(Invalid::new(
            at,
            format!("a symbol asks at most {MAX_QUESTIONS} questions"),
        ));
    }
    let mut earlier: Vec<&Question> = Vec::new();
    for (i, question) in questions.iter().enumerate() {
        let here = |field: &str| format!("{at}/{i}/{field}");
        if !is_key(&question.key) {
            errors.push(Invalid::new(
                here("key"),
                "key must be 1-64 characters of a-z, 0-9 or '_'",
            ));
        } else if earlier.iter().any(|q| q.key == question.key) {
            errors.push(Invalid::new(
                here("key"),
                format!("key \"{}\" appears twice", question.key),
            ));
        }
        check_labels(&question.labels, &here("labels"), errors);
        match &question.kind {
            AnswerKind::Choice { options, .. } => {
                if options.is_empty() || options.len() > MAX_OPTIONS {
                    errors.push(Invalid::new(
                        here("options"),
                        format!("a choice offers 1 to {MAX_OPTIONS} options"),
                    ));
                }
                let mut keys = HashSet::new();
                for (j, option) in options.iter().enumerate() {
                    if !is_key(&option.key) || !keys.insert(option.key.as_str()) {
                        errors.push(Invalid::new(
                            format!("{at}/{i}/options/{j}/key"),
                            "an option's key is 1-64 characters of a-z, 0-9 or '_', once",
                        ));
                    }
                    check_labels(
                        &option.labels,
                        &format!("{at}/{i}/options/{j}/labels"),
                        errors,
                    );
                }
            }
            AnswerKind::Integer {
                min: Some(min),
                max: Some(max),
            } if min > max => {
                errors.push(Invalid::new(here("min"), "min must not be above max"));
            }
            AnswerKind::Text { max_length } if !(1..=MAX_TEXT).contains(max_length) => {
                errors.push(Invalid::new(
                    here("max_length"),
                    format!("a short text allows 1 to {MAX_TEXT} characters"),
                ));
            }
            _ => {}
        }
        if let Some(condition) = &question.when {
            match earlier.iter().find(|q| q.key == condition.question) {
                None => errors.push(Invalid::new(
                    here("when"),
                    format!(
                        "\"when\" names \"{}\", which is not an earlier question of this symbol",
                        condition.question
                    ),
                )),
                Some(asked) if !can_answer(asked, &condition.equals) => {
                    errors.push(Invalid::new(
                        here("when"),
                        format!(
                            "\"{}\" cannot be answered {}",
                            condition.question, condition.equals
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        earlier.push(question);
    }
}

/// Whether `value` is an answer `question` could give, as a condition compares it (one
/// option of a choice of several counts).
fn can_answer(question: &Question, value: &Value) -> bool {
    match &question.kind {
        AnswerKind::Choice { options, .. } => value
            .as_str()
            .is_some_and(|key| options.iter().any(|o| o.key == key)),
        kind => typed(kind, value).is_ok_and(|kept| kept == *value),
    }
}

/// An answer of `kind` from a value written outside Trama (an imported file's property or
/// cell): a number or its digits; true, false, `sí`, `yes`, `1`, `no`, `0`; an option's key
/// or its label in any language, several separated by spaces, `;` or `,`; a date as
/// `YYYY-MM-DD` (a time after it is dropped); a time `HH:MM` (seconds dropped). None when it
/// is none of these.
pub fn answer_from(kind: &AnswerKind, value: &Value) -> Option<Value> {
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .or_else(|| Some(i.to_string()))
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    };
    let answer = match kind {
        AnswerKind::Integer { .. } => Value::from(whole(&text)?),
        AnswerKind::YesNo => match text.to_lowercase().as_str() {
            "true" | "sí" | "si" | "yes" | "s" | "y" => Value::Bool(true),
            "false" | "no" | "n" => Value::Bool(false),
            other => match whole(other)? {
                1 => Value::Bool(true),
                0 => Value::Bool(false),
                _ => return None,
            },
        },
        AnswerKind::Choice { options, multiple } => {
            // A key first, then a label, in any case (`MAÑANA` is `Mañana`): an option's
            // label never stands for another option's key.
            let find = |word: &str| {
                let word = word.to_lowercase();
                options
                    .iter()
                    .find(|o| o.key.to_lowercase() == word)
                    .or_else(|| {
                        options
                            .iter()
                            .find(|o| o.labels.values().any(|l| l.trim().to_lowercase() == word))
                    })
            };
            let all_of_it = find(&text);
            if !multiple {
                Value::String(all_of_it?.key.clone())
            } else if let Some(one) = all_of_it {
                Value::Array(vec![Value::String(one.key.clone())])
            } else {
                let chosen: Option<Vec<Value>> = text
                    .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
                    .filter(|w| !w.is_empty())
                    .map(|w| find(w).map(|o| Value::String(o.key.clone())))
                    .collect();
                Value::Array(chosen?)
            }
        }
        AnswerKind::Text { .. } => Value::String(text),
        AnswerKind::Date => Value::String(text.get(..10)?.to_owned()),
        // `9:30`, `09:30:00.000-03` (ODK): the hour and minutes.
        AnswerKind::Time => {
            Value::String(text.splitn(3, ':').take(2).collect::<Vec<_>>().join(":"))
        }
    };
    typed(kind, &answer).ok()
}

/// A whole number written as digits, or as a number with nothing after its point (`3.0`,
/// as spreadsheets and JSON writers often give one).
fn whole(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|x| x.fract() == 0.0 && x.abs() < 9e15)
            .map(|x| x as i64)
    })
}

/// Whether a stored `value` is an answer of `kind` as it is now (a legend changed since may
/// have made a note's question a choice: the note is then no answer of it).
pub fn fits(kind: &AnswerKind, value: &Value) -> bool {
    typed(kind, value).is_ok()
}

/// The keys of `questions` whose answers are kept as a sensitive place is: those marked
/// sensitive, and those asked only when a sensitive or short-text answer is a given value
/// (that they were answered tells that answer: "¿Cuántos?" asked only when the private
/// "¿Trabajan chicos?" was yes).
pub fn sensitive_keys(questions: &[Question]) -> HashSet<&str> {
    let mut keys: HashSet<&str> = HashSet::new();
    for question in questions {
        let depends = question.when.as_ref().is_some_and(|when| {
            keys.contains(when.question.as_str())
                || questions
                    .iter()
                    .any(|q| q.key == when.question && matches!(q.kind, AnswerKind::Text { .. }))
        });
        if question.sensitive || depends {
            keys.insert(&question.key);
        }
    }
    keys
}

/// The answers a drawing keeps when its symbol changes from one asking `before` to one
/// asking `after`: those the new symbol asks alike (the same kind, as sensitive or not): an
/// answer given as private is never carried to a question shown to all.
pub fn carried_over(before: &[Question], after: &[Question], answers: &Answers) -> Answers {
    let (was, is) = (sensitive_keys(before), sensitive_keys(after));
    let shape = |q: &Question| {
        (
            std::mem::discriminant(&q.kind),
            matches!(q.kind, AnswerKind::Choice { multiple: true, .. }),
        )
    };
    answers
        .iter()
        .filter(|(key, _)| {
            let old = before.iter().find(|q| &q.key == *key);
            let new = after.iter().find(|q| &q.key == *key);
            match (old, new) {
                (Some(old), Some(new)) => {
                    shape(old) == shape(new)
                        && was.contains(key.as_str()) == is.contains(key.as_str())
                }
                _ => false,
            }
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Whether `condition` holds for the answers given so far.
fn holds(condition: &Condition, answers: &Answers) -> bool {
    match answers.get(&condition.question) {
        Some(Value::Array(chosen)) => chosen.contains(&condition.equals),
        Some(answer) => *answer == condition.equals,
        None => false,
    }
}

/// Checks a drawing's `answers` (a JSON object, question key → answer) against its symbol's
/// `questions`, `at` the pointer to the object (`/features/2/properties/answers`). Returns the
/// answers as kept: each typed (a choice's key or a list of keys in the options' order, a
/// number, true or false, a trimmed text, `YYYY-MM-DD`, `HH:MM`), empty answers and those to
/// questions that do not apply left out. Refuses, naming each question: an answer to no
/// question of the symbol, one of the wrong kind or out of bounds, an answer to a question
/// whose condition does not hold, a required question that applies and has none.
pub fn check_answers(
    questions: &[Question],
    answers: &Map<String, Value>,
    at: &str,
) -> Result<Answers, Vec<Invalid>> {
    let mut errors = Vec::new();
    for key in answers.keys() {
        if !questions.iter().any(|q| &q.key == key) {
            errors.push(Invalid::new(
                format!("{at}/{key}"),
                format!("the symbol asks no question \"{key}\""),
            ));
        }
    }
    let mut kept = Answers::new();
    for question in questions {
        let here = format!("{at}/{}", question.key);
        let given = answers.get(&question.key).filter(|v| !is_empty(v));
        let applies = question.when.as_ref().is_none_or(|c| holds(c, &kept));
        match (given, applies) {
            (None, true) if question.required => errors.push(Invalid::new(
                &here,
                format!("\"{}\" needs an answer", question.key),
            )),
            (None, _) => {}
            (Some(_), false) => errors.push(Invalid::new(
                &here,
                format!(
                    "\"{}\" is asked only when an earlier answer makes it apply",
                    question.key
                ),
            )),
            (Some(value), true) => match typed(&question.kind, value) {
                Ok(value) => {
                    kept.insert(question.key.clone(), value);
                }
                Err(why) => errors.push(Invalid::new(&here, why)),
            },
        }
    }
    if errors.is_empty() {
        Ok(kept)
    } else {
        Err(errors)
    }
}

/// What of a drawing's `answers` may be shown to one who may see answers to sensitive
/// questions (`sensitive`) or not, and free-text answers (`text`) or not (the drawing's own
/// words are masked: a short text locates a place as a description does). An answer whose
/// question the symbol no longer asks goes only with the sensitive ones: nothing says what
/// it was.
///
/// Where sensitive answers are withheld, so are those of [`sensitive_keys`], and any answer
/// that does not fit its question as it is now (see [`fits`]).
pub fn shown_answers(
    questions: &[Question],
    answers: &Answers,
    sensitive: bool,
    text: bool,
) -> Answers {
    if sensitive && text {
        return answers.clone();
    }
    let withheld = sensitive_keys(questions);
    answers
        .iter()
        .filter(
            |(key, value)| match questions.iter().find(|q| &q.key == *key) {
                None => sensitive,
                Some(q) => {
                    (sensitive || (!withheld.contains(key.as_str()) && fits(&q.kind, value)))
                        && (text || !matches!(q.kind, AnswerKind::Text { .. }))
                }
            },
        )
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// A listing's filter on answers (`?answer=horario:noche`): the question's key and the value
/// an answer is, or includes, typed as the question's answers are (a string, a whole number,
/// or true or false).
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerFilter {
    pub question: String,
    pub equals: Value,
    /// Whether the question's answers are kept as a sensitive place is, or are words, for
    /// some symbol that asks it: then only those who see all may filter on it (the drawings
    /// a filter keeps would tell what they hide).
    pub private: bool,
    /// The symbols that ask it as the value is typed: only their drawings are matched (an
    /// answer kept from a symbol's earlier questions is no answer to this one).
    pub symbols: Vec<String>,
}

impl AnswerFilter {
    /// Reads `key:value` against the questions of `legend`'s symbols (`sí`, `yes`, `true`
    /// for a yes; an option's key; a whole number; a date `YYYY-MM-DD`; a time `HH:MM`).
    ///
    /// # Errors
    /// Words that say what is wrong: no `:`, no such question, a value it cannot have.
    pub fn parse(text: &str, legend: &[super::legend::Symbol]) -> Result<Self, String> {
        let (key, value) = text
            .split_once(':')
            .ok_or("answer is question:value, such as horario:noche or chicos:sí")?;
        let (key, value) = (key.trim(), value.trim());
        let asked: Vec<(&str, &Question, bool)> = legend
            .iter()
            .flat_map(|s| {
                let private = sensitive_keys(&s.questions);
                s.questions
                    .iter()
                    .filter(|q| q.key == key)
                    .map(move |q| {
                        let words = matches!(q.kind, AnswerKind::Text { .. });
                        (s.key.as_str(), q, words || private.contains(q.key.as_str()))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let Some((_, question, _)) = asked.first() else {
            return Err(format!("the legend asks no question \"{key}\""));
        };
        let equals = match &question.kind {
            AnswerKind::YesNo => match value.to_lowercase().as_str() {
                "true" | "yes" | "sí" | "si" => Value::Bool(true),
                "false" | "no" => Value::Bool(false),
                _ => return Err(format!("\"{key}\" is answered yes or no")),
            },
            AnswerKind::Integer { .. } => Value::from(
                value
                    .parse::<i64>()
                    .map_err(|_| format!("\"{key}\" is answered with a whole number"))?,
            ),
            AnswerKind::Choice { options, .. } => {
                if !asked.iter().any(|(_, q, _)| match &q.kind {
                    AnswerKind::Choice { options, .. } => options.iter().any(|o| o.key == value),
                    _ => false,
                }) {
                    let keys: Vec<&str> = options.iter().map(|o| o.key.as_str()).collect();
                    return Err(format!(
                        "\"{value}\" is not an option of \"{key}\": {}",
                        keys.join(", ")
                    ));
                }
                Value::String(value.to_owned())
            }
            kind => typed(kind, &Value::String(value.to_owned()))?,
        };
        let kind = std::mem::discriminant(&question.kind);
        Ok(Self {
            question: key.to_owned(),
            equals,
            private: asked.iter().any(|(_, _, private)| *private),
            symbols: asked
                .iter()
                .filter(|(_, q, _)| std::mem::discriminant(&q.kind) == kind)
                .map(|(symbol, _, _)| (*symbol).to_owned())
                .collect(),
        })
    }

    /// The JSONPath of the answer (`$."horario"`), for SQLite's `json_each`.
    pub fn path(&self) -> String {
        format!("$.\"{}\"", self.question)
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// `value` as the answer `kind` keeps, or why it is not one.
fn typed(kind: &AnswerKind, value: &Value) -> Result<Value, String> {
    match kind {
        AnswerKind::Choice { options, multiple } => {
            let known = |key: &str| options.iter().any(|o| o.key == key);
            let keys: Vec<&str> = match (value, multiple) {
                (Value::String(key), false) => vec![key.as_str()],
                (Value::Array(items), true) => items
                    .iter()
                    .map(|item| item.as_str().ok_or("each choice is an option's key"))
                    .collect::<Result<_, _>>()?,
                (_, false) => return Err("the answer is one option's key".into()),
                (_, true) => return Err("the answer is a list of options' keys".into()),
            };
            if let Some(unknown) = keys.iter().find(|key| !known(key)) {
                return Err(format!("\"{unknown}\" is not one of the options"));
            }
            if *multiple {
                // In the options' order, each once.
                let chosen: Vec<Value> = options
                    .iter()
                    .filter(|o| keys.contains(&o.key.as_str()))
                    .map(|o| Value::String(o.key.clone()))
                    .collect();
                Ok(Value::Array(chosen))
            } else {
                Ok(value.clone())
            }
        }
        AnswerKind::Integer { min, max } => {
            let number = value.as_i64().ok_or("the answer is a whole number")?;
            if min.is_some_and(|min| number < min) || max.is_some_and(|max| number > max) {
                return Err(match (min, max) {
                    (Some(min), Some(max)) => format!("the answer is between {min} and {max}"),
                    (Some(min), None) => format!("the answer is at least {min}"),
                    (None, _) => format!("the answer is at most {}", max.unwrap_or_default()),
                });
            }
            Ok(Value::from(number))
        }
        AnswerKind::YesNo => value
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| "the answer is true or false".into()),
        AnswerKind::Text { max_length } => {
            let text = value.as_str().ok_or("the answer is a text")?.trim();
            if text.chars().count() > *max_length {
                return Err(format!("the answer has at most {max_length} characters"));
            }
            Ok(Value::String(text.to_owned()))
        }
        AnswerKind::Date => {
            let text = value.as_str().unwrap_or_default();
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|day| Value::String(day.format("%Y-%m-%d").to_string()))
                .map_err(|_| "the answer is a date, YYYY-MM-DD".into())
        }
        AnswerKind::Time => {
            let text = value.as_str().unwrap_or_default();
            NaiveTime::parse_from_str(text, "%H:%M")
                .map(|time| Value::String(time.format("%H:%M").to_string()))
                .map_err(|_| "the answer is a time of day, HH:MM".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A clandestine workshop's questions: whether children work there, how many (only if
    /// so), their ages, the hours, a note.
    fn questions() -> Vec<Question> {
        serde_json::from_value(json!([
            {"key": "chicos", "type": "yes_no", "required": true,
             "labels": {"es": "¿Trabajan chicos?", "en": "Do children work there?"}},
            {"key": "cuantos", "type": "integer", "min": 1, "max": 200, "required": true,
             "labels": {"es": "¿Cuántos chicos?"}, "when": {"question": "chicos", "equals": true}},
            {"key": "edades", "type": "choice", "multiple": true, "sensitive": true,
             "labels": {"es": "¿Qué edades?"},
             "options": [{"key": "menos_13", "labels": {"es": "Menos de 13"}},
                         {"key": "de_13_a_15", "labels": {"es": "13 a 15"}},
                         {"key": "de_16_a_17", "labels": {"es": "16 a 17"}}],
             "when": {"question": "chicos", "equals": true}},
            {"key": "horario", "type": "choice", "labels": {"es": "¿En qué horario?"},
             "options": [{"key": "dia", "labels": {"es": "De día"}},
                         {"key": "noche", "labels": {"es": "De noche"}}]},
            {"key": "desde", "type": "date", "labels": {"es": "¿Desde cuándo?"}},
            {"key": "abre", "type": "time", "labels": {"es": "¿A qué hora abre?"}},
            {"key": "nota", "type": "text", "max_length": 20, "labels": {"es": "Nota"}}
        ]))
        .expect("questions")
    }

    fn answers(value: Value) -> Map<String, Value> {
        value.as_object().expect("object").clone()
    }

    #[test]
    fn a_legend_s_questions_read_and_check() {
        let mut errors = Vec::new();
        check_questions(&questions(), "/0/questions", &mut errors);
        assert_eq!(errors, Vec::new());
        // And written back as they were read.
        let again: Vec<Question> =
            serde_json::from_value(serde_json::to_value(questions()).expect("write"))
                .expect("read");
        assert_eq!(again, questions());
    }

    #[test]
    fn a_legend_s_questions_say_each_problem() {
        let bad: Vec<Question> = serde_json::from_value(json!([
            {"key": "Chicos", "type": "yes_no", "labels": {}},
            {"key": "n", "type": "integer", "min": 5, "max": 1, "labels": {"es": "n"}},
            {"key": "n", "type": "choice", "options": [], "labels": {"es": "n"}},
            {"key": "t", "type": "text", "max_length": 5000, "labels": {"es": "t"}},
            {"key": "u", "type": "yes_no", "labels": {"es": "u"}, "when": {"question": "z", "equals": true}}
        ]))
        .expect("questions");
        let mut errors = Vec::new();
        check_questions(&bad, "/0/questions", &mut errors);
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/0/questions/0/key",
                "/0/questions/0/labels",
                "/0/questions/1/min",
                "/0/questions/2/key",
                "/0/questions/2/options",
                "/0/questions/3/max_length",
                "/0/questions/4/when",
            ],
            "{errors:?}"
        );
    }

    #[test]
    fn answers_are_kept_typed() {
        let kept = check_answers(
            &questions(),
            &answers(json!({"chicos": true, "cuantos": 4,
                            "edades": ["de_16_a_17", "menos_13", "menos_13"],
                            "horario": "noche", "desde": "2026-3-5", "abre": "7:30",
                            "nota": "  galpón  "})),
            "/properties/answers",
        )
        .expect("valid");
        assert_eq!(
            Value::from(kept),
            json!({"chicos": true, "cuantos": 4, "edades": ["menos_13", "de_16_a_17"],
                   "horario": "noche", "desde": "2026-03-05", "abre": "07:30",
                   "nota": "galpón"})
        );
    }

    #[test]
    fn a_question_that_does_not_apply_is_not_asked() {
        let kept = check_answers(
            &questions(),
            &answers(json!({"chicos": false, "horario": ""})),
            "",
        )
        .expect("no count needed when no children work there");
        assert_eq!(kept.len(), 1);
        let errors = check_answers(
            &questions(),
            &answers(json!({"chicos": false, "cuantos": 3})),
            "",
        )
        .unwrap_err();
        assert_eq!(errors[0].pointer, "/cuantos");
        assert!(errors[0].detail.contains("only when"), "{errors:?}");
    }

    #[test]
    fn a_sensitive_answer_and_a_short_text_are_shown_only_where_they_may_be() {
        let answers = answers(json!({"chicos": true, "cuantos": 4, "edades": ["menos_13"],
                                     "nota": "galpón", "olvidada": 1}));
        let keys = |shown: Answers| shown.keys().cloned().collect::<Vec<_>>().join(",");
        assert_eq!(
            keys(shown_answers(&questions(), &answers, true, true)),
            "chicos,cuantos,edades,nota,olvidada"
        );
        assert_eq!(
            keys(shown_answers(&questions(), &answers, false, true)),
            "chicos,cuantos,nota",
            "a sensitive question's answer and one to a question no longer asked are withheld"
        );
        assert_eq!(
            keys(shown_answers(&questions(), &answers, false, false)),
            "chicos,cuantos"
        );
        // An answer that no longer fits its question (a note's question made a number).
        let mut changed = questions();
        changed[6].kind = AnswerKind::Integer {
            min: None,
            max: None,
        };
        assert_eq!(
            keys(shown_answers(&changed, &answers, false, true)),
            "chicos,cuantos",
            "the note is no number"
        );
    }

    /// "¿Cuántos?" asked only when the private "¿Trabajan chicos?" was yes tells that it
    /// was: it is kept as the private answer is.
    #[test]
    fn a_question_asked_on_a_private_answer_is_private_too() {
        let mut asked = questions();
        asked[0].sensitive = true;
        let mut keys: Vec<&str> = sensitive_keys(&asked).into_iter().collect();
        keys.sort_unstable();
        assert_eq!(keys, ["chicos", "cuantos", "edades"]);
        let answers = answers(json!({"chicos": true, "cuantos": 4, "horario": "noche"}));
        assert_eq!(
            shown_answers(&asked, &answers, false, true)
                .keys()
                .collect::<Vec<_>>(),
            ["horario"]
        );
        // A symbol's change carries over only what the new one asks alike.
        let mut after = questions();
        after[0].sensitive = false;
        assert_eq!(
            carried_over(&asked, &after, &answers)
                .keys()
                .collect::<Vec<_>>(),
            ["horario"],
            "a private answer is not carried to a question shown to all"
        );
        assert_eq!(carried_over(&asked, &asked, &answers), answers);
    }

    /// Values as other tools write them: a spreadsheet's 3.0, ODK's times, labels in
    /// capitals, a label that is another option's key.
    #[test]
    fn answers_from_outside_are_read_as_their_question_asks() {
        let q = questions();
        let kind = |key: &str| &q.iter().find(|x| x.key == key).expect("question").kind;
        assert_eq!(answer_from(kind("cuantos"), &json!(3.0)), Some(json!(3)));
        assert_eq!(answer_from(kind("cuantos"), &json!("12")), Some(json!(12)));
        assert_eq!(answer_from(kind("cuantos"), &json!("3.5")), None);
        assert_eq!(
            answer_from(kind("chicos"), &json!("1.0")),
            Some(json!(true))
        );
        assert_eq!(answer_from(kind("chicos"), &json!("Sí")), Some(json!(true)));
        assert_eq!(
            answer_from(kind("abre"), &json!("9:30")),
            Some(json!("09:30"))
        );
        assert_eq!(
            answer_from(kind("abre"), &json!("07:05:00.000-03:00")),
            Some(json!("07:05"))
        );
        assert_eq!(
            answer_from(kind("desde"), &json!("2025-03-01T10:00:00Z")),
            Some(json!("2025-03-01"))
        );
        assert_eq!(
            answer_from(kind("horario"), &json!("DE NOCHE")),
            Some(json!("noche"))
        );
        assert_eq!(
            answer_from(kind("edades"), &json!("menos_13 de_16_a_17")),
            Some(json!(["menos_13", "de_16_a_17"]))
        );
        let tricky: AnswerKind = serde_json::from_value(json!({"type": "choice", "options": [
            {"key": "a", "labels": {"es": "b"}}, {"key": "b", "labels": {"es": "Otra"}}]}))
        .expect("kind");
        assert_eq!(
            answer_from(&tricky, &json!("b")),
            Some(json!("b")),
            "a key before a label"
        );
    }

    #[test]
    fn wrong_answers_name_their_question() {
        let errors = check_answers(
            &questions(),
            &answers(json!({"chicos": true, "cuantos": 500, "edades": "menos_13",
                            "horario": "tarde", "desde": "ayer", "abre": "25:00",
                            "nota": "una nota de más de veinte letras", "otra": 1})),
            "/answers",
        )
        .unwrap_err();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/answers/otra",
                "/answers/cuantos",
                "/answers/edades",
                "/answers/horario",
                "/answers/desde",
                "/answers/abre",
                "/answers/nota",
            ],
            "{errors:?}"
        );
        assert!(errors[1].detail.contains("between 1 and 200"));
        let missing =
            check_answers(&questions(), &answers(json!({"chicos": true})), "").unwrap_err();
        assert_eq!(missing[0].pointer, "/cuantos", "required once it applies");
        let none = check_answers(&questions(), &Map::new(), "").unwrap_err();
        assert_eq!(none[0].pointer, "/chicos");
    }
}
