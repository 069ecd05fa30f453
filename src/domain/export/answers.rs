//! A legend's questions as export columns: one typed column per question (a whole number an
//! integer column, yes/no a boolean, a date a date), a choice as its key and, beside it, its
//! label in the export's language, so that QGIS, R, pandas and DuckDB count and filter on
//! answers without a lookup table. Several choices are written the XLSForm way, keys joined
//! by spaces (`menos_13 de_13_a_17`), as Kobo and ODK exports are.
//!
//! Questions several symbols ask alike (the same key, kind and privacy) share a column; a key
//! asked differently by two symbols is prefixed with its symbol (`comedor_raciones`); a name
//! already taken (a fixed column, another question's) is numbered (`title_2`). Anonymised
//! and aggregated exports leave out private answers (`question::sensitive_keys`) and short
//! texts, as they leave out exact places and titles.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde_json::Value;

use super::{Privacy, label_of};
use crate::domain::legend::Symbol;
use crate::domain::question::{AnswerKind, Answers, Question, fits, sensitive_keys};

/// An answer column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerType {
    Text,
    Integer,
    Boolean,
    Date,
}

/// One answer in a column.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerValue {
    Null,
    Text(String),
    Integer(i64),
    Boolean(bool),
    Date(NaiveDate),
}

/// What a column holds of a question's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The answer itself (a choice's key or keys).
    Answer,
    /// A choice's label(s) in the export's language.
    Label,
}

/// One column of answers: its name, its type, and which symbols' question fills it.
#[derive(Debug, Clone)]
pub struct AnswerColumn {
    pub name: String,
    pub kind: AnswerType,
    part: Part,
    key: String,
    /// Symbol key → its question of this key (its options' labels).
    asked_by: HashMap<String, Question>,
    locale: String,
}

/// Names a feature layer already writes or a format adds (CSV's coordinates and WKT).
const TAKEN: &[&str] = &[
    "fid",
    "geom",
    "geometry",
    "wkt",
    "wkt_simplified_m",
    "lon",
    "lat",
];

/// Gives out column names once each: a name already given (a fixed column, an earlier
/// question's) gets a number (`horario_2`).
pub struct Names(HashSet<String>);

