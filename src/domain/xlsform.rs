//! XLSForm questionnaires (the workbooks KoboToolbox and ODK build and export,
//! <https://xlsform.org>) read into a legend symbol's questions (`domain::question`), so that
//! a programme asks on the map what it already asks in its forms.
//!
//! The `survey` sheet gives one question a row: its `type` (`select_one LIST`,
//! `select_multiple LIST`, `integer`, `text`, `date`, `time`), `name`, `label` (or one
//! `label::Language (xx)` column per language), `required`, `relevant` and `constraint`; the
//! `choices` sheet the options of each list. What a map's question has no place for (a
//! photo, a location, a note, a calculation) is left out and said; a `relevant` or
//! `constraint` Trama cannot read as a simple condition or bounds is dropped and said, the
//! question kept. A select_one of yes and no becomes a yes/no. Names become keys
//! (`a-z0-9_`), and any that changes is said.
//!
//! Reading the workbook is calamine's (xlsx, xls, ods); what is written here is the
//! XLSForm's meaning, which no library gives in Rust.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;
use serde_json::Value;

use super::Refusal;
use super::question::{
    AnswerKind, Choice, Condition, MAX_OPTIONS, MAX_QUESTIONS, Question, check_questions,
};

/// Most bytes the sheets of a workbook may unpack to: a questionnaire is kilobytes; this
/// stops a small file that unpacks to gigabytes.
pub const MAX_UNPACKED: u64 = 50 * 1024 * 1024;
/// Most rows and columns read of a sheet: a form is a few hundred rows of a few dozen
/// columns. Cells are read one at a time and those beyond are not kept, so a sheet that
/// claims a cell at XFD1048576 costs nothing.
pub const MAX_ROWS: u32 = 5_000;
pub const MAX_COLUMNS: u32 = 200;
/// Most notes an answer lists.
pub const MAX_NOTES: usize = 200;

/// The questions read from a form, and what was left out or changed, row by row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct XlsForm {
    pub questions: Vec<Question>,
    pub notes: Vec<Note>,
}

/// Something of the form that did not come over as it was: its row in the `survey` sheet
/// (as a spreadsheet numbers it), the question's name, and a code with its values (the
/// page says it: `xlsform.note.<code>`) beside an English detail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub row: usize,
    pub name: String,
    pub code: &'static str,
    pub value: String,
    pub detail: String,
}

/// Reads an XLSForm workbook (`bytes`: .xlsx, as KoboToolbox, ODK Build and pyxform's
/// templates save it) whose unlabelled `label` column is in `default_locale` unless its
/// `settings` sheet names a `default_language`. Only .xlsx: an .xls or .ods is unpacked whole
/// by its reader, which a file of a few kilobytes can make gigabytes.
///
/// # Errors
/// A [`Refusal`] (`xlsform.not_a_workbook`, `xlsform.too_large`, `xlsform.no_survey`,
/// `xlsform.no_columns`, `xlsform.nothing`) that says what is wrong with the file.
pub fn read_xlsform(bytes: &[u8], default_locale: &str) -> Result<XlsForm, Refusal> {
    check_unpacked_size(bytes)?;
    let not_a_workbook = || {
        Refusal::new(
            "xlsform.not_a_workbook",
            "the file is not an .xlsx workbook (an XLSForm as KoboToolbox and ODK save it; save an .xls or .ods as .xlsx)",
        )
    };
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| not_a_workbook())?;
    let mut sheet = |wanted: &str| -> Option<Vec<Vec<String>>> {
        let name = workbook
            .sheet_names()
            .into_iter()
            .find(|n| n.trim().eq_ignore_ascii_case(wanted))?;
        let mut cells = workbook.worksheet_cells_reader(&name).ok()?;
        let mut rows: Vec<Vec<String>> = Vec::new();
        while let Ok(Some(cell)) = cells.next_cell() {
            let (row, column) = cell.get_position();
            if row >= MAX_ROWS || column >= MAX_COLUMNS {
                continue;
            }
            let (row, column) = (row as usize, column as usize);
            if rows.len() <= row {
                rows.resize_with(row + 1, Vec::new);
            }
            if rows[row].len() <= column {
                rows[row].resize(column + 1, String::new());
            }
            rows[row][column] = cell_text(&Data::from(cell.get_value().clone()));
        }
        Some(rows)
    };
    let survey = sheet("survey").ok_or_else(|| {
        Refusal::new(
            "xlsform.no_survey",
            "the workbook has no 'survey' sheet: it is not an XLSForm",
        )
    })?;
    let choices = sheet("choices").unwrap_or_default();
    let settings = sheet("settings").unwrap_or_default();
    let default_language = Table::new(&settings)
        .and_then(|t| {
            t.rows
                .first()
                .and_then(|row| t.get(row, "default_language"))
        })
        .and_then(|name| language_of(&name))
        .unwrap_or_else(|| default_locale.split('-').next().unwrap_or("es").to_owned());
    read_sheets(&survey, &choices, &default_language)
}

