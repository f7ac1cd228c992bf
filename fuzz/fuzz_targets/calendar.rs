//! The `.ics` time-off reader: any bytes load or are refused with a
//! diagnostic, never a panic, a hang or a stack overflow.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use oncall::input::calendar;
use oncall::model::CalendarPolicy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = CalendarPolicy::default();
    let _ = calendar::parse(Path::new("time-off/f.ics"), text, chrono_tz::Europe::Berlin, &policy);
});
