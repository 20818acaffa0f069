//! Domain newtypes: parse, don't validate. Each type has a private representation, a `parse` that
//! returns a typed error, and unit tests beside it.

pub mod email;
pub mod number;
pub mod partial_date;
pub mod sdg;
pub mod text;
pub mod urban_agenda;
