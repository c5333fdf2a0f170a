//! Wire types of HeyGen's v3 API, named as HeyGen names them.
//!
//! Request types ([`requests`]) are strict and double as the tools' input types: their JSON
//! Schema (bounds, enums, descriptions) is what the model sees. Optional fields are skipped
//! when unset because HeyGen rejects unknown fields and we only send what the caller chose.
//!
//! Response types ([`responses`], [`discovery`]) are lenient: unknown fields are ignored and
//! every enum has an `Other` variant, so a status HeyGen adds tomorrow decodes instead of
//! failing the call.

pub mod brand;
pub mod discovery;
pub mod lenient;
pub mod requests;
pub mod responses;

pub use brand::*;
pub use discovery::*;
pub use requests::*;
pub use responses::*;
