//! The inspector's page (`/m`): search, a form generated from the matter's facts, the result
//! card with the receipt; offline with a service worker, the unit's standards on the device
//! (`/m/pack`) and the search's inputs for the same ranking on the phone (`/m/search.js` over
//! `/m/search-index`). Without JavaScript the search still works (a GET form) and links to the
//! published matter; calculating needs the script (the token travels in a header).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::{STYLE, html_response};
use crate::api::error::ApiError;
use crate::api::{AppState, authorize};
use crate::auth::Role;

const APP_JS: &str = include_str!("mobile.js");
/// The matter search, the same ranking as the server's, run on the phone offline over
/// `/m/search-index`.
const SEARCH_JS: &str = include_str!("search.js");

/// The page's own additions to the site style: big touch targets, the result card.
const MOBILE_STYLE: &str = r#"
body{background:#f6f8fa}main{max-width:40rem}
p.note{background:#fff;border-left:3px solid var(--warn);padding:.4rem .6rem;font-size:.92rem}
label{display:block;margin:.5rem 0}label span{display:block;font-size:.9rem;color:var(--muted)}
label.check{display:flex;gap:.5rem;align-items:flex-start;margin:.35rem 0}
label.check input{width:1.3rem;height:1.3rem;margin-top:.15rem;flex:none}
input,select{width:100%;font-size:1rem;min-height:2.6rem;background:#fff}
input[type=checkbox],input[type=radio]{width:auto;min-height:0}
fieldset{border:1px solid var(--line);border-radius:8px;margin:.8rem 0;padding:.4rem .8rem;background:#fff}
legend{font-weight:600;padding:0 .3rem}
button{min-height:2.6rem;font-size:1rem}
#search-form{display:flex;gap:.4rem}#search-form input{flex:1}
#hits{list-style:none;padding:0;margin:.5rem 0}
#hits li{margin:.3rem 0}
button.hit{width:100%;text-align:left;background:#fff;color:var(--ink);border-color:var(--line);display:flex;flex-direction:column}
button.hit span{font-size:.85rem}
#calc{width:100%;margin:.6rem 0 1.2rem}
#result{background:#fff;border:2px solid var(--accent);border-radius:10px;padding:.8rem;margin:1rem 0}
.receipt{display:flex;align-items:center;gap:.6rem;flex-wrap:wrap;border-bottom:1px solid var(--line);padding-bottom:.6rem}
.receipt b{font:700 2rem/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.05em;user-select:all}
.receipt.provisional b{color:var(--warn)}
.amount{font-size:1.6rem;font-weight:700;margin:.3rem 0}
#who{font-size:.85rem;color:var(--muted)}
details#circ{background:#fff;border:1px solid var(--line);border-radius:8px;margin:.8rem 0;padding:.4rem .8rem}
details#circ summary{font-weight:600;cursor:pointer;min-height:2.2rem;display:flex;align-items:center}
#mine{margin:1rem 0}#mine ul{list-style:none;padding:0}
#mine-detail{background:#fff;border:1px solid var(--line);border-radius:10px;padding:.8rem;margin:.6rem 0}
"#;

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// The page. With `?q=` (no JavaScript) the hits are listed by the server.
async fn page(state: web::Data<AppState>, q: web::Query<SearchQuery>) -> HttpResponse {
    let q = q.into_inner().q.unwrap_or_default();
    let hits: Vec<(String, String)> = if q.trim().is_empty() {
        Vec::new()
    } else {
        let current = state.current();
        current
            .search
            .find(&q)
            .into_iter()
            .take(10)
            .map(|i| {
                let m = &current.set.matters[i];
                (m.id.clone(), m.name.clone())
            })
            .collect()
    };
    html_response(StatusCode::OK, render(&q, &hits))
}

fn render(q: &str, hits: &[(String, String)]) -> Markup {
    html! {
        (maud::DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="theme-color" content="#0b5cad";
                link rel="manifest" href="/m/manifest.webmanifest";
                title { "执法人员查询 — 行政处罚裁量基准" }
                style { (PreEscaped(STYLE)) (PreEscaped(MOBILE_STYLE)) }
            }
            body {
                header.site { nav { a href="/m" { "裁量基准查询" } } }
                main {
                    noscript {
                        p.warn { "本页的计算与离线功能需要启用 JavaScript；不启用时可以查找事项并查看公布的裁量基准。" }
                    }
                    section #login hidden {
                        h1 { "登录" }
                        p { "请输入本人的执法查询令牌（由法制机构发放）。令牌只保存在本机。" }
                        form #login-form {
                            label { span { "令牌" } input #token name="token" autocomplete="off" placeholder="pst_…" required; }
                            button type="submit" { "登录" }
                            p #login-error .bad role="alert" {}
                        }
                    }
                    section #app {
                        p #who {}
                        p #net .warn role="status" hidden { "当前离线：查找限于本机保存的事项，计算结果为临时结果，联网后自动提交记录。" }
                        form #search-form method="get" action="/m" role="search" {
                            input #q name="q" type="search" value=(q) placeholder="说说看：路边摆摊、没批就建、zdjy、大气法 99条" aria-label="查找事项" autocomplete="off";
                            button type="submit" { "查找" }
                        }
                        p #search-note .muted {}
                        ul #hits {
                            @for (id, name) in hits {
                                li { a href={ "/standards/matters/" (id) } { b { (name) } " " span.muted { (id) } } }
                            }
                            @if !q.trim().is_empty() && hits.is_empty() {
                                li.muted { "没有找到，换个说法试试" }
                            }
                        }
                        form #form hidden {}
                        section #result hidden aria-live="polite" {}
                        section #queue {}
                        section #mine {
                            button #mine-open type="button" { "我的记录" }
                            div #mine-list {}
                            section #mine-detail hidden {}
                        }
                        p.muted { button #logout type="button" { "退出登录" } }
                    }
                }
                script src="/m/search.js" defer {}
                script src="/m/app.js" defer {}
            }
        }
    }
}

