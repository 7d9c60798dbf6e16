//! Data storages, My Data, profiles, email, email templates and SMS.

use super::Ctx;
use crate::fake::http::Handled;
use crate::fake::state::State;

/// Handles these operations; `None` for other operations.
pub(crate) fn handle(_state: &mut State, _ctx: &Ctx<'_>) -> Option<Handled> {
    None
}