/// The text of a cell as the form's author typed it (a number without `.0`).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        other => other.to_string().trim().to_owned(),
    }
}

/// Refuses a zip-based workbook (xlsx, ods) whose parts unpack to more than
/// [`MAX_UNPACKED`], before calamine reads them whole.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), Refusal> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // Not a zip: an .xls, read as it is, or no workbook at all.
    };
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index(i) else {
            continue;
        };
        total = total.saturating_add(entry.size());
    }
    if total > MAX_UNPACKED {
        return Err(Refusal::new(
            "xlsform.too_large",
            format!(
                "the workbook unpacks to {total} bytes, more than {MAX_UNPACKED}: a questionnaire is far smaller"
            ),
        ));
    }
    Ok(())
}

/// A sheet with its header row: columns by their lower-cased names.
struct Table<'a> {
    columns: HashMap<String, usize>,
    headers: Vec<String>,
    rows: &'a [Vec<String>],
}

impl<'a> Table<'a> {
    fn new(sheet: &'a [Vec<String>]) -> Option<Self> {
        let (head, rows) = sheet.split_first()?;
        let headers: Vec<String> = head
            .iter()
            .map(|h| h.trim().to_lowercase().replace("list name", "list_name"))
            .collect();
        let columns = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        Some(Self {
            columns,
            headers,
            rows,
        })
    }

    fn get(&self, row: &[String], column: &str) -> Option<String> {
        self.columns
            .get(column)
            .and_then(|&i| row.get(i))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The labels of `row` per language: `label` in `default`, `label::Español (es)` in
    /// `es`; texts longer than a label may be are cut.
    fn labels(&self, row: &[String], default: &str) -> BTreeMap<String, String> {
        let mut labels = BTreeMap::new();
        for (i, header) in self.headers.iter().enumerate() {
            let language = if header == "label" {
                Some(default.to_owned())
            } else {
                header.strip_prefix("label::").and_then(language_of)
            };
            let text = row.get(i).map(|t| t.trim()).unwrap_or_default();
            if let Some(language) = language
                && !text.is_empty()
            {
                labels
                    .entry(language)
                    .or_insert_with(|| text.chars().take(200).collect());
            }
        }
        labels
    }
}

/// A language tag from an XLSForm language name: `Español (es)` → `es`, `English` → `en`.
fn language_of(name: &str) -> Option<String> {
    let name = name.trim();
    if let (Some(open), Some(close)) = (name.rfind('('), name.rfind(')'))
        && open < close
    {
        let tag = name[open + 1..close].trim().to_lowercase();
        if (2..=3).contains(&tag.len()) && tag.chars().all(|c| c.is_ascii_lowercase()) {
            return Some(tag);
        }
    }
    let lower = name.to_lowercase();
    let known = [
        (["es", "español", "espanol", "spanish", "castellano"], "es"),
        (["en", "english", "inglés", "ingles", "english"], "en"),
        (
            ["pt", "português", "portugues", "portuguese", "portugués"],
            "pt",
        ),
        (["fr", "français", "francais", "french", "francés"], "fr"),
        (["gn", "guaraní", "guarani", "avañe'ẽ", "guarani"], "gn"),
    ];
    known
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
        .map(|(_, tag)| (*tag).to_owned())
        .or_else(|| {
            (lower.len() == 2 && lower.chars().all(|c| c.is_ascii_lowercase())).then_some(lower)
        })
}

/// A key of `a-z0-9_` (at most 64) from an XLSForm name or option name.
fn key_of(name: &str) -> String {
    let mut key: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            c if c.is_ascii_lowercase() || c.is_ascii_digit() => c,
            _ => '_',
        })
        .collect();
    key.truncate(64);
    if key.is_empty() { "q".to_owned() } else { key }
}

