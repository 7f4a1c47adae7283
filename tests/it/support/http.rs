//! The tests' HTTP client: ureq, with 4xx and 5xx answers returned as responses (tests assert on
//! them) and redirects left unfollowed (tests see them as sent). No test needs to send malformed
//! HTTP, so there is no raw-socket client; add one here only for a test that must.

use std::net::SocketAddr;

/// An answer, read whole.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The error code of an error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// A client for one server; clones share its connection pool.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .new_agent();
        Client {
            agent,
            base: format!("http://{addr}"),
        }
    }

    pub fn request(&self, method: &str, path: &str) -> Request<'_> {
        Request {
            client: self,
            method: method.to_string(),
            path: path.to_string(),
            headers: Vec::new(),
            body: None,
            content_type: "application/json",
        }
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path).send()
    }
}

/// A request being built: `app.request("POST", path).bearer(token).json(&body).send()`.
pub struct Request<'a> {
    client: &'a Client,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    content_type: &'static str,
}

impl Request<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn json(self, body: &serde_json::Value) -> Self {
        self.body(body.to_string().as_bytes())
    }

    /// Any bytes, labelled as JSON (as a client of the API sends them).
    pub fn body(mut self, bytes: &[u8]) -> Self {
        self.body = Some(bytes.to_vec());
        self
    }

    /// A form post (`application/x-www-form-urlencoded`) of `pairs`, as a browser sends it.
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        let text: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", super::encode(k), super::encode(v)))
            .collect();
        self.body = Some(text.join("&").into_bytes());
        self.content_type = "application/x-www-form-urlencoded";
        self
    }

    /// Sends it; a failure to connect or to read the answer fails the test.
    pub fn send(self) -> Response {
        let what = format!("{} {}", self.method, self.path);
        self.try_send()
            .unwrap_or_else(|e| panic!("{what}: no answer: {e}"))
    }

    /// Sends it; `Err` when the server cannot be reached or the answer is cut off.
    pub fn try_send(self) -> Result<Response, ureq::Error> {
        let mut req = ureq::http::Request::builder()
            .method(self.method.as_str())
            .uri(format!("{}{}", self.client.base, self.path));
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let answer = match self.body {
            Some(bytes) => {
                let req = req.header("Content-Type", self.content_type);
                self.client
                    .agent
                    .run(req.body(bytes).expect("a valid request"))
            }
            None => self
                .client
                .agent
                .run(req.body(()).expect("a valid request")),
        }?;
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).to_string(),
                )
            })
            .collect();
        let body = answer
            .into_body()
            .into_with_config()
            .limit(u64::MAX)
            .read_to_vec()?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}
