//! Builds and runs the HTTP server.

use std::path::Path;
use std::process::ExitCode;

use actix_web::dev::Service;
use actix_web::{App, HttpServer, web};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::{self, AppState, error::ApiError};
use crate::auth::{Role, new_token};
use crate::decide;
use crate::request::CalcError;
use crate::sources;
use crate::standards::StandardsSet;
use crate::supervision::StorageConfig;
use crate::supervision::store::Store;

/// The JSON body of an engine error, as the API sends it.
pub fn error_body(e: &CalcError) -> serde_json::Value {
    serde_json::to_value(ApiError::from(e).body).expect("errors serialize")
}

pub fn openapi_json() -> String {
    api::openapi::document()
}

/// Everything the app needs, shared by every worker.
pub fn configure(state: web::Data<AppState>) -> impl Fn(&mut web::ServiceConfig) + Clone {
    move |cfg: &mut web::ServiceConfig| {
        let query_errors =
            web::QueryConfig::default().error_handler(|e, _| ApiError::unreadable_query(e).into());
        let path_errors =
            web::PathConfig::default().error_handler(|e, _| ApiError::unreadable_query(e).into());
        cfg.app_data(state.clone())
            .app_data(query_errors)
            .app_data(path_errors)
            .configure(api::routes)
            .configure(crate::web::routes)
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    .url("/openapi.json", api::openapi::ApiDoc::openapi()),
            )
            .route(
                "/docs",
                web::get().to(|| async {
                    actix_web::HttpResponse::Found()
                        .insert_header(("Location", "/docs/"))
                        .finish()
                }),
            )
            .default_service(web::to(api::not_found));
    }
}

/// Scripts and styles of the pages are their own (inline or same-origin); nothing else.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Starts a server on an already-bound listener (tests bind port 0); returns when it stops.
pub async fn run(listener: std::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let config = configure(web::Data::new(state));
    HttpServer::new(move || {
        App::new()
            // gzip for clients that ask (the inspector's page and its standards on a slow network).
            .wrap(actix_web::middleware::Compress::default())
            // Every answer: the pages load nothing from elsewhere, so a strict policy fits;
            // no sniffing, no framing (issue 15).
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY)),
            )
            .wrap_fn(|mut req, srv| {
                api::body::with_body_deadline(&mut req);
                let method = req.method().clone();
                let path = req.path().to_string();
                let started = std::time::Instant::now();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    tracing::debug!(%method, %path, status = res.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
                    Ok(res)
                }
            })
            .configure(config.clone())
    })
    .listen(listener)?
    .run()
    .await
}

/// SIGHUP reloads the standards versions at once (instead of ending the process, its default);
/// they are followed every second anyway.
fn reload_on_hangup(decider: std::sync::Arc<decide::Decider>, storage: StorageConfig) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        tracing::warn!("SIGHUP cannot be caught here: it will end the process");
        return;
    };
    actix_web::rt::spawn(async move {
        while hangups.recv().await.is_some() {
            let (d, s) = (decider.clone(), storage.clone());
            let reloaded = web::block(move || {
                let mut store = s.open().map_err(|e| e.to_string())?;
                decide::reload_versions(&d, store.as_mut())
            })
            .await;
            match reloaded {
                Ok(Ok(())) => tracing::info!("SIGHUP: standards versions reloaded"),
                Ok(Err(e)) => tracing::warn!("SIGHUP: {e}"),
                Err(e) => tracing::warn!("SIGHUP: {e}"),
            }
        }
    });
}

/// With no token at all, makes one demo token per role so that a fresh start is usable at once.
/// Returns the tokens made (printed by `serve`).
pub fn ensure_demo_tokens(
    store: &mut dyn Store,
    unit: &str,
) -> Result<Vec<(Role, String)>, crate::supervision::store::StoreError> {
    if !store.tokens()?.is_empty() {
        return Ok(vec![]);
    }
    let mut made = Vec::new();
    // Never an admin: who may manage tokens is made deliberately, with `token create`.
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Admin) {
        let name = match role {
            Role::Inspector => "演示执法人员",
            Role::Reviewer => "演示法制审核人员",
            Role::Supervisor => "演示监督人员",
            Role::Admin => "管理员",
            Role::Publisher => "演示裁量基准发布人员",
        };
        let (token, record) = new_token(name, unit, role);
        store.insert_token(&record)?;
        made.push((role, token));
    }
    Ok(made)
}

