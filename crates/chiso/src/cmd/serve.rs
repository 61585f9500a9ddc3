use crate::Outcome;
use chiso_data::Lang;
use chiso_store::Role;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CHISO_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    #[command(flatten)]
    db: DbArgs,
    /// Session cookies without `Secure` (only behind a TLS-terminating proxy that rewrites them).
    #[arg(long, env = "CHISO_INSECURE_COOKIES")]
    insecure_cookies: bool,
    /// Do not make the reports' PDFs (a machine without LibreOffice); DOCX, XLSX and HTML remain.
    #[arg(long, env = "CHISO_NO_PDF")]
    no_pdf: bool,
    /// The server's log on standard error: `text` (one readable line per request) or `json`.
    #[arg(long, env = "CHISO_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
}

/// chiso's own events at INFO (one line per request), its dependencies' at WARN.
fn init_logging(format: &str) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let filter = Targets::new().with_default(LevelFilter::WARN).with_target("chiso_web", LevelFilter::INFO);
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(false);
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if format == "json" { registry.with(layer.json()).try_init() } else { registry.with(layer).try_init() };
}

#[derive(clap::Args)]
pub struct DbArgs {
    /// `sqlite://file` (default, created on first start) or `postgres://user@host/db`.
    #[arg(long = "db", env = "DATABASE_URL", default_value = "sqlite://chiso.sqlite")]
    url: String,
    /// Where evidence files and the signing key (signing.key) are kept.
    #[arg(long, env = "CHISO_DATA_DIR", default_value = "chiso-data")]
    data_dir: PathBuf,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub fn serve(a: ServeArgs, lang: Lang) -> Outcome {
    init_logging(&a.log_format);
    // The signing key first (made at first start), so a missing one is explained in the user's language.
    runtime().block_on(async {
        super::verify::open_signed(&a.db.url, &a.db.data_dir, true, lang).await?.close().await;
        Ok::<_, Vec<String>>(())
    })?;
    let config = chiso_web::Config {
        bind: a.bind,
        database: a.db.url.clone(),
        data_dir: a.db.data_dir,
        secure_cookies: !a.insecure_cookies,
        limits: Default::default(),
        make_pdfs: !a.no_pdf,
    };
    let result = runtime().block_on(chiso_web::serve(config, shutdown_signal(), |addr, password| {
        // The password first: the "serving" line is the last line of a start, for scripts.
        if let Some(p) = password {
            match lang {
                Lang::Vi => println!("Đã tạo tài khoản quản trị: admin / {p}  (mật khẩu dùng một lần; hãy đổi bằng `chiso user reset-password admin`)"),
                Lang::En => println!("Created the administrator: admin / {p}  (one-time password; change it with `chiso user reset-password admin`)"),
            }
        }
        match lang {
            Lang::Vi => println!("chiso đang chạy tại http://{addr} (cơ sở dữ liệu: {})", a.db.url),
            Lang::En => println!("chiso is serving http://{addr} (database: {})", a.db.url),
        }
    }));
    result.map(|_| ExitCode::SUCCESS).map_err(|e| vec![e])
}

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Add a user; prints a generated password.
    Add {
        username: String,
        /// admin, reporter, assessor or viewer.
        #[arg(long)]
        role: String,
        /// Unit ids a reporter is bound to, comma-separated.
        #[arg(long, value_delimiter = ',')]
        units: Vec<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Issue an API token for machine clients (`Authorization: Bearer …`); printed once.
    Token {
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "api")]
        label: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a new generated password (and end the user's sessions).
    ResetPassword {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn generated_password() -> String {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).expect("the OS random generator");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn user(c: UserCommand, lang: Lang) -> Outcome {
    runtime().block_on(async {
        let msg = |e: chiso_store::StoreError| vec![e.to_string()];
        match c {
            UserCommand::Add { username, role, units, db } => {
                let role = Role::parse(&role)
                    .ok_or_else(|| vec![format!("role: {role}? (admin, reporter, assessor, viewer)")])?;
                let store = super::verify::open_signed(&db.url, &db.data_dir, false, lang).await?;
                let password = generated_password();
                store
                    .create_user(&username, &chiso_web::hash_password(&password), role, &units, "cli")
                    .await
                    .map_err(msg)?;
                match lang {
                    Lang::Vi => println!("Đã tạo {username} ({}), mật khẩu: {password}", role.as_str()),
                    Lang::En => println!("Created {username} ({}), password: {password}", role.as_str()),
                }
            }
            UserCommand::Token { username, label, db } => {
                let store = super::verify::open_signed(&db.url, &db.data_dir, false, lang).await?;
                let user =
                    store.user_by_name(&username).await.map_err(msg)?.ok_or_else(|| vec![format!("{username}?")])?;
                let mut b = [0u8; 32];
                getrandom::fill(&mut b).expect("the OS random generator");
                let token: String = b.iter().map(|x| format!("{x:02x}")).collect();
                store.create_token(&chiso_web::sha256_hex(&token), user.id, &label).await.map_err(msg)?;
                println!("{token}");
            }
            UserCommand::ResetPassword { username, db } => {
                let store = super::verify::open_signed(&db.url, &db.data_dir, false, lang).await?;
                let password = generated_password();
                store.set_password(&username, &chiso_web::hash_password(&password), "cli").await.map_err(msg)?;
                match lang {
                    Lang::Vi => println!("Mật khẩu mới của {username}: {password}"),
                    Lang::En => println!("New password of {username}: {password}"),
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
