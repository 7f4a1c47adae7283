//! The published standards (行政处罚法 第三十四条: discretion standards are made public):
//! the set with its figures and a search, one page per unit, one page per matter, laid out the
//! way a legal office publishes them.
//!
//! The wording of the statutory band, a tier's penalty and the measures lives here, once:
//! the exports (`super::export`) call the same `pub(crate)` text functions.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::api::AppState;
use crate::standards::versions::{Status, Versions};
use crate::standards::{
    FactDef, FactType, FineKind, FineRule, Matter, Party, StandardsSet, Tier, TierFine, Unit,
};
use crate::stats::Stats;

/// Search results shown on the index page.
pub(crate) const MAX_RESULTS: usize = 50;
/// Longest query looked at (longer input is cut).
const MAX_QUERY_CHARS: usize = 100;

// ---------------------------------------------------------------------------------------------
// Shared wording (pages and exports).
// ---------------------------------------------------------------------------------------------

/// The parties in the order a published table names them.
pub(crate) const PARTY_ORDER: [Party; 2] = [Party::Organisation, Party::Individual];

/// `单位` / `个人`, as published tables name the two kinds of party.
pub(crate) fn party_short(p: Party) -> &'static str {
    match p {
        Party::Organisation => "单位",
        Party::Individual => "个人",
        Party::SoleTrader => "个体工商户",
        Party::StateOrgan => "国家机关",
        Party::Farmer => "农户",
    }
}

/// A plain figure: `20000`, `0.5`, `17.5`.
pub(crate) fn figure(x: Decimal) -> String {
    x.normalize().to_string()
}

/// Yuan as published tables write them: `2万元`, `5000元`, `12345.60元`.
pub(crate) fn yuan(x: Decimal) -> String {
    crate::money::render_published(x)
}

/// A band of yuan: `2万元`, `8万元至10万元`, `300元以下`.
pub(crate) fn yuan_band(min: Decimal, max: Decimal) -> String {
    if min == max {
        yuan(min)
    } else if min.is_zero() {
        format!("{}以下", yuan(max))
    } else {
        format!("{}至{}", yuan(min), yuan(max))
    }
}

/// `2倍`, `1倍至3倍`, `5%至10%`, `40元至80元`: a rate in the unit of the statutory kind.
fn rate_band(kind: FineKind, min: Decimal, max: Decimal) -> String {
    let one = |x: Decimal| match kind {
        FineKind::Multiple => format!("{}倍", figure(x)),
        FineKind::Percent => format!("{}%", figure(x)),
        FineKind::Range | FineKind::PerUnit | FineKind::Tranches => yuan(x),
    };
    if min == max {
        one(min)
    } else if min.is_zero() {
        format!("{}以下", one(max))
    } else {
        format!("{}至{}", one(min), one(max))
    }
}

/// The label of the fact a rated fine is computed on (`违法所得`), or a neutral word.
fn base_label<'a>(m: &'a Matter, rule: &'a FineRule) -> &'a str {
    rule.base
        .as_deref()
        .map(|key| m.fact(key).map_or(key, |f| f.label.as_str()))
        .unwrap_or("计罚基数")
}

/// The unit of that fact (`平方米`), for per-unit fines.
fn base_unit<'a>(m: &'a Matter, rule: &'a FineRule) -> &'a str {
    rule.base
        .as_deref()
        .and_then(|key| m.fact(key))
        .and_then(|f| f.unit.as_deref())
        .unwrap_or("单位")
}

/// A quantity of the base fact: `10000元`, `50平方米`.
fn base_quantity(m: &Matter, rule: &FineRule, x: Decimal) -> String {
    let unit = rule
        .base
        .as_deref()
        .and_then(|key| m.fact(key))
        .and_then(|f| f.unit.as_deref())
        .unwrap_or("");
    if unit == "元" {
        yuan(x)
    } else {
        format!("{}{unit}", figure(x))
    }
}

