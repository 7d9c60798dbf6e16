//! The sub-resources of a user, and invitations.

use super::Ctx;
use crate::fake::http::Handled;
use crate::fake::state::State;

/// Handles these operations; `None` for other operations.
pub(crate) fn handle(_state: &mut State, _ctx: &Ctx<'_>) -> Option<Handled> {
    None
}
