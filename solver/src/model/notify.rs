//! Where notifications of schedule changes go (`[notify]` in `oncall.toml`,
//! docs/notifications.md).

/// The channels changes are announced on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotifySettings {
    /// Every `[[notify.webhook]]`, in file order.
    pub webhooks: Vec<Webhook>,
}

/// One webhook: every change (of one team, when `team` is set) is POSTed
/// to `url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    /// Where to POST (http or https).
    pub url: String,
    /// The body's shape.
    pub format: WebhookFormat,
    /// The environment variable holding the signing secret, when the body
    /// is signed.
    pub secret_env: Option<String>,
    /// Only this team's changes, when set.
    pub team: Option<String>,
}

impl Webhook {
    /// The channel name a delivery records: the webhook's URL.
    pub fn channel(&self) -> String {
        format!("webhook:{}", self.url)
    }

    /// Whether a change of `team` goes to this webhook.
    pub fn wants(&self, team: &str) -> bool {
        self.team.as_deref().is_none_or(|t| t == team)
    }
}

/// The body of a webhook.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WebhookFormat {
    /// The full notification as JSON.
    #[default]
    Json,
    /// `{"text": ...}`, as Slack's incoming webhooks take.
    Slack,
}
