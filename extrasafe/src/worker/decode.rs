//! Deserializing what a worker replies, as untrusted input: postcard with a nesting limit
//! (a reply of a recursive type cannot overflow the caller's stack, nor its drop) and a
//! budget of values, 8 per byte of the reply (a sequence of zero-sized values cannot spin
//! the caller for 2^64 steps). What a reply decodes into can still be larger than the
//! reply: a value that takes one byte (`None`) may stand for a large one (`Option<[u64;
//! 32]>`, 264 bytes); `max_output` bounds the reply, not its decoded size.
//!
//! serde's data model is walked through wrappers that count: every value deserialized
//! costs one unit of the budget, every nested value (a sequence's or map's elements, an
//! `Option`'s or newtype's content, an enum's variant) one level of depth.

use std::cell::Cell;
use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

/// How deeply a reply's values may nest (serde_json's default).
pub(crate) const MAX_DEPTH: usize = 128;

/// Deserializes `bytes` as a `T`, within [`MAX_DEPTH`] and a budget of values of
/// `8 × len + 64` (postcard spends at least one byte on each value but unit-like ones).
pub(crate) fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let limits = Limits {
        values: Cell::new(bytes.len() as u64 * 8 + 64),
        refused: Cell::new(None),
    };
    let mut postcard = postcard::Deserializer::from_bytes(bytes);
    T::deserialize(Limited {
        de: &mut postcard,
        limits: &limits,
        depth: 0,
    })
    // postcard keeps no message of a custom error: the limit that refused says so here.
    .map_err(|e| {
        limits
            .refused
            .get()
            .map_or_else(|| e.to_string(), str::to_string)
    })
}

const TOO_MANY: &str =
    "the reply holds more values than its length allows (zero-sized values without end?)";
const TOO_DEEP: &str = "the reply nests more than 128 levels deep";

struct Limits {
    values: Cell<u64>,
    refused: Cell<Option<&'static str>>,
}

impl Limits {
    fn spend<E: de::Error>(&self) -> Result<(), E> {
        match self.values.get().checked_sub(1) {
            Some(left) => {
                self.values.set(left);
                Ok(())
            }
            None => {
                self.refused.set(Some(TOO_MANY));
                Err(E::custom(TOO_MANY))
            }
        }
    }
}

impl Limits {
    fn deeper<E: de::Error>(&self, depth: usize) -> Result<usize, E> {
        if depth >= MAX_DEPTH {
            self.refused.set(Some(TOO_DEEP));
            Err(E::custom(TOO_DEEP))
        } else {
            Ok(depth + 1)
        }
    }
}

/// A deserializer that counts.
struct Limited<'l, D> {
    de: D,
    limits: &'l Limits,
    depth: usize,
}

/// A visitor whose nested deserializers count.
struct Counted<'l, V> {
    inner: V,
    limits: &'l Limits,
    depth: usize,
}

impl<'l, D> Limited<'l, D> {
    fn visitor<V>(&self, inner: V) -> Counted<'l, V> {
        Counted {
            inner,
            limits: self.limits,
            depth: self.depth,
        }
    }
}

