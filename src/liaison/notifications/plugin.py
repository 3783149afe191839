"""In-app notifications and their e-mail copies."""

from __future__ import annotations

from liaison.kit.plugin import Job, Plugin, Ref

PLUGIN = Plugin(
    name="notifications",
    web_routers=(Ref("liaison.web.views.notifications:router"),),
    jobs=(
        Job(
            "notification mail",
            Ref("liaison.notifications.mailer:mail_job"),
            every=lambda settings: settings.smtp_poll_seconds,
        ),
    ),
    work_queue=(Ref("liaison.web.views.work_queue:unread_notifications"),),
)