/// What a type cell asks for.
enum Kind {
    Select {
        list: String,
        multiple: bool,
    },
    Integer,
    Text,
    Date,
    Time,
    /// A group's or repeat's start or end: structure, not a question.
    Structure {
        repeat: bool,
    },
    /// What a map's question has no place for (decimal, geopoint, image, note, calculate…).
    Unsupported(String),
}

fn kind_of(text: &str) -> Kind {
    let lower = text.trim().to_lowercase();
    // `select_one LIST` and `begin_group` are also written `select one LIST`, `begin group`.
    let words: Vec<&str> = lower.split_whitespace().collect();
    let (head, rest) = match words.as_slice() {
        [first, second, rest @ ..]
            if ["select", "begin", "end"].contains(first)
                && ["one", "multiple", "group", "repeat"].contains(second) =>
        {
            (format!("{first}_{second}"), rest)
        }
        [first, rest @ ..] => ((*first).to_owned(), rest),
        [] => (String::new(), &[][..]),
    };
    match (head.as_str(), rest) {
        // `or_other` adds a free "other" answer, which a map's choice does not keep: the
        // options are read.
        ("select_one", [list] | [list, "or_other"]) => Kind::Select {
            list: (*list).to_owned(),
            multiple: false,
        },
        ("select_multiple", [list] | [list, "or_other"]) => Kind::Select {
            list: (*list).to_owned(),
            multiple: true,
        },
        ("integer" | "int", []) => Kind::Integer,
        ("text" | "string", []) => Kind::Text,
        ("date", []) => Kind::Date,
        ("time", []) => Kind::Time,
        ("begin_group" | "end_group", []) => Kind::Structure { repeat: false },
        ("begin_repeat" | "end_repeat", []) => Kind::Structure { repeat: true },
        _ => Kind::Unsupported(lower),
    }
}

fn is_yes(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "yes" | "true" | "true()" | "1" | "sí" | "si"
    )
}

