//! The documentation runs: every command shown in `README.md` and
//! `docs/*.md` is executed with the real `oncall` binary, and its output
//! checked.
//!
//! Each Markdown file runs on its own, in order, in a fresh temporary
//! directory holding a copy of the repository's `data/` (without any
//! `oncall.db`), so commands write `oncall.db`, plans and feeds there and
//! nothing in the repository changes. A command sees `oncall` (this build) on
//! its `PATH`, runs under `bash` with standard error joined to standard
//! output, and as `ONCALL_USER=grace` (the quickstart's manager) unless it
//! sets `ONCALL_USER` itself. The clock stands at `ONCALL_NOW` =
//! [`crate::run::NOW`], before the examples' quarter, so the offers they make
//! stay open however much real time has passed.
//!
//! Fenced blocks, by language:
//! - ```` ```console ````: a transcript. A line starting with `$ ` is a
//!   command; the lines after it, up to the next command or the block's end,
//!   are its expected output. A command ending in `# exit N` must exit with
//!   status N, any other with 0. In expected output, a line `...` matches any
//!   number of lines (none too), `[..]` inside a line matches any text, and
//!   trailing spaces are ignored. Before matching, every run of 64 hexadecimal
//!   digits in the output (a link's secret, a SHA-256) becomes `[SECRET]`.
//! - ```` ```sh ````: every line that is not blank or a comment is a command
//!   that must exit 0; its output is not checked.
//! - ```` ```shell ````: not run. Only for commands that cannot run in a test:
//!   the quickstart's two scripts in `README.md` (they build and test this
//!   repository) and the deployment steps of `docs/serving.md` (installing
//!   the binary, a systemd unit, containers, a server that runs until
//!   stopped). Anywhere else it fails this test.
//! - any other language (`text` for synopses and file excerpts, `toml`,
//!   `json`, ...): not commands, and they may not contain `$ ` lines.
//! - a fence with no language fails this test, so that every block says
//!   which of these it is.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::workspace::{copy_dir, root, text};

/// Files whose ```` ```shell ```` blocks are allowed (not run).
const NOT_RUN_ALLOWED: &[&str] = &["README.md", "docs/serving.md"];

/// One command of a document, with what it must do.
#[derive(Debug)]
struct Step {
    line: usize,
    command: String,
    status: i32,
    /// Expected output lines; `None`: not checked.
    expect: Option<Vec<String>>,
}

/// A fenced block being read: its language, first line, the fence's indent
/// and its lines so far (that indent cut off).
struct OpenBlock {
    lang: String,
    start: usize,
    indent: usize,
    lines: Vec<(usize, String)>,
}

/// The Markdown files that document the product, repository-relative.
fn documents() -> Vec<String> {
    let mut files = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The steps of one document, or the problems of its blocks.
fn steps(name: &str, markdown: &str) -> Result<Vec<Step>, Vec<String>> {
    let mut steps = Vec::new();
    let mut problems = Vec::new();
    let mut block: Option<OpenBlock> = None;
    for (i, raw) in markdown.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_start();
        let indent = raw.len() - line.len();
        match (&mut block, line.strip_prefix("```")) {
            (None, Some(info)) => {
                let lang = info.split_whitespace().next().unwrap_or("").to_string();
                if lang.is_empty() {
                    problems.push(format!("{name}:{n}: a fence with no language"));
                }
                block = Some(OpenBlock {
                    lang,
                    start: n,
                    indent,
                    lines: Vec::new(),
                });
            }
            (Some(_), Some("")) => {
                if let Some(b) = block.take() {
                    parse_block(name, &b.lang, b.start, &b.lines, &mut steps, &mut problems);
                }
            }
            (Some(b), _) => {
                let cut = indent.min(b.indent);
                b.lines.push((n, raw[cut..].to_string()));
            }
            (None, None) => {}
        }
    }
    if let Some(b) = block {
        problems.push(format!("{name}:{}: a block that is never closed", b.start));
    }
    if problems.is_empty() {
        Ok(steps)
    } else {
        Err(problems)
    }
}

