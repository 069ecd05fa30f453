//! `trama user add`, `trama user password` and `trama token create`: staff accounts and
//! their API tokens, passwords read from standard input.
#![allow(clippy::print_stdout)]

use std::io::BufRead;

use anyhow::bail;
use chrono::Utc;

use crate::application::identity;
use crate::config::DatabaseArgs;
use crate::domain::permit::{Permit, UserAdministration};

use super::open;

/// Reads a new password from standard input (one line).
fn read_password(prompt: &str) -> anyhow::Result<String> {
    eprintln!("{prompt} (read from standard input):");
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

pub(super) async fn reset_password(db: &DatabaseArgs, username: &str) -> anyhow::Result<()> {
    let store = open(db).await?;
    let password = read_password(&format!("New password for {username}"))?;
    match crate::application::users::reset_password(
        store.as_ref(),
        &Permit::operator(UserAdministration),
        username,
        password,
    )
    .await
    {
        Ok(()) => {
            println!("new password set for {username}; their sessions and tokens have ended");
            Ok(())
        }
        Err(crate::application::Error::NotFound(_)) => bail!("no user {username}"),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn add_user(
    db: &DatabaseArgs,
    username: String,
    role: crate::domain::access::Role,
) -> anyhow::Result<()> {
    // The name is checked before the password is asked for, and both before the database is
    // opened (which would create and migrate a missing SQLite file).
    identity::check_username(&username)
        .map_err(|e| anyhow::anyhow!("the user name is not valid: {e}"))?;
    let password = read_password(&format!("Password for {username}"))?;
    identity::check_password_strength(&password).map_err(anyhow::Error::msg)?;
    let store = open(db).await?;
    let user = identity::create_user(
        store.as_ref(),
        &Permit::operator(UserAdministration),
        username,
        role,
        password,
    )
    .await?;
    println!(
        "created {} {} ({})",
        user.role.as_str(),
        user.username,
        user.id
    );
    Ok(())
}

pub(super) async fn create_token(
    db: &DatabaseArgs,
    username: &str,
    expires: Option<u32>,
) -> anyhow::Result<()> {
    let store = open(db).await?;
    let Some((user, _)) = store.user_credentials(username).await? else {
        bail!("no user is called {username:?}; create one with `trama user add`");
    };
    let expires_at = expires.map(|days| Utc::now() + chrono::Duration::days(i64::from(days)));
    let token = identity::issue_user_token(
        &*store,
        &Permit::operator(UserAdministration),
        user.id,
        expires_at,
    )
    .await?;
    eprintln!(
        "token for {} ({}), {}; it is shown only once:",
        user.username,
        user.role.as_str(),
        expires_at.map_or("never expires".to_owned(), |at| format!("expires {at}"))
    );
    println!("{token}");
    Ok(())
}
