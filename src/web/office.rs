//! The legal office's page (`/publish`): upload a standards version with its effective date and
//! note, see every version and withdraw one. The page holds no authority of its own: it calls
//! the publishing API with the publisher's token (issue 13), so the same checks apply.

use actix_web::{HttpResponse, web};
use maud::{PreEscaped, html};

const SCRIPT: &str = include_str!("office.js");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        crate::api::resource("/publish", crate::api::Methods::Get)
            .route(web::get().to(publish_page)),
    );
}

async fn publish_page() -> HttpResponse {
    let body = html! {
        h1 { "发布裁量基准版本" }
        p.muted {
            "选择裁量基准文件夹（含 set.toml、units/ 和 search_terms.toml），填写施行日期和修订说明。"
            "上传的文件经过与启动时相同的全部校验；有任何问题则不发布，并逐条列出。"
            "施行日期不得早于今天；新版本自施行日期起适用于此后的违法行为，对施行前的行为从旧兼从轻（《中华人民共和国行政处罚法》第三十七条）。"
        }
        form #publish {
            p { label { "发布人令牌 " input type="password" name="token" required autocomplete="off"; } }
            p { label { "裁量基准文件夹 " input type="file" name="files" multiple webkitdirectory required; } }
            p { label { "施行日期 " input type="date" name="effective_date" required; } }
            p { label { "修订说明 " input type="text" name="note" required maxlength="500" size="40"; } }
            p { button type="submit" { "校验并发布" } }
        }
        div #outcome role="status" {}
        h2 { "历次版本" }
        table #versions {
            thead { tr { th { "版本" } th { "施行日期" } th { "状态" } th { "修订说明" } th {} } }
            tbody {}
        }
        script { (PreEscaped(SCRIPT)) }
    };
    super::html_response(
        actix_web::http::StatusCode::OK,
        super::page("发布裁量基准版本", body),
    )
}
