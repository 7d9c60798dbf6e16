//! Shared code of the fuzz targets: the oracles in [`checks`] (also run by the property tests in
//! `tests/properties_prop.rs`) and the input builders in [`input`].

pub mod checks;
pub mod input;