/// The questions of a form's `survey` and `choices` rows.
fn read_sheets(
    survey: &[Vec<String>],
    choices: &[Vec<String>],
    default: &str,
) -> Result<XlsForm, Refusal> {
    let table = Table::new(survey)
        .filter(|t| t.columns.contains_key("type") && t.columns.contains_key("name"))
        .ok_or_else(|| {
            Refusal::new(
                "xlsform.no_columns",
                "the 'survey' sheet needs a header row with 'type' and 'name' columns",
            )
        })?;
    // The options of each list, in order.
    type Options = Vec<(String, BTreeMap<String, String>)>;
    let mut lists: HashMap<String, Options> = HashMap::new();
    if let Some(options) = Table::new(choices) {
        for row in options.rows {
            let (Some(list), Some(name)) =
                (options.get(row, "list_name"), options.get(row, "name"))
            else {
                continue;
            };
            lists
                .entry(list.to_lowercase())
                .or_default()
                .push((name, options.labels(row, default)));
        }
    }
    let mut questions: Vec<Question> = Vec::new();
    let mut notes = Vec::new();
    // XLSForm name → the question's key and, for a yes/no, its list's yes.
    let mut keys: HashMap<String, String> = HashMap::new();
    for (index, row) in table.rows.iter().enumerate() {
        let number = index + 2; // The header is row 1.
        let Some(kind) = table.get(row, "type") else {
            continue;
        };
        let name = table.get(row, "name").unwrap_or_default();
        let mut note = |code: &'static str, value: String, detail: String| {
            notes.push(Note {
                row: number,
                name: name.clone(),
                code,
                value,
                detail,
            });
        };
        let kind = kind_of(&kind);
        match &kind {
            Kind::Structure { repeat: false } => {
                if let Some(relevant) = table.get(row, "relevant") {
                    note(
                        "group_condition",
                        relevant.clone(),
                        format!(
                            "the group's condition '{relevant}' is not carried to its questions: they are asked always"
                        ),
                    );
                }
                continue;
            }
            Kind::Structure { repeat: true } => {
                note(
                    "repeat",
                    String::new(),
                    "a repeat's questions are asked once for each drawing".into(),
                );
                continue;
            }
            Kind::Unsupported(kind) => {
                note(
                    "left_out",
                    kind.clone(),
                    format!("a '{kind}' has no place in a drawing's questions; left out"),
                );
                continue;
            }
            _ if name.is_empty() => {
                note(
                    "no_name",
                    String::new(),
                    "a question without a name; left out".into(),
                );
                continue;
            }
            _ => {}
        }
        if questions.len() == MAX_QUESTIONS {
            note(
                "too_many",
                MAX_QUESTIONS.to_string(),
                format!("a symbol asks at most {MAX_QUESTIONS} questions; left out"),
            );
            continue;
        }
        let base = key_of(&name);
        let mut key = base.clone();
        let mut n = 2;
        while questions.iter().any(|q| q.key == key) {
            let suffix = format!("_{n}");
            key = format!("{}{suffix}", &base[..base.len().min(64 - suffix.len())]);
            n += 1;
        }
        if key != name {
            note(
                "renamed",
                key.clone(),
                format!("'{name}' is the key '{key}' (a-z, 0-9 and '_')"),
            );
        }
        let kind = match kind {
            Kind::Select { list, multiple } => {
                let Some(options) = lists.get(&list.to_lowercase()).filter(|o| !o.is_empty())
                else {
                    note(
                        "no_list",
                        list.clone(),
                        format!("the choices sheet has no list '{list}'; left out"),
                    );
                    continue;
                };
                let names: Vec<String> = options.iter().map(|(n, _)| key_of(n)).collect();
                let yes_no = !multiple
                    && names.len() == 2
                    && is_yes(&options[0].0)
                    && ["no", "false", "0"].contains(&names[1].as_str());
                if yes_no {
                    AnswerKind::YesNo
                } else {
                    if options.len() > MAX_OPTIONS {
                        note(
                            "too_many_options",
                            MAX_OPTIONS.to_string(),
                            format!("only the first {MAX_OPTIONS} options are kept"),
                        );
                    }
                    let mut kept: Vec<Choice> = Vec::new();
                    for (option, labels) in options.iter().take(MAX_OPTIONS) {
                        let option_key = key_of(option);
                        if kept.iter().any(|c| c.key == option_key) {
                            continue;
                        }
                        let labels = if labels.is_empty() {
                            BTreeMap::from([(default.to_owned(), option.clone())])
                        } else {
                            labels.clone()
                        };
                        kept.push(Choice {
                            key: option_key,
                            labels,
                        });
                    }
                    AnswerKind::Choice {
                        options: kept,
                        multiple,
                    }
                }
            }
            Kind::Integer => {
                let (min, max, whole) = table
                    .get(row, "constraint")
                    .map_or((None, None, true), |c| bounds_of(&c));
                if !whole {
                    note(
                        "constraint",
                        String::new(),
                        "part of the number's constraint is not bounds Trama reads; only its bounds are kept".into(),
                    );
                }
                match (min, max) {
                    (Some(min), Some(max)) if min > max => AnswerKind::Integer {
                        min: None,
                        max: None,
                    },
                    (min, max) => AnswerKind::Integer { min, max },
                }
            }
            Kind::Text => AnswerKind::Text { max_length: 200 },
            Kind::Date => AnswerKind::Date,
            Kind::Time => AnswerKind::Time,
            Kind::Structure { .. } | Kind::Unsupported(_) => continue,
        };
        let mut labels = table.labels(row, default);
        if labels.is_empty() {
            labels.insert(default.to_owned(), name.clone());
        }
        let when = table
            .get(row, "relevant")
            .and_then(|relevant| match condition_of(&relevant, &keys, &questions) {
                Some(condition) => Some(condition),
                None => {
                    note(
                        "condition",
                        relevant.clone(),
                        format!("the condition '{relevant}' is not one Trama reads (an earlier answer equal to one value); the question is always asked"),
                    );
                    None
                }
            });
        keys.insert(name.clone(), key.clone());
        let mut question = Question {
            key,
            labels,
            kind,
            required: table.get(row, "required").is_some_and(|r| is_yes(&r)),
            sensitive: false,
            when,
        };
        // A condition on a value its question cannot take (today(), a number out of bounds)
        // is dropped and said, not the form refused.
        if question.when.is_some() {
            let mut errors = Vec::new();
            let mut so_far = questions.clone();
            so_far.push(question.clone());
            check_questions(&so_far, "", &mut errors);
            if errors.iter().any(|e| e.pointer.ends_with("/when")) {
                let relevant = table.get(row, "relevant").unwrap_or_default();
                note(
                    "condition",
                    relevant.clone(),
                    format!(
                        "the condition '{relevant}' asks for a value its question cannot take; the question is always asked"
                    ),
                );
                question.when = None;
            }
        }
        questions.push(question);
    }
    if questions.is_empty() {
        return Err(Refusal::new(
            "xlsform.nothing",
            "the form has no question a drawing can be asked (select_one, select_multiple, integer, text, date, time)",
        ));
    }
    let mut errors = Vec::new();
    check_questions(&questions, "", &mut errors);
    if let Some(error) = errors.first() {
        return Err(Refusal::new(
            "xlsform.invalid",
            format!(
                "the form's questions do not make a valid set: {}",
                error.detail
            ),
        )
        .with("detail", error.detail.clone()));
    }
    notes.truncate(MAX_NOTES);
    Ok(XlsForm { questions, notes })
}

