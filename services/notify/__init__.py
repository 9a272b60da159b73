"""Notify: telling people. Whom to tell and why arrives decided (`notice.decided` from dispatch, which
knows the roster; `webhook.paused` names its owner); how and when each person is reached is decided
here: their contacts, channels (e-mail, WeCom/DingTalk group robot, text message), quiet hours,
language, retries, and every notification with its tries."""
