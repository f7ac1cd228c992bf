//! `[notify]` in `oncall.toml`: where changes to the schedule are announced
//! (docs/notifications.md).
//!
//! ```toml
//! [[notify.webhook]]
//! url = "https://hooks.example.com/oncall"
//! format = "json"                        # or "slack"
//! secret_env = "ONCALL_WEBHOOK_SECRET"   # signs the body; the secret is read from the environment
//! team = "payments"                      # optional: only this team's changes
//! ```

use serde::Deserialize;
use toml::Spanned;

use crate::input::context::Cx;
use crate::input::source::Source;
use crate::input::suggest::did_you_mean;
use crate::model::notify::{NotifySettings, Webhook, WebhookFormat};

/// `[notify]` in `oncall.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    #[serde(default)]
    webhook: Vec<RawWebhook>,
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
        let hooks = raw.map(|r| r.webhook).unwrap_or_default();
        let webhooks = hooks.iter().filter_map(|h| self.webhook(src, h)).collect();
        NotifySettings { webhooks }
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