/// An integer's bounds from a constraint such as `. >= 1 and . <= 200` or `.>0`; whether
/// every part was a bound.
fn bounds_of(constraint: &str) -> (Option<i64>, Option<i64>, bool) {
    let (mut min, mut max, mut whole) = (None, None, true);
    for part in constraint.to_lowercase().split(" and ") {
        let part: String = part.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(rest) = part.strip_prefix('.') else {
            whole = false;
            continue;
        };
        let (operator, number) = if let Some(n) = rest.strip_prefix(">=") {
            (">=", n)
        } else if let Some(n) = rest.strip_prefix("<=") {
            ("<=", n)
        } else if let Some(n) = rest.strip_prefix('>') {
            (">", n)
        } else if let Some(n) = rest.strip_prefix('<') {
            ("<", n)
        } else {
            whole = false;
            continue;
        };
        let Ok(n) = number
            .trim_matches(|c| c == '\'' || c == '"')
            .parse::<i64>()
        else {
            whole = false;
            continue;
        };
        match operator {
            ">=" => min = Some(n),
            ">" => min = Some(n.saturating_add(1)),
            "<=" => max = Some(n),
            _ => max = Some(n.saturating_sub(1)),
        }
    }
    (min, max, whole)
}

/// A condition from a `relevant` such as `${ninos} = 'yes'` or
/// `selected(${edades}, 'menos_13')`, on an earlier question, typed as that question's
/// answers are.
fn condition_of(
    relevant: &str,
    keys: &HashMap<String, String>,
    earlier: &[Question],
) -> Option<Condition> {
    let text = relevant.trim();
    let (name, value) = if let Some(inner) = text
        .strip_prefix("selected(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let (reference, value) = inner.split_once(',')?;
        (reference.trim(), value.trim())
    } else {
        let (reference, value) = text.split_once('=')?;
        if reference.ends_with(['!', '<', '>']) {
            return None;
        }
        (reference.trim(), value.trim())
    };
    let name = name.strip_prefix("${")?.strip_suffix('}')?;
    if name.contains(['$', '{', '}', ' ', '(', ')']) {
        return None;
    }
    // One value and nothing after it: `'si'`, `"si"` or a number; `'si' and ${edad} > 12`
    // is two conditions, which Trama does not read (taken as one it would turn around).
    let value = match value.chars().next() {
        Some(quote @ ('\'' | '"')) => {
            let inner = value.strip_prefix(quote)?.strip_suffix(quote)?;
            if inner.contains(quote) || inner.is_empty() {
                return None;
            }
            inner
        }
        _ if value.parse::<i64>().is_ok() => value,
        _ => return None,
    };
    let key = keys.get(name)?;
    let question = earlier.iter().find(|q| &q.key == key)?;
    let equals = match &question.kind {
        AnswerKind::YesNo => Value::Bool(is_yes(value)),
        AnswerKind::Integer { .. } => Value::from(value.parse::<i64>().ok()?),
        AnswerKind::Choice { options, .. } => {
            let option = key_of(value);
            options.iter().any(|o| o.key == option).then_some(())?;
            Value::String(option)
        }
        _ => Value::String(value.to_owned()),
    };
    Some(Condition {
        question: key.clone(),
        equals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    }

    /// A Kobo-style form: labelled in two languages, a yes/no list, a condition on it, a
    /// bounded number, several ages, and what a map cannot ask.
    #[test]
    fn a_kobo_form_becomes_a_symbol_s_questions() {
        let survey = sheet(&[
            &[
                "type",
                "name",
                "label::Español (es)",
                "label::English (en)",
                "required",
                "relevant",
                "constraint",
            ],
            &["start", "start", "", "", "", "", ""],
            &["begin_group", "taller", "Taller", "Workshop", "", "", ""],
            &[
                "select_one si_no",
                "Trabajan_Chicos",
                "¿Trabajan chicos?",
                "Do children work?",
                "yes",
                "",
                "",
            ],
            &[
                "integer",
                "cuantos",
                "¿Cuántos?",
                "How many?",
                "true()",
                "${Trabajan_Chicos} = 'si'",
                ". >= 1 and . <= 200",
            ],
            &[
                "select_multiple edades",
                "edades",
                "¿Qué edades?",
                "Ages?",
                "",
                "selected(${Trabajan_Chicos}, 'si')",
                "",
            ],
            &["geopoint", "lugar", "Ubicación", "Location", "", "", ""],
            &["text", "nota", "Nota", "Note", "", "${cuantos} > 3", ""],
            &["end_group", "", "", "", "", "", ""],
        ]);
        let choices = sheet(&[
            &[
                "list_name",
                "name",
                "label::Español (es)",
                "label::English (en)",
            ],
            &["si_no", "si", "Sí", "Yes"],
            &["si_no", "no", "No", "No"],
            &["edades", "menos_13", "Menos de 13", "Under 13"],
            &["edades", "13_17", "13 a 17", "13 to 17"],
        ]);
        let form = read_sheets(&survey, &choices, "es").expect("read");
        let value = serde_json::to_value(&form.questions).expect("json");
        assert_eq!(
            value,
            serde_json::json!([
                {"key": "trabajan_chicos", "type": "yes_no", "required": true, "sensitive": false,
                 "labels": {"es": "¿Trabajan chicos?", "en": "Do children work?"}},
                {"key": "cuantos", "type": "integer", "min": 1, "max": 200, "required": true,
                 "sensitive": false, "labels": {"es": "¿Cuántos?", "en": "How many?"},
                 "when": {"question": "trabajan_chicos", "equals": true}},
                {"key": "edades", "type": "choice", "multiple": true, "required": false,
                 "sensitive": false, "labels": {"es": "¿Qué edades?", "en": "Ages?"},
                 "options": [{"key": "menos_13", "labels": {"es": "Menos de 13", "en": "Under 13"}},
                             {"key": "13_17", "labels": {"es": "13 a 17", "en": "13 to 17"}}],
                 "when": {"question": "trabajan_chicos", "equals": true}},
                {"key": "nota", "type": "text", "max_length": 200, "required": false,
                 "sensitive": false, "labels": {"es": "Nota", "en": "Note"}}
            ])
        );
        let said: Vec<(usize, &str, &str)> = form
            .notes
            .iter()
            .map(|n| (n.row, n.name.as_str(), n.code))
            .collect();
        assert_eq!(
            said,
            [
                (2, "start", "left_out"),
                (4, "Trabajan_Chicos", "renamed"),
                (7, "lugar", "left_out"),
                (8, "nota", "condition"),
            ]
        );
    }

    /// What a real form holds that must not turn into something else: a combined
    /// condition, a list name in capitals, long names that collide, a condition on a value
    /// the question cannot take.
    #[test]
    fn what_trama_cannot_read_is_said_never_turned_around() {
        let long = "a".repeat(70);
        let survey = sheet(&[
            &["type", "name", "label", "relevant"],
            &["select_one SiNo", "chicos", "¿Chicos?", ""],
            &[
                "integer",
                "edad",
                "¿Edad?",
                "${chicos} = 'si' and ${edad} > 12",
            ],
            &["integer", "cuantos", "¿Cuántos?", "${chicos} = 'si'"],
            &["text", &long, "Uno", ""],
            &["text", &long, "Dos", ""],
            &["integer", "n", "N", "${cuantos} = 'muchos'"],
            &["select_one SiNo or_other", "otro", "¿Otro?", ""],
        ]);
        let choices = sheet(&[
            &["list_name", "name", "label"],
            &["SiNo", "si", "Sí"],
            &["SiNo", "no", "No"],
        ]);
        let form = read_sheets(&survey, &choices, "es").expect("read");
        let when: Vec<(&str, Option<&Condition>)> = form
            .questions
            .iter()
            .map(|q| (q.key.as_str(), q.when.as_ref()))
            .collect();
        assert_eq!(
            when[0],
            ("chicos", None),
            "a list named in capitals is found"
        );
        assert_eq!(
            when[1],
            ("edad", None),
            "two conditions are not one turned around"
        );
        assert_eq!(
            when[2].1.map(|c| &c.equals),
            Some(&Value::Bool(true)),
            "{when:?}"
        );
        assert_eq!(form.questions[3].key.len(), 64);
        assert_eq!(form.questions[4].key, format!("{}_2", "a".repeat(62)));
        assert_eq!(when[5], ("n", None), "no number is 'muchos'");
        assert_eq!(form.questions[6].key, "otro");
        let codes: Vec<&str> = form.notes.iter().map(|n| n.code).collect();
        assert!(
            codes.iter().filter(|c| **c == "condition").count() == 2,
            "{codes:?}"
        );
    }

    #[test]
    fn a_form_without_a_survey_or_a_question_is_refused_clearly() {
        let empty = read_sheets(&sheet(&[&["type", "name"]]), &[], "es").unwrap_err();
        assert_eq!(empty.code, "xlsform.nothing");
        let headless = read_sheets(&sheet(&[&["tipo", "nombre"]]), &[], "es").unwrap_err();
        assert_eq!(headless.code, "xlsform.no_columns");
        assert_eq!(
            read_xlsform(b"not a workbook", "es").unwrap_err().code,
            "xlsform.not_a_workbook"
        );
        assert_eq!(bounds_of(". > 0 and . < 10"), (Some(1), Some(9), true));
        assert_eq!(bounds_of("regex(., '^[0-9]+$')"), (None, None, false));
        assert_eq!(language_of("Español (es)").as_deref(), Some("es"));
        assert_eq!(language_of("English").as_deref(), Some("en"));
        assert_eq!(key_of("Año de Inicio"), "ano_de_inicio");
    }
}
