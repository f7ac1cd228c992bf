//! Sending one notification to one webhook: a signed POST, bounded in time.

use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::blocking::Client;
use sha2::Sha256;

use super::deliver::Attempt;
use crate::model::notify::{Webhook, WebhookFormat};

/// How long one attempt may take, connecting included.
pub(super) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// The request a webhook gets: its body and headers.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Request {
    /// The body, exactly as signed.
    pub(super) body: String,
    /// `X-Oncall-Event`.
    pub(super) event: String,
    /// `X-Oncall-Delivery`: the notification id.
    pub(super) delivery: String,
    /// `X-Oncall-Signature`, when the webhook has a secret.
    pub(super) signature: Option<String>,
}

/// The body for `hook`'s format, from the JSON body of a notification.
pub(super) fn body_for(hook: &Webhook, json: &serde_json::Value) -> String {
    match hook.format {
        WebhookFormat::Json => json.to_string(),
        WebhookFormat::Slack => serde_json::json!({ "text": json["text"] }).to_string(),
    }
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// The secret of `hook` from the environment, when it has one.
///
/// # Errors
/// The variable it names is unset or empty.
pub(super) fn secret(hook: &Webhook) -> Result<Option<String>, String> {
    let Some(var) = &hook.secret_env else {
        return Ok(None);
    };
    match std::env::var(var) {
        Ok(s) if !s.is_empty() => Ok(Some(s)),
        _ => Err(format!(
            "the webhook {} is signed with ${var}, which is not set; export it \
             (or remove `secret_env` from its [[notify.webhook]] in oncall.toml)",
            hook.url
        )),
    }
}

/// POSTs `req` to `hook`.
pub(super) fn send(client: &Client, hook: &Webhook, req: &Request) -> Attempt {
    let mut r = client
        .post(&hook.url)
        .header("Content-Type", "application/json")
        .header("User-Agent", concat!("oncall/", env!("CARGO_PKG_VERSION")))
        .header("X-Oncall-Event", &req.event)
        .header("X-Oncall-Delivery", &req.delivery)
        .body(req.body.clone());
    if let Some(sig) = &req.signature {
        r = r.header("X-Oncall-Signature", sig);
    }
    match r.send() {
        Ok(resp) => Attempt::of_status(resp.status().as_u16()),
        Err(e) if e.is_timeout() => Attempt::Retry(format!("no answer within {ATTEMPT_TIMEOUT:?}")),
        Err(e) => Attempt::Retry(format!("cannot reach {}: {e}", hook.url)),
    }
}

/// A client for webhooks: every attempt bounded to [`ATTEMPT_TIMEOUT`], no
/// redirects followed (a redirect is an answer, not a delivery).
pub(super) fn client() -> Result<Client, String> {
    Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .connect_timeout(ATTEMPT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot start an HTTP client: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_signature_is_rfc_4231s_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            super::signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