fn script(js: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(js)
}

async fn app_js() -> HttpResponse {
    script(APP_JS)
}

async fn search_js() -> HttpResponse {
    script(SEARCH_JS)
}

/// The search's inputs for `search.js` (all matters of the version in force, public like the
/// published standards): built once per version, revalidated by its entity tag, so that a phone
/// downloads it again only when the standards change.
async fn search_index(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    crate::api::caller(&req, &state).await?;
    let current = state.current();
    // The first request of a version builds the document (a few hundred milliseconds): off the
    // async workers.
    let gzip = accepts_gzip(&req);
    let index = web::block(move || {
        let built = current.search.offline_index(&current.set);
        let body = if gzip { &built.gzip } else { &built.json };
        (body.clone(), built.etag.clone())
    })
    .await
    .map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "服务繁忙，请稍后重试",
            "the server is busy; retry later",
            None,
        )
    })?;
    let (body, etag) = index;
    let fresh = req
        .headers()
        .get(actix_web::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
    let mut answer = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    answer
        .insert_header(("ETag", etag))
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("Vary", "Accept-Encoding"));
    if fresh {
        return Ok(answer.finish());
    }
    if gzip {
        // Already compressed: the server's compression leaves an encoded body as it is.
        answer.insert_header(("Content-Encoding", "gzip"));
    }
    Ok(answer.content_type("application/json").body(body.to_vec()))
}

