//! Line numbers for JSON pointers.
//!
//! `serde_json::Value` forgets where things were. To report a schema problem at its line, the text that
//! was already parsed successfully is scanned once more and every value's pointer is mapped to the line it
//! starts on. The scanner only has to follow valid JSON (serde_json checked it first); on anything
//! unexpected it stops and the map simply holds fewer entries.
//!
//! Every value of every schema is scanned, and most are never asked about: the map keys a 64-bit hash
//! of each pointer (FNV-1a), built in one reused buffer, rather than a string per value. Two pointers
//! sharing a hash would only make an error message name a wrong line.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};

/// Pointer hash -> 0-based line offset within the scanned text.
type Lines = HashMap<u64, usize, BuildHasherDefault<KeyIsHash>>;

/// Pointer (RFC 6901) -> 0-based line offset within the scanned text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PointerLines(Lines);

impl PointerLines {
    pub fn get(&self, pointer: &str) -> Option<usize> {
        self.0.get(&hash(pointer)).copied()
    }
}

/// FNV-1a: pointers are short, and no input chooses them to collide on purpose.
fn hash(pointer: &str) -> u64 {
    pointer.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The map's keys are hashes already.
#[derive(Default)]
struct KeyIsHash(u64);

impl Hasher for KeyIsHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = bytes
            .iter()
            .fold(self.0, |h, &b| h.rotate_left(8) ^ u64::from(b));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub fn pointer_lines(text: &str) -> PointerLines {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line: 0,
        pointer: String::new(),
        out: Lines::default(),
    };
    scanner.value();
    PointerLines(scanner.out)
}

/// Escapes one reference token of a JSON pointer.
pub fn escape_token(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_token(&mut out, token);
    out
}

/// Appends one reference token of a JSON pointer, escaped.
pub fn push_token(pointer: &mut String, token: &str) {
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    /// The pointer of the value being scanned.
    pointer: String,
    out: Lines,
}

impl<'a> Scanner<'a> {
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

    fn value(&mut self) -> Option<()> {
        let first = self.peek()?;
        self.out.insert(hash(&self.pointer), self.line);
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
                    let len = self.pointer.len();
                    self.pointer.push('/');
                    push_token(&mut self.pointer, &key);
                    let scanned = self.value();
                    self.pointer.truncate(len);
                    scanned?;
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
                    let len = self.pointer.len();
                    let _ = write!(self.pointer, "/{index}");
                    let scanned = self.value();
                    self.pointer.truncate(len);
                    scanned?;
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

    /// A string token's text: borrowed where it has no escapes, else decoded by serde_json.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.pos;
        if self.bytes.get(self.pos) != Some(&b'"') {
            return None;
        }
        self.pos += 1;
        let mut escaped = false;
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => {
                    escaped = true;
                    self.pos += 1;
                }
                b'"' if escaped => {
                    return serde_json::from_str(&self.text[start..self.pos])
                        .ok()
                        .map(Cow::Owned)
                }
                b'"' => return self.text.get(start + 1..self.pos - 1).map(Cow::Borrowed),
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
        let text = "{\n\"a\" : {\n\"b/c\" : [ 1,\n2 ]\n},\n\"d\\\"\" : \"x\"\n}";
        let lines = pointer_lines(text);
        assert_eq!(lines.get(""), Some(0));
        assert_eq!(lines.get("/a"), Some(1));
        assert_eq!(lines.get("/a/b~1c"), Some(2));
        assert_eq!(lines.get("/a/b~1c/1"), Some(3));
        assert_eq!(lines.get("/d\""), Some(5));
        assert_eq!(lines.get("/nothing"), None);
    }
}