impl Names {
    /// Names with `fixed` (a layer's own columns) and the formats' already taken.
    pub fn new<'a>(fixed: impl IntoIterator<Item = &'a str>) -> Self {
        Self(
            fixed
                .into_iter()
                .chain(TAKEN.iter().copied())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// `wanted`, or the first of `wanted_2`, `wanted_3`… not yet given.
    pub fn give(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 2;
        while self.0.contains(&name) {
            name = format!("{wanted}_{n}");
            n += 1;
        }
        self.0.insert(name.clone());
        name
    }
}

/// The discriminant two symbols' questions must share to fill one column: the kind, one or
/// several, and whether it is kept as a sensitive place.
fn shape(question: &Question, sensitive: bool) -> (std::mem::Discriminant<AnswerKind>, bool, bool) {
    let multiple = matches!(question.kind, AnswerKind::Choice { multiple: true, .. });
    (std::mem::discriminant(&question.kind), multiple, sensitive)
}

/// Whether `privacy` writes the answers to `question`, `sensitive` or not as its symbol asks
/// it (`question::sensitive_keys`): all in full exports; neither the sensitive ones nor the
/// short texts in the others.
pub fn exported(question: &Question, sensitive: bool, privacy: Privacy) -> bool {
    privacy == Privacy::Full || !(sensitive || matches!(question.kind, AnswerKind::Text { .. }))
}

/// The answer columns of `legend` at `privacy`, labels in `locale`, in the legend's order,
/// named apart from the layer's `fixed` columns.
pub fn answer_columns(
    legend: &[Symbol],
    privacy: Privacy,
    locale: &str,
    fixed: &[&str],
) -> Vec<AnswerColumn> {
    let asked: Vec<(&Symbol, &Question, bool)> = legend
        .iter()
        .flat_map(|s| {
            let sensitive = sensitive_keys(&s.questions);
            s.questions
                .iter()
                .map(move |q| (s, q, sensitive.contains(q.key.as_str())))
                .collect::<Vec<_>>()
        })
        .filter(|(_, q, sensitive)| exported(q, *sensitive, privacy))
        .collect();
    // One group per key asked alike by every symbol that asks it; else one per symbol.
    // (wanted name, shared, members)
    type Group<'a> = (String, bool, Vec<(&'a Symbol, &'a Question)>);
    let mut groups: Vec<Group> = Vec::new();
    for (symbol, question, sensitive) in &asked {
        let alike = asked
            .iter()
            .filter(|(_, q, _)| q.key == question.key)
            .all(|(_, q, s)| shape(q, *s) == shape(question, *sensitive));
        if !alike {
            let wanted = format!("{}_{}", symbol.key, question.key);
            groups.push((wanted, false, vec![(symbol, question)]));
        } else if let Some((_, _, members)) = groups
            .iter_mut()
            .find(|(_, shared, m)| *shared && m[0].1.key == question.key)
        {
            members.push((symbol, question));
        } else {
            groups.push((question.key.clone(), true, vec![(symbol, question)]));
        }
    }
    let mut names = Names::new(fixed.iter().copied());
    let mut columns: Vec<AnswerColumn> = Vec::new();
    for (wanted, _, members) in groups {
        let first = members[0].1;
        let asked_by: HashMap<String, Question> = members
            .iter()
            .map(|(s, q)| (s.key.clone(), (*q).clone()))
            .collect();
        let mut column = |kind, part| {
            let name = match part {
                Part::Answer => names.give(&wanted),
                Part::Label => names.give(&format!("{wanted}_label")),
            };
            columns.push(AnswerColumn {
                name,
                kind,
                part,
                key: first.key.clone(),
                asked_by: asked_by.clone(),
                locale: locale.to_owned(),
            });
        };
        match first.kind {
            AnswerKind::Choice { .. } => {
                column(AnswerType::Text, Part::Answer);
                column(AnswerType::Text, Part::Label);
            }
            AnswerKind::Integer { .. } => column(AnswerType::Integer, Part::Answer),
            AnswerKind::YesNo => column(AnswerType::Boolean, Part::Answer),
            AnswerKind::Date => column(AnswerType::Date, Part::Answer),
            AnswerKind::Text { .. } | AnswerKind::Time => column(AnswerType::Text, Part::Answer),
        }
    }
    columns
}

impl AnswerColumn {
    /// The value a drawing of `symbol` with `answers` has in this column (Null when its
    /// symbol does not ask the question or it was not answered).
    pub fn value(&self, symbol: &str, answers: &Answers) -> AnswerValue {
        let (Some(question), Some(answer)) = (self.asked_by.get(symbol), answers.get(&self.key))
        else {
            return AnswerValue::Null;
        };
        // An answer given to the question as it was before the legend changed it is not
        // written as an answer to the question as it is.
        if !fits(&question.kind, answer) {
            return AnswerValue::Null;
        }
        let keys = || -> Vec<&str> {
            match answer {
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                other => other.as_str().into_iter().collect(),
            }
        };
        match (&question.kind, self.part) {
            (AnswerKind::Choice { options, .. }, Part::Label) => AnswerValue::Text(
                keys()
                    .iter()
                    .map(|key| {
                        options.iter().find(|o| o.key == *key).map_or_else(
                            || (*key).to_owned(),
                            |o| label_of(&o.labels, &self.locale, key),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            (AnswerKind::Choice { .. }, Part::Answer) => AnswerValue::Text(keys().join(" ")),
            (AnswerKind::Integer { .. }, _) => answer
                .as_i64()
                .map_or(AnswerValue::Null, AnswerValue::Integer),
            (AnswerKind::YesNo, _) => answer
                .as_bool()
                .map_or(AnswerValue::Null, AnswerValue::Boolean),
            (AnswerKind::Date, _) => answer
                .as_str()
                .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
                .map_or(AnswerValue::Null, AnswerValue::Date),
            (AnswerKind::Text { .. } | AnswerKind::Time, _) => answer
                .as_str()
                .map_or(AnswerValue::Null, |text| AnswerValue::Text(text.to_owned())),
        }
    }
}

/// The options an aggregated export counts for a drawing of `symbol` with `answers`: each
/// chosen option of its non-sensitive choices, as (question key, option key).
pub fn counted_choices(symbol: &Symbol, answers: &Answers) -> Vec<(String, String)> {
    let sensitive = sensitive_keys(&symbol.questions);
    symbol
        .questions
        .iter()
        .filter(|q| matches!(q.kind, AnswerKind::Choice { .. }))
        .filter(|q| !sensitive.contains(q.key.as_str()))
        .filter(|q| answers.get(&q.key).is_some_and(|a| fits(&q.kind, a)))
        .flat_map(|q| {
            let chosen: Vec<&str> = match answers.get(&q.key) {
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                Some(Value::String(key)) => vec![key.as_str()],
                _ => Vec::new(),
            };
            chosen
                .into_iter()
                .map(|option| (q.key.clone(), option.to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::export::COLUMNS;
    use serde_json::json;

    fn legend() -> Vec<Symbol> {
        serde_json::from_value(json!([
            {"key": "taller", "labels": {"es": "Taller"}, "kind": "risk",
             "geometry_types": ["point"], "color": "#c0392b", "sensitive": true,
             "questions": [
                {"key": "cuantos", "type": "integer", "labels": {"es": "¿Cuántos?"}},
                {"key": "edades", "type": "choice", "multiple": true, "sensitive": true,
                 "labels": {"es": "Edades"},
                 "options": [{"key": "menos_13", "labels": {"es": "Menos de 13"}}]},
                {"key": "horario", "type": "choice", "labels": {"es": "Horario"},
                 "options": [{"key": "noche", "labels": {"es": "De noche", "en": "At night"}},
                             {"key": "dia", "labels": {"es": "De día", "en": "By day"}}]},
                {"key": "nota", "type": "text", "labels": {"es": "Nota"}},
                {"key": "title", "type": "yes_no", "labels": {"es": "¿Título?"}}
             ]},
            {"key": "comedor", "labels": {"es": "Comedor"}, "kind": "resource",
             "geometry_types": ["point"], "color": "#27ae60",
             "questions": [
                {"key": "cuantos", "type": "integer", "labels": {"es": "¿Cuántos chicos comen?"}},
                {"key": "horario", "type": "text", "labels": {"es": "Horario"}},
                {"key": "desde", "type": "date", "labels": {"es": "Desde"}}
             ]}
        ]))
        .expect("legend")
    }

    fn names(columns: &[AnswerColumn]) -> Vec<&str> {
        columns.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn one_typed_column_per_question_shared_where_alike_and_prefixed_where_not() {
        let full = answer_columns(&legend(), Privacy::Full, "en", &COLUMNS);
        assert_eq!(
            names(&full),
            [
                "cuantos",
                "edades",
                "edades_label",
                "taller_horario",
                "taller_horario_label",
                "nota",
                "title_2",
                "comedor_horario",
                "desde"
            ]
        );
        let kinds: Vec<AnswerType> = full.iter().map(|c| c.kind).collect();
        assert_eq!(kinds[0], AnswerType::Integer);
        assert_eq!(kinds[6], AnswerType::Boolean);
        assert_eq!(kinds[8], AnswerType::Date);

        let answers = json!({"cuantos": 4, "edades": ["menos_13"], "horario": "noche",
                             "title": true})
        .as_object()
        .cloned()
        .expect("answers");
        let values: Vec<AnswerValue> = full.iter().map(|c| c.value("taller", &answers)).collect();
        assert_eq!(values[0], AnswerValue::Integer(4));
        assert_eq!(values[1], AnswerValue::Text("menos_13".into()));
        assert_eq!(
            values[2],
            AnswerValue::Text("Menos de 13".into()),
            "Spanish when no English"
        );
        assert_eq!(values[4], AnswerValue::Text("At night".into()));
        assert_eq!(values[6], AnswerValue::Boolean(true));
        assert_eq!(values[7], AnswerValue::Null, "the soup kitchen's question");
        let kitchen = json!({"cuantos": 80, "desde": "2025-03-01"})
            .as_object()
            .cloned()
            .expect("answers");
        assert_eq!(full[0].value("comedor", &kitchen), AnswerValue::Integer(80));
        assert_eq!(
            full[8].value("comedor", &kitchen),
            AnswerValue::Date(NaiveDate::from_ymd_opt(2025, 3, 1).expect("day"))
        );
    }

    #[test]
    fn anonymised_exports_leave_out_sensitive_answers_and_short_texts() {
        let anonymised = answer_columns(&legend(), Privacy::Anonymised, "es", &COLUMNS);
        assert_eq!(
            names(&anonymised),
            ["cuantos", "horario", "horario_label", "title_2", "desde"]
        );
        let answers = json!({"edades": ["menos_13"], "horario": "noche"})
            .as_object()
            .cloned()
            .expect("answers");
        assert_eq!(
            counted_choices(&legend()[0], &answers),
            [("horario".to_owned(), "noche".to_owned())]
        );
    }
}
