//! Problems found in the input, collected and reported together (like serde_derive's `Ctxt`).
//!
//! No stage stops at the first problem: each records what it found, with where it found it, and carries
//! on with what it can still make sense of. The caller decides at the end whether there were any.

use std::fmt;

/// Where a problem is: a file, a line in it, and optionally the endpoint and JSON pointer it concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Location {
    pub file: String,
    /// 1-based; 0 when the problem has no single line (e.g. a missing file).
    pub line: usize,
    /// `GET /jobs/:jobid`, when the problem belongs to an endpoint.
    pub endpoint: Option<String>,
    /// RFC 6901 pointer into the JSON document the problem is in.
    pub pointer: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            ..Location::default()
        }
    }

    pub fn at(file: impl Into<String>, line: usize) -> Self {
        Location {
            file: file.into(),
            line,
            ..Location::default()
        }
    }

    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(endpoint) = &self.endpoint {
            write!(f, " [{endpoint}]")?;
        }
        if let Some(pointer) = &self.pointer {
            write!(f, " at {}", if pointer.is_empty() { "/" } else { pointer })?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every problem found by a run, in the order of the input.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    pub fn push(&mut self, location: Location, message: impl Into<String>) {
        self.0.push(Problem {
            location,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter()
    }

    pub fn extend(&mut self, other: Problems) {
        self.0.extend(other.0);
    }

    /// The value of a stage that went well; the problems of one that did not join these.
    pub fn keep<T>(&mut self, result: Result<T, Problems>) -> Option<T> {
        result.map_err(|p| self.extend(p)).ok()
    }

    /// Every value of stages that went well; the problems of those that did not join these.
    pub fn keep_all<T>(
        &mut self,
        results: impl IntoIterator<Item = Result<T, Problems>>,
    ) -> Vec<T> {
        results.into_iter().filter_map(|r| self.keep(r)).collect()
    }

    /// `Ok(value)` when nothing was found, else every problem, sorted by place.
    pub fn into_result<T>(mut self, value: T) -> Result<T, Problems> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            self.0.sort();
            self.0.dedup();
            Err(self)
        }
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "{n} problem{} found:", if n == 1 { "" } else { "s" })?;
        for problem in &self.0 {
            writeln!(f, "  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}