fn parse_block(
    name: &str,
    lang: &str,
    start: usize,
    lines: &[(usize, String)],
    steps: &mut Vec<Step>,
    problems: &mut Vec<String>,
) {
    match lang {
        "console" => console(name, lines, steps, problems),
        "sh" => {
            for (n, l) in lines {
                let l = l.trim();
                if !l.is_empty() && !l.starts_with('#') {
                    let command = l.to_string();
                    steps.push(Step {
                        line: *n,
                        command,
                        status: 0,
                        expect: None,
                    });
                }
            }
        }
        // No language is reported once, at its fence.
        "" => {}
        "shell" if NOT_RUN_ALLOWED.contains(&name) => {}
        "shell" => problems.push(format!(
            "{name}:{start}: a `shell` block (not run) outside {NOT_RUN_ALLOWED:?}: \
             use `console` or `sh` so the test runs it"
        )),
        _ => {
            for (n, l) in lines {
                if l.starts_with("$ ") {
                    problems.push(format!(
                        "{name}:{n}: a command in a `{lang}` block, which is not run: \
                         use a `console` block"
                    ));
                }
            }
        }
    }
}

fn console(
    name: &str,
    lines: &[(usize, String)],
    steps: &mut Vec<Step>,
    problems: &mut Vec<String>,
) {
    for (n, l) in lines {
        if let Some(cmd) = l.strip_prefix("$ ") {
            let (command, status) = match cmd.rsplit_once("# exit ") {
                Some((c, s)) => match s.trim().parse() {
                    Ok(s) => (c.trim_end().to_string(), s),
                    Err(_) => {
                        problems.push(format!("{name}:{n}: `# exit {s}` is not a status"));
                        continue;
                    }
                },
                None => (cmd.to_string(), 0),
            };
            steps.push(Step {
                line: *n,
                command,
                status,
                expect: Some(Vec::new()),
            });
        } else if let Some(Step {
            expect: Some(expect),
            ..
        }) = steps.last_mut()
        {
            expect.push(l.clone());
        } else {
            problems.push(format!("{name}:{n}: output before any `$ ` command"));
        }
    }
}

/// Output as the documents show it: trailing spaces off, secrets as
/// `[SECRET]`.
fn normalise(out: &str) -> Vec<String> {
    let hex = regex_lite_hex64();
    out.lines().map(|l| hex(l).trim_end().to_string()).collect()
}

/// Replaces every run of exactly 64 hexadecimal digits with `[SECRET]`.
fn regex_lite_hex64() -> impl Fn(&str) -> String {
    |line: &str| {
        let chars: Vec<char> = line.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            let run = chars[i..]
                .iter()
                .take_while(|c| c.is_ascii_hexdigit())
                .count();
            let bounded = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
            let ends = chars
                .get(i + run)
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            if run == 64 && bounded && ends {
                out.push_str("[SECRET]");
                i += run;
            } else {
                let step = run.max(1);
                out.extend(&chars[i..i + step]);
                i += step;
            }
        }
        out
    }
}

/// Whether one output line matches one expected line, `[..]` matching any
/// text.
fn line_matches(expected: &str, actual: &str) -> bool {
    let expected = expected.trim_end();
    let mut parts = expected.split("[..]");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for p in middle {
        match rest.find(p) {
            Some(at) => rest = &rest[at + p.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Whether the output lines match the expected ones, `...` matching any
/// number of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e.trim() == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| line_matches(e, a) && matches(rest, more)),
    }
}

/// A temporary directory holding a copy of the repository's `data/`.
fn sandbox() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root().join("data"), &tmp.path().join("data"));
    tmp
}

fn path_with_oncall() -> std::ffi::OsString {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_oncall"));
    let dir = bin.parent().unwrap().to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(dir).chain(std::env::split_paths(&rest))).unwrap()
}

