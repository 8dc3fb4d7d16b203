//! Renaming a generated type in the data that names it: `schemas/names.json` (its chosen name, or a
//! new entry choosing one for a derived name, and every `Type.field` key) and the evidence ledger
//! (`$ref`s, ids, fields, reasons). Whole names only: renaming `JobVertexDetails` leaves
//! `JobVertexDetailsInfo` alone. `cargo xtask rename Old New` applies it, then regenerates.

use serde_json::Value;

/// `text` with every whole-name occurrence of `old` (not inside a longer identifier) made `new`.
pub fn whole_name(text: &str, old: &str, new: &str) -> String {
    let is_name = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(old) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + old.len()..].chars().next();
        out.push_str(&rest[..i]);
        match is_name(before) || is_name(after) {
            true => out.push_str(old),
            false => out.push_str(new),
        }
        rest = &rest[i + old.len()..];
    }
    out.push_str(rest);
    out
}

/// `names.json` with `old` renamed `new`, its layout kept: where a derived name is chosen as `old`,
/// it is chosen as `new`; where `old` is a derived name no entry chooses, an entry choosing `new` is
/// added. Keys elsewhere (`Old.field`) follow.
pub fn names(text: &str, old: &str, new: &str) -> Result<String, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("names.json: {e}"))?;
    let types =
        (doc.get("types").and_then(Value::as_object)).ok_or("names.json: no `types` object")?;
    let chosen = types.values().any(|v| v == old);
    let renamed = whole_name(text, old, new);
    if chosen {
        return Ok(renamed);
    }
    let anchor = "\"types\": {";
    let at = renamed
        .find(anchor)
        .ok_or("names.json: no `\"types\": {`")?
        + anchor.len();
    let entry = format!("\n    {}: {},", Value::from(old), Value::from(new));
    Ok(format!("{}{entry}{}", &renamed[..at], &renamed[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_names_are_renamed() {
        let text =
            r#"{"$ref": "Job", "id": "Job.name:type", "other": "JobDetails", "why": "a Job's"}"#;
        assert_eq!(
            whole_name(text, "Job", "Work"),
            r#"{"$ref": "Work", "id": "Work.name:type", "other": "JobDetails", "why": "a Work's"}"#
        );
    }

    #[test]
    fn a_chosen_name_is_changed_and_a_derived_one_gets_an_entry() {
        let text = "{\n  \"types\": {\n    \"LongDerivedName\": \"Short\"\n  },\n  \"fields\": {\"Short.id\": \"JobId\", \"Other.x\": \"JobId\"}\n}\n";
        let renamed: Value = serde_json::from_str(&names(text, "Short", "Brief").unwrap()).unwrap();
        assert_eq!(renamed["types"]["LongDerivedName"], "Brief");
        assert_eq!(renamed["fields"]["Brief.id"], "JobId");
        let renamed: Value = serde_json::from_str(&names(text, "Other", "Else").unwrap()).unwrap();
        assert_eq!(renamed["types"]["Other"], "Else");
        assert_eq!(renamed["fields"]["Else.x"], "JobId");
    }
}
