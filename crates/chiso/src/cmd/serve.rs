use crate::Outcome;
use chiso_data::Lang;
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
    /// First start without the Cao Bằng 2019–2020 demonstration: only the administrator; the
    /// province uploads its catalogue and opens its periods. No effect on a database in use.
    #[arg(long, env = "CHISO_EMPTY")]
    empty: bool,
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
    /// Where the signing key (signing.key) is kept, and evidence and report files unless
    /// in an object store (`--s3-endpoint`).
    #[arg(long, env = "CHISO_DATA_DIR", default_value = "chiso-data")]
    data_dir: PathBuf,
    #[command(flatten)]
    objects: ObjectArgs,
}

/// An S3-compatible object store (MinIO, Garage, Ceph, AWS S3, …) for evidence and report
/// files, shared by several servers on one database (docs/DEPLOY.md). Unset: the data directory.
#[derive(clap::Args)]
pub struct ObjectArgs {
    /// The object store's address, e.g. `https://s3.example.vn` (path-style: `<address>/<bucket>/<key>`).
    #[arg(long = "s3-endpoint", env = "CHISO_S3_ENDPOINT")]
    endpoint: Option<String>,
    /// The bucket (made beforehand with the store's own tools).
    #[arg(long = "s3-bucket", env = "CHISO_S3_BUCKET", default_value = "chiso")]
    bucket: String,
    /// The region the requests are signed for (`us-east-1` where the store has no regions).
    #[arg(long = "s3-region", env = "CHISO_S3_REGION", default_value = "us-east-1")]
    region: String,
    #[arg(long = "s3-access-key-id", env = "CHISO_S3_ACCESS_KEY_ID", hide_env_values = true)]
    access_key_id: Option<String>,
    /// Better from the environment (or a systemd credential file) than as a flag, which every
    /// user of the machine sees in the process list.
    #[arg(long = "s3-secret-access-key", env = "CHISO_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    secret_access_key: Option<String>,
}

impl ObjectArgs {
    /// The object store configured, if any; an error names what is missing.
    pub fn config(&self, lang: Lang) -> Result<Option<chiso_app::objects::S3Config>, Vec<String>> {
        let Some(endpoint) = self.endpoint.clone().filter(|e| !e.trim().is_empty()) else { return Ok(None) };
        let (Some(access_key_id), Some(secret_access_key)) =
            (self.access_key_id.clone(), self.secret_access_key.clone())
        else {
            return Err(vec![match lang {
                Lang::Vi => "Kho đối tượng S3 cần CHISO_S3_ACCESS_KEY_ID và CHISO_S3_SECRET_ACCESS_KEY.".into(),
                Lang::En => "The S3 object store needs CHISO_S3_ACCESS_KEY_ID and CHISO_S3_SECRET_ACCESS_KEY.".into(),
            }]);
        };
        let config = chiso_app::objects::S3Config {
            endpoint,
            bucket: self.bucket.clone(),
            region: self.region.clone(),
            access_key_id,
            secret_access_key,
        };
        Ok(Some(config))
    }

    /// The platform's files: in the object store if one is configured (checked to answer),
    /// else under `data_dir`.
    pub async fn objects(
        &self,
        data_dir: &std::path::Path,
        lang: Lang,
    ) -> Result<chiso_app::objects::Objects, Vec<String>> {
        let refused = |e: std::io::Error| match lang {
            Lang::Vi => vec![format!("Kho đối tượng S3: {e}")],
            Lang::En => vec![format!("S3 object store: {e}")],
        };
        let objects = match self.config(lang)? {
            Some(config) => chiso_app::objects::Objects::s3(config).map_err(refused)?,
            None => chiso_app::objects::Objects::local(data_dir),
        };
        objects.check().await.map_err(refused)?;
        Ok(objects)
    }
}

