//! The web pages, served by the same binary, in Chinese, with no external asset:
//! the published standards (`publish`, `export`), the inspector's page (`mobile`) and the
//! supervision dashboard (`dashboard`). Server-rendered HTML (maud); JavaScript only where the
//! task needs it (the inspector's offline calculation).

pub mod alerts;
pub mod dashboard;
pub mod export;
pub mod mobile;
pub mod office;
pub mod publish;
pub mod session;
pub mod spotcheck;

use actix_web::{HttpResponse, web};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The one stylesheet: small, readable on a phone, a clean A4 table when printed.
pub const STYLE: &str = r#"
:root{--ink:#1b1f24;--muted:#5b6470;--line:#d7dce2;--accent:#0b5cad;--bg:#fff;--warn:#a15c00;--bad:#b3261e;--ok:#1e7a34}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:var(--ink);background:var(--bg)}
header.site{background:var(--accent);color:#fff;padding:.6rem 1rem}
header.site a{color:#fff;text-decoration:none;font-weight:600}
header.site nav a{margin-right:1rem;font-weight:400}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.4rem 0 .8rem}
h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
a{color:var(--accent)}
.muted{color:var(--muted)}
.nowrap{white-space:nowrap}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f4f7;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.figures{display:flex;flex-wrap:wrap;gap:.6rem;margin:.5rem 0 1rem}
.figures div{border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem}
.figures b{display:block;font-size:1.3rem}
.scroll{overflow-x:auto}
svg.chart{display:block;max-width:44rem;height:auto}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;background:#eef2f6;font-size:.85rem}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}
form.inline{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center}
form.logout{display:inline-flex}
input,select,button{font:inherit;padding:.45rem .6rem;border:1px solid var(--line);border-radius:6px}
button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
@media (max-width:40rem){main{padding:.6rem}th,td{padding:.3rem}}
.printonly{display:none}
@media print{
 .printonly{display:block!important}
 @page{size:A4;margin:15mm 12mm}
 header.site,nav,.noprint,form{display:none!important}
 body{font-size:10.5pt}main{max-width:none;padding:0}
 table{page-break-inside:auto}tr{page-break-inside:avoid}thead{display:table-header-group}
 th{background:#eee!important;-webkit-print-color-adjust:exact;print-color-adjust:exact}
 a{color:inherit;text-decoration:none}
}
"#;

/// A full page in the site's layout.
pub fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — 行政处罚裁量基准" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header.site {
                    nav {
                        a href="/standards" { "行政处罚裁量基准" }
                        a href="/m" { "执法人员查询" }
                        a href="/supervision" { "监督" }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A file name for `filename*=UTF-8''…`: bytes outside RFC 5987's attr-char percent-encoded.
pub fn percent(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A value for a URL's query: every byte but the unreserved ones percent-encoded.
pub fn query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An HTML answer.
pub fn html_response(status: actix_web::http::StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// A page that says what went wrong, in Chinese, with the right status.
/// `?version=` of the public pages and exports: the published version asked for, or the one in
/// force today; an unknown one is a 404 page.
#[derive(serde::Deserialize)]
pub struct VersionQuery {
    pub version: Option<String>,
}

pub(crate) fn version_of(
    state: &crate::api::AppState,
    asked: Option<&str>,
) -> Result<crate::standards::versions::Version, Box<HttpResponse>> {
    match asked.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(state.current()),
        Some(v) => state.decider.versions().get(v).cloned().ok_or_else(|| {
            Box::new(error_page(
                actix_web::http::StatusCode::NOT_FOUND,
                "没有这个版本",
                &format!("裁量基准没有 {v} 版"),
            ))
        }),
    }
}

pub fn error_page(status: actix_web::http::StatusCode, title: &str, detail: &str) -> HttpResponse {
    html_response(
        status,
        page(
            title,
            html! { h1 { (title) } p { (detail) } p { a href="/standards" { "返回裁量基准" } } },
        ),
    )
}

/// Registers the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(publish::routes)
        .configure(export::routes)
        .configure(mobile::routes)
        .configure(dashboard::routes)
        .configure(spotcheck::routes)
        .configure(alerts::routes)
        .configure(office::routes)
        .service(
            crate::api::resource("/", crate::api::Methods::Get).route(web::get().to(|| async {
                HttpResponse::Found()
                    .insert_header(("Location", "/standards"))
                    .finish()
            })),
        );
}
