//! HTML building: every string from users or data goes through [`esc`].

use crate::auth::User;
use crate::i18n::{Lang, Texts};
use axum::response::Html;

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `v` as a URL query value: every byte but letters, digits and `-._~` percent-encoded.
pub fn query_value(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const STYLE: &str = "body{font-family:system-ui,'Segoe UI',Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}\
header.top{background:#1f4e79;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}\
header.top a{color:#fff}header.top form{display:inline;margin-left:auto}main{max-width:72rem;margin:0 auto;padding:1rem}\
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.3rem .45rem;text-align:left;vertical-align:top}\
th{background:#eef2f7}td.n{text-align:right;font-variant-numeric:tabular-nums}.error{color:#a40000;font-weight:600}\
.ok{color:#1d6b1d;font-weight:600}.hint{display:block;color:#555;font-size:.9em}span.error{display:block}.notice{background:#fff4ce;border-left:4px solid #8a6100;padding:.5rem .8rem}label{display:block;margin:.3rem 0}input,select,textarea,button{font:inherit;padding:.35rem}\
button{background:#1f4e79;color:#fff;border:0;border-radius:4px;padding:.45rem .9rem;cursor:pointer}\
fieldset{border:1px solid #ccc;background:#fff;margin:.6rem 0}.muted{color:#555}.wrap{overflow-x:auto}td.long{min-width:16rem}\
a.skip{position:absolute;left:-999px}a.skip:focus{left:.5rem;top:.5rem;background:#fff;color:#000;padding:.3rem}\
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f5b400}\
input,select,textarea{max-width:100%;box-sizing:border-box}\
figure.chart{margin:.5rem 0;overflow-x:auto}svg.chart{width:100%;height:auto;display:block}svg.chart text[font-size=\"10\"]{font-size:11px}\
table.ranking{border-collapse:separate;border-spacing:0}table.ranking th,table.ranking td{border-width:0 1px 1px 0}\
table.ranking tr>:first-child{border-left-width:1px}table.ranking thead th{border-top-width:1px}\
table.ranking tr>:nth-child(-n+2){position:sticky;z-index:1;background:#fff}table.ranking thead tr>:nth-child(-n+2){background:#eef2f7}\
table.ranking tr>:first-child{left:0;width:2.8rem;min-width:2.8rem;max-width:2.8rem;box-sizing:border-box}\
table.ranking tr>:nth-child(2){left:2.8rem;min-width:9rem}table.review tr>:first-child{min-width:9rem}\
@media (max-width:40rem){table{display:block;overflow-x:auto}.wrap>table{display:table}}";

/// A whole page in the reader's language. `user` shows who is logged in and the logout
/// form; every page links to the other language.
pub fn page(lang: Lang, title: &str, user: Option<&User>, body: &str) -> Html<String> {
    page_at(lang, title, user, body, None)
}

/// A public page at `here` (its path and query): its head names its address in each language
/// (`hreflang` alternates) and its language switch leads to the other one ([`crate::site`]).
pub fn public_page(lang: Lang, title: &str, user: Option<&User>, body: &str, here: &str) -> Html<String> {
    page_at(lang, title, user, body, crate::site::alternates(here))
}

fn page_at(
    lang: Lang,
    title: &str,
    user: Option<&User>,
    body: &str,
    alternates: Option<(String, String)>,
) -> Html<String> {
    let t = lang.t();
    let (head, switch) = match &alternates {
        Some((vi, en)) => (
            format!(
                "<link rel=\"alternate\" hreflang=\"vi\" href=\"{}\"><link rel=\"alternate\" hreflang=\"en\" href=\"{}\">",
                esc(vi),
                esc(en)
            ),
            esc(if lang == Lang::Vi { en } else { vi }),
        ),
        None => (String::new(), format!("/ngon-ngu/{}", t.other_language_code)),
    };
    let nav = match user {
        Some(u) => format!(
            "<a href=\"/cong-viec\">{}</a> <a href=\"/tai-khoan\">{}</a> <span>{} ({})</span><form method=\"post\" action=\"/dang-xuat\">{}<button>{}</button></form>",
            t.nav_work,
            t.account_link,
            esc(&u.row.username),
            esc(lang.role(u.row.role)),
            csrf_input(u),
            t.nav_logout
        ),
        None => format!(
            "<a href=\"{}\" style=\"margin-left:auto\">{}</a>",
            if lang == Lang::En { "/en/login" } else { "/dang-nhap" },
            t.nav_login
        ),
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} – chiso</title>{head}<style>{STYLE}</style><script src=\"/tinh/chiso.js\" defer></script></head><body><a class=\"skip\" href=\"#main\">{}</a>\
         <header class=\"top\"><a href=\"{home}\"><strong>chiso</strong></a> {nav}\
         <a href=\"{switch}\" lang=\"{other}\" hreflang=\"{other}\">{}</a></header>\
         <main id=\"main\">{body}</main></body></html>",
        lang.code(),
        esc(title),
        t.skip_to_content,
        t.other_language,
        home = crate::site::home(lang),
        other = t.other_language_code,
    ))
}

pub fn csrf_input(u: &User) -> String {
    format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", esc(u.csrf.as_deref().unwrap_or("")))
}

/// The platform's one script (served from this site, as the CSP requires): confirmations
/// (`data-confirm`), drafts kept as the user types (`form[data-draft]`), the running total
/// of the self-assessment form (`form[data-total]`), a page of work going on loading itself
/// again (`data-refresh`).
pub const SCRIPT: &str = include_str!("static/chiso.js");