/// How the statute computes the fine, in plain Chinese.
pub(crate) fn fine_kind_text(m: &Matter, rule: &FineRule) -> String {
    match rule.kind {
        FineKind::Range => "在法定金额幅度内确定".to_string(),
        FineKind::Multiple => format!("按{}的倍数计算", base_label(m, rule)),
        FineKind::Percent => format!("按{}的百分比计算", base_label(m, rule)),
        FineKind::PerUnit => format!(
            "按{}每{}的金额计算",
            base_label(m, rule),
            base_unit(m, rule)
        ),
        FineKind::Tranches => format!(
            "按{}超过{}的部分分段计算",
            base_label(m, rule),
            reference_label(m, rule)
        ),
    }
}

/// `由车货总质量超过车货总质量最高限值的百分比计算，无需填写`.
fn derived_text(m: &Matter, d: &crate::standards::Derived) -> String {
    let label = |k: &str| m.fact(k).map_or(k.to_string(), |f| f.label.clone());
    format!(
        "由{}超过{}的百分比计算，无需填写",
        label(&d.percent_over),
        label(&d.of)
    )
}

/// The label of the limit a `tranches` fine measures the excess against.
fn reference_label<'a>(m: &'a Matter, rule: &'a FineRule) -> &'a str {
    rule.reference
        .as_deref()
        .map(|key| m.fact(key).map_or(key, |f| f.label.as_str()))
        .unwrap_or("限值")
}

/// `超过百分之二十至百分之五十的部分每吨300元；超过百分之五十的部分每吨500元；最高不超过30000元`.
fn tranches_text(m: &Matter, rule: &FineRule) -> String {
    let unit = base_unit(m, rule);
    let mut parts: Vec<String> = rule
        .tranches
        .iter()
        .map(|t| match t.up_to {
            Some(u) => format!(
                "超过{}{}%至{}%的部分每{unit}{}",
                reference_label(m, rule),
                figure(t.over),
                figure(u),
                yuan(t.rate)
            ),
            None => format!(
                "超过{}{}%的部分每{unit}{}",
                reference_label(m, rule),
                figure(t.over),
                yuan(t.rate)
            ),
        })
        .collect();
    if let Some(cap) = rule.cap {
        parts.push(format!("最高不超过{}", yuan(cap)));
    }
    parts.join("；")
}

/// One party's statutory fine as the article states it, in figures:
/// `处20000元至200000元罚款`, `处违法所得10倍至20倍罚款；违法所得不足10000元的，处50000元至100000元罚款`.
pub(crate) fn fine_rule_text(m: &Matter, rule: &FineRule) -> String {
    let verb = if rule.optional { "可以并处" } else { "处" };
    let base = base_label(m, rule);
    let mut s = match rule.kind {
        FineKind::Range => format!("{verb}{}罚款", yuan_band(rule.min, rule.max)),
        FineKind::Multiple | FineKind::Percent => format!(
            "{verb}{base}{}罚款",
            rate_band(rule.kind, rule.min, rule.max)
        ),
        FineKind::PerUnit => format!(
            "{verb}罚款，按{base}每{}{}计算",
            base_unit(m, rule),
            rate_band(rule.kind, rule.min, rule.max)
        ),
        FineKind::Tranches => return format!("{verb}罚款：{}", tranches_text(m, rule)),
    };
    if rule.kind != FineKind::Range {
        if let Some(bf) = rule.base_floor {
            let q = base_quantity(m, rule, bf);
            s.push_str(&format!("（{base}不足{q}的，按{q}计算）"));
        }
        if let Some(floor) = rule.floor {
            s.push_str(&format!("，罚款不低于{}", yuan(floor)));
        }
        if let Some(cap) = rule.cap {
            s.push_str(&format!("，罚款最高不超过{}", yuan(cap)));
        }
        if let Some(fb) = &rule.fallback {
            let when = match fb.below {
                Some(b) => format!("{base}不足{}的", base_quantity(m, rule, b)),
                None => format!("没有{base}的"),
            };
            s.push_str(&format!(
                "；{when}，{verb}{}罚款",
                yuan_band(fb.min, fb.max)
            ));
        }
    }
    if let Some(sb) = &rule.serious {
        s.push_str(&format!(
            "；{}，处{}罚款",
            sb.condition,
            yuan_band(sb.min, sb.max)
        ));
    }
    s
}

