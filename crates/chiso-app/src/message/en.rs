use super::{Document, Field, Message, Problem};
use chiso_data::DataText;
use chiso_domain::Lang;

pub fn message(m: &Message) -> String {
    match m {
        Message::NotFound => "The page or data you asked for was not found.".into(),
        Message::Forbidden => "You are not allowed to do this.".into(),
        Message::Conflict(m) => format!("Conflicting data: {m}"),
        Message::Database => "Database error; nothing was saved. Please try again.".into(),
        Message::StorageFull => "The server's storage is full; nothing was saved. Please tell the system administrator.".into(),
        Message::ReadOnly => "The database is read-only; nothing was saved. Please tell the system administrator.".into(),
        Message::Unavailable => "The database cannot be reached; nothing was saved. Please try again later.".into(),
        Message::BadRole => "Invalid role.".into(),
        Message::BadUsername => "User names contain only unaccented letters (a–z), digits, dots, hyphens and underscores, begin with a letter or a digit, and have at most 64 characters; capitals become small letters.".into(),
        Message::ShortPassword => format!("Passwords need at least {} characters.", crate::MIN_PASSWORD),
        Message::PasswordHasUsername => "The password may not be the user name or contain it.".into(),
        Message::CommonPassword => "This password is too common and easily guessed: choose another (a short sentence is easy to remember).".into(),
        Message::ReporterNeedsUnit => "A reporter must be bound to at least one unit (unit codes, separated by commas).".into(),
        Message::NoSuchUnit(code) => format!("No unit has the code or name “{code}”."),
        Message::AmbiguousUnit(typed, all) => format!("“{typed}” names several units: {all}. Type the code, or the name exactly as in the catalogue."),
        Message::WrongPassword => "The current password is not right.".into(),
        Message::PasswordsDiffer => "The two new passwords differ.".into(),
        Message::SamePassword => "The new password must differ from the current one.".into(),
        Message::CannotDisableSelf => "You cannot disable your own account.".into(),
        Message::UnitNameNeeded => "The unit's name is needed.".into(),
        Message::UnitNotChosen => "Choose a unit of the registry.".into(),
        Message::MergeNeedsTwo => "A merger needs two units or more, the continuing one among them.".into(),
        Message::BadYear => "Invalid year.".into(),
        Message::BadDeadline => "The deadline must be written YYYY-MM-DD.".into(),
        Message::DeadlineInPast => "The deadline has already passed: choose today or a later day.".into(),
        Message::HistoryNotPast => {
            "Only a past year (last year or earlier) can be entered as history; this year's period needs a deadline.".into()
        }
        Message::YearOutsideFramework => "The year is outside the framework's years of application.".into(),
        Message::PublishEarly { missing, deadline } => format!(
            "The period still takes figures (deadline {}; {missing} units have not submitted). To publish now, choose “publish early”: it goes on the record.",
            chiso_domain::date::Date::parse(deadline).map_or(deadline.clone(), |d| d.day_month_year())
        ),
        Message::PublishReasonNeeded => "A reason is needed (for example: publishing the results, correcting figures …).".into(),
        Message::TooLong { what, max } => format!("{} is too long (at most {max} characters); nothing was saved.", field(*what)),
        Message::OnlySubmitted => "Only submitted reports can be reviewed.".into(),
        Message::BadCriterion => "Invalid criterion.".into(),
        Message::EmptyQuestion => "The question is empty.".into(),
        Message::EmptyReply => "The answer is empty.".into(),
        Message::PeriodClosed => "This period no longer accepts data.".into(),
        Message::PastDeadline => "The deadline of this period has passed.".into(),
        Message::EvidenceLocked => "The report was submitted: its evidence stays as the assessors see it.".into(),
        Message::EvidenceClosed => "This period no longer accepts evidence.".into(),
        Message::NoFile => "No file chosen.".into(),
        Message::FileTooLarge => "The file is too large (at most 10 MiB).".into(),
        Message::BadFileType => "Only PDF, PNG, JPEG, DOCX or XLSX files are accepted.".into(),
        Message::UnknownFields(f) => format!("The framework has no fields named: {}; nothing was saved.", f.join(", ")),
        Message::ValuedAndNotApplicable(c) => {
            format!("Criteria given a figure and declared not applicable at once: {}; nothing was saved.", c.join(", "))
        }
        Message::PdfPreparing => "The report's PDF is being made after the latest publication; please try again in a few minutes (the DOCX is ready).".into(),
        Message::PdfOff => "This server does not make PDFs; please download the DOCX.".into(),
        Message::WorkbookTooLarge { max_mib } => format!("The workbook is too large (at most {max_mib} MiB); nothing was written."),
        Message::AlreadySubmitted => "The report was submitted: figures can no longer be imported from a file.".into(),
        Message::ChangeReasonNeeded => "A reason for the change is needed.".into(),
        Message::NoSuchPeriod => "There is no such period.".into(),
        Message::PeriodInUse { submissions, evidence, published } => format!(
            "A period that holds data cannot be removed ({submissions} reports, drafts included; {evidence} evidence files or comments; {published} published versions). Only an empty period can be removed."
        ),
        Message::BadNewDeadline => "The new deadline must be written YYYY-MM-DD.".into(),
        Message::ExceptionUnknownUnit => "No unit with this code in the period's kind of unit.".into(),
        Message::InvalidNotSaved(errors) => format!("Invalid, not saved: {}", super::data_errors(errors, Lang::En)),
        Message::NotSaved(problems) => format!("Not saved: {}", super::list(problems, Lang::En)),
        Message::Broken { what, errors } => format!("{}: {}", document(*what), super::data_errors(errors, Lang::En)),
    }
}

