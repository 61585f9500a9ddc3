//! `chiso period`: the platform's periods from the command line, through the same commands
//! as the administrator's page (same checks, same audit trail).

use super::serve::{DbArgs, runtime};
use crate::Outcome;
use chiso_app::{Actor, OpenPeriod};
use chiso_data::Lang;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Every period: year, kind, framework, deadline, status, published version.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Open a period for a framework's kind of unit, with its deadline (YYYY-MM-DD, today or
    /// later), or a past year as history (`--history`, no deadline).
    Open {
        year: String,
        #[arg(long)]
        framework: String,
        #[arg(long, required_unless_present = "history")]
        deadline: Option<String>,
        /// A past year (last year or earlier) entered as history: no deadline; the
        /// administrator imports the figures and publishes.
        #[arg(long, conflicts_with = "deadline")]
        history: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Compute the results from the counted submissions and publish them as the next version.
    Publish {
        year: i32,
        kind: String,
        /// Why (kept in the audit trail with the version).
        #[arg(long)]
        reason: String,
        /// Publish while the period still takes work (before its deadline, or with units
        /// that have not submitted); said in the audit trail.
        #[arg(long)]
        early: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Remove a period opened by mistake, with its units' extensions: only while it holds
    /// nothing (no report, not even a draft; no evidence; no published version).
    Remove {
        year: i32,
        kind: String,
        /// Why (kept in the audit trail).
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The units without a submitted report (CSV: unit, name, status, deadline).
    Missing {
        year: i32,
        kind: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub fn run(c: Command, lang: Lang) -> Outcome {
    runtime().block_on(async {
        let refused = |e: chiso_app::Error| vec![e.render(lang)];
        let cli = Actor::cli();
        match c {
            Command::List { db } => {
                let app = db.app(lang).await?;
                for o in app.period_overview().await.map_err(refused)? {
                    let p = o.period;
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        p.year,
                        p.kind,
                        p.framework,
                        p.deadline.unwrap_or_default(),
                        p.status.as_str(),
                        o.version.map_or(String::from("-"), |v| v.to_string())
                    );
                }
            }
            Command::Open { year, framework, deadline, history, db } => {
                let app = db.app(lang).await?;
                let input = OpenPeriod { year, framework, deadline: deadline.unwrap_or_default(), history };
                let p = app.open_period(&cli, input).await.map_err(refused)?;
                match lang {
                    Lang::Vi if history => {
                        println!("Đã mở kỳ đánh giá {} ({}) làm kỳ lịch sử, không có hạn nộp.", p.year, p.kind)
                    }
                    Lang::En if history => {
                        println!("Opened the {} period ({}) as history, without a deadline.", p.year, p.kind)
                    }
                    Lang::Vi => println!(
                        "Đã mở kỳ đánh giá {} ({}), hạn nộp {}.",
                        p.year,
                        p.kind,
                        p.deadline.unwrap_or_default()
                    ),
                    Lang::En => println!(
                        "Opened the {} period ({}), deadline {}.",
                        p.year,
                        p.kind,
                        p.deadline.unwrap_or_default()
                    ),
                }
            }
            Command::Publish { year, kind, reason, early, db } => {
                let app = db.app(lang).await?;
                let version = app.publish(&cli, year, &kind, &reason, early).await.map_err(refused)?;
                match lang {
                    Lang::Vi => println!("Đã công bố kết quả {year} ({kind}), phiên bản {version}."),
                    Lang::En => println!("Published the {year} results ({kind}), version {version}."),
                }
            }
            Command::Remove { year, kind, reason, db } => {
                let app = db.app(lang).await?;
                app.remove_period(&cli, year, &kind, &reason).await.map_err(refused)?;
                match lang {
                    Lang::Vi => println!("Đã xoá kỳ đánh giá {year} ({kind})."),
                    Lang::En => println!("Removed the {year} period ({kind})."),
                }
            }
            Command::Missing { year, kind, db } => {
                let app = db.app(lang).await?;
                println!("unit,name,status,deadline");
                for m in app.missing_units(&cli, year, &kind).await.map_err(refused)? {
                    print!("{}", chiso_data::csv_safe::line(&[&m.unit.0, &m.name, m.status_code(), &m.deadline]));
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
