//! Evidence: what every finding and check points at.
//!
//! A diagnosis without evidence is a guess, so findings and checks carry a list of these. Each
//! variant names a place the user can open and verify: a log line range, an AD attribute value,
//! or a row of a routing table.

use serde::{Deserialize, Serialize};

/// One piece of evidence behind a finding or a check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Evidence {
    /// Lines of a log file (1-based, inclusive) with a short excerpt.
    Log {
        file: String,
        line_start: u32,
        line_end: u32,
        excerpt: String,
    },
    /// An Active Directory attribute as the user supplied it.
    Attribute { name: String, value: String },
    /// A routing rule row (or the absence of one: `row` is `None` when no row matched).
    Rule {
        table: String,
        row: Option<usize>,
        text: String,
    },
    /// Something the user told us in the wizard (e.g. the chosen gateway profile).
    Input { field: String, value: String },
}

impl Evidence {
    /// A one-line human label, e.g. `client.uccapilog:120-134` or `msRTCSIP-Line = tel:+1...`.
    pub fn label(&self) -> String {
        match self {
            Evidence::Log {
                file,
                line_start,
                line_end,
                ..
            } => {
                if line_start == line_end {
                    format!("{file}:{line_start}")
                } else {
                    format!("{file}:{line_start}-{line_end}")
                }
            }
            Evidence::Attribute { name, value } => format!("{name} = {value}"),
            Evidence::Rule { table, row, text } => match row {
                Some(r) => format!("{table} row {}: {text}", r + 1),
                None => format!("{table}: {text}"),
            },
            Evidence::Input { field, value } => format!("{field}: {value}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_place() {
        let log = Evidence::Log {
            file: "a.log".into(),
            line_start: 3,
            line_end: 3,
            excerpt: String::new(),
        };
        assert_eq!(log.label(), "a.log:3");
        let rule = Evidence::Rule {
            table: "Home Server static routes".into(),
            row: Some(0),
            text: "*.contoso.com".into(),
        };
        assert_eq!(
            rule.label(),
            "Home Server static routes row 1: *.contoso.com"
        );
    }
}