/// The statutory fine of a matter, one entry per group of parties with the same rule:
/// `(Some("单位"), rule)`; `None` names every party the matter applies to.
pub(crate) fn statutory_fines(m: &Matter) -> Vec<(Option<&'static str>, &FineRule)> {
    let st = &m.statutory;
    let parties: Vec<Party> = PARTY_ORDER
        .into_iter()
        .filter(|p| st.parties.contains(p))
        .collect();
    let rules: Vec<(Party, &FineRule)> = parties
        .iter()
        .filter_map(|&p| st.fine_of_side(p).map(|r| (p, r)))
        .collect();
    if rules.is_empty() {
        return Vec::new();
    }
    let all_same = rules.len() == parties.len() && rules.iter().all(|(_, r)| *r == rules[0].1);
    if all_same && parties.len() == Party::SIDES.len() {
        return vec![(None, rules[0].1)];
    }
    rules
        .into_iter()
        .map(|(p, r)| (Some(party_short(p)), r))
        .collect()
}

/// The statutory penalty in words, one line per group of parties, then the measures:
/// `处20000元至200000元罚款` / `对单位处500元至5000元罚款` … `其他处罚和措施：可以警告；可以暂扣许可证`.
pub(crate) fn statutory_lines(m: &Matter) -> Vec<String> {
    let mut lines: Vec<String> = statutory_fines(m)
        .into_iter()
        .map(|(who, rule)| match who {
            Some(w) => format!("对{w}{}", fine_rule_text(m, rule)),
            None => fine_rule_text(m, rule),
        })
        .collect();
    if lines.is_empty() {
        lines.push("不处罚款".to_string());
    }
    let apart = [
        ("农户", &m.statutory.fine_farmer),
        (
            "直接负责的主管人员和其他直接责任人员",
            &m.statutory.fine_persons,
        ),
    ];
    for (who, rule) in apart {
        if let Some(r) = rule {
            lines.push(format!("对{who}{}", fine_rule_text(m, r)));
        }
    }
    if !m.statutory.excluded.is_empty() {
        let out: Vec<&str> = m.statutory.excluded.iter().map(|p| p.label()).collect();
        lines.push(format!("不适用于{}", out.join("、")));
    }
    if !m.statutory.unfined.is_empty() {
        let spared: Vec<&str> = m.statutory.unfined.iter().map(|p| p.label()).collect();
        lines.push(format!("对{}不处罚款", spared.join("、")));
    }
    if !m.statutory.measures.is_empty() {
        lines.push(format!("其他处罚和措施：{}", statutory_measures_text(m)));
    }
    lines
}

/// A tier's fine for one party: `5000元`, `80000元至100000元`, `违法所得的2倍`,
/// `建设项目总投资额的1%`, `按占用面积每平方米500元`.
pub(crate) fn tier_fine_text(m: &Matter, party: Party, fine: &TierFine) -> String {
    match *fine {
        TierFine::Yuan { min, max } => yuan_band(min, max),
        TierFine::Rate { min, max } => match m.statutory.fine_of_side(party) {
            Some(rule) => match rule.kind {
                FineKind::Multiple | FineKind::Percent => format!(
                    "{}的{}",
                    base_label(m, rule),
                    rate_band(rule.kind, min, max)
                ),
                FineKind::PerUnit => format!(
                    "按{}每{}{}",
                    base_label(m, rule),
                    base_unit(m, rule),
                    rate_band(rule.kind, min, max)
                ),
                FineKind::Range => yuan_band(min, max),
                FineKind::Tranches => "按超限部分分段计算的法定数额".to_string(),
            },
            None => rate_band(FineKind::Multiple, min, max),
        },
    }
}

