//! `[notify]` in `oncall.toml`: where changes to the schedule are announced
//! (docs/notifications.md).
//!
//! ```toml
//! [[notify.webhook]]
//! url = "https://hooks.example.com/oncall"
//! format = "json"                        # or "slack"
//! secret_env = "ONCALL_WEBHOOK_SECRET"   # signs the body; the secret is read from the environment
//! team = "payments"                      # optional: only this team's changes
//!
//! [notify.email]
//! smtp = "smtp.example.com:587"
//! from = "On-call <oncall@example.com>"
//! username_env = "ONCALL_SMTP_USER"      # optional, with password_env
//! password_env = "ONCALL_SMTP_PASSWORD"
//! tls = "required"                       # STARTTLS (default), or "off"
//! ```

use serde::Deserialize;
use toml::Spanned;

use crate::input::context::Cx;
use crate::input::source::Source;
use crate::input::suggest::did_you_mean;
use crate::model::notify::{Email, NotifySettings, SmtpTls, Webhook, WebhookFormat};

/// `[notify]` in `oncall.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    #[serde(default)]
    webhook: Vec<RawWebhook>,
    #[serde(default)]
    email: Option<RawEmail>,
    #[serde(default)]
    remind_before: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmail {
    smtp: Spanned<String>,
    from: Spanned<String>,
    #[serde(default)]
    username_env: Option<Spanned<String>>,
    #[serde(default)]
    password_env: Option<Spanned<String>>,
    #[serde(default)]
    tls: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    url: Spanned<String>,
    #[serde(default)]
    format: Option<Spanned<String>>,
    #[serde(default)]
    secret_env: Option<Spanned<String>>,
    #[serde(default)]
    team: Option<Spanned<String>>,
}

const FORMATS: [(&str, WebhookFormat); 2] = [
    ("json", WebhookFormat::Json),
    ("slack", WebhookFormat::Slack),
];

impl Cx {
    /// The notification channels; each problem is diagnosed and its
    /// webhook dropped.
    pub(super) fn notify_settings(
        &mut self,
        src: &Source,
        raw: Option<RawNotify>,
    ) -> NotifySettings {
        let Some(raw) = raw else {
            return NotifySettings::default();
        };
        let webhooks = raw
            .webhook
            .iter()
            .filter_map(|h| self.webhook(src, h))
            .collect();
        let email = raw.email.as_ref().and_then(|e| self.email(src, e));
        let remind_before = raw
            .remind_before
            .as_ref()
            .and_then(|r| self.remind_before(src, r));
        NotifySettings {
            webhooks,
            email,
            remind_before,
        }
    }

    /// A lead time like `24h`, `90m` or `2d`, from a minute to 28 days.
    fn remind_before(&mut self, src: &Source, value: &Spanned<String>) -> Option<chrono::Duration> {
        let text = value.get_ref().trim();
        let split = text.len().saturating_sub(1);
        let (n, unit) = (
            text.get(..split).unwrap_or(""),
            text.get(split..).unwrap_or(""),
        );
        let minutes = n.parse::<i64>().ok().and_then(|n| match unit {
            "m" => Some(n),
            "h" => n.checked_mul(60),
            "d" => n.checked_mul(24 * 60),
            _ => None,
        });
        match minutes.filter(|m| (1..=28 * 24 * 60).contains(m)) {
            Some(m) => Some(chrono::Duration::minutes(m)),
            None => {
                self.push(
                    src.at(
                        value.span(),
                        format!("`remind_before` `{text}` is not a lead time"),
                    )
                    .help("write a number and a unit, m, h or d, from 1m to 28d, e.g. `24h`"),
                );
                None
            }
        }
    }

    fn email(&mut self, src: &Source, raw: &RawEmail) -> Option<Email> {
        let server = self.smtp_server(src, &raw.smtp);
        let from = raw.from.get_ref().trim();
        let mailbox = from.parse::<lettre::message::Mailbox>().ok();
        if mailbox.is_none() {
            self.push(
                src.at(
                    raw.from.span(),
                    format!("`from` `{from}` is not an e-mail address"),
                )
                .help("write it like `oncall@example.com` or `On-call <oncall@example.com>`"),
            );
        }
        let login_env = self.login_env(src, raw);
        let tls = self.smtp_tls(src, raw.tls.as_ref());
        let (host, port) = server?;
        mailbox?;
        Some(Email {
            host,
            port,
            from: from.to_string(),
            login_env: login_env?,
            tls: tls?,
        })
    }

