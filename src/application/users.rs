//! Staff accounts' use cases that more than one door runs.

use super::{Error, announce};
use crate::domain::change::Change;
use crate::identity;
use crate::store::Store;

/// Gives `username` a new password (checked for strength, hashed off the async threads): every
/// token and session they had ends, and their open event streams are told at once, whatever
/// the door (`trama user password`, an admin's page).
///
/// # Errors
/// `Invalid` for a weak password; `NotFound` for an unknown user; the store's.
pub async fn reset_password(
    store: &dyn Store,
    username: &str,
    password: String,
) -> Result<(), Error> {
    let hash = identity::new_password_hash(password)
        .await
        .map_err(|weak| {
            Error::invalid(
                format!("weak password: {weak}"),
                vec![crate::domain::Invalid::new("/password", weak)],
            )
        })?;
    let (user, _) = store
        .user_credentials(username)
        .await?
        .ok_or_else(|| Error::not_found(&format!("user {username}")))?;
    store.set_password(username, &hash).await?;
    announce(store, Change::SignedOut { caller_id: user.id }).await;
    Ok(())
}
