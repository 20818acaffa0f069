//! Code-list values as stored and as GraphQL names them (`MONTH`, `STUDY_VISIT`), not as the Rust
//! variants are spelled; an unknown value is an error that lists the known ones.

use sea_orm::{ActiveEnum, Iterable};
use serde::{Deserialize, Deserializer, Serializer, de::Error};

pub fn serialize<S, E>(value: &Option<E>, s: S) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    E: ActiveEnum<Value = String>,
{
    match value {
        Some(v) => s.serialize_str(&v.to_value()),
        None => s.serialize_none(),
    }
}

pub fn deserialize<'de, D, E>(d: D) -> Result<Option<E>, D::Error>
where
    D: Deserializer<'de>,
    E: ActiveEnum<Value = String> + Iterable,
{
    Option::<String>::deserialize(d)?
        .map(|s| parse::<E, D::Error>(&s))
        .transpose()
}

pub(super) fn parse<E, Er>(s: &str) -> Result<E, Er>
where
    E: ActiveEnum<Value = String> + Iterable,
    Er: Error,
{
    E::try_from_value(&s.to_owned()).map_err(|_| {
        let known: Vec<String> = E::iter().map(|v| v.to_value()).collect();
        Er::custom(format!(
            "unknown value `{s}`: expected one of {}",
            known.join(", ")
        ))
    })
}

pub mod required {
    use sea_orm::{ActiveEnum, Iterable};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S, E>(value: &E, s: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        E: ActiveEnum<Value = String>,
    {
        s.serialize_str(&value.to_value())
    }

    pub fn deserialize<'de, D, E>(d: D) -> Result<E, D::Error>
    where
        D: Deserializer<'de>,
        E: ActiveEnum<Value = String> + Iterable,
    {
        super::parse::<E, D::Error>(&String::deserialize(d)?)
    }
}
