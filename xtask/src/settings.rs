//! The progenitor settings the SDK is generated with. Self-contained (it needs only `progenitor`
//! and `quote`), so that the root build script can share it:
//! `#[path = "xtask/src/settings.rs"] mod settings;` (see the xtask README section). Until it does,
//! the test `build_rs_uses_the_same_settings` keeps the two in step.

use progenitor::{GenerationSettings, HooksMode, InterfaceStyle, TagStyle};

/// The generator settings of `build.rs`: builder interface, one extension trait per tag, client
/// hooks required, `crate::client::Inner` as the inner type, and `PartialEq` on every type.
pub fn generation_settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Separate)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote::quote!(crate::client::Inner))
        .with_derive("PartialEq");
    settings
}
