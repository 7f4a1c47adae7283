//! Builds and runs the HTTP server.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use actix_web::dev::Service;
use actix_web::{App, HttpServer, web};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::{self, AppState, error::ApiError};
use crate::engine::CalcError;
use crate::sources;
use crate::standards::StandardsSet;

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
            web::QueryConfig::default().error_handler(|e, _| ApiError::bad_query(e).into());
        let path_errors =
            web::PathConfig::default().error_handler(|e, _| ApiError::bad_query(e).into());
        cfg.app_data(state.clone())
            .app_data(query_errors)
            .app_data(path_errors)
            .configure(api::routes)
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

/// Starts a server on an already-bound listener (tests bind port 0); returns when it stops.
pub async fn run(listener: std::net::TcpListener, set: Arc<StandardsSet>) -> std::io::Result<()> {
    let state = web::Data::new(AppState::new(set));
    let config = configure(state);
    HttpServer::new(move || {
        App::new()
            .wrap_fn(|req, srv| {
                let method = req.method().clone();
                let path = req.path().to_string();
                let started = std::time::Instant::now();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    tracing::info!(%method, %path, status = res.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
                    Ok(res)
                }
            })
            .configure(config.clone())
    })
    .listen(listener)?
    .run()
    .await
}

/// `penalty-standards serve`.
pub fn serve(bind: &str, standards: Option<&Path>) -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let set = match sources::load_standards(standards) {
        Ok(s) => Arc::new(s),
        Err(p) => {
            eprintln!("{p}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match std::net::TcpListener::bind(bind) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {bind}: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        "{} {} loaded: {} matters; listening on http://{bind} (API docs at /docs)",
        set.name,
        set.version,
        set.matters.len()
    );
    match actix_web::rt::System::new().block_on(run(listener, set)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
