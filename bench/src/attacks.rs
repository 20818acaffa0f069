//! The hostile requests of `ucap-bench hostile`: documents that cost a naive server dearly (deep
//! nesting, huge pages, alias bombs, introspection fan-out), bodies it must refuse unread
//! (oversized, garbage, deeply nested JSON) and tokens it must refuse.

use std::time::Duration;

use serde_json::json;

/// One hostile request, built once and sent again and again.
pub struct Attack {
    body: Vec<u8>,
    content_type: &'static str,
    authorization: Option<String>,
}

impl Attack {
    fn json(body: String) -> Self {
        Self {
            body: body.into_bytes(),
            content_type: "application/json",
            authorization: None,
        }
    }

    fn query(document: &str) -> Self {
        Self::json(serde_json::json!({ "query": document }).to_string())
    }

    pub fn request(&self, client: &reqwest::Client, url: &str) -> reqwest::RequestBuilder {
        let request = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, self.content_type)
            .body(self.body.clone());
        match &self.authorization {
            Some(a) => request.header(reqwest::header::AUTHORIZATION, a),
            None => request,
        }
    }
}

/// A client of its own, so attackers do not share the honest clients' connections.
pub fn client(connections: usize) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
}

/// Fragments G1 … G`levels` on `Plan`, each spreading the one below twice: 2^levels fields from a
/// few hundred bytes.
pub fn fragments(levels: usize) -> String {
    let mut text = String::from(" fragment G0 on Plan { id title }");
    for i in 1..=levels {
        text.push_str(&format!(
            " fragment G{i} on Plan {{ ...G{} ...G{} }}",
            i - 1,
            i - 1
        ));
    }
    text
}

/// A document whose selected operation is `Small` and whose other operation spreads
/// [`fragments`]`(levels)`.
pub fn fragment_bomb(levels: usize) -> String {
    format!(
        "query Small {{ __typename }} query Big {{ plans {{ nodes {{ ...G{levels} }} }} }}{}",
        fragments(levels)
    )
}

/// Every attack, in the order attackers cycle through them.
pub fn all() -> Vec<Attack> {
    let deep = format!("{{{}{}}}", "a{".repeat(7_000), "}".repeat(7_000));
    let aliases: String = (0..1_000)
        .map(|i| format!("a{i}: plans(first: 100) {{ nodes {{ activities(first: 100) {{ nodes {{ id }} }} }} }} "))
        .collect();
    let nested_list = "cities(first: 100) { nodes { activities(first: 100) { nodes { plans { activities(first: 100) { nodes { cities { activities(first: 100) { nodes { id } } } } } } } } } }";
    let introspection = "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }";
    let deep_json = format!(
        r#"{{"query":"query($v: [Int]) {{ __typename }}","variables":{{"v":{}1{}}}}}"#,
        "[".repeat(40_000),
        "]".repeat(40_000)
    );
    let oversized = format!(
        r#"{{"query":"{{ __typename }}","extensions":{{"pad":"{}"}}}}"#,
        "x".repeat(200 * 1024)
    );
    let mut with_bad_token = Attack::query("{ plans { totalCount } }");
    with_bad_token.authorization = Some(format!(
        "Bearer {}.{}.{}",
        "e".repeat(40),
        "x".repeat(200),
        "s".repeat(86)
    ));
    let mut plain_text = Attack::query("{ plans { totalCount } }");
    plain_text.content_type = "text/plain";
    vec![
        Attack::query(&deep),
        Attack::query("{ activities(first: 1000000) { nodes { id title } } }"),
        Attack::query(&format!("{{ {aliases} }}")),
        Attack::query(&format!("{{ {nested_list} }}")),
        Attack::query(introspection),
        Attack::json(deep_json),
        Attack::json(oversized),
        Attack::json("{\"query\": \"{ plans { totalCount } \", \u{0} garbage ]]]".to_owned()),
        with_bad_token,
        plain_text,
        Attack::json(json!({ "query": fragment_bomb(40), "operationName": "Small" }).to_string()),
        Attack::json(
            serde_json::Value::Array(vec![
                serde_json::json!({ "query": "{ plans { totalCount } }" });
                50
            ])
            .to_string(),
        ),
    ]
}
