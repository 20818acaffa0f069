//! Domain newtypes: parse, don't validate. Each type has a private representation, a `parse` that
//! returns a typed error, and unit tests beside it. The gazetteer (countries and cities) is the
//! reference data both the importer and the write mutations resolve place names with.

pub mod email;
pub mod gazetteer;
pub mod number;
pub mod partial_date;
pub mod sdg;
pub mod text;
pub mod urban_agenda;
