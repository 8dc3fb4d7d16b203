//! The importer on any text, read both as the 1.10 page's text and as the docs' html: it never panics,
//! and a page it cannot read is a list of problems, each naming the file.
#![no_main]

use flink_rest_codegen::docs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for file in ["fuzz.txt", "fuzz.html"] {
        if let Err(problems) = docs::import(file, text) {
            assert!(!problems.is_empty(), "an error with no problem in it");
            for p in problems.iter() {
                assert_eq!(p.location.file, file, "a problem that names no file: {p}");
            }
        }
    }
});
