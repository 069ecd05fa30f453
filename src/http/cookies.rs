//! The few cookies pages use. All are HttpOnly and SameSite=Strict: scripts never see the
//! session, and other sites' pages cannot send it.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// The bearer token of a browser session (a participant's, from joining a workshop).
pub const SESSION: &str = "trama_session";
/// A random value pages echo in forms and in the `X-CSRF-Token` header (double submit).
pub const CSRF: &str = "trama_csrf";
/// The language the user chose.
pub const LANGUAGE: &str = "trama_lang";

/// The value of cookie `name` in the request, if any: its `__Secure-` form first (set over
/// the room's HTTPS, `SECURE_PREFIX`), else its plain one.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let secure = format!("{SECURE_PREFIX}{name}");
    let pairs = || {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
    };
    pairs()
        .find_map(|(key, value)| (key == secure).then_some(value))
        .or_else(|| pairs().find_map(|(key, value)| (key == name).then_some(value)))
}

/// The prefix of the cookies set over the room's own HTTPS (`trama serve --tls`, RFC 6265bis
/// §4.1.3.1): a browser keeps them apart from the plain ones, so that a tablet that once
/// signed in over HTTPS can still get cookies over plain HTTP (a Secure cookie would block a
/// plain one of the same name).
pub const SECURE_PREFIX: &str = "__Secure-";

/// A `Set-Cookie` value; `max_age` in seconds, 0 to delete.
pub fn set(name: &str, value: &str, max_age: i64) -> String {
    format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict")
}

/// Compares without an early exit, so the time taken says nothing about the secret.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_cookie_set_over_https_is_read_first() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("trama_csrf=plain; __Secure-trama_csrf=secure"),
        );
        assert_eq!(get(&headers, CSRF), Some("secure"));
        headers.insert(COOKIE, HeaderValue::from_static("trama_csrf=plain"));
        assert_eq!(get(&headers, CSRF), Some("plain"));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; trama_csrf=xyz; b=2"));
        assert_eq!(get(&headers, CSRF), Some("xyz"));
        assert_eq!(get(&headers, SESSION), None);
        assert!(set(SESSION, "t", 60).contains("HttpOnly; SameSite=Strict"));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
