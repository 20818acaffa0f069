//! sea-orm entities of the ucap data model (see docs/data-model.md). Kept close to what sea-orm-cli
//! generates; behaviour lives in `api/`.

pub mod enums;
