//! [`EnumMap`]: the map of an answer keyed by one of the crate's enums, such as a job's task counts by
//! state (hand-written).
//!
//! Flink sends these maps with (nearly) every documented key, in every item of long lists (each job of
//! an overview, each subtask of a vertex). A `BTreeMap` costs a heap node per map and a tree walk per
//! key; here a documented key has a slot of its own inside the map, so decoding one allocates nothing,
//! and a key this crate does not know (`Unknown`) is kept too, in a sorted list beside the slots.
//! Iteration, equality and (de)serialisation are a `BTreeMap`'s: in key order, documented keys first.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A generated enum that keys an [`EnumMap`]: each documented value has a slot (implemented by
/// `cargo xtask gen` for every enum).
pub trait MapKey: Clone + Ord + 'static {
    /// One slot per documented value, in the order of [`MapKey::known`] (an array).
    type Slots<V>: AsRef<[Option<V>]> + AsMut<[Option<V>]> + IntoIterator<Item = Option<V>>;
    /// Every slot empty.
    fn empty<V>() -> Self::Slots<V>;
    /// The documented values, in slot order (the enum's declaration order, which is its `Ord`).
    fn known() -> &'static [Self];
    /// The slot of a documented value; `None` for a value this crate does not know.
    fn slot(&self) -> Option<usize>;
    /// The slot of the value sent as `value` (what `slot` of the value decoded from it says, without
    /// decoding it).
    fn slot_of(value: &str) -> Option<usize>;
}

/// A map keyed by one of the crate's enums (see the [module docs](crate::enum_map)). Reads like a `BTreeMap`:
/// [`get`](Self::get), [`iter`](Self::iter) in key order, `map[&key]`, `collect()`.
pub struct EnumMap<K: MapKey, V> {
    slots: K::Slots<V>,
    /// Keys without a slot (`Unknown`), sorted.
    other: Vec<(K, V)>,
}

