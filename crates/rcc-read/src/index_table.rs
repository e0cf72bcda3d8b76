//! Items of a walk (messages, dialogs) found by a key that each item can say again: the table
//! keeps only the item's index, 4 bytes a bucket, and asks the item for its key when a probe
//! lands on it. A map from the borrowed key keeps the key in every bucket (a transaction's
//! Call-ID, CSeq, method and branch take 28 bytes on wasm32; a Via branch and a method, 16),
//! and the ladder's request table and the correlation's transaction set were the largest
//! blocks at the analysis' memory high-water mark, which wasm memory never gives back.

use crate::fxhash::Fx;
use hashbrown::hash_table::{Entry, HashTable};
use std::hash::{BuildHasher, BuildHasherDefault, Hash};

pub struct IndexTable {
    table: HashTable<u32>,
}

fn hash<K: Hash>(key: &K) -> u64 {
    BuildHasherDefault::<Fx>::default().hash_one(key)
}

impl IndexTable {
    pub fn with_capacity(n: usize) -> Self {
        IndexTable {
            table: HashTable::with_capacity(n),
        }
    }

    /// The index whose key (`key_of`) is `key`.
    pub fn find<K: Hash + Eq>(&self, key: &K, key_of: impl Fn(u32) -> K) -> Option<u32> {
        self.table.find(hash(key), |&i| key_of(i) == *key).copied()
    }

    /// Files `index` under `key`, in place of the index filed there before (returned), as a
    /// map's insert does.
    pub fn insert<K: Hash + Eq>(
        &mut self,
        key: &K,
        index: u32,
        key_of: impl Fn(u32) -> K,
    ) -> Option<u32> {
        match self
            .table
            .entry(hash(key), |&i| key_of(i) == *key, |&i| hash(&key_of(i)))
        {
            Entry::Occupied(mut o) => Some(std::mem::replace(o.get_mut(), index)),
            Entry::Vacant(v) => {
                v.insert(index);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IndexTable;

    #[test]
    fn finds_by_the_key_items_say_and_keeps_the_latest_of_one_key() {
        let items = ["a", "b", "a", "c"];
        let key_of = |i: u32| items[i as usize];
        // Sized below the item count: growing asks the items for their keys again.
        let mut t = IndexTable::with_capacity(1);
        let before: Vec<_> = (0..items.len())
            .map(|i| t.insert(&items[i], i as u32, key_of))
            .collect();
        assert_eq!(before, [None, None, Some(0), None]);
        assert_eq!(t.find(&"a", key_of), Some(2));
        assert_eq!(t.find(&"b", key_of), Some(1));
        assert_eq!(t.find(&"c", key_of), Some(3));
        assert_eq!(t.find(&"d", key_of), None);
    }
}