/// The penalty standard of a tier (处罚标准): one text when every party is fined alike,
/// otherwise `单位：5000元；个人：500元`.
pub(crate) fn tier_standard_text(m: &Matter, t: &Tier) -> String {
    let parts: Vec<(Party, String)> = PARTY_ORDER
        .into_iter()
        .filter(|p| m.statutory.parties.contains(p))
        .map(|p| {
            let text = t
                .fine_for(p)
                .map_or_else(|| "不处罚款".to_string(), |f| tier_fine_text(m, p, f));
            (p, text)
        })
        .collect();
    let main = match parts.as_slice() {
        [] => "不处罚款".to_string(),
        [(_, first), rest @ ..] if rest.iter().all(|(_, t)| t == first) => first.clone(),
        _ => parts
            .iter()
            .map(|(p, t)| format!("{}：{t}", party_short(*p)))
            .collect::<Vec<_>>()
            .join("；"),
    };
    let apart = [
        ("农户", &t.fine_farmer, &m.statutory.fine_farmer),
        ("责任人员", &t.fine_persons, &m.statutory.fine_persons),
    ];
    let extra: Vec<String> = apart
        .into_iter()
        .filter_map(|(who, tier, rule)| match (tier, rule) {
            (Some(f), _) => Some(format!(
                "{who}：{}",
                tier_fine_text(m, Party::Individual, f)
            )),
            (None, Some(r)) if who == "责任人员" => {
                Some(format!("{who}：{}", fine_rule_text(m, r)))
            }
            _ => None,
        })
        .collect();
    if extra.is_empty() {
        main
    } else {
        format!("{main}；{}", extra.join("；"))
    }
}

/// Other measures of a tier (其他措施), `、`-separated; empty when there are none.
pub(crate) fn measures_text(measures: &[String]) -> String {
    measures.join("、")
}

/// The article's measures with their force: `应当没收违法生产、销售的产品；情节严重的，应当吊销营业执照`.
pub(crate) fn statutory_measures_text(m: &Matter) -> String {
    let texts: Vec<String> = m.statutory.measures.iter().map(|x| x.describe()).collect();
    texts.join("；")
}

/// `2026年12月1日`
pub(crate) fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The unit's Chinese name, or its code when the set does not name it.
pub(crate) fn unit_name<'a>(set: &'a StandardsSet, code: &'a str) -> &'a str {
    set.unit(code).map_or(code, |u| u.name.as_str())
}

/// A share as a percentage with two decimals: `0.6235` → `62.35%`.
fn percent(share: Decimal) -> String {
    let mut p = (share * Decimal::ONE_HUNDRED).round_dp(2);
    p.rescale(2);
    format!("{p}%")
}

pub(crate) fn fact_type_text(f: &FactDef) -> &'static str {
    match f.kind {
        FactType::Decimal => "数值",
        FactType::Integer => "整数",
        FactType::Boolean => "是否",
        FactType::Enum => "选项",
    }
}

/// The values a fact takes, as the fact table lists them: `是；否`, `非负数`, the options' labels.
pub(crate) fn fact_values_text(f: &FactDef) -> String {
    match f.kind {
        FactType::Enum => f
            .values
            .iter()
            .map(|v| v.label.as_str())
            .collect::<Vec<_>>()
            .join("；"),
        FactType::Boolean => "是；否".to_string(),
        FactType::Decimal => "非负数".to_string(),
        FactType::Integer => "非负整数".to_string(),
    }
}

/// What an unestablished fact counts as: `（未查明时按否）`; empty without a default.
pub(crate) fn fact_default_text(f: &FactDef) -> String {
    f.default.as_ref().map_or_else(String::new, |d| {
        format!("（未查明时按{}）", crate::engine::display_value(f, d))
    })
}

// ---------------------------------------------------------------------------------------------
// Handlers.
// ---------------------------------------------------------------------------------------------

/// The per-address rate limit of the service, for the public pages and exports (no token
/// needed, so the key is the peer address). A refusal is a page that says when to retry.
pub(crate) fn rate_limited(req: &HttpRequest, state: &AppState) -> Option<HttpResponse> {
    state
        .limiter
        .check(&crate::api::peer_key(req))
        .err()
        .map(|retry| {
            let mut resp = super::error_page(
                StatusCode::TOO_MANY_REQUESTS,
                "请求过于频繁",
                &format!("请 {retry} 秒后再试。"),
            );
            if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry.to_string()) {
                resp.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, v);
            }
            resp
        })
}