/// Opens the log and, if it has no tokens, creates demo tokens and prints them — only for a
/// service on a loopback address (a demo on one's own machine), never on a public one.
fn demo_tokens(
    storage: &StorageConfig,
    set: &StandardsSet,
    bound: Option<std::net::SocketAddr>,
) -> Result<(), ExitCode> {
    if !bound.is_some_and(|a| a.ip().is_loopback()) {
        return Ok(());
    }
    let demo = storage.open_migrated().and_then(|mut s| {
        // A street-level unit (综合行政执法) where the set has one: what a visitor tries first
        // (占道经营, 违章搭建) makes sense there.
        let unit = set
            .unit("ZHZF")
            .or(set.units.first())
            .map_or("ZHZF", |u| u.code.as_str());
        ensure_demo_tokens(s.as_mut(), unit)
    });
    match demo {
        Ok(tokens) if !tokens.is_empty() => {
            eprintln!(
                "No tokens existed: demo tokens were created (revoke them with `penalty-standards token revoke ID`):"
            );
            for (role, token) in tokens {
                eprintln!("  {:<10} {token}", role.as_str());
            }
        }
        Ok(_) => {}
        Err(e) => {
            eprintln!(
                "error: the supervision log cannot be opened ({}): {e}",
                storage.describe()
            );
            return Err(ExitCode::FAILURE);
        }
    }
    Ok(())
}

/// Signs the log's head at least once a minute (appended when it moved), on a connection of its
/// own; a failure is logged and tried again at the next minute.
fn checkpoint_every_minute(
    checkpoints: std::sync::Arc<crate::supervision::checkpoint::Checkpoints>,
    storage: StorageConfig,
) {
    std::thread::Builder::new()
        .name("checkpoints".into())
        .spawn(move || {
            let mut store = None;
            loop {
                if store.is_none() {
                    store = storage.open().ok();
                }
                if let Some(s) = store.as_mut() {
                    let now = crate::supervision::store::now_strings().0;
                    if let Err(e) = checkpoints.issue(s.as_mut(), &now) {
                        tracing::warn!("checkpoint: {e}");
                        store = None;
                    }
                }
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
        })
        .map(drop)
        .unwrap_or_else(|e| tracing::error!("cannot start the checkpoint thread: {e}"));
}

/// `penalty-standards serve`.
pub fn serve(
    bind: &str,
    standards: Option<&Path>,
    storage: &StorageConfig,
    settings: &api::Settings,
) -> ExitCode {
    // Colours only on a terminal: a log file or journal gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::io::IsTerminal::is_terminal(&std::io::stdout());
    tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(ansi)
        .init();
    // The port first: if it is taken, say so before creating or printing anything.
    let listener = match std::net::TcpListener::bind(bind) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {bind}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let versions = match storage
        .open_migrated()
        .map_err(|e| e.to_string())
        .and_then(|mut store| sources::open_versions(store.as_mut(), standards))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let state = match AppState::new(versions, storage, settings) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: the supervision log cannot be opened ({}): {e}",
                storage.describe()
            );
            return ExitCode::FAILURE;
        }
    };
    let current = state.current();
    let set = &current.set;
    if let Err(code) = demo_tokens(storage, set, listener.local_addr().ok()) {
        return code;
    }
    let published = current.set.clone();
    if let Err(e) = std::thread::Builder::new()
        .name("exports".into())
        .spawn(move || crate::web::export::warm(published))
    {
        tracing::warn!("the exports will be built on first use: {e}");
    }
    checkpoint_every_minute(state.checkpoints.clone(), storage.clone());
    if let Err(e) = decide::follow_versions(state.decider.clone(), storage.clone()) {
        eprintln!("error: cannot start following the standards versions: {e}");
        return ExitCode::FAILURE;
    }
    // The address actually bound (with `--bind 127.0.0.1:0`, the port the system chose).
    let bound = listener
        .local_addr()
        .map_or_else(|_| bind.to_string(), |a| a.to_string());
    tracing::info!(
        "{} {} in force ({} version(s) in the database): {} matters; log: {}; listening on http://{bound} (API docs at /docs/)",
        set.name,
        set.version,
        state.decider.versions().all().len(),
        set.matters.len(),
        storage.describe()
    );
    let decider = state.decider.clone();
    let reload_from = storage.clone();
    let served = actix_web::rt::System::new().block_on(async move {
        reload_on_hangup(decider, reload_from);
        run(listener, state).await
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