/// Whether the request accepts a gzipped body (`Accept-Encoding: gzip`, not at `q=0`).
fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(actix_web::http::header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                let q = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q="));
                q.and_then(|q| q.trim().parse::<f32>().ok()) == Some(0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// The service worker: keeps the page's shell, fetched network-first, for use offline. Its
/// cache is named after the build and the standards version, so a new release replaces it.
async fn service_worker(state: web::Data<AppState>) -> HttpResponse {
    let cache = format!(
        "pst-m-{}-{}",
        env!("CARGO_PKG_VERSION"),
        state.current().set.version
    );
    let js = format!(
        r#"'use strict';
const CACHE = {cache:?};
const SHELL = ['/m', '/m/app.js', '/m/search.js', '/m/manifest.webmanifest'];
// Kept once the page has fetched it (after sign-in, not at install: the first load stays light).
const INDEX = '/m/search-index';
self.addEventListener('install', e => e.waitUntil(caches.open(CACHE).then(c => c.addAll(SHELL)).then(() => self.skipWaiting())));
// A new build or standards version: if the device kept the search index, the new cache gets
// the current one (or, without network, the old copy) before the old caches go, so that the
// phone can still search offline before the page has fetched it again.
self.addEventListener('activate', e => e.waitUntil(caches.keys().then(async ks => {{
  const old = ks.filter(k => k !== CACHE);
  let kept = null;
  for (const k of old) kept = kept || await (await caches.open(k)).match(INDEX);
  if (kept) {{
    const c = await caches.open(CACHE);
    await c.add(INDEX).catch(() => c.put(INDEX, kept));
  }}
  await Promise.all(old.map(k => caches.delete(k)));
  await self.clients.claim();
}})));
self.addEventListener('fetch', e => {{
  const u = new URL(e.request.url);
  if (e.request.method !== 'GET' || u.origin !== location.origin) return;
  if (!SHELL.includes(u.pathname) && u.pathname !== INDEX) return;
  e.respondWith(fetch(e.request).then(r => {{
    if (r.ok && !u.search) {{
      const copy = r.clone();
      // The index (a megabyte) is written again only when its entity tag changed.
      caches.open(CACHE).then(c => c.match(e.request).then(old => {{
        const tag = r.headers.get('ETag');
        if (!old || !tag || old.headers.get('ETag') !== tag) return c.put(e.request, copy);
      }}));
    }}
    return r;
  }}).catch(() => caches.match(e.request, {{ ignoreSearch: true }})));
}});
"#
    );
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("Service-Worker-Allowed", "/m"))
        .body(js)
}

async fn manifest() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/manifest+json")
        .body(
            serde_json::json!({
                "name": "行政处罚裁量基准查询",
                "short_name": "裁量基准",
                "start_url": "/m",
                "scope": "/m",
                "display": "standalone",
                "lang": "zh-CN",
                "background_color": "#f6f8fa",
                "theme_color": "#0b5cad"
            })
            .to_string(),
        )
}

/// The caller's unit's standards, to keep on the device: the matters as published, the
/// circumstances, the version. Needs a token that may calculate.
async fn pack(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &[Role::Inspector, Role::Reviewer]).await?;
    let current = state.current();
    let set = &current.set;
    let unit_name = set
        .unit(&who.unit)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| who.unit.clone());
    let matters: Vec<_> = set.matters.iter().filter(|m| m.unit == who.unit).collect();
    let body = serde_json::json!({
        "caller": who.name,
        "unit": who.unit,
        "unit_name": unit_name,
        "version": set.version,
        "circumstances": crate::circumstances::catalogue(),
        // Every unit's name: a search hit shows its matter's unit.
        "units": set.units.iter().map(|u| (u.code.as_str(), u.name.as_str())).collect::<std::collections::BTreeMap<_, _>>(),
        "matters": matters,
    });
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(body))
}

/// A resource answering GET only (any other method: 405 with `Allow`).
fn get<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    crate::api::resource(path, crate::api::Methods::Get).route(web::get().to(handler))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(get("/m", page))
        .service(get("/m/", page))
        .service(get("/m/app.js", app_js))
        .service(get("/m/search.js", search_js))
        .service(get("/m/search-index", search_index))
        .service(get("/m/sw.js", service_worker))
        .service(get("/m/manifest.webmanifest", manifest))
        .service(get("/m/pack", pack));
}
