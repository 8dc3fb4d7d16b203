//! The job id of a submitted JobGraph (1.x) or execution plan (2.x): a Java-serialized object graph
//! whose first `org.apache.flink.api.common.JobID` is the job's. A `JobID` is an `AbstractID`: two
//! longs, `lowerPart` and `upperPart`, whose hex digits, lower first, are the id Flink prints.
//!
//! Only as much of the Java serialization grammar is read as that needs: the `JobID` class
//! descriptor, its `AbstractID` superclass descriptor and the two longs that follow them.

const JOB_ID: &str = "org.apache.flink.api.common.JobID";
const ABSTRACT_ID: &str = "org.apache.flink.util.AbstractID";
const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_STRING: u8 = 0x74;
const TC_ENDBLOCKDATA: u8 = 0x78;

/// What the emulator reads of a submitted graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// 32 hex digits.
    pub id: String,
    /// The job's name, where the string right after the id is one (a JobGraph's `jobName` field
    /// follows its `jobID`).
    pub name: Option<String>,
}

/// The job id (and name) in `bytes`; none if there is no readable `JobID` in them.
pub fn read(bytes: &[u8]) -> Option<Graph> {
    let (id, end) = id_at(bytes)?;
    let mut r = Reader { bytes, at: end };
    let name = match r.byte() {
        Some(TC_STRING) => r.utf(),
        _ => None,
    };
    Some(Graph { id, name })
}

/// The job id in `bytes`, 32 hex digits; none if there is no readable `JobID` in them.
pub fn job_id(bytes: &[u8]) -> Option<String> {
    id_at(bytes).map(|(id, _)| id)
}

/// The first `JobID` and where its data ends.
fn id_at(bytes: &[u8]) -> Option<(String, usize)> {
    let at = find(bytes, &class_desc_head(JOB_ID))?;
    let mut r = Reader { bytes, at };
    let fields = r.class_desc(JOB_ID)?;
    if !fields.is_empty() {
        return None;
    }
    let parts = r.class_desc(ABSTRACT_ID)?;
    (r.byte()? == TC_NULL).then_some(())?;
    let mut upper = None;
    let mut lower = None;
    for (code, name) in parts {
        match code {
            b'J' => {
                let value = r.long()?;
                match name.as_str() {
                    "upperPart" => upper = Some(value),
                    "lowerPart" => lower = Some(value),
                    _ => {}
                }
            }
            _ => return None,
        }
    }
    Some((format!("{:016x}{:016x}", lower?, upper?), r.at))
}

/// A stand-in for a submitted JobGraph that the emulator reads as one with job id `id` (32 hex
/// digits): a `JobID` as Java's `ObjectOutputStream` writes one, which is all it reads of a real
/// graph. For tests that submit jobs without a JVM to make a real graph.
pub fn stand_in(id: &str) -> Option<Vec<u8>> {
    let hex = |part: &str| u64::from_str_radix(part, 16).ok();
    let (lower, upper) = (hex(id.get(..16)?)?, hex(id.get(16..)?)?);
    if id.len() != 32 {
        return None;
    }
    let mut b = vec![0xac, 0xed, 0x00, 0x05, 0x73];
    b.extend(class_desc_head(JOB_ID));
    b.extend([0u8; 8]); // serialVersionUID
    b.extend([0x02, 0x00, 0x00, TC_ENDBLOCKDATA]);
    b.extend(class_desc_head(ABSTRACT_ID));
    b.extend([0u8; 8]);
    b.extend([0x02, 0x00, 0x02]);
    for field in ["lowerPart", "upperPart"] {
        b.push(b'J');
        b.extend((field.len() as u16).to_be_bytes());
        b.extend(field.as_bytes());
    }
    b.extend([TC_ENDBLOCKDATA, TC_NULL]);
    b.extend(lower.to_be_bytes());
    b.extend(upper.to_be_bytes());
    Some(b)
}

/// `TC_CLASSDESC`, then the class name as Java's modified UTF-8 (length-prefixed).
fn class_desc_head(name: &str) -> Vec<u8> {
    let mut head = vec![TC_CLASSDESC];
    head.extend_from_slice(&(name.len() as u16).to_be_bytes());
    head.extend_from_slice(name.as_bytes());
    head
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let slice = self.bytes.get(self.at..self.at + n)?;
        self.at += n;
        Some(slice)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn short(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    fn long(&mut self) -> Option<i64> {
        let b = self.take(8)?;
        Some(i64::from_be_bytes(b.try_into().ok()?))
    }

    fn utf(&mut self) -> Option<String> {
        let n = self.short()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }

    /// A class descriptor of `name`, up to its superclass descriptor: its fields (type code, name).
    fn class_desc(&mut self, name: &str) -> Option<Vec<(u8, String)>> {
        (self.byte()? == TC_CLASSDESC).then_some(())?;
        (self.utf()? == name).then_some(())?;
        self.take(8)?; // serialVersionUID
        self.byte()?; // flags
        let count = self.short()?;
        let mut fields = Vec::new();
        for _ in 0..count {
            let code = self.byte()?;
            let field = self.utf()?;
            if matches!(code, b'L' | b'[') {
                match self.byte()? {
                    TC_STRING => {
                        self.utf()?;
                    }
                    TC_REFERENCE => {
                        self.take(4)?;
                    }
                    _ => return None,
                }
            }
            fields.push((code, field));
        }
        // No class annotations: Flink's ids write none.
        (self.byte()? == TC_ENDBLOCKDATA).then_some(())?;
        Some(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serialized(lower: i64, upper: i64) -> Vec<u8> {
        stand_in(&format!("{lower:016x}{upper:016x}")).unwrap()
    }

    #[test]
    fn the_first_job_id_in_a_graph_is_read() {
        let mut graph = b"\xac\xed\x00\x05 a JobGraph's fields before its id ".to_vec();
        graph.extend(serialized(0x0123_4567_89ab_cdef, -1));
        graph.extend(serialized(7, 7));
        assert_eq!(
            job_id(&graph).as_deref(),
            Some("0123456789abcdefffffffffffffffff")
        );
    }

    #[test]
    fn a_real_job_graph_gives_the_id_flinks_cli_prints() {
        // Written by Flink 1.20.3 (the scenario job's main with `--write-jobgraph`).
        let graph = include_bytes!("../tests/data/jobgraph-1.20.3.bin");
        let read = read(graph).unwrap();
        assert_eq!(read.id, "3479bb35d94fe99e0b3b3fe27493974d");
        assert_eq!(read.name.as_deref(), Some("Flink Streaming Job"));
    }

    #[test]
    fn what_is_not_a_job_id_is_none() {
        assert_eq!(job_id(b""), None);
        assert_eq!(job_id(b"not serialized at all"), None);
        assert_eq!(stand_in("not hex"), None);
        let whole = serialized(1, 2);
        for cut in [10, 40, whole.len() - 1] {
            assert_eq!(job_id(&whole[..cut]), None, "cut at {cut}");
        }
    }
}