    /// `username_env` and `password_env`: both or neither. `None` when
    /// diagnosed.
    #[allow(clippy::option_option)]
    fn login_env(&mut self, src: &Source, raw: &RawEmail) -> Option<Option<(String, String)>> {
        match (&raw.username_env, &raw.password_env) {
            (Some(u), Some(p)) => {
                let (u, p) = (self.env_name(src, u), self.env_name(src, p));
                Some(Some((u?, p?)))
            }
            (None, None) => Some(None),
            (Some(v), None) | (None, Some(v)) => {
                self.push(
                    src.at(
                        v.span(),
                        "give both `username_env` and `password_env`, or neither",
                    )
                    .help(
                        "a login needs a user name and a password, each read from the environment",
                    ),
                );
                None
            }
        }
    }

    fn smtp_tls(&mut self, src: &Source, value: Option<&Spanned<String>>) -> Option<SmtpTls> {
        let Some(value) = value else {
            return Some(SmtpTls::Required);
        };
        match value.get_ref().trim() {
            "required" => Some(SmtpTls::Required),
            "off" => Some(SmtpTls::Off),
            other => {
                self.push(src.at(value.span(), format!("unknown `tls` `{other}`")).help(
                    "use `required` (STARTTLS, the default) or `off` (plain SMTP, for a relay on this host)",
                ));
                None
            }
        }
    }

    fn smtp_server(&mut self, src: &Source, value: &Spanned<String>) -> Option<(String, u16)> {
        let text = value.get_ref().trim();
        let parsed = text
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
            .filter(|(h, p)| !h.is_empty() && *p > 0);
        if parsed.is_none() {
            self.push(
                src.at(
                    value.span(),
                    format!("`smtp` `{text}` is not a host and port"),
                )
                .help("write it like `smtp.example.com:587` or `127.0.0.1:2525`"),
            );
        }
        parsed.map(|(h, p)| (h.to_string(), p))
    }

    fn webhook(&mut self, src: &Source, raw: &RawWebhook) -> Option<Webhook> {
        let url = self.webhook_url(src, &raw.url);
        let format = match &raw.format {
            Some(f) => self.webhook_format(src, f),
            None => Some(WebhookFormat::Json),
        };
        let secret_env = match &raw.secret_env {
            Some(v) => Some(self.env_name(src, v)?),
            None => None,
        };
        let team = raw.team.as_ref().map(|t| t.get_ref().trim().to_string());
        Some(Webhook {
            url: url?,
            format: format?,
            secret_env,
            team,
        })
    }

    fn webhook_url(&mut self, src: &Source, value: &Spanned<String>) -> Option<String> {
        let text = value.get_ref().trim();
        match url::Url::parse(text) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                Some(text.to_string())
            }
            _ => {
                self.push(
                    src.at(
                        value.span(),
                        format!("webhook `url` `{text}` is not an http(s) URL"),
                    )
                    .help("write it like `https://hooks.example.com/oncall`"),
                );
                None
            }
        }
    }

    fn webhook_format(&mut self, src: &Source, value: &Spanned<String>) -> Option<WebhookFormat> {
        let v = value.get_ref().trim();
        if let Some((_, f)) = FORMATS.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)) {
            return Some(*f);
        }
        let help = match did_you_mean(v, FORMATS.iter().map(|(n, _)| *n)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "use `json` (the whole notification) or `slack` (`{\"text\": ...}`)".into(),
        };
        self.push(
            src.at(value.span(), format!("unknown webhook `format` `{v}`"))
                .help(help),
        );
        None
    }

    /// The name of an environment variable (letters, digits, `_`).
    fn env_name(&mut self, src: &Source, value: &Spanned<String>) -> Option<String> {
        let v = value.get_ref().trim();
        let valid = !v.is_empty()
            && !v.starts_with(|c: char| c.is_ascii_digit())
            && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            return Some(v.to_string());
        }
        self.push(
            src.at(
                value.span(),
                format!("`secret_env` `{v}` is not the name of an environment variable"),
            )
            .help(
                "name the variable that holds the secret, e.g. `ONCALL_WEBHOOK_SECRET`; \
                 the secret itself never goes in oncall.toml",
            ),
        );
        None
    }
}