impl<K: MapKey, V> EnumMap<K, V> {
    pub fn new() -> Self {
        EnumMap {
            slots: K::empty(),
            other: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.slots.as_ref().iter().flatten().count() + self.other.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        match key.slot() {
            Some(slot) => self.slots.as_ref()[slot].as_ref(),
            None => self.position(key).ok().map(|at| &self.other[at].1),
        }
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        match key.slot() {
            Some(slot) => self.slots.as_mut()[slot].as_mut(),
            None => (self.position(key).ok()).map(|at| &mut self.other[at].1),
        }
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`; its value before, if it had one.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match key.slot() {
            Some(slot) => self.slots.as_mut()[slot].replace(value),
            None => match self.position(&key) {
                Ok(at) => Some(std::mem::replace(&mut self.other[at].1, value)),
                Err(at) => {
                    self.other.insert(at, (key, value));
                    None
                }
            },
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        match key.slot() {
            Some(slot) => self.slots.as_mut()[slot].take(),
            None => (self.position(key).ok()).map(|at| self.other.remove(at).1),
        }
    }

    /// Where a key without a slot is among the others, or where it would go.
    fn position(&self, key: &K) -> Result<usize, usize> {
        self.other.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            slots: self.slots.as_ref().iter().enumerate(),
            other: self.other.iter(),
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.iter().map(|(_, v)| v)
    }
}

impl<K: MapKey, V> Default for EnumMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: MapKey, V: Clone> Clone for EnumMap<K, V>
where
    K::Slots<V>: Clone,
{
    fn clone(&self) -> Self {
        EnumMap {
            slots: self.slots.clone(),
            other: self.other.clone(),
        }
    }
}

impl<K: MapKey, V: PartialEq> PartialEq for EnumMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.slots.as_ref() == other.slots.as_ref() && self.other == other.other
    }
}

impl<K: MapKey, V: Eq> Eq for EnumMap<K, V> {}

impl<K: MapKey + std::hash::Hash, V: std::hash::Hash> std::hash::Hash for EnumMap<K, V> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        self.iter().for_each(|entry| entry.hash(state));
    }
}

impl<K: MapKey + fmt::Debug, V: fmt::Debug> fmt::Debug for EnumMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: MapKey, V> std::ops::Index<&K> for EnumMap<K, V> {
    type Output = V;
    /// The value of `key`; panics where it has none, as a `BTreeMap` does.
    fn index(&self, key: &K) -> &V {
        self.get(key).expect("no entry for the key in the EnumMap")
    }
}

impl<K: MapKey, V> FromIterator<(K, V)> for EnumMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = EnumMap::new();
        map.extend(entries);
        map
    }
}

impl<K: MapKey, V> Extend<(K, V)> for EnumMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, entries: I) {
        for (k, v) in entries {
            self.insert(k, v);
        }
    }
}

impl<K: MapKey, V, const N: usize> From<[(K, V); N]> for EnumMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

/// The entries of an [`EnumMap`] in key order.
pub struct Iter<'a, K: MapKey, V> {
    slots: std::iter::Enumerate<std::slice::Iter<'a, Option<V>>>,
    other: std::slice::Iter<'a, (K, V)>,
}

impl<'a, K: MapKey, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);
    fn next(&mut self) -> Option<Self::Item> {
        for (slot, value) in self.slots.by_ref() {
            if let Some(value) = value {
                return Some((&K::known()[slot], value));
            }
        }
        self.other.next().map(|(k, v)| (k, v))
    }
}

impl<'a, K: MapKey, V> IntoIterator for &'a EnumMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

/// The entries of an [`EnumMap`] by value, in key order.
pub struct IntoIter<K: MapKey, V> {
    slots: std::iter::Enumerate<<K::Slots<V> as IntoIterator>::IntoIter>,
    other: std::vec::IntoIter<(K, V)>,
}

impl<K: MapKey, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);
    fn next(&mut self) -> Option<(K, V)> {
        for (slot, value) in self.slots.by_ref() {
            if let Some(value) = value {
                return Some((K::known()[slot].clone(), value));
            }
        }
        self.other.next()
    }
}

impl<K: MapKey, V> IntoIterator for EnumMap<K, V> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;
    fn into_iter(self) -> IntoIter<K, V> {
        IntoIter {
            slots: self.slots.into_iter().enumerate(),
            other: self.other.into_iter(),
        }
    }
}

impl<K: MapKey + Serialize, V: Serialize> Serialize for EnumMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// A JSON object; a key sent twice keeps its last value, as a `BTreeMap`'s does.
impl<'de, K, V> Deserialize<'de> for EnumMap<K, V>
where
    K: MapKey + for<'a> From<&'a str>,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(Entries(PhantomData))
    }
}

struct Entries<K, V>(PhantomData<(K, V)>);

impl<'de, K, V> Visitor<'de> for Entries<K, V>
where
    K: MapKey + for<'a> From<&'a str>,
    V: Deserialize<'de>,
{
    type Value = EnumMap<K, V>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
        let mut map: EnumMap<K, V> = EnumMap::new();
        while let Some(key) = entries.next_key_seed(Key(PhantomData))? {
            let value = entries.next_value()?;
            match key {
                Ok(slot) => map.slots.as_mut()[slot] = Some(value),
                Err(other) => _ = map.insert(other, value),
            }
        }
        Ok(map)
    }
}

/// A key as sent: the slot of a documented value (decoded straight from the text), else the value.
struct Key<K>(PhantomData<K>);

impl<'de, K: MapKey + for<'a> From<&'a str>> DeserializeSeed<'de> for Key<K> {
    type Value = Result<usize, K>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<K: MapKey + for<'a> From<&'a str>> Visitor<'_> for Key<K> {
    type Value = Result<usize, K>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(K::slot_of(v).ok_or_else(|| K::from(v)))
    }
}

/// The schema of the `BTreeMap` it stands for.
#[cfg(feature = "schemars")]
impl<K: MapKey + schemars::JsonSchema, V: schemars::JsonSchema> schemars::JsonSchema
    for EnumMap<K, V>
{
    fn inline_schema() -> bool {
        <std::collections::BTreeMap<K, V>>::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<K, V>>::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<K, V>>::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <std::collections::BTreeMap<K, V>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use crate::types::{ExecutionState, TaskCountKey};
    use crate::{EnumMap, MapKey};
    use std::collections::BTreeMap;

    const SENT: &str = r#"{"running":4,"zeta":1,"total":4,"alpha":2,"canceled":0,"running":5}"#;

    #[test]
    fn it_reads_and_writes_what_a_btree_map_does() {
        let map: EnumMap<TaskCountKey, i32> = serde_json::from_str(SENT).unwrap();
        let tree: BTreeMap<TaskCountKey, i32> = serde_json::from_str(SENT).unwrap();
        assert_eq!(map.len(), tree.len());
        assert!(map.iter().eq(tree.iter()), "{map:?} vs {tree:?}");
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            serde_json::to_string(&tree).unwrap()
        );
        assert!(map.clone().into_iter().eq(tree.into_iter()));
        assert_eq!(
            map[&TaskCountKey::Running],
            5,
            "the last of a key sent twice"
        );
        assert_eq!(map.get(&TaskCountKey::Unknown("zeta".into())), Some(&1));
        assert_eq!(map.get(&TaskCountKey::Failed), None);
    }

    fn slots_agree<K: MapKey + serde::Serialize + for<'a> From<&'a str>>() {
        for (at, key) in K::known().iter().enumerate() {
            let text = serde_json::to_value(std::slice::from_ref(key)).unwrap();
            let text = text[0].as_str().unwrap().to_string();
            assert_eq!(key.slot(), Some(at), "{text}");
            assert_eq!(K::slot_of(&text), Some(at), "{text}");
            assert_eq!(K::from(text.as_str()).slot(), Some(at), "{text}");
        }
        assert_eq!(K::slot_of("NOT A VALUE"), None);
        assert_eq!(K::from("NOT A VALUE").slot(), None);
    }

    #[test]
    fn a_key_has_one_slot_whether_decoded_or_read_from_its_text() {
        slots_agree::<TaskCountKey>();
        slots_agree::<ExecutionState>();
        slots_agree::<crate::types::JobStatus>();
    }

    #[test]
    fn it_inserts_replaces_and_removes_documented_and_unknown_keys() {
        let mut map = EnumMap::new();
        let odd = ExecutionState::Unknown("PAUSED".into());
        assert_eq!(map.insert(ExecutionState::Running, 1), None);
        assert_eq!(map.insert(odd.clone(), 2), None);
        assert_eq!(map.insert(ExecutionState::Running, 3), Some(1));
        assert_eq!(map.insert(odd.clone(), 4), Some(2));
        assert_eq!(map.len(), 2);
        *map.get_mut(&odd).unwrap() += 1;
        assert_eq!(map.remove(&odd), Some(5));
        assert_eq!(map.remove(&ExecutionState::Running), Some(3));
        assert!(map.is_empty());
        let built = EnumMap::from([(ExecutionState::Failed, 1), (ExecutionState::Created, 2)]);
        let keys: Vec<_> = built.keys().cloned().collect();
        assert_eq!(keys, [ExecutionState::Created, ExecutionState::Failed]);
        assert_ne!(built, EnumMap::new());
    }
}