macro_rules! forward {
    ($($method:ident ( $($arg:ident : $ty:ty),* );)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
                self.limits.spend::<D::Error>()?;
                let visitor = self.visitor(visitor);
                self.de.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Limited<'_, D> {
    type Error = D::Error;

    forward! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
        deserialize_ignored_any();
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

macro_rules! visit {
    ($($method:ident ( $ty:ty );)*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                self.inner.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Counted<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    visit! {
        visit_bool(bool);
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_f64(f64);
        visit_char(char);
        visit_str(&str);
        visit_borrowed_str(&'de str);
        visit_string(String);
        visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D2: Deserializer<'de>>(self, de: D2) -> Result<Self::Value, D2::Error> {
        let depth = self.limits.deeper::<D2::Error>(self.depth)?;
        self.inner.visit_some(Limited {
            de,
            limits: self.limits,
            depth,
        })
    }

    fn visit_newtype_struct<D2: Deserializer<'de>>(self, de: D2) -> Result<Self::Value, D2::Error> {
        let depth = self.limits.deeper::<D2::Error>(self.depth)?;
        self.inner.visit_newtype_struct(Limited {
            de,
            limits: self.limits,
            depth,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let depth = self.limits.deeper::<A::Error>(self.depth)?;
        self.inner.visit_seq(Nested {
            inner: seq,
            limits: self.limits,
            depth,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let depth = self.limits.deeper::<A::Error>(self.depth)?;
        self.inner.visit_map(Nested {
            inner: map,
            limits: self.limits,
            depth,
        })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let depth = self.limits.deeper::<A::Error>(self.depth)?;
        self.inner.visit_enum(Nested {
            inner: data,
            limits: self.limits,
            depth,
        })
    }
}

/// The elements of a sequence or map, an enum's variant: each deserialized counting.
struct Nested<'l, A> {
    inner: A,
    limits: &'l Limits,
    depth: usize,
}

impl<'l, A> Nested<'l, A> {
    fn seed<S>(&self, inner: S) -> Seed<'l, S> {
        Seed {
            inner,
            limits: self.limits,
            depth: self.depth,
        }
    }
}

/// A seed whose deserializer counts.
struct Seed<'l, S> {
    inner: S,
    limits: &'l Limits,
    depth: usize,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Limited {
            de,
            limits: self.limits,
            depth: self.depth,
        })
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Nested<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let seed = self.seed(seed);
        self.inner.next_element_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Nested<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let seed = self.seed(seed);
        self.inner.next_key_seed(seed)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        let seed = self.seed(seed);
        self.inner.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, 'l, A: EnumAccess<'de>> EnumAccess<'de> for Nested<'l, A> {
    type Error = A::Error;
    type Variant = Nested<'l, A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        let (limits, depth) = (self.limits, self.depth);
        let (value, variant) = self.inner.variant_seed(Seed {
            inner: seed,
            limits,
            depth,
        })?;
        Ok((
            value,
            Nested {
                inner: variant,
                limits,
                depth,
            },
        ))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Nested<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        let seed = self.seed(seed);
        self.inner.newtype_variant_seed(seed)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner.tuple_variant(
            len,
            Counted {
                inner: visitor,
                limits: self.limits,
                depth: self.depth,
            },
        )
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.inner.struct_variant(
            fields,
            Counted {
                inner: visitor,
                limits: self.limits,
                depth: self.depth,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Mixed = (
        u32,
        String,
        Vec<Option<(i64, bool)>>,
        std::collections::BTreeMap<String, Vec<u8>>,
        Result<char, ()>,
    );

    #[test]
    fn values_read_back_as_postcard_writes_them() {
        let value: Mixed = (
            7,
            "text".to_string(),
            vec![Some((-5, true)), None],
            [("k".to_string(), vec![1, 2, 3])].into_iter().collect(),
            Ok('x'),
        );
        let bytes = postcard::to_allocvec(&value).unwrap();
        assert_eq!(from_bytes::<_>(&bytes), Ok(value));
    }

    /// A recursive type, as a parser's output often is.
    #[derive(Debug, PartialEq)]
    enum Tree {
        Leaf,
        Node(Box<Tree>),
    }

    impl<'de> serde::Deserialize<'de> for Tree {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
            // As serde_derive writes it: an enum of a unit and a newtype variant.
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Tree;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a tree")
                }
                fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Tree, A::Error> {
                    let (index, variant): (u32, _) = data.variant()?;
                    match index {
                        0 => variant.unit_variant().map(|()| Tree::Leaf),
                        _ => variant
                            .newtype_variant::<Tree>()
                            .map(|t| Tree::Node(Box::new(t))),
                    }
                }
            }
            d.deserialize_enum("Tree", &["Leaf", "Node"], V)
        }
    }

    #[test]
    fn a_deep_reply_is_refused_instead_of_overflowing_the_stack() {
        let mut shallow = vec![1u8; 100];
        shallow.push(0);
        let mut tree = from_bytes::<Tree>(&shallow).unwrap();
        let mut depth = 0;
        while let Tree::Node(next) = tree {
            tree = *next;
            depth += 1;
        }
        assert_eq!(depth, 100);
        let mut deep = vec![1u8; 1_000_000];
        deep.push(0);
        let err = from_bytes::<Tree>(&deep).unwrap_err();
        assert!(err.contains("nests more than 128"), "{err}");
    }

    #[test]
    fn endless_zero_sized_values_run_out_of_budget() {
        // A sequence of 2^64 - 1 units in 10 bytes.
        let reply = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        let err = from_bytes::<Vec<()>>(&reply).unwrap_err();
        assert!(err.contains("more values than its length allows"), "{err}");
    }
}
