//! Id newtypes for path and query parameters, and for the fields of answers that hold ids, so one
//! call's answer feeds the next (hand-written).
//!
//! An id checks its format only where real servers keep one: job, vertex and trigger ids are always
//! 32 hex digits and jar ids are always `<uuid>_<file name>.jar`. TaskManager ids are documented as
//! 32 hex digits, but servers send resource ids such as `localhost:36885-31833a` (standalone) or pod and
//! container names, so they are only checked to be non-empty.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string that is not a valid id of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError {
    pub kind: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a valid {}: expected {}",
            self.value, self.kind, self.expected
        )
    }
}

impl std::error::Error for IdError {}

fn is_hex32(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `<uuid>_<name>.jar`, as `/jars/upload` names what it stores.
fn is_jar_id(s: &str) -> bool {
    let Some((uuid, file)) = s.split_at_checked(36) else {
        return false;
    };
    let uuid_ok = uuid.bytes().enumerate().all(|(i, b)| match i {
        8 | 13 | 18 | 23 => b == b'-',
        _ => b.is_ascii_hexdigit(),
    });
    uuid_ok && file.len() > "_.jar".len() && file.starts_with('_') && file.ends_with(".jar")
}

fn non_empty(s: &str) -> bool {
    !s.is_empty()
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $expected:literal, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                if $check(&value) {
                    Ok($name(value))
                } else {
                    Err(IdError { kind: $kind, value, expected: $expected })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $name::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                $name::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(s: &str) -> Result<Self, IdError> {
                $name::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        /// A string (what a server sends is not checked: see `Deserialize`).
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "string", "description": $expected})
            }
        }

        /// Whatever string a server sends: its format is checked where a caller makes an id, not where
        /// a server answers with one (a server of another version may send ids of another form).
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map($name)
            }
        }
    };
}

id_type!(
    /// A job id: 32 hexadecimal digits.
    JobId, "job id", "32 hexadecimal digits", is_hex32
);
id_type!(
    /// A job vertex id: 32 hexadecimal digits.
    VertexId, "vertex id", "32 hexadecimal digits", is_hex32
);
id_type!(
    /// The trigger id of an asynchronous operation (savepoint, rescaling, disposal): 32 hexadecimal digits.
    TriggerId, "trigger id", "32 hexadecimal digits", is_hex32
);
id_type!(
    /// A jar uploaded through `/jars/upload`: `<uuid>_<file name>.jar`.
    JarId, "jar id", "`<uuid>_<file name>.jar`", is_jar_id
);
id_type!(
    /// A cluster data set (intermediate result) id: 32 hexadecimal digits.
    DataSetId, "data set id", "32 hexadecimal digits", is_hex32
);
id_type!(
    /// An application id (Flink 2.3): 32 hexadecimal digits.
    ApplicationId, "application id", "32 hexadecimal digits", is_hex32
);
id_type!(
    /// The id of one rescale of a job (Flink 2.3, `/jobs/:jobid/rescales/details/:rescaleuuid`); any
    /// non-empty string.
    RescaleId, "rescale id", "a non-empty string", non_empty
);
id_type!(
    /// A TaskManager's resource id, e.g. `localhost:36885-31833a`; any non-empty string.
    TaskManagerId, "TaskManager id", "a non-empty string", non_empty
);

impl crate::types::JarUploadResponseBody {
    /// The id of the uploaded jar, for `run_jar`, `get_jar_plan`, `delete_jar`: the last segment of the
    /// path the server stored it under (`/tmp/flink-web-…/flink-web-upload/<uuid>_job.jar`).
    pub fn jar_id(&self) -> JarId {
        let name = self.filename.rsplit(['/', '\\']).next().unwrap_or_default();
        JarId(name.to_string())
    }
}

/// One item of a comma-separated integer range list such as `1,3,5-9` (subtask selection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IntegerRange {
    pub start: u32,
    /// Inclusive; equal to `start` for a single integer.
    pub end: u32,
}

impl IntegerRange {
    pub fn single(n: u32) -> Self {
        IntegerRange { start: n, end: n }
    }

    /// `start..=end`; `None` when `end < start`.
    pub fn new(start: u32, end: u32) -> Option<Self> {
        (start <= end).then_some(IntegerRange { start, end })
    }
}

impl fmt::Display for IntegerRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

impl FromStr for IntegerRange {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let err = || IdError {
            kind: "integer range",
            value: s.to_string(),
            expected: "`N` or `N-M` with N <= M",
        };
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let (a, b) = (
            a.trim().parse().map_err(|_| err())?,
            b.trim().parse().map_err(|_| err())?,
        );
        IntegerRange::new(a, b).ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_answer_names_its_jar() {
        let upload = crate::types::JarUploadResponseBody {
            filename:
                "/tmp/flink-web-1/flink-web-upload/0f4c2a1e-1b2c-4d5e-8f90-123456789abc_job.jar"
                    .into(),
            status: crate::types::JarUploadStatus::Success,
        };
        let id = upload.jar_id();
        assert_eq!(id.as_str(), "0f4c2a1e-1b2c-4d5e-8f90-123456789abc_job.jar");
        assert!(JarId::new(id.as_str()).is_ok());
    }

    #[test]
    fn hex_ids_check_their_format() {
        assert!(JobId::new("a5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b4").is_ok());
        assert!(JobId::new("A5D3F7C7E6B3D4F2A1B0C9D8E7F6A5B4").is_ok());
        let err = JobId::new("not-a-job").unwrap_err();
        assert_eq!(err.kind, "job id");
        assert!(err.to_string().contains("32 hexadecimal digits"));
        assert!(VertexId::new("a5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b").is_err());
        assert!(TriggerId::new("g5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b4").is_err());
    }

    #[test]
    fn jar_ids_are_uuid_underscore_file() {
        assert!(JarId::new("4c5d8f1e-6b7a-4c3d-9e2f-1a0b9c8d7e6f_job.jar").is_ok());
        assert!(JarId::new("4c5d8f1e-6b7a-4c3d-9e2f-1a0b9c8d7e6f_.jar").is_err());
        assert!(JarId::new("job.jar").is_err());
        assert!(JarId::new("4c5d8f1e-6b7a-4c3d-9e2f-1a0b9c8d7e6f_job.zip").is_err());
    }

    #[test]
    fn taskmanager_ids_take_what_servers_send() {
        assert!(TaskManagerId::new("localhost:36885-31833a").is_ok());
        assert!(TaskManagerId::new("").is_err());
    }

    #[test]
    fn ids_decode_whatever_a_server_sends_and_check_what_a_caller_makes() {
        let id: JobId = serde_json::from_str("\"a5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b4\"").unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"a5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b4\""
        );
        let odd: JobId = serde_json::from_str("\"xyz\"").unwrap();
        assert_eq!(odd.as_str(), "xyz");
        assert!("xyz".parse::<JobId>().is_err());
        assert!(
            serde_json::from_str::<JobId>("7").is_err(),
            "an id is a string"
        );
    }

    #[test]
    fn integer_ranges_round_trip() {
        assert_eq!(
            "5-9".parse::<IntegerRange>().unwrap(),
            IntegerRange { start: 5, end: 9 }
        );
        assert_eq!("3".parse::<IntegerRange>().unwrap().to_string(), "3");
        assert_eq!(IntegerRange::new(5, 9).unwrap().to_string(), "5-9");
        assert!("9-5".parse::<IntegerRange>().is_err());
        assert!("x".parse::<IntegerRange>().is_err());
    }
}
