//! Reading and writing the data files: every integration test of chiso-data in one binary (linked once, not
//! once per file).

mod analysis_cao_bang;
mod cao_bang;
mod egdi;
mod errors;
mod example;
mod hostile_xlsx;
mod reorganisation;
mod scored;
mod template;
mod xlsx_read;
