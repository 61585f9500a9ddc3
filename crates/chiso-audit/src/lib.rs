//! placeholder until the auditor lands