#[derive(Deserialize)]
pub struct IndexQuery {
    pub q: Option<String>,
    pub version: Option<String>,
}

fn export_links(unit: Option<&str>) -> Markup {
    let suffix = unit.map(|c| format!("?unit={c}")).unwrap_or_default();
    html! {
        p.noprint {
            a href={ "/standards/export.xlsx" (suffix) } { "导出 Excel" }
            " · "
            a href={ "/standards/export.csv" (suffix) } { "导出 CSV" }
        }
    }
}

/// `GET /standards[?q=…]`
async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<IndexQuery>,
) -> HttpResponse {
    if let Some(resp) = rate_limited(&req, &state) {
        return resp;
    }
    let current = match super::version_of(&state, query.version.as_deref()) {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let set = &current.set;
    let figures = crate::stats::stats(set);
    let q: String = query
        .q
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let found = if q.is_empty() {
        None
    } else {
        Some(current.search.find(&q))
    };
    let clear_match = q.is_empty()
        || current
            .search
            .ranked_with_confidence(&q)
            .first()
            .is_some_and(|h| h.2 >= crate::search::CLEAR_MATCH);
    let body = html! {
        h1 { (set.name) }
        p {
            "版本 " (set.version) "，施行日期 " (chinese_date(set.effective_date)) "。"
            span.muted { "依据《中华人民共和国行政处罚法》第三十四条向社会公布。" }
        }
        (headline_figures(&figures))
        (scheduled_versions(&state.decider.versions()))
        p.noprint {
            "全部导出："
            a href="/standards/export.xlsx" { "Excel" }
            " · "
            a href="/standards/export.csv" { "CSV" }
        }
        (search_form(&q))
        @if let Some(found) = &found {
            @if !clear_match && !found.is_empty() {
                p.warn { "没有明确对应的事项，以下是最接近的几个，请核对。" }
            }
            (search_results(set, &q, found))
        }
        h2 { "执法单位" }
        (unit_table(&figures))
    };
    super::html_response(StatusCode::OK, super::page(&set.name, body))
}

/// The versions published but not yet in force (公示 before they apply), with their notes.
fn scheduled_versions(versions: &Versions) -> Markup {
    let today = crate::clock::today();
    let scheduled: Vec<_> = versions
        .all()
        .iter()
        .filter(|v| versions.status(v, today) == Status::Scheduled)
        .collect();
    html! {
        @if !scheduled.is_empty() {
            section {
                h2 { "已公布、待施行的版本" }
                ul {
                    @for v in &scheduled {
                        li {
                            (v.meta.version) "版，" (chinese_date(v.meta.effective_date)) "起施行。"
                            @if !v.meta.note.is_empty() { "修订说明：" (v.meta.note) }
                        }
                    }
                }
            }
        }
        p.noprint { a href="/standards/versions" { "历次版本" } }
    }
}

/// Every version with its status, dates and notes: the standards' history.
async fn history(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(resp) = rate_limited(&req, &state) {
        return resp;
    }
    let versions = state.decider.versions();
    let today = crate::clock::today();
    let body = html! {
        h1 { "裁量基准历次版本" }
        p.muted {
            "违法行为依其发生时施行的版本裁量；处罚决定时施行的版本对其处理较轻的，适用该版本"
            "（《中华人民共和国行政处罚法》第三十七条）。撤回的版本不再适用，仍予保留。"
        }
        table {
            thead { tr { th { "版本" } th { "施行日期" } th { "状态" } th { "发布" } th { "修订说明" } } }
            tbody {
                @for v in versions.all().iter().rev() {
                    tr {
                        td { (v.meta.version) }
                        td { (chinese_date(v.meta.effective_date)) }
                        td { (versions.status(v, today).label()) }
                        td { (v.meta.published_by) " " (v.meta.published_at.get(..10).unwrap_or("")) }
                        td {
                            (v.meta.note)
                            @if let Some(w) = &v.meta.withdrawal { "（撤回：" (w.note) "）" }
                        }
                    }
                }
            }
        }
    };
    super::html_response(StatusCode::OK, super::page("裁量基准历次版本", body))
}

/// The set's headline figures: units, matters, tiers, fixed-amount tiers and their share.
fn headline_figures(figures: &Stats) -> Markup {
    html! {
        div.figures {
            div { b { (figures.units) } "执法单位" }
            div { b { (figures.total.matters) } "事项" }
            div { b { (figures.total.tiers) } "阶次" }
            div { b { (figures.total.fixed_tiers) } "固定数额阶次" }
            div { b { (percent(figures.total.fixed_share)) } "固定数额阶次占比" }
        }
        p.muted {
            "对照：龙湾区2008年裁量基准为22个执法单位、899个事项、4425个阶次，其中固定数额阶次2759个（62%）。"
            "本基准的阶次数和固定数额依各事项所依据的法律条文和适用情形确定，不追求与之相同。"
        }
    }
}

fn search_form(q: &str) -> Markup {
    html! {
        form.inline.noprint method="get" action="/standards" role="search" {
            label for="q" { "查找事项" }
            input #q type="search" name="q" value=(q) placeholder="事项名称、编号或法律条文，如 危险废物、大气污染防治法 99条";
            button type="submit" { "搜索" }
        }
    }
}

/// The matters found for `q` (indices into `set.matters`, best first), at most [`MAX_RESULTS`].
fn search_results(set: &StandardsSet, q: &str, found: &[usize]) -> Markup {
    html! {
        section.noprint {
            h2 { "“" (q) "”的查找结果" }
            @if found.is_empty() {
                p { "没有找到相符的事项。" }
            } @else {
                p.muted {
                    "找到 " (found.len()) " 项"
                    @if found.len() > MAX_RESULTS { "，显示前 " (MAX_RESULTS) " 项" }
                    "。"
                }
                div.scroll {
                    table.results {
                        thead { tr { th.nowrap { "编号" } th { "事项名称" } th { "执法单位" } } }
                        tbody {
                            @for &i in found.iter().take(MAX_RESULTS) {
                                @if let Some(m) = set.matters.get(i) {
                                    tr {
                                        td.nowrap { a href={ "/standards/matters/" (m.id) } { (m.id) } }
                                        td { a href={ "/standards/matters/" (m.id) } { (m.name) } }
                                        td { (unit_name(set, &m.unit)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Per unit: matters, tiers and the share of fixed-amount tiers, with the totals.
fn unit_table(figures: &Stats) -> Markup {
    html! {
        div.scroll {
            table.units {
                thead {
                    tr {
                        th { "代码" } th { "执法单位" } th.num { "事项" } th.num { "阶次" }
                        th.num { "固定数额阶次占比" }
                    }
                }
                tbody {
                    @for u in &figures.per_unit {
                        tr {
                            td { (u.code) }
                            td { a href={ "/standards/units/" (u.code) } { (u.name) } }
                            td.num { (u.figures.matters) }
                            td.num { (u.figures.tiers) }
                            td.num { (percent(u.figures.fixed_share)) }
                        }
                    }
                }
                tfoot {
                    tr {
                        th { } th { "合计" }
                        th.num { (figures.total.matters) }
                        th.num { (figures.total.tiers) }
                        th.num { (percent(figures.total.fixed_share)) }
                    }
                }
            }
        }
    }
}

/// `GET /standards/units/{code}`
async fn unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    version: web::Query<super::VersionQuery>,
) -> HttpResponse {
    if let Some(resp) = rate_limited(&req, &state) {
        return resp;
    }
    let current = match super::version_of(&state, version.version.as_deref()) {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let set = &current.set;
    let Some(unit) = set.unit(code.trim()) else {
        return super::error_page(
            StatusCode::NOT_FOUND,
            "未找到该执法单位",
            &format!("没有代码为 {} 的执法单位。", code.as_str()),
        );
    };
    super::html_response(StatusCode::OK, unit_page(set, unit))
}

fn unit_page(set: &StandardsSet, unit: &Unit) -> Markup {
    let matters: Vec<&Matter> = set.matters.iter().filter(|m| m.unit == unit.code).collect();
    let tiers: usize = matters.iter().map(|m| m.tiers.len()).sum();
    let body = html! {
        nav.noprint { a href="/standards" { "裁量基准" } " › " (unit.name) }
        h1 { (unit.name) "行政处罚裁量基准" }
        p { (set.name) "（" (set.version) "），自 " (chinese_date(set.effective_date)) " 起施行。" }
        p { "共 " (matters.len()) " 个事项、" (tiers) " 个裁量阶次。" }
        (export_links(Some(&unit.code)))
        div.scroll.noprint {
            table.matters {
                thead {
                    tr {
                        th.num { "序号" } th { "编号" } th { "事项名称" } th { "类别" }
                        th { "处罚依据" } th.num { "阶次数" }
                    }
                }
                tbody {
                    @for (i, m) in matters.iter().enumerate() {
                        tr {
                            td.num { (i + 1) }
                            td.nowrap { a href={ "/standards/matters/" (m.id) } { (m.id) } }
                            td { a href={ "/standards/matters/" (m.id) } { (m.name) } }
                            td { (m.category) }
                            td { (m.penalty_text()) }
                            td.num { (m.tiers.len()) }
                        }
                    }
                }
            }
        }
        (unit_print_table(&matters))
    };
    super::page(&unit.name, body)
}

/// The unit's whole table as a legal office publishes it, for print: every matter with its
/// bases, statutory penalty and tiers (the screen shows the index above).
fn unit_print_table(matters: &[&Matter]) -> Markup {
    html! {
        div.printonly {
            table {
                thead {
                    tr {
                        th { "编号" } th { "违法行为" } th { "违法依据" } th { "处罚依据" }
                        th { "法定处罚" } th { "阶次" } th { "适用情形" } th { "处罚标准" }
                    }
                }
                tbody {
                    @for m in matters {
                        @for (i, t) in m.tiers.iter().enumerate() {
                            tr {
                                @if i == 0 {
                                    td rowspan=(m.tiers.len()) { (m.id) }
                                    td rowspan=(m.tiers.len()) { (m.name) }
                                    td rowspan=(m.tiers.len()) { (m.violated.render()) }
                                    td rowspan=(m.tiers.len()) { (m.penalty_text()) }
                                    td rowspan=(m.tiers.len()) {
                                        @for line in statutory_lines(m) { div { (line) } }
                                    }
                                }
                                td { (t.name) }
                                td { (t.situation) }
                                td { (tier_standard_text(m, t)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /standards/matters/{id}`
async fn matter(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    version: web::Query<super::VersionQuery>,
) -> HttpResponse {
    if let Some(resp) = rate_limited(&req, &state) {
        return resp;
    }
    let current = match super::version_of(&state, version.version.as_deref()) {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let set = &current.set;
    let Some(m) = set.matter(&id) else {
        return super::error_page(
            StatusCode::NOT_FOUND,
            "未找到该事项",
            &format!("没有编号为 {} 的裁量事项。", id.as_str()),
        );
    };
    super::html_response(StatusCode::OK, matter_page(set, m))
}

fn matter_page(set: &StandardsSet, m: &Matter) -> Markup {
    let unit = unit_name(set, &m.unit);
    let body = html! {
        nav.noprint {
            a href="/standards" { "裁量基准" } " › "
            a href={ "/standards/units/" (m.unit) } { (unit) } " › " (m.id)
        }
        h1 { (m.name) }
        (matter_table(m, unit))
        @if !m.facts.is_empty() {
            h2 { "决定阶次的事实" }
            (fact_table(m))
        }
        h2 { "裁量阶次" }
        (tier_table(m))
        @if m.tiers.iter().any(|t| t.minor) {
            p.muted {
                "标注“违法行为轻微”的阶次：违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚"
                "（《中华人民共和国行政处罚法》第三十三条第一款）。"
            }
        }
        @if let Some(note) = &m.note {
            h2 { "说明" }
            p.note { (note) }
        }
        p.noprint {
            a href={ "/standards/units/" (m.unit) } { "返回" (unit) }
            " · "
            a href={ "/standards/export.xlsx?unit=" (m.unit) } { "导出" (unit) " Excel" }
        }
    };
    super::page(&format!("{} {}", m.id, m.name), body)
}

/// The matter at a glance: id, name, category, unit, citations and the statutory penalty.
fn matter_table(m: &Matter, unit: &str) -> Markup {
    html! {
        div.scroll {
            table.matter {
                tbody {
                    tr { th.nowrap { "编号" } td { (m.id) } }
                    tr { th.nowrap { "事项名称" } td { (m.name) } }
                    tr { th.nowrap { "类别" } td { (m.category) } }
                    tr { th.nowrap { "实施机关" } td { (unit) } }
                    tr { th.nowrap { "违法依据" } td { (m.violated.render()) } }
                    tr { th.nowrap { "处罚依据" } td { (m.penalty_text()) } }
                    tr {
                        th.nowrap { "法定处罚" }
                        td { (statutory_penalty(m)) }
                    }
                }
            }
        }
    }
}

/// The statutory fine for each party with how it is computed, and the other penalties.
fn statutory_penalty(m: &Matter) -> Markup {
    let fines = statutory_fines(m);
    html! {
        @if fines.is_empty() {
            div { "不处罚款" }
        }
        @for (who, rule) in &fines {
            div.fine {
                @if let Some(w) = who { "对" (w) }
                (fine_rule_text(m, rule))
                br;
                span.muted {
                    "计算方式：" (fine_kind_text(m, rule))
                    @if rule.optional { "；罚款为可以并处，可不处罚款" }
                }
            }
        }
        @if !m.statutory.measures.is_empty() {
            div { "其他处罚和措施：" (statutory_measures_text(m)) }
        }
    }
}

/// The facts that decide the tier: label, type, unit, the values they take and the default.
fn fact_table(m: &Matter) -> Markup {
    html! {
        div.scroll {
            table.facts {
                thead { tr { th { "事实" } th.nowrap { "类型" } th.nowrap { "单位" } th { "取值" } } }
                tbody {
                    @for f in &m.facts {
                        tr {
                            td { (f.label) }
                            td.nowrap { (fact_type_text(f)) }
                            td.nowrap { (f.unit.as_deref().unwrap_or("—")) }
                            td {
                                (fact_values_text(f))
                                @if f.default.is_some() {
                                    span.muted { (fact_default_text(f)) }
                                }
                                @if let Some(d) = &f.derived {
                                    span.muted { (derived_text(m, d)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The tiers: situation (marked when the act is minor), standard, other measures.
fn tier_table(m: &Matter) -> Markup {
    html! {
        div.scroll {
            table.tiers {
                thead {
                    tr { th.nowrap { "阶次" } th { "适用情形" } th { "处罚标准" } th { "其他措施" } }
                }
                tbody {
                    @for t in &m.tiers {
                        tr {
                            td.nowrap { (t.name) }
                            td {
                                (t.situation)
                                @if t.minor {
                                    " " span.badge { "违法行为轻微" }
                                }
                            }
                            td { (tier_standard_text(m, t)) }
                            td {
                                @if t.measures.is_empty() { "—" } @else { (measures_text(&t.measures)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Registers the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        crate::api::resource("/standards", crate::api::Methods::Get).route(web::get().to(index)),
    )
    .service(
        crate::api::resource("/standards/versions", crate::api::Methods::Get)
            .route(web::get().to(history)),
    )
    .service(
        crate::api::resource("/standards/units/{code}", crate::api::Methods::Get)
            .route(web::get().to(unit)),
    )
    .service(
        crate::api::resource("/standards/matters/{id}", crate::api::Methods::Get)
            .route(web::get().to(matter)),
    );
}
