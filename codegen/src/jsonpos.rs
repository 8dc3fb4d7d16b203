//! Line numbers for JSON pointers.
//!
//! `serde_json::Value` forgets where things were. To report a schema problem at its line, the text that
//! was already parsed successfully is scanned once more and every value's pointer is mapped to the line it
//! starts on. The scanner only has to follow valid JSON (serde_json checked it first); on anything
//! unexpected it stops and the map simply holds fewer entries.

use std::collections::HashMap;

/// Pointer (RFC 6901) -> 0-based line offset within the scanned text.
pub fn pointer_lines(text: &str) -> HashMap<String, usize> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
        line: 0,
        out: HashMap::new(),
    };
    scanner.value(String::new());
    scanner.out
}

/// Escapes one reference token of a JSON pointer.
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    out: HashMap<String, usize>,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.pos).copied()
    }

    fn value(&mut self, pointer: String) -> Option<()> {
        let first = self.peek()?;
        self.out.insert(pointer.clone(), self.line);
        match first {
            b'{' => {
                self.pos += 1;
                if self.peek()? == b'}' {
                    self.pos += 1;
                    return Some(());
                }
                loop {
                    self.peek()?;
                    let key = self.string()?;
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.pos += 1;
                    self.value(format!("{pointer}/{}", escape_token(&key)))?;
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b'}' => {
                            self.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                if self.peek()? == b']' {
                    self.pos += 1;
                    return Some(());
                }
                let mut index = 0;
                loop {
                    self.value(format!("{pointer}/{index}"))?;
                    index += 1;
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(drop),
            _ => {
                while let Some(&b) = self.bytes.get(self.pos) {
                    if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                        break;
                    }
                    self.pos += 1;
                }
                Some(())
            }
        }
    }

    /// A string token; the pointer needs its decoded text, so let serde_json decode it.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        if self.bytes.get(self.pos) != Some(&b'"') {
            return None;
        }
        self.pos += 1;
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => return serde_json::from_slice(&self.bytes[start..self.pos]).ok(),
                b'\n' => self.line += 1,
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_nested_pointers_to_lines() {
        let text = "{\n\"a\" : {\n\"b/c\" : [ 1,\n2 ]\n},\n\"d\" : \"x\"\n}";
        let lines = pointer_lines(text);
        assert_eq!(lines[""], 0);
        assert_eq!(lines["/a"], 1);
        assert_eq!(lines["/a/b~1c"], 2);
        assert_eq!(lines["/a/b~1c/1"], 3);
        assert_eq!(lines["/d"], 5);
    }
}
