//! What a secret link shows: "who is on call now" for bots, and a team's
//! schedule page. Data only, built from the resolved timeline at the
//! instant asked about; the server renders it. Nothing here carries a
//! contact detail: people appear by id and name only.

pub mod now;
pub mod page;
