//! `chiso verify`: the audit chain, the signature of its head, the replay of the trail
//! against the current rows, and SQLite's own integrity check. Also how every command
//! that writes opens the store with the data directory's signing key.

use crate::Outcome;
use chiso_data::Lang;
use chiso_store::signing::KeyError;
use chiso_store::{Discrepancy, HeadCheck, Store};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// `sqlite://file` (default) or `postgres://user@host/db`.
    #[arg(long = "db", env = "DATABASE_URL", default_value = "sqlite://chiso.sqlite")]
    url: String,
    /// The data directory of `chiso serve`: its signing.key checks the head's signature.
    #[arg(long, env = "CHISO_DATA_DIR", default_value = "chiso-data")]
    data_dir: PathBuf,
}

/// Opens the store with the data directory's signing key. `create` (a first start: serve,
/// restore) makes the key if there is none; a signed database without its key is refused.
pub async fn open_signed(url: &str, data_dir: &Path, create: bool, lang: Lang) -> Result<Store, Vec<String>> {
    let store = Store::open(url).await.map_err(|e| vec![crate::cmd::backup::store_message(lang, &e)])?;
    store.with_data_dir_key(data_dir, create, "cli").await.map_err(|e| vec![key_message(lang, &e)])
}

pub fn key_message(lang: Lang, e: &KeyError) -> String {
    match (e, lang) {
        (KeyError::Missing { path }, Lang::Vi) => format!(
            "Không có {}, nhưng nhật ký kiểm toán của cơ sở dữ liệu này đã được ký: hãy chép signing.key từ thư mục dữ liệu của bản cài đặt đã ghi nó (hoặc chỉ thư mục đó bằng --data-dir)",
            path.display()
        ),
        (KeyError::Malformed { path }, Lang::Vi) => {
            format!("{}: không phải khóa ký của chiso (cần 64 chữ số thập lục phân)", path.display())
        }
        (KeyError::Store(s), _) => crate::cmd::backup::store_message(lang, s),
        _ => e.to_string(),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime")
}

/// One discrepancy in the user's words: unit, field, what the trail says, what is there.
pub fn discrepancy(lang: Lang, d: &Discrepancy) -> String {
    let none = match lang {
        Lang::Vi => "(không có dòng)",
        Lang::En => "(no row)",
    };
    let show = |v: &Option<String>| v.as_ref().map_or(none.to_string(), |v| format!("«{v}»"));
    let what = match (d.unit(), d.field()) {
        (Some(u), Some(f)) => match lang {
            Lang::Vi => format!("đơn vị {u}, trường {f} ({})", d.entity),
            Lang::En => format!("unit {u}, field {f} ({})", d.entity),
        },
        (Some(u), None) => match lang {
            Lang::Vi => format!("đơn vị {u} ({})", d.entity),
            Lang::En => format!("unit {u} ({})", d.entity),
        },
        _ => d.entity.clone(),
    };
    let event = d.seq.map(|s| format!(" #{s}")).unwrap_or_default();
    match lang {
        Lang::Vi => format!(
            "{what}, {}: nhật ký ghi {}{event}, cơ sở dữ liệu có {}",
            d.column,
            show(&d.expected),
            show(&d.found)
        ),
        Lang::En => format!(
            "{what}, {}: the trail says {}{event}, the database holds {}",
            d.column,
            show(&d.expected),
            show(&d.found)
        ),
    }
}

fn head_problem(lang: Lang, h: &HeadCheck, key_path: &Path) -> Option<String> {
    let key = key_path.display();
    Some(match (h, lang) {
        (HeadCheck::Signed { .. }, _) => return None,
        (HeadCheck::NoKey, Lang::Vi) => format!("Không có khóa ký {key}: chưa kiểm tra được chữ ký của nhật ký"),
        (HeadCheck::NoKey, Lang::En) => format!("No signing key {key}: the trail's signature was not checked"),
        (HeadCheck::Unsigned { events }, Lang::Vi) => {
            format!("Đầu nhật ký ({events} sự kiện) chưa được ký: được ghi khi không có khóa, hoặc chữ ký đã bị xóa")
        }
        (HeadCheck::Unsigned { events }, Lang::En) => format!(
            "The head of the trail ({events} events) is not signed: written without the key, or the signature was removed"
        ),
        (HeadCheck::Stale { signed, events }, Lang::Vi) => format!(
            "Chữ ký chỉ phủ {signed} sự kiện đầu; các sự kiện {}–{events} được thêm khi không có khóa ký (một tiến trình không có thư mục dữ liệu, hoặc ai đó ghi thẳng vào cơ sở dữ liệu)",
            signed + 1
        ),
        (HeadCheck::Stale { signed, events }, Lang::En) => format!(
            "The signature covers the first {signed} events only; events {}–{events} were added without the signing key (a process without the data directory, or someone writing to the database)",
            signed + 1
        ),
        (HeadCheck::Invalid { events }, Lang::Vi) => format!(
            "Chữ ký của đầu nhật ký ({events} sự kiện) không khớp với khóa {key}: nhật ký đã bị viết lại (kể cả khi mọi mã băm được tính lại), hoặc được ký bằng khóa khác"
        ),
        (HeadCheck::Invalid { events }, Lang::En) => format!(
            "The signature of the trail's head ({events} events) does not match the key {key}: the trail was rewritten (every hash recomputed), or another key signed it"
        ),
    })
}

/// Checks the chain, its signed head, the replay and SQLite's integrity; every problem found
/// is printed, and the command fails if there is one.
pub fn run(a: Args, lang: Lang) -> Outcome {
    runtime().block_on(async {
        let store = open_signed(&a.url, &a.data_dir, false, lang).await?;
        let err = |e: chiso_store::StoreError| vec![crate::cmd::backup::store_message(lang, &e)];
        let integrity = store.integrity_check().await.map_err(err)?;
        let chain = store.verify_chain().await.map_err(err)?;
        let head = store.verify_head().await.map_err(err)?;
        let replay = store.replay().await.map_err(err)?;
        store.close().await;
        let mut problems = Vec::new();
        if integrity != "ok" {
            problems.push(format!("integrity_check: {integrity}"));
        }
        if let Err(e) = &chain {
            problems.push(match lang {
                Lang::Vi => format!("Nhật ký bị sửa đổi tại sự kiện {}: {}", e.seq, e.problem),
                Lang::En => e.to_string(),
            });
        }
        problems.extend(head_problem(lang, &head, &chiso_store::SigningKey::path(&a.data_dir)));
        if !replay.discrepancies.is_empty() {
            problems.push(match lang {
                Lang::Vi => format!(
                    "{} giá trị trong cơ sở dữ liệu khác với những gì nhật ký ghi (bị sửa trực tiếp, ngoài ứng dụng):",
                    replay.discrepancies.len()
                ),
                Lang::En => format!(
                    "{} values in the database differ from what the trail says (changed directly, outside the application):",
                    replay.discrepancies.len()
                ),
            });
            problems.extend(replay.discrepancies.iter().map(|d| format!("  {}", discrepancy(lang, d))));
        }
        let n = replay.unchecked.len();
        if n > 0 {
            match lang {
                Lang::Vi => println!(
                    "Lưu ý: {n} giá trị không đối chiếu được (nhật ký trước bản 0003 không ghi chúng), ví dụ {}",
                    replay.unchecked[0]
                ),
                Lang::En => println!(
                    "Note: {n} values could not be checked (the trail before migration 0003 did not record them), e.g. {}",
                    replay.unchecked[0]
                ),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let events = chain.unwrap_or_default();
        match lang {
            Lang::Vi => println!(
                "Nhật ký toàn vẹn: {events} sự kiện, đầu nhật ký được ký; {} giá trị khớp với nhật ký; cơ sở dữ liệu: ok",
                replay.checked
            ),
            Lang::En => println!(
                "Audit chain intact: {events} events, its head signed; {} values match the trail; database: ok",
                replay.checked
            ),
        }
        Ok(ExitCode::SUCCESS)
    })
}