impl DbArgs {
    /// The platform's use cases on this database, as the command line's administrator.
    pub async fn app(&self, lang: Lang) -> Result<chiso_app::App, Vec<String>> {
        let objects = self.objects.objects(&self.data_dir, lang).await?;
        let store = super::verify::open_signed(&self.url, &self.data_dir, false, lang).await?;
        Ok(chiso_app::App::new_on(store, self.data_dir.clone(), objects))
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
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
    crate::memory::give_back_when_freed();
    // The signing key first (made at first start), so a missing one is explained in the user's language.
    // And the object store, if one is configured: it answers and its bucket exists.
    let objects = a.db.objects.config(lang)?;
    runtime().block_on(async {
        super::verify::open_signed(&a.db.url, &a.db.data_dir, true, lang).await?.close().await;
        a.db.objects.objects(&a.db.data_dir, lang).await?;
        Ok::<_, Vec<String>>(())
    })?;
    let config = chiso_web::Config {
        bind: a.bind,
        database: a.db.url.clone(),
        data_dir: a.db.data_dir,
        secure_cookies: !a.insecure_cookies,
        limits: Default::default(),
        make_pdfs: !a.no_pdf,
        start: if a.empty { chiso_app::seed::Start::Empty } else { chiso_app::seed::Start::Demo },
        objects,
    };
    let result = runtime().block_on(chiso_web::serve(config, shutdown_signal(), |addr, password| {
        // The password first: the "serving" line is the last line of a start, for scripts.
        if let Some(p) = password {
            match lang {
                Lang::Vi => println!("Đã tạo tài khoản quản trị: admin / {p}  (mật khẩu dùng một lần: hãy đổi ngay tại /tai-khoan sau khi đăng nhập)"),
                Lang::En => println!("Created the administrator: admin / {p}  (one-time password: change it at /tai-khoan after logging in)"),
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
    /// Add a user; prints a generated password. The administrator's page rules apply: the
    /// name is stored in lower case from a safe alphabet, a reporter needs existing units.
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
        /// Days until it expires.
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=3650))]
        days: i64,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List API tokens (never the tokens themselves): id, user, purpose, issued, expires, state.
    Tokens {
        /// Only this user's.
        username: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke an API token by the id `chiso user tokens` shows.
    RevokeToken {
        id: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a new generated password (ends the user's sessions and revokes their API tokens).
    ResetPassword {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Lift the login delays of a user name after repeated failed logins.
    Unlock {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable a user: no login; sessions ended, API tokens revoked.
    Disable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Enable a disabled user again (with no tokens: issue new ones).
    Enable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub fn user(c: UserCommand, lang: Lang) -> Outcome {
    runtime().block_on(async {
        let cli = chiso_app::Actor::cli();
        let unknown = |name: &str| match lang {
            Lang::Vi => vec![format!("Không có người dùng “{name}”.")],
            Lang::En => vec![format!("No user “{name}”.")],
        };
        // A name that is nobody's is said as such; any other refusal in the app's words.
        let refused = |name: &str| {
            let name = name.to_string();
            move |e: chiso_app::Error| match e.kind {
                chiso_app::Kind::NotFound => unknown(&name),
                _ => vec![e.render(lang)],
            }
        };
        match c {
            UserCommand::Add { username, role, units, db } => {
                let app = db.app(lang).await?;
                // One the password rules accept for this name (never containing it).
                let password = chiso_app::passwords::one_time_password(&username);
                let new = chiso_app::NewUser { username, password: password.clone(), role: role.clone(), units };
                let name = app.add_user(&chiso_app::Actor::cli(), new).await.map_err(|e| vec![e.render(lang)])?;
                match lang {
                    Lang::Vi => println!("Đã tạo {name} ({role}), mật khẩu: {password}"),
                    Lang::En => println!("Created {name} ({role}), password: {password}"),
                }
            }
            UserCommand::Token { username, label, days, db } => {
                let app = db.app(lang).await?;
                let (token, id) = app.issue_token(&cli, &username, &label, days).await.map_err(refused(&username))?;
                // The token alone on stdout (for scripts); its id and expiry on stderr.
                println!("{token}");
                match lang {
                    Lang::Vi => eprintln!("Mã nhận diện {id}, hết hạn sau {days} ngày."),
                    Lang::En => eprintln!("Token id {id}, expires in {days} days."),
                }
            }
            UserCommand::Tokens { username, db } => {
                let app = db.app(lang).await?;
                let accounts = app.accounts(&cli).await.map_err(|e| vec![e.render(lang)])?;
                let only = match &username {
                    Some(n) => {
                        let key = chiso_store::fold_username(n);
                        let user = accounts.users.iter().find(|u| chiso_store::fold_username(&u.username) == key);
                        Some(user.ok_or_else(|| unknown(n))?.username.clone())
                    }
                    None => None,
                };
                for t in accounts.tokens {
                    if only.as_ref().is_some_and(|n| *n != t.username) {
                        continue;
                    }
                    let state = match (&t.revoked_at, t.live(), lang) {
                        (Some(at), _, Lang::Vi) => format!("đã thu hồi {at}"),
                        (Some(at), _, Lang::En) => format!("revoked {at}"),
                        (None, true, Lang::Vi) => "còn hiệu lực".into(),
                        (None, true, Lang::En) => "valid".into(),
                        (None, false, Lang::Vi) => "đã hết hạn".into(),
                        (None, false, Lang::En) => "expired".into(),
                    };
                    println!("{}\t{}\t{}\t{}\t{}\t{state}", t.id, t.username, t.label, t.created_at, t.expires_utc());
                }
            }
            UserCommand::RevokeToken { id, db } => {
                let app = db.app(lang).await?;
                app.revoke_token(&chiso_app::Actor::cli(), id.trim()).await.map_err(|e| match e.kind {
                    chiso_app::Kind::NotFound => match lang {
                        Lang::Vi => vec![format!("Không có mã truy cập {id}.")],
                        Lang::En => vec![format!("No token {id}.")],
                    },
                    _ => vec![e.render(lang)],
                })?;
                match lang {
                    Lang::Vi => println!("Đã thu hồi mã truy cập {id}."),
                    Lang::En => println!("Revoked token {id}."),
                }
            }
            UserCommand::ResetPassword { username, db } => {
                let app = db.app(lang).await?;
                let (name, password) = app.reset_password(&cli, &username).await.map_err(refused(&username))?;
                match lang {
                    Lang::Vi => println!("Mật khẩu mới của {name}: {password} (các mã truy cập API đã bị thu hồi)"),
                    Lang::En => println!("New password of {name}: {password} (their API tokens are revoked)"),
                }
            }
            UserCommand::Unlock { username, db } => {
                let app = db.app(lang).await?;
                let n = app.unlock(&cli, &username).await.map_err(refused(&username))?;
                let name = chiso_store::fold_username(&username);
                match lang {
                    Lang::Vi => println!("Đã mở khóa đăng nhập của {name} ({n} bộ đếm được xóa)."),
                    Lang::En => println!("Unlocked the logins of {name} ({n} counters cleared)."),
                }
            }
            UserCommand::Disable { username, db } => set_disabled(&username, &db, true, lang).await?,
            UserCommand::Enable { username, db } => set_disabled(&username, &db, false, lang).await?,
        }
        Ok(ExitCode::SUCCESS)
    })
}

async fn set_disabled(username: &str, db: &DbArgs, disabled: bool, lang: Lang) -> Result<(), Vec<String>> {
    let app = db.app(lang).await?;
    let action = if disabled { chiso_app::UserAction::Disable } else { chiso_app::UserAction::Enable };
    app.set_user_state(&chiso_app::Actor::cli(), username, action).await.map_err(|e| match e.kind {
        chiso_app::Kind::NotFound => match lang {
            Lang::Vi => vec![format!("Không có người dùng “{username}”.")],
            Lang::En => vec![format!("No user “{username}”.")],
        },
        _ => vec![e.render(lang)],
    })?;
    let name = chiso_store::username_key(username).unwrap_or_else(|| username.to_string());
    match (lang, disabled) {
        (Lang::Vi, true) => println!("Đã vô hiệu hóa {name} (phiên đăng nhập kết thúc, mã truy cập API bị thu hồi)."),
        (Lang::En, true) => println!("Disabled {name} (sessions ended, API tokens revoked)."),
        (Lang::Vi, false) => println!("Đã kích hoạt lại {name}."),
        (Lang::En, false) => println!("Enabled {name} again."),
    }
    Ok(())
}
