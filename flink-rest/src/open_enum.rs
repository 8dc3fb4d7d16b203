//! `open_enum!`: the trait impls every generated string enum shares (hand-written).
//!
//! Flink adds states over time (`INITIALIZING` came after the documentation this crate starts from), so a
//! client that fails on a new value would break on every upgrade. A generated enum has a variant per
//! documented value plus `Unknown(String)`, an `as_str` and a `From<&str>`; this macro adds `Display`,
//! `FromStr`, `is_known` and string (de)serialisation on top of those two.

#[macro_export]
#[doc(hidden)]
macro_rules! open_enum {
    ($name:ident) => {
        impl $name {
            /// Whether this is one of the documented values.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // A visitor of `&str`: a known value costs no allocation (a `Cow` or `String`
                // would allocate for every value; these fill maps keyed by state).
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }
                d.deserialize_str(Visitor)
            }
        }
    };
}
