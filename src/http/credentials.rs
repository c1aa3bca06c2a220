//! The credentials a request presents: `Authorization: Bearer …`,
//! `X-API-Key`, or an `apikey=` query parameter (for clients such as QGIS
//! that can only add URL parameters). Headers come first.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::ows::Kvp;
use tuile_core::access::{Credentials, KEY_PARAM};

pub fn presented(req: &HttpRequest) -> Credentials {
    let headers = req.headers();
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some((scheme, token)) = v.trim().split_once(' ')
        && scheme.eq_ignore_ascii_case("bearer")
        && !token.trim().is_empty()
    {
        return Credentials::Header(token.trim().to_string());
    }
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok())
        && !v.trim().is_empty()
    {
        return Credentials::Header(v.trim().to_string());
    }
    if req.query_string().to_ascii_lowercase().contains(KEY_PARAM)
        && let Some(k) = Kvp::parse(req.query_string()).get_nonempty(KEY_PARAM)
    {
        return Credentials::Query(k.to_string());
    }
    Credentials::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn keys_are_found_in_headers_then_query() {
        let bearer = TestRequest::default()
            .insert_header(("Authorization", "Bearer s3cret"))
            .to_http_request();
        assert_eq!(presented(&bearer), Credentials::Header("s3cret".into()));
        let header = TestRequest::default()
            .insert_header(("X-API-Key", "s3cret"))
            .to_http_request();
        assert_eq!(presented(&header), Credentials::Header("s3cret".into()));
        let query = TestRequest::with_uri("/wms?SERVICE=WMS&ApiKey=s3cret").to_http_request();
        assert_eq!(presented(&query), Credentials::Query("s3cret".into()));
        let basic = TestRequest::default()
            .insert_header(("Authorization", "Basic abc"))
            .to_http_request();
        assert_eq!(presented(&basic), Credentials::None);
    }
}
