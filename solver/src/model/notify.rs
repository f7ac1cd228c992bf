//! Where notifications of schedule changes go (`[notify]` in `oncall.toml`,
//! docs/notifications.md).

/// The channels changes are announced on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotifySettings {
    /// Every `[[notify.webhook]]`, in file order.
    pub webhooks: Vec<Webhook>,
    /// `[notify.email]`: each person whose shifts changed is mailed.
    pub email: Option<Email>,
    /// `remind_before`: how long before each of their shifts people are
    /// reminded of it.
    pub remind_before: Option<chrono::Duration>,
}

/// An SMTP server to send people their changes through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// The server's host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The sender, `Name <address>` or an address.
    pub from: String,
    /// The environment variables holding the user name and password, when
    /// the server wants a login.
    pub login_env: Option<(String, String)>,
    /// Whether STARTTLS is required.
    pub tls: SmtpTls,
}

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SmtpTls {
    /// STARTTLS, or nothing is sent.
    #[default]
    Required,
    /// Plain SMTP (a relay on the same host).
    Off,
}

impl Email {
    /// The channel name of a message to `person`.
    pub fn channel(person: &str) -> String {
        format!("email:{person}")
    }
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
