//! Users and tokens, against the store.

use chrono::Duration;
use trama::domain::access::{Principal, Role};
use trama::domain::permit::UserAdministration;
use trama::store::{Store, StoreError};

use super::{now, operator, token, user};

/// Users and tokens: a taken name, who a token is, expiry, revocation, a reset password
/// ending every token (and a login that raced it), disabling, and the counting of sign-in
/// attempts.
pub(super) async fn identity_story<S: Store + ?Sized>(store: &S) {
    let ana = user("ana", Role::Analyst);
    store
        .create_user(&operator(UserAdministration), &ana, "hash-1")
        .await
        .expect("user");
    let taken = store
        .create_user(
            &operator(UserAdministration),
            &user("ana", Role::Admin),
            "x",
        )
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");

    let (stored, hash) = store
        .user_credentials("ana")
        .await
        .expect("credentials")
        .expect("ana is there");
    assert_eq!(
        (stored.id, stored.role, hash.as_str()),
        (ana.id, Role::Analyst, "hash-1")
    );
    assert_eq!(stored.created_at, ana.created_at);
    assert!(
        store
            .user_credentials("nadie")
            .await
            .expect("read")
            .is_none()
    );

    let at = now();
    store
        .create_user_token(
            &operator(UserAdministration),
            ana.id,
            &token("t-forever", None),
        )
        .await
        .expect("token");
    store
        .create_user_token(
            &operator(UserAdministration),
            ana.id,
            &token("t-old", Some(at - Duration::hours(1))),
        )
        .await
        .expect("token");
    let who = store
        .principal_for_token("t-forever", at)
        .await
        .expect("read");
    assert_eq!(
        who,
        Some(Principal::User {
            id: ana.id,
            username: "ana".to_owned(),
            role: Role::Analyst,
        })
    );
    assert_eq!(
        store.principal_for_token("t-old", at).await.expect("read"),
        None
    );
    assert_eq!(
        store.principal_for_token("t-none", at).await.expect("read"),
        None
    );

    store.revoke_token("t-forever").await.expect("revoke");
    assert_eq!(
        store
            .principal_for_token("t-forever", at)
            .await
            .expect("read"),
        None
    );

    // A new password ends every token; a role change and disabling in the same call.
    store
        .create_user_token(
            &operator(UserAdministration),
            ana.id,
            &token("t-before-reset", None),
        )
        .await
        .expect("token");
    store
        .update_user(
            &operator(UserAdministration),
            "ana",
            Role::Admin,
            false,
            Some("hash-2"),
            at,
        )
        .await
        .expect("update");
    assert_eq!(
        store
            .principal_for_token("t-before-reset", at)
            .await
            .expect("read"),
        None
    );
    let (stored, hash) = store
        .user_credentials("ana")
        .await
        .expect("read")
        .expect("ana");
    assert_eq!((stored.role, hash.as_str()), (Role::Admin, "hash-2"));

    // A login checked against the old password does not outlive the reset.
    let raced = store
        .create_login_token(ana.id, "hash-1", &token("t-raced", None))
        .await;
    assert!(matches!(raced, Err(StoreError::StaleRevision)), "{raced:?}");
    assert_eq!(
        store
            .principal_for_token("t-raced", at)
            .await
            .expect("read"),
        None
    );
    store
        .create_login_token(ana.id, "hash-2", &token("t-login", None))
        .await
        .expect("a login with the current password");
    assert!(
        store
            .principal_for_token("t-login", at)
            .await
            .expect("read")
            .is_some()
    );

    store
        .create_user_token(
            &operator(UserAdministration),
            ana.id,
            &token("t-disabled", None),
        )
        .await
        .expect("token");
    store
        .update_user(
            &operator(UserAdministration),
            "ana",
            Role::Admin,
            true,
            None,
            at,
        )
        .await
        .expect("disable");
    assert_eq!(
        store
            .principal_for_token("t-disabled", at)
            .await
            .expect("read"),
        None
    );
    assert!(
        store
            .list_users(&operator(UserAdministration))
            .await
            .expect("users")[0]
            .disabled
    );
    assert!(matches!(
        store
            .update_user(
                &operator(UserAdministration),
                "nadie",
                Role::Admin,
                false,
                None,
                at
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .set_password(&operator(UserAdministration), "nadie", "x")
            .await,
        Err(StoreError::NotFound)
    ));

    // Attempts count per scope and client, and a forgotten one no longer counts.
    let since = at - Duration::minutes(10);
    let (first, count) = store
        .begin_auth_attempt("join", "10.0.0.7", at, since)
        .await
        .expect("attempt");
    assert_eq!(count, 1);
    let (_, count) = store
        .begin_auth_attempt("join", "10.0.0.7", at, since)
        .await
        .expect("attempt");
    assert_eq!(count, 2);
    let (_, other) = store
        .begin_auth_attempt("join", "10.0.0.8", at, since)
        .await
        .expect("attempt");
    assert_eq!(other, 1);
    store.forget_auth_attempt(first).await.expect("forget");
    let (_, count) = store
        .begin_auth_attempt("join", "10.0.0.7", at, since)
        .await
        .expect("attempt");
    assert_eq!(count, 2);
}