/// Runs one step in `dir`; the problem, if it did not do what it shows.
fn run(name: &str, dir: &Path, step: &Step) -> Option<String> {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{{ {}\n}} 2>&1", step.command))
        .current_dir(dir)
        .env("PATH", path_with_oncall())
        .env("ONCALL_USER", "grace")
        .env("ONCALL_NOW", crate::run::NOW)
        .env_remove("ONCALL_BASE_URL")
        .output()
        .unwrap();
    let shown = text(&out.stdout);
    let status = out.status.code().unwrap_or(-1);
    let wrong_status = status != step.status;
    let actual = normalise(&shown);
    let wrong_output = step.expect.as_ref().is_some_and(|e| !matches(e, &actual));
    (wrong_status || wrong_output).then(|| {
        let expected = step.expect.as_ref().map(|e| e.join("\n")).unwrap_or_default();
        format!(
            "{name}:{}: `{}` exited {status} (expected {}){}\n--- output:\n{}\n--- expected:\n{expected}\n",
            step.line,
            step.command,
            step.status,
            if wrong_output { ", output differs" } else { "" },
            actual.join("\n"),
        )
    })
}

#[test]
fn every_command_in_the_docs_runs_and_shows_its_output() {
    let mut problems = Vec::new();
    let mut ran = 0;
    for name in documents() {
        let markdown = std::fs::read_to_string(root().join(&name)).unwrap();
        let steps = match steps(&name, &markdown) {
            Ok(s) => s,
            Err(p) => {
                problems.extend(p);
                continue;
            }
        };
        let dir = sandbox();
        for step in &steps {
            ran += 1;
            problems.extend(run(&name, dir.path(), step));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {ran} documented commands:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(ran >= 20, "only {ran} documented commands were found");
}

#[test]
fn the_readme_shows_a_link_with_the_base_url_it_was_given() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let steps = steps("README.md", &readme).unwrap();
    let link = steps
        .iter()
        .find(|s| {
            s.command
                .contains("link create --team payments --base-url https://oncall.example.com")
        })
        .expect("the README shows `link create --team payments --base-url ...`");
    let expect = link.expect.as_ref().unwrap();
    assert!(expect
        .iter()
        .any(|l| l.contains("https://oncall.example.com/[SECRET]/calendar.ics")));
}

#[test]
fn transcripts_match_only_what_they_show() {
    let out = normalise(&format!("a {}\nb\nc\n", "ab".repeat(32)));
    let e = |lines: &[&str]| lines.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(&e(&["a [SECRET]", "b", "c"]), &out));
    assert!(matches(&e(&["a [..]", "..."]), &out));
    assert!(matches(&e(&["...", "c"]), &out));
    assert!(
        !matches(&e(&["a [SECRET]", "b"]), &out),
        "a missing line is a difference"
    );
    assert!(!matches(&e(&["a [SECRET]", "x", "c"]), &out));
    assert!(!matches(&e(&["b", "..."]), &out));
    assert!(!line_matches("x[..]y", "xy-z"));
    assert!(line_matches("x[..]y", "x-y"));
    let bad = steps(
        "t.md",
        "```\n$ oncall\n```\n```text\n$ oncall x\n```\n```shell\nx\n```\n",
    );
    assert_eq!(
        bad.unwrap_err().len(),
        3,
        "no language, a command in text, shell outside allowed files"
    );
    let ok = steps(
        "t.md",
        "```console\n$ oncall x   # exit 1\nout\n```\n```sh\n# c\noncall y\n```\n",
    )
    .unwrap();
    assert_eq!((ok[0].command.as_str(), ok[0].status), ("oncall x", 1));
    assert_eq!(ok[0].expect.as_deref(), Some(&["out".to_string()][..]));
    assert_eq!(
        (ok[1].command.as_str(), ok[1].expect.is_none()),
        ("oncall y", true)
    );
}