pub fn problem(p: &Problem) -> String {
    match p {
        Problem::EmptyWorkbook => "The file has no figures.".into(),
        Problem::PeriodFrameworkGone { year, kind, framework } => format!(
            "The {year} period ({kind}) uses the framework {framework}: after this change it would be gone (or no longer apply to this period)."
        ),
        Problem::PeriodCriteriaGone { year, kind, fields } => format!(
            "The {year} period ({kind}) has stored figures for {}: these criteria would no longer be in the framework.",
            fields.join(", ")
        ),
        Problem::UnitGone { unit, name, periods } => format!(
            "{name} ({unit}) has stored reports or published results in the period(s) {}: the unit would no longer be in the registry for them.",
            periods.iter().map(|(y, k)| format!("{y} ({k})")).collect::<Vec<_>>().join(", ")
        ),
        Problem::PeriodUnreadable { year, kind } => {
            format!(
                "The {year} period ({kind}): its stored figures or results could no longer be read after this change."
            )
        }
        Problem::OnBehalfReasonNeeded => "Submitting on the units' behalf needs a reason (kept on the record).".into(),
        Problem::UnitAlreadySubmitted(name) => {
            format!("{name}: the report was submitted; figures can no longer be imported from a file.")
        }
        Problem::NoReason { field } => format!("{}: an adjustment needs a reason", field.en),
        Problem::TooLong { field: f, what, max } => {
            format!("{}: {} is too long (at most {max} characters)", f.en, field(*what))
        }
        Problem::NothingEntered => "No figures entered yet.".into(),
        Problem::Value { field, kind } => super::value_problem(Lang::En, field, kind),
        Problem::Data(e) => Lang::En.error(e),
    }
}

fn field(f: Field) -> &'static str {
    match f {
        Field::Reason => "Reason",
        Field::Question => "Question",
        Field::Reply => "Answer to the assessors",
    }
}

fn document(d: Document) -> &'static str {
    match d {
        Document::UnitRegistry => "Unit registry",
        Document::Framework => "Framework",
        Document::PeriodFigures => "The period's figures",
        Document::PublishedResults => "Published results",
        Document::ReportSettings => "Report settings",
    }
}
