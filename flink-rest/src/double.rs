//! Hand-written: a Java `double` as Flink's Jackson writes it.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Java `double` on the wire: a JSON number, or the strings `"NaN"`, `"Infinity"` and `"-Infinity"`
/// that Jackson writes for values JSON numbers cannot hold (checkpoint percentiles before any
/// checkpoint, for one). Serialises back the same way, so nothing is lost in a round trip.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Double(pub f64);

impl Double {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl From<f64> for Double {
    fn from(v: f64) -> Self {
        Double(v)
    }
}

impl From<Double> for f64 {
    fn from(v: Double) -> Self {
        v.0
    }
}

impl fmt::Display for Double {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Double {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.is_nan() {
            s.serialize_str("NaN")
        } else if v.is_infinite() {
            s.serialize_str(if v > 0.0 { "Infinity" } else { "-Infinity" })
        } else {
            s.serialize_f64(v)
        }
    }
}

impl<'de> Deserialize<'de> for Double {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Double;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Double, E> {
                Ok(Double(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Double, E> {
                Ok(Double(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Double, E> {
                Ok(Double(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Double, E> {
                match v {
                    "NaN" => Ok(Double(f64::NAN)),
                    "Infinity" => Ok(Double(f64::INFINITY)),
                    "-Infinity" => Ok(Double(f64::NEG_INFINITY)),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A number, or one of the three strings.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Double {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Double".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [
                {"type": "number"},
                {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_jacksons_special_strings_round_trip() {
        for text in ["1.5", "3", "\"NaN\"", "\"Infinity\"", "\"-Infinity\""] {
            let v: Double = serde_json::from_str(text).unwrap();
            let back = serde_json::to_string(&v).unwrap();
            let again: Double = serde_json::from_str(&back).unwrap();
            assert!(
                v.0 == again.0 || (v.0.is_nan() && again.0.is_nan()),
                "{text}"
            );
        }
        assert_eq!(serde_json::to_string(&Double(f64::NAN)).unwrap(), "\"NaN\"");
        assert!(serde_json::from_str::<Double>("\"nan\"").is_err());
        assert!(serde_json::from_str::<Double>("true").is_err());
    }

    /// A value Flink sends decodes to the nearest `f64`, exactly: the shortest text it serialises to
    /// decodes to the same `f64` (serde_json's fast parser is off by one unit in the last place on
    /// numbers like these; the crate turns on its exact one).
    #[test]
    fn decoding_is_exact_to_the_last_bit() {
        for text in [
            "5.5555555555555556e+32",
            "0.30000000000000004",
            "1.7976931348623157e308",
        ] {
            let v: Double = serde_json::from_str(text).unwrap();
            let expected: f64 = text.parse().unwrap();
            assert_eq!(v.0.to_bits(), expected.to_bits(), "{text}");
            let again: Double = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
            assert_eq!(again.0.to_bits(), v.0.to_bits(), "{text}");
        }
    }
}
