//! Rendering for people rather than programs: the printable report of the office meeting
//! and the overview as CSV. (The registration form and letters, as PDF, will join them.)

pub mod csv_cells;
pub mod overview_csv;
pub mod report;
