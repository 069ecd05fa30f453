//! Who may do what: every rule of the permission table.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{self, Backend, TestApp, point, read};

async fn without_a_token_only_health_and_the_project_list_answer(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    assert_eq!(app.get("/healthz", None).await.0, StatusCode::OK);
    let (status, projects) = app.get("/api/projects", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(projects["projects"][0]["slug"], "lomas");
    assert!(
        projects["projects"][0].get("area").is_none(),
        "no geometry on the public list"
    );
    let workshop = app.workshop(&staff).await;
    for path in [
        "/api/projects/lomas".to_owned(),
        "/api/projects/lomas/legend".to_owned(),
        "/api/projects/lomas/features".to_owned(),
        "/api/projects/lomas/workshops".to_owned(),
        format!("/api/workshops/{}", workshop.id),
        format!("/api/workshops/{}/annotations", workshop.id),
        "/api/me".to_owned(),
        "/api/users".to_owned(),
    ] {
        let response = app
            .request(Method::GET, &path, None)
            .send()
            .await
            .expect("send");
        assert!(
            response.headers().contains_key("www-authenticate"),
            "{path}"
        );
        assert_eq!(read(response).await.0, StatusCode::UNAUTHORIZED, "{path}");
    }
    let (status, _) = app
        .get("/api/projects/lomas", Some("trm_not-a-real-token"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .post(
            "/api/projects/lomas/features",
            None,
            &point("escuela", -58.4, -34.7),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// One request of the permission table and what each caller gets for it.
struct Rule {
    what: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
    /// The status each caller gets, in the order of the callers in
    /// `each_role_can_do_its_part_and_no_more`; `__` where that caller is not tried.
    expect: [Option<StatusCode>; 7],
}

fn rule(
    expect: [Option<StatusCode>; 7],
    what: &'static str,
    method: Method,
    path: impl Into<String>,
    body: Option<Value>,
) -> Rule {
    Rule {
        what,
        method,
        path: path.into(),
        body,
        expect,
    }
}

const OK: Option<StatusCode> = Some(StatusCode::OK);
const NEW: Option<StatusCode> = Some(StatusCode::CREATED);
const NO: Option<StatusCode> = Some(StatusCode::FORBIDDEN);
const __: Option<StatusCode> = None;

async fn each_role_can_do_its_part_and_no_more(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let (_, drawn) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &point("escuela", -58.45, -34.71),
        )
        .await;
    let feature = drawn["id"].as_str().expect("id").to_owned();

    // Facilitators run their own workshops only: another one sees none of this one's drawings
    // or workshops, and creates a workshop of their own.
    let other_facilitator = app
        .token_for("otra", trama::domain::access::Role::Facilitator)
        .await;
    let (status, listed) = app
        .get("/api/projects/lomas/features", Some(&other_facilitator))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["features"].as_array().expect("list").len(), 0);
    let (status, listed) = app
        .get("/api/projects/lomas/workshops", Some(&other_facilitator))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["workshops"].as_array().expect("list").len(), 0);
    let (status, mine) = app
        .post(
            "/api/projects/lomas/workshops",
            Some(&other_facilitator),
            &json!({"title": "Taller Fiorito", "groups": ["Vecinas"], "legal_basis": common::mandate()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(mine["join_code"].is_string());

    // Participants of another workshop see nothing of this one.
    let outsider = app
        .join(mine["join_code"].as_str().expect("code"), "Vecinas")
        .await;
    assert_eq!(app.feature_count(&outsider).await, 0);
    let (_, seen) = app
        .get(
            &format!("/api/workshops/{}", workshop.id),
            Some(&participant),
        )
        .await;
    assert!(
        seen.get("join_code").is_none(),
        "participants are not shown the code"
    );

    // Each request is tried as each of these, in this order: the admin last, so that what the
    // admin may do is refused to the others before it is done.
    let callers = [
        ("the analyst", &staff.analyst),
        ("the facilitator", &staff.facilitator),
        ("the researcher", &staff.researcher),
        ("the participant", &participant),
        ("another facilitator", &other_facilitator),
        ("a participant of another workshop", &outsider),
        ("the admin", &staff.admin),
    ];
    let workshop = &workshop.id;
    #[rustfmt::skip]
    let rules = [
        // Analyst, facilitator, researcher, participant, another facilitator, a participant of
        // another workshop, admin.
        //
        // Only admins create projects and users.
        rule([NO, NO, NO, NO, __, __, NEW], "create a project", Method::POST, "/api/projects",
             Some(json!({"slug": "otro", "name": "Otro"}))),
        rule([NO, NO, NO, NO, __, __, __ ], "list the users", Method::GET, "/api/users", None),
        // Legends: analysts and admins.
        rule([__, NO, NO, NO, __, __, __ ], "replace the legend", Method::PUT, "/api/projects/lomas/legend",
             Some(json!([]))),
        // Researchers get no raw features, workshops or drawing; analysts see every drawing,
        // facilitators their own workshops' only.
        rule([__, __, NO, __, __, __, __ ], "list the drawings", Method::GET, "/api/projects/lomas/features", None),
        rule([OK, OK, NO, __, NO, NO, __ ], "read a drawing", Method::GET, format!("/api/features/{feature}"), None),
        rule([__, __, NO, __, __, __, __ ], "list the workshops", Method::GET, "/api/projects/lomas/workshops", None),
        rule([__, __, NO, __, __, __, __ ], "draw", Method::POST, "/api/projects/lomas/features",
             Some(point("escuela", -58.4, -34.7))),
        // Participants: no review, moderation or workshop management; only their project.
        rule([__, __, NO, NO, __, __, __ ], "create a workshop", Method::POST, "/api/projects/lomas/workshops",
             Some(json!({"title": "t", "groups": ["a"]}))),
        rule([__, __, __, NO, __, __, __ ], "hide a drawing", Method::POST, format!("/api/features/{feature}/hide"),
             Some(json!({}))),
        rule([__, __, __, NO, __, __, __ ], "restore a drawing", Method::POST, format!("/api/features/{feature}/restore"),
             Some(json!({}))),
        rule([__, __, __, NO, NO, __, __ ], "close the workshop", Method::POST, format!("/api/workshops/{workshop}/close"),
             Some(json!({}))),
        rule([__, __, __, NO, __, __, __ ], "read another project", Method::GET, "/api/projects/otro", None),
        // Facilitators run their own workshops only.
        rule([__, __, __, __, NO, __, __ ], "list a workshop's drawings", Method::GET,
             format!("/api/projects/lomas/features?workshop={workshop}"), None),
        rule([__, __, __, __, NO, __, __ ], "a facilitator cannot assign a workshop to someone else", Method::POST,
             "/api/projects/lomas/workshops",
             Some(json!({"title": "t", "groups": ["a"], "facilitator": "facilitator"}))),
        // Participants of another workshop see nothing of this one.
        rule([__, __, __, __, __, NO, __ ], "read the workshop", Method::GET, format!("/api/workshops/{workshop}"), None),
        rule([__, __, __, __, __, NO, __ ], "comment on a drawing", Method::POST, format!("/api/features/{feature}/annotations"),
             Some(json!({"body": "hola"}))),
        // Analysts moderate everything; admins too.
        rule([__, __, __, NO, __, __, OK ], "review a drawing", Method::POST, format!("/api/features/{feature}/review"),
             Some(json!({"state": "accepted"}))),
        rule([__, NO, NO, NO, NO, NO, OK ], "decide on many drawings at once", Method::POST,
             "/api/projects/lomas/features/moderation",
             Some(json!({"ids": [feature], "action": "hide"}))),
    ];
    for rule in &rules {
        for ((caller, token), expected) in callers.iter().zip(rule.expect) {
            let Some(expected) = expected else {
                continue;
            };
            let mut request = app.request(rule.method.clone(), &rule.path, Some(token.as_str()));
            if let Some(body) = &rule.body {
                request = request.json(body);
            }
            let (status, answer) = read(request.send().await.expect("send")).await;
            assert_eq!(
                status, expected,
                "{} ({} {}) as {caller}: {answer}",
                rule.what, rule.method, rule.path
            );
        }
    }

    let (status, user) = app
        .post(
            "/api/users",
            Some(&staff.admin),
            &json!({"username": "ana", "role": "analyst", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert!(user.get("password_hash").is_none());
}

async fn an_expired_token_is_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let user = trama::store::User {
        id: uuid::Uuid::new_v4(),
        username: "old".into(),
        role: trama::domain::access::Role::Analyst,
        created_at: chrono::Utc::now(),
        disabled: false,
    };
    app.store
        .create_user(&common::operator(), &user, "x")
        .await
        .expect("user");
    let (token, hash) = trama::application::identity::new_token();
    let expired = chrono::Utc::now() - chrono::Duration::minutes(1);
    app.store
        .create_user_token(
            &common::operator(),
            user.id,
            &trama::store::NewToken {
                hash,
                expires_at: Some(expired),
                created_at: expired,
            },
        )
        .await
        .expect("token");
    assert_eq!(
        app.get("/api/me", Some(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn a_user_logs_in_for_a_token_and_wrong_passwords_are_limited(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app
        .token_for("root", trama::domain::access::Role::Admin)
        .await;
    let (status, _) = app
        .post("/api/users", Some(&admin), &json!({"username": "marta", "role": "facilitator", "password": "una clave bien larga"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, login) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "marta", "password": "una clave bien larga"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let (status, me) = app.get("/api/me", login["token"].as_str()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "facilitator");
    for _ in 0..10 {
        let (status, _) = app
            .post(
                "/api/tokens",
                None,
                &json!({"username": "marta", "password": "wrong"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "marta", "password": "una clave bien larga"}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

/// The time a refused login takes does not tell whether the name exists: an unknown name is
/// checked against a password hash too (it used to answer in 2 ms, against 40 ms).
async fn a_refused_login_takes_as_long_whether_the_name_exists_or_not(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app
        .token_for("root", trama::domain::access::Role::Admin)
        .await;
    let (status, _) = app
        .post("/api/users", Some(&admin), &json!({"username": "marta", "role": "facilitator", "password": "una clave bien larga"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Four of each, under the limit of failed attempts, alternated so load affects both.
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..4 {
        for (name, times) in [("marta", &mut known), ("nadie-se-llama-asi", &mut unknown)] {
            let started = std::time::Instant::now();
            let (status, _) = app
                .post(
                    "/api/tokens",
                    None,
                    &json!({"username": name, "password": "otra clave cualquiera"}),
                )
                .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            times.push(started.elapsed());
        }
    }
    known.sort();
    unknown.sort();
    let (known, unknown) = (known[1], unknown[1]);
    assert!(
        unknown * 2 >= known,
        "an unknown name answers in {unknown:?}, a known one in {known:?}"
    );
}

/// A refusal says nothing of what the caller may not see: drawing into another facilitator's
/// workshop is refused without naming it.
async fn a_refusal_does_not_name_another_workshop(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let theirs = app.workshop(&staff).await;
    let other = app
        .token_for("otra", trama::domain::access::Role::Facilitator)
        .await;
    let mut feature = crate::common::point("escuela", -58.4, -34.7);
    feature["properties"]["workshop"] = json!(theirs.id);
    let (status, problem) = app
        .post("/api/projects/lomas/features", Some(&other), &feature)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(!problem.to_string().contains("Taller Budge"), "{problem}");
}

/// The limit of failed attempts holds for a burst: attempts are counted before they are
/// checked, so of 200 parallel wrong passwords and 250 parallel wrong join codes, no more
/// than the limit (10) are checked; the rest are refused with 429.
async fn a_burst_of_guesses_gets_no_more_tries_than_the_limit(backend: Backend) {
    // Room for both bursts' connections from this one address: the first burst's idle ones may
    // still count while the second opens its own, and the test is of guesses, not connections.
    let limits = trama::Limits {
        connections: trama::serving::ConnectionLimits {
            per_client: 1_024,
            ..trama::serving::ConnectionLimits::default()
        },
        ..trama::Limits::default()
    };
    let app = TestApp::start_with_limits(backend, limits).await;
    let admin = app
        .token_for("root", trama::domain::access::Role::Admin)
        .await;
    let (status, _) = app
        .post("/api/users", Some(&admin), &json!({"username": "marta", "role": "facilitator", "password": "una clave bien larga"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let guesses: Vec<Value> = (0..200)
        .map(|i| json!({"username": "marta", "password": format!("intento {i}")}))
        .collect();
    let answers = futures::future::join_all(
        guesses
            .iter()
            .map(|guess| app.post("/api/tokens", None, guess)),
    )
    .await;
    let checked = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::UNAUTHORIZED)
        .count();
    let limited = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(checked <= 10, "{checked} passwords were checked");
    assert_eq!(checked + limited, 200);

    let codes: Vec<Value> = (0..250)
        .map(|i| json!({"code": format!("ZZZ-{i:03}"), "group": "x"}))
        .collect();
    let answers =
        futures::future::join_all(codes.iter().map(|code| app.post("/api/join", None, code))).await;
    let checked = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::NOT_FOUND)
        .count();
    assert!(checked <= 10, "{checked} join codes were checked");
}

/// Who sees a sensitive drawing exactly is the project's policy: by default analysts, admins
/// and its author only; an analyst may open it to the workshop it was drawn in (a closed
/// session), never to other workshops.
async fn who_sees_sensitive_drawings_exactly_is_the_project_s_policy(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let elsewhere = app.workshop(&staff).await;
    let author = app.join(&workshop.code, "Jóvenes").await;
    let (status, _) = app
        .post(
            "/api/projects/lomas/features",
            Some(&author),
            &point("taller_clandestino", -58.478, -34.713),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let other_table = app.join(&workshop.code, "Docentes").await;
    let other_workshop = app.join(&elsewhere.code, "Jóvenes").await;
    let masked = |token: String| {
        let app = &app;
        async move {
            let (_, list) = app
                .get(
                    "/api/projects/lomas/features?symbol=taller_clandestino",
                    Some(&token),
                )
                .await;
            list["features"]
                .as_array()
                .and_then(|f| f.first())
                .map(|f| f["properties"]["masked"] == true)
        }
    };
    assert_eq!(
        masked(author.clone()).await,
        Some(false),
        "the author sees it"
    );
    assert_eq!(masked(other_table.clone()).await, Some(true));
    assert_eq!(masked(staff.facilitator.clone()).await, Some(true));

    let open_to_workshop = json!({"sensitive_exact": "workshop"});
    let refused = app
        .request(
            Method::PATCH,
            "/api/projects/lomas",
            Some(&staff.researcher),
        )
        .json(&open_to_workshop)
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (status, project) = read(
        app.request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
            .json(&open_to_workshop)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{project}");
    assert_eq!(project["sensitive_exact"], "workshop");
    // Only for a closed session: while the workshop is open, anyone may still join and look.
    assert_eq!(masked(other_table.clone()).await, Some(true));
    assert_eq!(masked(staff.facilitator.clone()).await, Some(true));
    app.close(&workshop.id, &staff.facilitator).await;
    assert_eq!(masked(other_table).await, Some(false));
    assert_eq!(masked(staff.facilitator.clone()).await, Some(false));
    // Never another workshop's participants.
    assert_ne!(masked(other_workshop).await, Some(false));
}

/// Admins change roles and disable accounts; a disabled account's tokens stop working and
/// it cannot log in; an admin cannot lock themselves out.
async fn an_admin_changes_roles_and_disables_accounts(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app
        .token_for("root", trama::domain::access::Role::Admin)
        .await;
    let (status, _) = app
        .post("/api/users", Some(&admin), &json!({"username": "marta", "role": "facilitator", "password": "una clave bien larga"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, login) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "marta", "password": "una clave bien larga"}),
        )
        .await;
    let marta = login["token"].as_str().expect("token").to_owned();
    let patch = |username: &str, token: &str, body: serde_json::Value| {
        app.request(
            Method::PATCH,
            &format!("/api/users/{username}"),
            Some(token),
        )
        .json(&body)
        .send()
    };

    let (status, changed) = read(
        patch("marta", &admin, json!({"role": "analyst"}))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(app.get("/api/me", Some(&marta)).await.1["role"], "analyst");
    assert_eq!(
        read(
            patch("marta", &marta, json!({"role": "admin"}))
                .await
                .expect("send")
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    let (status, changed) = read(
        patch("marta", &admin, json!({"disabled": true}))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changed["disabled"], true);
    assert_eq!(
        app.get("/api/me", Some(&marta)).await.0,
        StatusCode::UNAUTHORIZED,
        "her tokens stop working"
    );
    let (status, _) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "marta", "password": "una clave bien larga"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "and she cannot log in");

    read(
        patch("marta", &admin, json!({"disabled": false}))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(app.get("/api/me", Some(&marta)).await.0, StatusCode::OK);
    assert_eq!(
        read(
            patch("root", &admin, json!({"disabled": true}))
                .await
                .expect("send")
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        read(
            patch("nadie", &admin, json!({"disabled": true}))
                .await
                .expect("send")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
}

/// A forgotten password: an admin sets a new one; the old one and every session end.
async fn an_admin_resets_a_forgotten_password(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app
        .token_for("root", trama::domain::access::Role::Admin)
        .await;
    let (status, _) = app
        .post("/api/users", Some(&admin), &json!({"username": "marta", "role": "facilitator", "password": "una clave bien larga"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, login) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "marta", "password": "una clave bien larga"}),
        )
        .await;
    let old_session = login["token"].as_str().expect("token").to_owned();

    let reset = |password: &'static str| {
        app.request(reqwest::Method::PATCH, "/api/users/marta", Some(&admin))
            .json(&json!({ "password": password }))
            .send()
    };
    let weak = reset("corta").await.expect("send");
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = reset("otra clave bien larga").await.expect("send");
    assert_eq!(done.status(), StatusCode::OK);
    let (status, _) = app.get("/api/me", Some(&old_session)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old session ended");
    let (status, _) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "marta", "password": "una clave bien larga"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
    let (status, login) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "marta", "password": "otra clave bien larga"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let (status, me) = app.get("/api/me", login["token"].as_str()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "facilitator", "the role is unchanged");
}

/// An admin changing their own password gives the current one: a session left open on a
/// laptop does not take the account with it.
async fn an_admin_changes_their_own_password_only_with_the_current_one(backend: Backend) {
    let app = TestApp::start(backend).await;
    let root = app
        .token_for("root", trama::domain::access::Role::Admin)
        .await;
    let (status, _) = app
        .post(
            "/api/users",
            Some(&root),
            &json!({"username": "ana", "role": "admin", "password": "una clave bien larga"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, login) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "ana", "password": "una clave bien larga"}),
        )
        .await;
    let ana = login["token"].as_str().expect("token").to_owned();
    let change = |body: serde_json::Value| {
        app.request(Method::PATCH, "/api/users/ana", Some(&ana))
            .json(&body)
            .send()
    };
    let (status, refused) = read(
        change(json!({"password": "otra clave bien larga"}))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("current_password"),
        "{refused}"
    );
    let (status, _) = read(
        change(json!({"password": "otra clave bien larga", "current_password": "no es esta"}))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/api/me", Some(&ana)).await;
    assert_eq!(status, StatusCode::OK, "a refused change signs nobody out");
    let (status, changed) = read(
        change(json!({"password": "otra clave bien larga", "current_password": "una clave bien larga"}))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let (status, _) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "ana", "password": "otra clave bien larga"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "the new password works");
    // Another admin resetting it needs no current password (a forgotten one).
    let (status, _) = read(
        app.request(Method::PATCH, "/api/users/ana", Some(&root))
            .json(&json!({"password": "una tercera clave larga"}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

crate::both_backends!(
    an_admin_resets_a_forgotten_password,
    without_a_token_only_health_and_the_project_list_answer,
    each_role_can_do_its_part_and_no_more,
    an_expired_token_is_refused,
    a_user_logs_in_for_a_token_and_wrong_passwords_are_limited,
    a_refused_login_takes_as_long_whether_the_name_exists_or_not,
    a_refusal_does_not_name_another_workshop,
    a_burst_of_guesses_gets_no_more_tries_than_the_limit,
    who_sees_sensitive_drawings_exactly_is_the_project_s_policy,
    an_admin_changes_roles_and_disables_accounts,
    an_admin_changes_their_own_password_only_with_the_current_one,
);
