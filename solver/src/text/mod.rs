//! Text formats shared by inputs and outputs: each output is escaped for
//! where it goes.

pub mod ics;
pub mod terminal;
